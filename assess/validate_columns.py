"""Column checks and typing of one layer's attribute table (vectorised).

:func:`type_layer` turns a raw table into the typed table of the :class:`~tc8.inputs.Inputs`
contract and reports, per row, every value that does not fit: missing required columns,
non-numeric numbers, fractions in whole-number columns, unknown yes/no words, unknown
enumeration values (matched case-insensitively, written back in the schema's spelling),
nulls in non-nullable columns, numbers outside the schema's bounds, duplicate ids.
A value that cannot be typed becomes <NA> in the typed table (and is reported once).
"""
from __future__ import annotations

import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd

from .schema import FALSE_WORDS, TRUE_WORDS, Column, Layer
from .validate_report import Collector, LayerRef

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


def _present(values: np.ndarray) -> np.ndarray:
    return np.fromiter((v is not None for v in values), dtype=bool, count=len(values))


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


def _to_number(series: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray | None]:
    """(Float64 values, mask of cells that are not numbers, the cells as text or None)."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        values = series.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        text = None
        bad = np.zeros(len(series), dtype=bool)
    else:
        text = text_array(series)
        values = pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(dtype="float64")
        bad = _present(text) & np.isnan(values)
    nonfinite = np.isinf(values)
    if nonfinite.any():
        bad = bad | nonfinite
        values = np.where(nonfinite, np.nan, values)
    return pd.Series(pd.array(values, dtype="Float64")), bad, text


_TRUE, _FALSE, _BAD = 1, 0, -2


def _bool_state(value) -> int:
    text = _clean_text(value)
    if text is None:
        return -1
    text = text.lower()
    return _TRUE if text in TRUE_WORDS else _FALSE if text in FALSE_WORDS else _BAD


def _to_bool(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(boolean values, mask of cells that are not yes/no words). Empty cells are <NA>."""
    state = _per_unique(series, _bool_state)
    state = np.where(state == None, -1, state).astype(int)  # noqa: E711 - elementwise on objects
    out = pd.array(np.where(state == _TRUE, True, False), dtype="boolean")
    out[(state != _TRUE) & (state != _FALSE)] = pd.NA
    return pd.Series(out), state == _BAD


def _empty(kind: str, index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype=DTYPES[kind])


def _type_column(frame, col: Column, ref: LayerRef, report: Collector) -> tuple[pd.Series, np.ndarray]:
    """Typed column and the mask of cells already reported as mistyped."""
    raw = frame[col.name]
    bad = np.zeros(len(frame), dtype=bool)
    if col.kind in ("str", "code"):
        return to_text(raw), bad
    if col.kind == "enum":
        lookup = {v.lower(): v for v in col.values}

        def canonical(value):  # an empty cell is empty (None), not an unknown value
            cleaned = _clean_text(value)
            return None if cleaned is None else lookup.get(cleaned.lower(), _BAD)

        canon = _per_unique(raw, canonical)
        bad = np.fromiter((c is _BAD for c in canon), dtype=bool, count=len(canon))
        if bad.any():
            report.add_rows("error", "bad_enum", ref, bad, col.name, per_row={"value": text_array(raw)},
                            allowed=", ".join(col.values))
        return as_string(np.where(bad, None, canon)), bad
    if col.kind == "bool":
        out, bad = _to_bool(raw)
        if bad.any():
            report.add_rows("error", "bad_bool", ref, bad, col.name, per_row={"value": text_array(raw)},
                            allowed_true=", ".join(sorted(TRUE_WORDS)),
                            allowed_false=", ".join(sorted(w for w in FALSE_WORDS if w)))
        return out, bad
    num, bad, text = _to_number(raw)
    report.add_rows("error", "bad_number", ref, bad, col.name,
                    per_row={"value": text if text is not None else raw.to_numpy(dtype=object)})
    values = num.to_numpy(dtype="float64", na_value=np.nan)
    if col.kind == "int":
        finite = np.isfinite(values)
        frac = finite & (np.floor(np.where(finite, values, 0)) != values)
        report.add_rows("error", "not_integer", ref, frac, col.name, per_row={"value": values})
        bad = bad | frac
        num = num.mask(frac)
        values = np.where(frac, np.nan, values)
    low = np.zeros(len(values), dtype=bool) if col.minimum is None else values < col.minimum
    high = np.zeros(len(values), dtype=bool) if col.maximum is None else values > col.maximum
    out_range = low | high
    report.add_rows("error", "out_of_range", ref, out_range, col.name, per_row={"value": values},
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
