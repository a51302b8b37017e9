"""The boundary policy: which commune a point belongs to when boundaries are approximate.

Real commune boundaries are approximate (low resolution, older than the data, drawn by another
agency), so a point a few metres outside a polygon is usually right and the polygon wrong.
For every layer whose points belong to a commune (``IN_COMMUNE_LAYERS`` of
:mod:`tc8.validate.run`), :func:`assign_communes` decides each row's commune under an
:class:`~tc8.model.inputs.InputPolicy`:

* the record names its commune (a known ``commune_code``): that code is authoritative and
  stays the record's commune. A position outside that commune is a warning
  ``commune_code_off`` naming the distance to it; beyond ``policy.code_far_m`` it is an error
  (a wrong code or wrong coordinates) naming the distance and the commune the position lies in
  (``commune_mismatch``) or, outside every commune, the nearest one (``commune_code_far``);
* no code (or an unknown one, itself an error): the commune containing the point; a point
  outside every commune but within ``policy.snap_distance_m`` of one is assigned to the
  nearest commune with a warning ``snapped_to_commune`` naming it and the distance; farther,
  the error ``outside_communes`` names the distance and the nearest commune.

Cell sites and fixed access nodes (:data:`SERVING_LAYERS`) may lie outside every commune (they
serve villages near the border); :func:`report_serving_outside` says so once, with their count.

Everything is vectorised on the metric geometries (STRtree ``query_nearest``,
``shapely.distance`` on aligned arrays); distances are put into words only for the rows the
report lists (:class:`Distances`).
"""
from __future__ import annotations

import numpy as np

from tc8.model.inputs import InputPolicy
from tc8.text.messages import fmt_number
from .geometry import CommuneIndex
from .report import Collector, LayerRef

#: Point layers that may lie outside every commune: said once, with their count.
SERVING_LAYERS = ("cell_sites", "fixed_access")


def fmt_distance(metres: float | None, lang: str = "vi") -> str:
    """A distance as text: ``5,9 m`` under 10 m, ``55 m`` under 1 km, then ``8,1 km`` / ``25 km``
    (English: ``5.9 m``, ``8.1 km``); ``—`` when unknown."""
    if metres is None or not np.isfinite(metres):
        return "—"
    if metres < 9.95:
        return f"{fmt_number(metres, 1, lang)} m"
    if metres < 999.5:
        return f"{fmt_number(metres, 0, lang)} m"
    km = round(metres / 1000.0, 1)
    return f"{fmt_number(km, 0 if km >= 100 or km == int(km) else 1, lang)} km"


class Distances:
    """Per-row distance text for :meth:`Collector.add_rows` ``per_row``: formatted only when a
    row is listed (the report lists a bounded number of rows)."""

    def __init__(self, metres: np.ndarray, lang: str):
        self.metres, self.lang = metres, lang

    def __getitem__(self, position: int) -> str:
        return fmt_distance(self.metres[position], self.lang)


def _distance_params(metres: np.ndarray, prefix: str = "distance") -> dict:
    return {f"{prefix}_vi": Distances(metres, "vi"), f"{prefix}_en": Distances(metres, "en")}


def _limit_params(metres: float) -> dict:
    return {"limit_vi": fmt_distance(metres, "vi"), "limit_en": fmt_distance(metres, "en")}


def assign_communes(index: CommuneIndex, st, given: np.ndarray | None, unknown: np.ndarray | None,
                    policy: InputPolicy, report: Collector, code_field: str | None) -> np.ndarray:
    """Commune code of every row of one in-commune layer (None where it has none), reporting
    the boundary problems. ``st`` carries ``ref``, ``good`` (usable geometry) and ``metric``
    (geometries in the communes' CRS); ``given`` the code column as objects (None: no column),
    ``unknown`` where it names no commune of the layer. A given code is kept as the commune."""
    geoms = np.where(st.good, st.metric, None)
    spatial, agree = index.locate(geoms, given)
    points = index.anchor(geoms)
    n = len(geoms)
    has_code = np.zeros(n, dtype=bool)
    if given is not None:
        has_code = (given != None) & ~unknown  # noqa: E711 - elementwise on objects
        off = st.good & has_code & ~agree
        if off.any():
            _named_commune_off(index, st.ref, points, given, spatial, off, policy, report, code_field)
    outside = st.good & ~has_code & (spatial == None)  # noqa: E711
    if outside.any():
        spatial = _snap(index, st.ref, points, spatial, outside, policy, report)
    if given is None:
        return spatial
    return np.where(given != None, given, spatial)  # noqa: E711


