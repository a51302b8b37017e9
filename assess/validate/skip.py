"""``--skip-invalid``: validate without the rows that have errors, and list those rows.

Which errors can be skipped: every error a *row* check reported
(:meth:`tc8.validate.report.Collector.about_rows`, whatever its code) in any layer but
``communes``. Those rows are dropped from a copy of the raw layers and the input is validated
again (a speaker naming an excluded village then fails in turn and is excluded too), until no
row error is left. Errors that are not about a row — an unreadable file, a missing layer or
required column, a bad or missing CRS, a duplicated id (which of the rows is right?), the
population raster — still stop the run, and so does an error in a ``communes`` row: the commune
is the unit of the verdict, and dropping it would drop it from every report without a trace
(its villages and points would follow it); fix it, or remove it from the input yourself.

What is returned: the final pass's problems (rows named ``#n`` renumbered to their position in
the input file), a ``rows_excluded`` summary per layer and the skipped errors with severity
``excluded``; ``Inputs.excluded`` lists every excluded record (one row per record and error):
``layer, row, position`` (1-based row of the input file), ``record_id``, ``commune_code`` (as the
record gives it, else ""), ``reach_m`` (its own radius or reach in metres, NaN when none),
``field, code, message_vi, message_en, fix_vi, fix_en`` and ``geometry`` (metric CRS; None when
the record had no usable geometry). Which communes an excluded record could affect is decided
by the engine (:mod:`tc8.engine.exclusion`), which knows the rule set's radii.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from tc8.model.errors import Problem
from tc8.model.inputs import InputPolicy, Inputs, RawInputs
from tc8.model.schema import LAYERS
from tc8.text.problems import problem_dict
from .report import Collector, show_value

#: Layers whose row errors cannot be skipped (see the module docstring).
NOT_SKIPPED = ("communes",)
#: Severity of a skipped error in the returned problems (counted as a warning, shown as "excluded").
EXCLUDED = "excluded"
#: Record columns giving the record's own reach (metres), per layer.
REACH_COLUMNS = {"cell_sites": "radius_m", "fixed_access": "reach_m"}
#: Row labels listed in a layer's ``rows_excluded`` summary.
SHOWN_ROWS = 10
COLUMNS = ["layer", "row", "position", "record_id", "commune_code", "reach_m", "field", "code",
           "message_vi", "message_en", "fix_vi", "fix_en"]
_ROW_NUMBER = re.compile(r"#(\d+)")

Validate = Callable[..., tuple]


def skippable(problems: list[Problem], report: Collector) -> bool:
    """True when every error of ``problems`` is a row error of an input layer that may be skipped
    (a row of a table that is not an input layer, such as ``tc8_layers``, is not skipped)."""
    errors = [p for p in problems if p.severity == "error"]
    return bool(errors) and all(report.about_rows(p) and p.layer in LAYERS and p.layer not in NOT_SKIPPED
                                for p in errors)


def _excluded_records(report: Collector, state: dict) -> pd.DataFrame:
    """One row per (record, row error) of this pass; positions are this pass's (0-based)."""
    rows: list[dict] = []
    geoms: list = []
    for entry in report.row_errors:
        st = state.get(entry.ref.name)
        layer = LAYERS[entry.ref.name]
        for pos in entry.positions.tolist():
            params = dict(entry.params, **{k: v[pos] for k, v in entry.per_row.items()})
            label = entry.ref.row(pos)
            problem = Problem("error", entry.code, entry.ref.file, entry.ref.name, label, entry.field,
                              {k: show_value(v) for k, v in params.items()})
            vi, en = problem_dict(problem, "vi"), problem_dict(problem, "en")
            rid = None if entry.ref.ids is None else entry.ref.ids[pos]
            rows.append({"layer": entry.ref.name, "position": pos, "record_id": rid,
                         "commune_code": _cell(st, layer.code_column or "commune_code", pos),
                         "reach_m": _number(st, REACH_COLUMNS.get(entry.ref.name), pos),
                         "field": entry.field, "code": entry.code, "message_vi": vi["message"],
                         "message_en": en["message"], "fix_vi": vi["fix"], "fix_en": en["fix"]})
            geoms.append(_geometry(st, pos))
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "row"])
    frame["geometry"] = pd.Series(geoms, dtype=object)
    return frame


def _cell(st, column: str, pos: int) -> str:
    if st is None or column not in st.table.columns:
        return ""
    value = st.table[column].iat[pos]
    return "" if pd.isna(value) else str(value)


def _number(st, column: str | None, pos: int) -> float:
    if st is None or column is None or column not in st.table.columns:
        return float("nan")
    value = st.table[column].iat[pos]
    return float("nan") if pd.isna(value) else float(value)


