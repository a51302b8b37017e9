"""Column checks and typing of one layer's attribute table (vectorised).

:func:`type_layer` turns a raw table into the typed table of the :class:`~tc8.inputs.Inputs`
contract and reports, per row, every value that does not fit: missing required columns,
non-numeric numbers, fractions in whole-number columns, unknown yes/no words, unknown
enumeration values (matched case-insensitively, written back in the schema's spelling),
nulls in non-nullable columns, numbers outside the schema's bounds, duplicate ids.
A value that cannot be typed becomes <NA> in the typed table (and is reported once).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from .schema import FALSE_WORDS, TRUE_WORDS, Column, Layer
from .validate_report import Collector, LayerRef

TEXT_KINDS = ("str", "code", "enum")
DTYPES = {"str": "string", "code": "string", "enum": "string", "int": "Int64",
          "float": "Float64", "bool": "boolean"}


def _scalar_text(value):
    """Text of one cell of a mixed-type column (used only for such columns)."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return str(value)
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def to_text(series: pd.Series) -> pd.Series:
    """Any column as pandas ``string``: NFC, stripped, empty -> <NA>; ``24784.0`` -> ``"24784"``."""
    if pd.api.types.is_bool_dtype(series):
        out = series.astype("boolean").astype("string").str.lower()
    elif pd.api.types.is_integer_dtype(series):
        out = series.astype("Int64").astype("string")
    elif pd.api.types.is_float_dtype(series):
        num = series.astype("float64").to_numpy()
        finite = np.isfinite(num)
        whole = finite & (np.floor(np.where(finite, num, 0)) == num)
        out = pd.Series(pd.NA, index=series.index, dtype="string")
        if whole.any():
            out[whole] = pd.Series(num[whole].astype("int64"), index=series.index[whole]).astype("string")
        frac = finite & ~whole
        if frac.any():
            out[frac] = pd.Series(num[frac], index=series.index[frac]).map(repr).astype("string")
        out[np.isinf(num)] = pd.Series(num, index=series.index)[np.isinf(num)].astype(str)
    else:
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred in ("string", "empty"):
            out = series.astype("string")
        else:
            out = series.map(_scalar_text, na_action="ignore").astype("string")
    out = out.str.normalize("NFC").str.strip()
    return out.mask((out == "").fillna(False))


def _to_number(series: pd.Series) -> tuple[pd.Series, np.ndarray, pd.Series | None]:
    """(Float64 values, mask of cells that are not numbers, the cells as text or None)."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        num = series.astype("Float64")
        text = None
        bad = np.zeros(len(series), dtype=bool)
    else:
        text = to_text(series)
        num = pd.to_numeric(text, errors="coerce").astype("Float64")
        bad = (text.notna() & num.isna()).to_numpy(dtype=bool)
    values = num.to_numpy(dtype="float64", na_value=np.nan)
    nonfinite = np.isinf(values)
    if nonfinite.any():
        bad = bad | nonfinite
        num = num.mask(nonfinite)
    return num, bad, text


def _to_bool(series: pd.Series) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """(boolean values, mask of cells that are not yes/no words, the cells as text)."""
    text = to_text(series).str.lower()
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        text = text.replace({"1.0": "1", "0.0": "0"})
    is_true = text.isin(TRUE_WORDS).to_numpy(dtype=bool)
    is_false = text.isin(FALSE_WORDS).to_numpy(dtype=bool)
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[is_true] = True
    out[is_false & text.notna().to_numpy(dtype=bool)] = False
    bad = text.notna().to_numpy(dtype=bool) & ~is_true & ~is_false
    return out, bad, text


def _empty(kind: str, index) -> pd.Series:
    return pd.Series(pd.NA, index=index, dtype=DTYPES[kind])


def _type_column(frame, col: Column, ref: LayerRef, report: Collector) -> tuple[pd.Series, np.ndarray]:
    """Typed column and the mask of cells already reported as mistyped."""
    raw = frame[col.name]
    bad = np.zeros(len(frame), dtype=bool)
    if col.kind in ("str", "code"):
        return to_text(raw), bad
    if col.kind == "enum":
        text = to_text(raw)
        lookup = {v.lower(): v for v in col.values}
        canon = text.str.lower().map(lookup)
        bad = (text.notna() & canon.isna()).to_numpy(dtype=bool)
        report.add_rows("error", "bad_enum", ref, bad, col.name, per_row={"value": text.to_numpy(dtype=object)},
                        allowed=", ".join(col.values))
        return canon.astype("string"), bad
    if col.kind == "bool":
        out, bad, text = _to_bool(raw)
        report.add_rows("error", "bad_bool", ref, bad, col.name, per_row={"value": text.to_numpy(dtype=object)},
                        allowed_true=", ".join(sorted(w for w in TRUE_WORDS)),
                        allowed_false=", ".join(sorted(w for w in FALSE_WORDS if w)))
        return out, bad
    num, bad, text = _to_number(raw)
    shown = (text if text is not None else raw.astype(str)).to_numpy(dtype=object)
    report.add_rows("error", "bad_number", ref, bad, col.name, per_row={"value": shown})
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


def _ids(frame: pd.DataFrame, layer: Layer) -> tuple[pd.Series | None, np.ndarray | None]:
    """The id column as text and the label array for :class:`LayerRef` (None = use ``#n``)."""
    if layer.id_column not in frame.columns:
        return None, None
    ids = to_text(frame[layer.id_column])
    usable = ids.notna() & ~ids.duplicated(keep=False)
    labels = ids.astype(object).where(usable, None).to_numpy(dtype=object)
    return ids, labels


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
    ids, labels = _ids(frame, layer)
    ref = LayerRef(layer.name, file, labels)
    index = pd.RangeIndex(len(frame))
    frame = frame.reset_index(drop=True)
    typed: dict[str, pd.Series] = {}
    for col in layer.columns:
        if col.name not in frame.columns:
            if col.required:
                report.add("error", "missing_column", file, layer.name, "", col.name,
                           expected=", ".join(c.name for c in layer.required_columns))
            typed[col.name] = _empty(col.kind, index)
            continue
        series, bad = _type_column(frame, col, ref, report)
        series.index = index
        typed[col.name] = series
        if not col.nullable:
            nulls = series.isna().to_numpy(dtype=bool) & ~bad
            report.add_rows("error", "null_value", ref, nulls, col.name)
        if col.unique:
            _duplicates(series if col.name != layer.id_column or ids is None else ids.set_axis(index),
                        col, ref, report)
    for name in frame.columns:
        if name in typed or name == geom_name:
            continue
        extra = frame[name]
        if pd.api.types.infer_dtype(extra, skipna=True) == "string":
            extra = extra.astype("string").str.normalize("NFC")
        typed[name] = extra.set_axis(index)
    return pd.DataFrame(typed, index=index), ref