def _named_commune_off(index: CommuneIndex, ref: LayerRef, points: np.ndarray, given: np.ndarray,
                       spatial: np.ndarray, off: np.ndarray, policy: InputPolicy, report: Collector,
                       code_field: str | None) -> None:
    """Rows whose position lies outside the commune their code names: warning within
    ``policy.code_far_m``, error beyond (naming where the position lies, or the nearest commune)."""
    dist = np.full(len(points), np.nan)
    dist[off] = index.distance_to(points[off], given[off])
    off = off & np.isfinite(dist)
    far = off & (dist > policy.code_far_m)
    named = {"given": given, "given_name": index.name(index.position(given)), **_distance_params(dist)}
    limit = _limit_params(policy.code_far_m)
    report.add_rows("warning", "commune_code_off", ref, off & ~far, code_field, per_row=named, **limit)
    located = spatial != None  # noqa: E711
    report.add_rows("error", "commune_mismatch", ref, far & located, code_field,
                    per_row={**named, "spatial": spatial, "spatial_name": index.name(index.position(spatial))},
                    **limit)
    lost = far & ~located
    if lost.any():
        pos, near = index.nearest(np.where(lost, points, None))
        report.add_rows("error", "commune_code_far", ref, lost, code_field,
                        per_row={**named, "nearest": index.code(pos), "nearest_name": index.name(pos),
                                 **_distance_params(near, "nearest_distance")}, **limit)


def _snap(index: CommuneIndex, ref: LayerRef, points: np.ndarray, spatial: np.ndarray, outside: np.ndarray,
          policy: InputPolicy, report: Collector) -> np.ndarray:
    """``spatial`` with the rows ``outside`` every commune but within ``policy.snap_distance_m``
    of one assigned to the nearest commune (warning); the others are errors."""
    pos, dist = index.nearest(np.where(outside, points, None))
    snap = outside & (dist <= policy.snap_distance_m)  # NaN (no commune at all): not snapped
    spatial = spatial.copy()
    spatial[snap] = index.codes[pos[snap]]
    nearest = {"nearest": index.code(pos), "nearest_name": index.name(pos), **_distance_params(dist)}
    limit = _limit_params(policy.snap_distance_m)
    report.add_rows("warning", "snapped_to_commune", ref, snap, "geometry", per_row=nearest, **limit)
    report.add_rows("error", "outside_communes", ref, outside & ~snap, "geometry", per_row=nearest, **limit)
    return spatial


def report_serving_outside(state: dict, index: CommuneIndex, report: Collector) -> None:
    """One warning ``serving_outside_communes`` when cell sites or fixed access nodes lie outside
    every commune: they stay valid (they serve villages near the border); the count per layer."""
    counts, files = {}, []
    for name in SERVING_LAYERS:
        st = state.get(name)
        if st is None or st.metric is None or st.good is None or not st.good.any():
            continue
        spatial, _ = index.locate(np.where(st.good, st.metric, None))
        count = int((st.good & (spatial == None)).sum())  # noqa: E711
        if count:
            counts[name] = count
            files.append(st.ref.file)
    if not counts:
        return
    total = sum(counts.values())
    report.add("warning", "serving_outside_communes", ", ".join(dict.fromkeys(files)),
               count_vi=fmt_number(total, 0, "vi"), count_en=fmt_number(total, 0, "en"),
               layers=", ".join(f"{name}: {count}" for name, count in counts.items()))