def _geometry(st, pos: int):
    """The record's geometry in the metric CRS when it was usable, else None."""
    if st is None or st.metric is None or st.good is None or not st.good[pos]:
        return None
    return st.metric[pos]


def _without_rows(raw: RawInputs, drop: dict[str, np.ndarray]) -> tuple[RawInputs, dict[str, np.ndarray]]:
    """A copy of ``raw`` without the rows ``drop`` names (layer -> positions) and, per layer
    changed, the kept positions (into ``raw``'s frames)."""
    frames, kept = dict(raw.frames), {}
    for name, positions in drop.items():
        frame = raw.frames[name]
        keep = np.setdiff1d(np.arange(len(frame)), positions)
        frames[name] = frame.iloc[keep].reset_index(drop=True)
        kept[name] = keep
    return dataclasses.replace(raw, frames=frames), kept


def _renumber(problems: list[Problem], kept: dict[str, np.ndarray]) -> list[Problem]:
    """Problems of the filtered input with rows named ``#n`` renumbered to the input's rows."""
    out = []
    for p in problems:
        match = _ROW_NUMBER.fullmatch(p.row or "")
        if match and p.layer in kept and int(match.group(1)) <= len(kept[p.layer]):
            p = dataclasses.replace(p, row=f"#{kept[p.layer][int(match.group(1)) - 1] + 1}")
        out.append(p)
    return out


def _rebase(excluded: pd.DataFrame | None, kept: dict[str, np.ndarray]) -> pd.DataFrame | None:
    """Records a later pass excluded (positions 1-based in the filtered input), with positions
    turned into this pass's (1-based) and without their row labels (made again at the end)."""
    if excluded is None or not len(excluded):
        return None
    out = pd.DataFrame(excluded.drop(columns=["row"]))
    position = out["position"].to_numpy(dtype=int).copy()
    for name, keep in kept.items():
        sel = (out["layer"] == name).to_numpy()
        position[sel] = keep[position[sel] - 1] + 1
    out["position"] = position
    return out


def _summary(excluded: pd.DataFrame, files: dict, root) -> list[Problem]:
    """One ``rows_excluded`` warning per layer: how many records and the first row labels."""
    out = []
    for name, grp in excluded.groupby("layer", sort=False):
        labels = list(dict.fromkeys(grp["row"]))
        shown = ", ".join(labels[:SHOWN_ROWS]) + (" …" if len(labels) > SHOWN_ROWS else "")
        out.append(Problem(EXCLUDED, "rows_excluded", files.get(name, str(root)), layer=name,
                           params={"count": len(labels), "rows": shown,
                                   "codes": ", ".join(sorted(set(grp["code"])))}))
    return out


def validate_skipping(raw: RawInputs, read_problems: list[Problem] | None, problems: list[Problem],
                      report: Collector, state: dict, *, validate: Validate, metric_crs: str | None,
                      policy: InputPolicy) -> tuple[Inputs | None, list[Problem]]:
    """One pass of ``--skip-invalid`` (see the module docstring): ``problems``/``report``/``state``
    are this pass's; ``validate`` is :func:`tc8.validate.run.validate_inputs`, called again on the
    input without the rows in error. Returns what ``validate_inputs`` returns."""
    if not skippable(problems, report):
        return None, problems
    found = _excluded_records(report, state)
    drop = {name: np.unique(grp["position"].to_numpy(dtype=int)) for name, grp in found.groupby("layer")}
    filtered, kept = _without_rows(raw, drop)
    inputs, later = validate(filtered, read_problems, metric_crs=metric_crs, policy=policy)
    head = len(read_problems or [])
    later = _renumber([p for p in later[head:] if p.code != "rows_excluded"], kept)
    skipped = [dataclasses.replace(p, severity=EXCLUDED) for p in problems[head:] if p.severity == "error"]
    if inputs is None:
        return None, list(read_problems or []) + skipped + later
    found["position"] = found["position"] + 1
    earlier = _rebase(inputs.excluded, kept)
    excluded = found if earlier is None else pd.concat([found, earlier], ignore_index=True)
    excluded = excluded.sort_values(["layer", "position"], kind="stable", ignore_index=True)
    excluded.insert(1, "row", [rid if isinstance(rid, str) and rid else f"#{pos}"
                               for rid, pos in zip(excluded["record_id"], excluded["position"])])
    excluded["record_id"] = excluded["record_id"].fillna("").astype(str)
    out = list(read_problems or []) + _summary(excluded, raw.files, raw.root) + skipped + later
    inputs.excluded = gpd.GeoDataFrame(excluded.drop(columns=["geometry"]),
                                       geometry=gpd.GeoSeries(excluded["geometry"].to_numpy(), crs=inputs.metric_crs))
    inputs.warnings = [p for p in out if p.severity != "error"]
    return inputs, out
