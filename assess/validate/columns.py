"""Column checks and typing of one layer's attribute table (vectorised).

:func:`type_layer` turns a raw table into the typed table of the :class:`~tc8.model.inputs.Inputs`
contract and reports, per row, every value that does not fit: missing required columns,
non-numeric numbers, fractions in whole-number columns, unknown yes/no words, unknown
enumeration values (matched case-insensitively, written back in the schema's spelling),
nulls in non-nullable columns, numbers outside the schema's bounds, duplicate ids.
A value that cannot be typed becomes <NA> in the typed table (and is reported once).
Messages quote a text cell exactly as it was typed (:class:`_AsTyped`).

Yes/no words: :func:`read_bool`. Numbers typed as text: :func:`read_number`. Web address or
yes/no word (``url_or_bool`` columns): :func:`read_url_or_bool`.
"""
from __future__ import annotations

import re
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd

from tc8.model.schema import BARE_AMBIGUOUS, FALSE_SHOWN, FALSE_WORDS, TRUE_SHOWN, TRUE_WORDS, Column, Layer
from .report import Collector, LayerRef
from .choices import reader_for, report_ambiguous

DTYPES = {"str": "string", "code": "string", "enum": "string", "int": "Int64",
          "float": "Float64", "bool": "boolean"}


def _scalar_text(value) -> str:
    """Text of one cell: ``True`` -> ``"true"``, ``24784.0`` -> ``"24784"``, bytes decoded."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return str(value)
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _clean_text(value) -> str | None:
    """NFC, stripped text of one cell; None when empty."""
    text = unicodedata.normalize("NFC", _scalar_text(value)).strip()
    return text or None


def _per_unique(series: pd.Series, func) -> np.ndarray:
    """``func`` applied once per distinct non-null value, spread back to rows (None for nulls).

    Columns repeat few values (technology, kind, yes/no words), so this loops over the
    distinct values only; an id column costs one pass of ``func`` per row.
    """
    codes, uniques = pd.factorize(series.to_numpy(dtype=object, na_value=None) if
                                  pd.api.types.is_extension_array_dtype(series) else series,
                                  use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [func(v) for v in uniques]
    mapped[-1] = None
    return mapped[codes]


def text_array(series: pd.Series) -> np.ndarray:
    """Object array of NFC, stripped text per row; None for null or empty cells."""
    return _per_unique(series, _clean_text)


def as_string(values: np.ndarray, index=None) -> pd.Series:
    """pandas ``string`` Series from an object array holding str or None."""
    return pd.Series(pd.array(values, dtype="string"), index=index)


#: What ``str.strip()`` removes: every character for which ``str.isspace()`` is true.
_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def _arrow_text(series: pd.Series) -> pd.Series | None:
    """:func:`to_text` computed by Arrow kernels for an Arrow-backed text column (the usual
    case: GeoPackage and GeoJSON read through Arrow), None for any other column."""
    dtype = series.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pc.utf8_trim(pc.utf8_normalize(pa.array(series.array), form="NFC"), characters=_WHITESPACE)
    values = pc.if_else(pc.equal(pc.utf8_length(values), 0), pa.scalar(None, values.type), values)
    return pd.Series(pd.array(values, dtype="string"), index=series.index)


def to_text(series: pd.Series) -> pd.Series:
    """Any column as pandas ``string``: NFC, stripped, empty -> <NA>; ``24784.0`` -> ``"24784"``."""
    fast = _arrow_text(series)
    return fast if fast is not None else as_string(text_array(series), series.index)


class _AsTyped:
    """Per-row cell text for messages, made only for the rows reported: a text cell exactly as
    typed (spaces and all), any other cell through :func:`_scalar_text` (``2.0`` -> ``"2"``)."""

    def __init__(self, series: pd.Series):
        self.series = series

    def __getitem__(self, position: int) -> str:
        value = self.series.iat[position]
        return value if isinstance(value, str) else _scalar_text(value)


class _Refused(str):
    """Why a cell was refused (``BAD``, ``AMBIGUOUS``); never a value."""


BAD, AMBIGUOUS = _Refused("bad"), _Refused("ambiguous")
_TRUE, _FALSE, _BAD = 1, 0, -2
_SPACE_RUN = re.compile(r"\s+")


def fold_word(text: str) -> str:
    """``text`` lower-cased (casefold), runs of spaces as one space, without accents (``đ`` ->
    ``d``): ``"  KHÔNG\u00a0 Có "`` -> ``"khong co"``."""
    text = _SPACE_RUN.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d")


def _bare_words() -> dict:
    """Bare (accent-free) spelling -> True/False, for spellings that fold to one side only."""
    sides: dict = {}
    for word, side in [(w, True) for w in TRUE_WORDS] + [(w, False) for w in FALSE_WORDS]:
        sides.setdefault(fold_word(word), set()).add(side)
    return {bare: found.pop() for bare, found in sides.items()
            if len(found) == 1 and bare not in BARE_AMBIGUOUS}


_BARE_WORDS = _bare_words()


def read_bool(value):
    """True/False for a yes/no word, None for an empty cell, :data:`BAD` for anything else.

    The word is compared ignoring case and runs of spaces (``" Chưa  CÓ "`` is ``chưa có``).
    Typed with no accent at all it may match the accented word (``khong co`` -> ``không có``),
    except bare spellings in :data:`~tc8.model.schema.BARE_AMBIGUOUS`; typed with other accents
    (``dừng``) it is refused. Numbers: 1 and 0 only (``1.0`` from a numeric field is 1).
    """
    text = _clean_text(value)
    if text is None:
        return None
    word = _SPACE_RUN.sub(" ", text.casefold())
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    bare = fold_word(word)
    if bare != word.replace("đ", "d"):  # accented, but not as a listed word is
        return BAD
    return _BARE_WORDS.get(bare, BAD)


#: Thousands groups (exactly three digits) after a first group of 1-3 digits not starting with 0.
_SEPARATORS = (".", ",", " ", "\u00a0", "\u202f", "\u2009")
_GROUPED = {sep: re.compile(rf"[1-9][0-9]{{0,2}}(?:{re.escape(sep)}[0-9]{{3}})+") for sep in _SEPARATORS}
_DIGITS = re.compile(r"[0-9]+")
_SINGLE = re.compile(r"([0-9]*)([.,])([0-9]+)")
_SCIENTIFIC = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")


def _grouped_digits(body: str) -> str | None:
    """Digits of a thousands-grouped integer (``1.234.567``, ``2 000``), else None."""
    for sep, pattern in _GROUPED.items():
        if pattern.fullmatch(body):
            return body.replace(sep, "")
    return None


def _unsigned(body: str, whole: bool):
    """:func:`read_number` without the sign."""
    if _DIGITS.fullmatch(body):
        return float(int(body))
    single = _SINGLE.fullmatch(body)  # one mark: before the groups (1.200 is one of each)
    if single is not None:
        head, _, tail = single.groups()
        if len(tail) == 3 and head[:1] not in ("", "0") and len(head) <= 3:
            return float(int(head + tail)) if whole else AMBIGUOUS
        return float(f"{head or 0}.{tail}")
    digits = _grouped_digits(body)
    if digits is not None:
        return float(int(digits))
    mark = max(body.rfind("."), body.rfind(","))
    if mark > 0 and _DIGITS.fullmatch(body[mark + 1:]) and body[mark] not in body[:mark]:
        digits = _grouped_digits(body[:mark])
        if digits is not None:
            return float(f"{digits}.{body[mark + 1:]}")
    if _SCIENTIFIC.fullmatch(body):
        return float(body)
    return BAD


def read_number(text: str, whole: bool):
    """The number a text cell spells, or :data:`BAD` / :data:`AMBIGUOUS` (``whole``: counts).

    After an optional sign (``+``/``-``):

    * ``2000``; ``2.000``, ``2,000``, ``2 000``, ``12.345.678`` (groups of exactly three
      digits after a first group of 1-3 digits not starting with 0) -> whole numbers;
    * one decimal mark, ``,`` or ``.``: ``8,5`` = ``8.5`` = 8.5, ``0,500`` = 0.5;
    * both kinds: the last mark is the decimal one and the marks before it group thousands
      (``1.234,5`` = ``1,234.5`` = ``1 234,5`` = 1234.5); ``1e3`` (point only) too;
    * one mark followed by exactly three digits (``1.200``, ``1,200``): in a count column
      thousands (1200; a count has no fraction), elsewhere :data:`AMBIGUOUS` (1.2 or 1200?);
    * in a count column a fraction (``1,5``) is :data:`BAD`; so is anything else (units,
      ``1.20.000``, ``12,34,567``, ``nan``, ``inf``).
    """
    text = unicodedata.normalize("NFC", text).strip()
    sign = -1.0 if text[:1] == "-" else 1.0
    value = _unsigned(text[1:] if text[:1] in ("+", "-") else text, whole)
    if isinstance(value, _Refused):
        return value
    if not np.isfinite(value) or (whole and not value.is_integer()):
        return BAD
    return sign * value


def _read_cell_number(value, whole: bool):
    """:func:`read_number` for a text cell; a numeric cell is taken as it is (``1.234`` from a
    numeric field is 1.234, never re-read as text); yes/no values are not numbers."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return read_number(value, whole) if value.strip() else None
    if isinstance(value, (bool, np.bool_)):
        return BAD
    return float(value)


