"""Apply a plan to its input, and prove it: ``applied.gpkg`` and :func:`verify_plan`.

:func:`apply_plan` takes the input *as read* (``Results.inputs.raw``: every layer in its own
CRS and its own column spelling, ``tc8_layers`` included), applies every
:class:`~tc8.plan.model.Edit` of the plan in plan order (a later edit of the same field wins;
planners plan several conditions on one figure on a working copy so values only grow), and
writes a GeoPackage atomically with every layer. A changed layer gains a column ``planned``
(``new`` / ``changed``, empty for untouched records); validation keeps such an extra column and
warns about it as an unknown column (harmless). New records' geometries are converted from
``Results.metric_crs`` to the layer's CRS. A layer read from CSV keeps its text values (edits are
written as text: ``yes``/``no`` for yes/no) and loses its ``lon``/``lat`` columns (the geometry
holds them). The input files are never modified.

:func:`verify_plan` is the proof: the applied file is assessed again through the normal path
(the ``assess`` function passed in: :func:`tc8.pipeline.run_assessment`, with the same rule
set and input policy) and ``Plan.communes`` gets ``status_after`` and ``verified`` (the
commune passes after the plan). A commune claimed fixable that does not pass is left
``verified = False``; renderers report it.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from tc8.io.atomic import atomic_path
from tc8.model.schema import LAYERS, METADATA

from .lookup import group
from .model import NEW_RECORD, PLANNED_CHANGED, PLANNED_NEW, Plan

PLANNED_COLUMN = "planned"


def _column(frame: pd.DataFrame, name: str) -> str:
    """The frame's spelling of column ``name`` (exact, else case-insensitive), else ``name``."""
    if name in frame.columns:
        return name
    folded = {str(c).strip().casefold(): c for c in frame.columns}
    return folded.get(name.casefold(), name)


def _as_text(value) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if value is None else str(value)


def _set_values(frame: pd.DataFrame, mask, values: dict, text: bool) -> None:
    for key, value in values.items():
        col = _column(frame, key)
        if col not in frame.columns:
            frame[col] = None
        value = _as_text(value) if text else value
        if frame[col].dtype != object and not isinstance(value, (int, float)) or isinstance(value, bool):
            frame[col] = frame[col].astype(object)
        frame.loc[mask, col] = value


def _new_rows(frame: pd.DataFrame, edits: list, metric_crs: str, text: bool) -> pd.DataFrame:
    rows = [{_column(frame, k): (_as_text(v) if text else v) for k, v in e.values.items()} for e in edits]
    new = pd.DataFrame(rows)
    if isinstance(frame, gpd.GeoDataFrame):
        geoms = gpd.GeoSeries([e.geometry for e in edits], crs=metric_crs)
        new = gpd.GeoDataFrame(new, geometry=geoms.to_crs(frame.crs).to_numpy(), crs=frame.crs)
        if frame.geometry.name != "geometry":
            new = new.rename_geometry(frame.geometry.name)
    new[PLANNED_COLUMN] = PLANNED_NEW
    return new


def apply_layer(name: str, frame: pd.DataFrame, edits: list, *, metric_crs: str, text: bool = False) -> pd.DataFrame:
    """``frame`` (a layer as read) with ``edits`` applied and the ``planned`` column added
    (a copy; ``frame`` unchanged). ``text``: the layer was read from CSV (values as text)."""
    frame = frame.copy()
    ids = frame[_column(frame, LAYERS[name].id_column)].astype("string").str.strip() \
        if LAYERS[name].id_column and _column(frame, LAYERS[name].id_column) in frame else None
    planned = pd.Series(pd.NA, index=frame.index, dtype="string")
    rows = group(ids) if ids is not None else {}
    changed = np.zeros(len(frame), dtype=bool)
    for edit in (e for e in edits if e.record_id is not NEW_RECORD):
        if ids is None:
            continue
        mask = np.zeros(len(frame), dtype=bool)
        mask[rows.get(str(edit.record_id), [])] = True  # ids == record id, found once for all edits
        _set_values(frame, mask, edit.values, text)
        changed |= mask
    planned[changed] = PLANNED_CHANGED
    frame[PLANNED_COLUMN] = planned.astype(object).where(planned.notna(), None)
    new = [e for e in edits if e.record_id is NEW_RECORD]
    if new:
        frame = pd.concat([frame, _new_rows(frame, new, metric_crs, text)], ignore_index=True)
        if isinstance(frame, gpd.GeoDataFrame) is False and "geometry" in frame:
            frame = gpd.GeoDataFrame(frame, geometry="geometry")
    return frame


def applied_layers(plan: Plan) -> dict[str, pd.DataFrame]:
    """Every input layer as read, with the plan's edits applied (changed layers gain ``planned``)."""
    raw = plan.results.inputs.raw
    metric = plan.results.metric_crs
    edits: dict[str, list] = {}
    for item in plan.interventions:
        for edit in item.edits:
            edits.setdefault(edit.layer, []).append(edit)
    out = {}
    for name, frame in raw.frames.items():
        text = str(raw.files.get(name, "")).lower().endswith(".csv")
        if text and isinstance(frame, gpd.GeoDataFrame):
            frame = frame.drop(columns=[c for c in frame.columns if str(c).lower() in ("lon", "lat")])
        out[name] = apply_layer(name, frame, edits[name], metric_crs=metric, text=text) if name in edits else frame
    for name in set(edits) - set(out):  # a layer the input did not have: new records only
        crs = getattr(raw.frames.get("communes"), "crs", None) or metric
        empty = gpd.GeoDataFrame({LAYERS[name].id_column: pd.Series([], dtype=object)}, geometry=[], crs=crs) \
            if LAYERS[name].geometry else pd.DataFrame({LAYERS[name].id_column: pd.Series([], dtype=object)})
        out[name] = apply_layer(name, empty, edits[name], metric_crs=metric)
    return out


def apply_plan(plan: Plan, path: str | os.PathLike) -> Path:
    """Write the input with the plan applied to the GeoPackage ``path`` (atomically)."""
    layers = applied_layers(plan)
    metadata = plan.results.inputs.raw.metadata
    path = Path(path)
    with atomic_path(path, placeholder=False) as tmp:  # GDAL creates the GeoPackage itself
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
        if metadata is not None:
            pyogrio.write_dataframe(pd.DataFrame(metadata), tmp, layer=METADATA.name, driver="GPKG")
    return path


def verify_plan(plan: Plan, applied_path: str | os.PathLike, rules, policy=None, *,
                assess: Callable, communes=None, population=None, metric_crs=None) -> Plan:
    """Assess ``applied_path`` with ``assess`` (:func:`tc8.pipeline.run_assessment`: same rule
    set, same :class:`~tc8.model.inputs.InputPolicy`) and fill ``plan.communes``'
    ``status_after`` and ``verified`` (passes after the plan). Returns ``plan``."""
    after = assess(applied_path, rules, communes=communes, population=population,
                   metric_crs=metric_crs or plan.results.metric_crs, policy=policy)
    status = after.communes.set_index(after.communes["commune_code"].astype(str))["status_tc8"]
    table = plan.communes
    table["status_after"] = table["commune_code"].map(status).fillna("").astype(object)
    table["verified"] = (table["status_after"] == "dat").to_numpy(dtype=bool)
    plan.notes.setdefault("verify", {})["communes_passing_after"] = int((after.communes["status_tc8"] == "dat").sum())
    return plan