def _to_number(series: pd.Series, whole: bool) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(Float64 values, mask of cells that are not numbers, mask of ambiguous text cells).

    Numeric columns (GeoPackage, GeoJSON numbers) are taken as they are; text cells are read
    by :func:`read_number` once per distinct value.
    """
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        values = series.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        bad = np.zeros(len(series), dtype=bool)
        ambiguous = bad.copy()
    else:
        got = _per_unique(series, lambda v: _read_cell_number(v, whole))
        bad = np.fromiter((g is BAD for g in got), dtype=bool, count=len(got))
        ambiguous = np.fromiter((g is AMBIGUOUS for g in got), dtype=bool, count=len(got))
        values = np.fromiter((np.nan if g is None or isinstance(g, _Refused) else g for g in got),
                             dtype="float64", count=len(got))
    nonfinite = np.isinf(values)
    if nonfinite.any():
        bad = bad | nonfinite
        values = np.where(nonfinite, np.nan, values)
    return pd.Series(pd.array(values, dtype="Float64")), bad, ambiguous


def _bool_state(value) -> int:
    state = read_bool(value)
    return -1 if state is None else _TRUE if state is True else _FALSE if state is False else _BAD


def _to_bool(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(boolean values, mask of cells that are not yes/no words). Empty cells are <NA>."""
    state = _per_unique(series, _bool_state)
    state = np.where(state == None, -1, state).astype(int)  # noqa: E711 - elementwise on objects
    out = pd.array(np.where(state == _TRUE, True, False), dtype="boolean")
    out[(state != _TRUE) & (state != _FALSE)] = pd.NA
    return pd.Series(out), state == _BAD


#: A web address: optional http(s)://, dot-separated labels, a top-level domain of letters,
#: optional port and path (``https://xa.lamdong.gov.vn``, ``xaabc.gov.vn``, ``facebook.com/xa``).
_URL = re.compile(r"(?:https?://)?(?:[\w-]+\.)+[^\W\d_]{2,}(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)


def read_url_or_bool(value):
    """True for a web address or a yes word, False for a no word, None when empty, else
    :data:`BAD`."""
    state = read_bool(value)
    if state is not BAD:
        return state
    return True if _URL.fullmatch(_clean_text(value)) else BAD


def url_or_bool_values(series: pd.Series) -> pd.Series:
    """A ``url_or_bool`` column as booleans (<NA> where empty or unreadable), same index."""
    state = _per_unique(series, read_url_or_bool)
    out = pd.array([s if isinstance(s, bool) else pd.NA for s in state], dtype="boolean")
    return pd.Series(out, index=series.index)


def _empty(kind: str, index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype=DTYPES[kind])


#: The largest count read exactly (float64 holds every whole number up to 2**53).
_MAX_COUNT = 2.0**53


def _type_column(frame, col: Column, ref: LayerRef, report: Collector) -> tuple[pd.Series, np.ndarray]:
    """Typed column and the mask of cells already reported as mistyped."""
    raw = frame[col.name]
    shown = {"value": _AsTyped(raw)}
    bad = np.zeros(len(frame), dtype=bool)
    if col.kind in ("str", "code"):
        text = to_text(raw)
        if col.url_or_bool:
            bad = _per_unique(raw, lambda v: read_url_or_bool(v) is BAD).astype(bool)
            report.add_rows("error", "bad_website", ref, bad, col.name, per_row=shown,
                            allowed_true=", ".join(TRUE_SHOWN), allowed_false=", ".join(FALSE_SHOWN))
            text = text.mask(bad)
        return text, bad
    if col.kind == "enum":  # the code or another spelling of it (tc8.validate.choices)
        reader = reader_for(col.values)

        def canonical(value):  # an empty cell is empty (None), not an unknown value
            cleaned = _clean_text(value)
            return None if cleaned is None else (reader.read(cleaned) or _BAD)

        canon = _per_unique(raw, canonical)
        bad = np.fromiter((c is _BAD for c in canon), dtype=bool, count=len(canon))
        if bad.any():
            report.add_rows("error", "bad_enum", ref, bad, col.name, per_row=shown,
                            allowed=", ".join(col.values))
        bad = bad | report_ambiguous(canon, col.name, ref, report, shown)
        return as_string(np.where(bad, None, canon)), bad
    if col.kind == "bool":
        out, bad = _to_bool(raw)
        report.add_rows("error", "bad_bool", ref, bad, col.name, per_row=shown,
                        allowed_true=", ".join(TRUE_SHOWN), allowed_false=", ".join(FALSE_SHOWN))
        return out, bad
    num, bad, ambiguous = _to_number(raw, whole=col.kind == "int")
    if col.kind == "int":  # beyond 2**53 a count is not exact (and 1e100 does not fit Int64)
        huge = np.abs(num.to_numpy(dtype="float64", na_value=np.nan)) > _MAX_COUNT
        bad = bad | huge
        num = num.mask(huge)
    report.add_rows("error", "bad_number", ref, bad, col.name, per_row=shown)
    report.add_rows("error", "ambiguous_number", ref, ambiguous, col.name, per_row=shown)
    bad = bad | ambiguous
    values = num.to_numpy(dtype="float64", na_value=np.nan)
    if col.kind == "int":  # a fraction in a numeric field (text fractions are bad_number)
        finite = np.isfinite(values)
        frac = finite & (np.floor(np.where(finite, values, 0)) != values)
        report.add_rows("error", "not_integer", ref, frac, col.name, per_row=shown)
        bad = bad | frac
        num = num.mask(frac)
        values = np.where(frac, np.nan, values)
    low = np.zeros(len(values), dtype=bool) if col.minimum is None else values < col.minimum
    high = np.zeros(len(values), dtype=bool) if col.maximum is None else values > col.maximum
    out_range = low | high
    report.add_rows("error", "out_of_range", ref, out_range, col.name, per_row=shown,
                    minimum="" if col.minimum is None else col.minimum,
                    maximum="" if col.maximum is None else col.maximum)
    if col.kind == "int":
        return num.round().astype("Int64"), bad
    return num, bad


def _labels(ids: pd.Series) -> np.ndarray:
    """Row labels for :class:`LayerRef`: the id where present and unique, else None (-> ``#n``)."""
    usable = (ids.notna() & ~ids.duplicated(keep=False)).to_numpy(dtype=bool)
    return np.where(usable, ids.to_numpy(dtype=object, na_value=None), None)


def _duplicates(ids: pd.Series, col: Column, ref: LayerRef, report: Collector) -> None:
    """One problem per duplicated value, naming every row that carries it (``#n``)."""
    dup = ids.notna() & ids.duplicated(keep=False)
    if not dup.any():
        return
    positions = pd.Series(np.flatnonzero(dup.to_numpy(dtype=bool)) + 1, index=ids[dup].to_numpy())
    groups = positions.groupby(level=0, sort=False)
    total = groups.ngroups
    shown = 0
    for value, rows in groups:
        if shown >= report.cap:
            break
        shown += 1
        report.add("error", "duplicate_id", ref.file, ref.name, str(value), col.name,
                   rows=", ".join(f"#{r}" for r in rows.to_numpy()[:10]), count=len(rows))
    if total > shown:
        report._overflow((ref.name, "duplicate_id"), "error", ref.file, col.name, total - shown)


def type_layer(frame: pd.DataFrame, layer: Layer, file: str, report: Collector) -> tuple[pd.DataFrame, LayerRef]:
    """Typed attribute table (schema columns in schema order, then the extra columns).

    Absent optional columns are added as all-<NA>; a missing required column is reported and
    added the same way so later checks can run. Extra text columns are NFC-normalised but keep
    their values otherwise. The geometry column is not part of the result.
    """
    geom_name = frame.active_geometry_name if isinstance(frame, gpd.GeoDataFrame) else None
    index = pd.RangeIndex(len(frame))
    frame = frame.reset_index(drop=True)
    ids = to_text(frame[layer.id_column]) if layer.id_column in frame.columns else None
    ref = LayerRef(layer.name, file, None if ids is None else _labels(ids))
    typed: dict[str, pd.Series] = {}
    for col in layer.columns:
        if col.name not in frame.columns:
            if col.required:
                report.add("error", "missing_column", file, layer.name, "", col.name,
                           expected=", ".join(c.name for c in layer.required_columns))
            typed[col.name] = _empty(col.kind, index)
            continue
        if col.name == layer.id_column:
            series, bad = ids, np.zeros(len(frame), dtype=bool)
        else:
            series, bad = _type_column(frame, col, ref, report)
        series.index = index
        typed[col.name] = series
        if not col.nullable:
            nulls = series.isna().to_numpy(dtype=bool) & ~bad
            report.add_rows("error", "null_value", ref, nulls, col.name)
        if col.unique:
            _duplicates(series, col, ref, report)
    for name in frame.columns:
        if name in typed or name == geom_name:
            continue
        extra = frame[name]
        if pd.api.types.infer_dtype(extra, skipna=True) == "string":
            extra = pd.Series(_per_unique(extra, lambda v: unicodedata.normalize("NFC", v)), dtype=object)
        typed[name] = extra.set_axis(index)
    return pd.DataFrame(typed, index=index), ref
