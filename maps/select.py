"""What one commune's map shows: the Results rows and records of that commune (metric CRS).

Shared by the HTML map (:mod:`tc8.maps.commune`) and the PNG (:mod:`tc8.maps.static`).
Selection is vectorised: codes for villages/postal points/stations/speakers (filled by
validation), ``dwithin`` the commune for cell sites (their modeled radius) and coverage.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tc8.model.results import Results
from tc8.model.vocab import STATUS_MISSING

#: Coverage polygons are clipped to the commune grown by this much (metres).
COVERAGE_MARGIN_M = 2000.0
#: Cell sites without a usable radius are shown when this close to the commune (metres).
SITE_MARGIN_M = 5000.0


@dataclass
class CommuneView:
    code: str
    commune: gpd.GeoDataFrame          # one row of Results.communes
    indicators: pd.DataFrame           # this commune's rows of Results.indicators (criterion last)
    villages: gpd.GeoDataFrame         # with Results.village_status columns s_tc8, s_<ind>
    indicator_ids: list[str]
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)   # postal_points, cell_sites, coverage, ...
    lines: gpd.GeoDataFrame | None = None        # village -> nearest qualifying postal point


def tri(values) -> np.ndarray:
    """Nullable booleans -> object array of True/False/None (for colouring records)."""
    s = pd.Series(values).astype("boolean")
    return np.where(s.isna(), None, s.fillna(False).to_numpy(dtype=bool)).astype(object)


def village_statuses(status: pd.DataFrame | None, villages: pd.DataFrame) -> pd.DataFrame:
    """``s_<ind>`` and ``s_tc8`` of ``villages`` (matched by index) from rows of ``Results.village_status``.

    Read, never worked out here (the engine decides them, :mod:`tc8.engine.village_status`);
    a village without a row shows ``thieu_du_lieu``.
    """
    if status is None:
        raise ValueError("Results.village_status is missing: results must come from tc8.engine.assess")
    return status.reindex(villages.index).drop(columns="commune_code", errors="ignore").fillna(STATUS_MISSING)


@dataclass
class MapIndex:
    """Row positions per commune code and spatial trees, built once for many commune maps."""

    rows: dict[str, dict[str, np.ndarray]]   # frame name -> {commune_code: positions}
    trees: dict[str, shapely.STRtree]         # layer name -> STRtree over its geometries

    def take(self, frame, name: str, code: str):
        """Rows of ``frame`` whose ``commune_code`` is ``code`` (None when not indexed)."""
        if frame is None or name not in self.rows:
            return None
        return frame.iloc[self.rows[name].get(code, np.zeros(0, dtype=int))]


def build_index(results: Results) -> MapIndex:
    """Group every frame with a ``commune_code`` by code and build STRtrees (one O(N) pass)."""
    frames = {"communes": results.communes, "indicators": results.indicators, "villages": results.villages,
              "village_status": results.village_status,
              **{k: v for k, v in results.layers.items() if v is not None}}
    rows = {name: {str(k): np.asarray(v) for k, v in
                   frame.groupby(frame["commune_code"].astype(str), sort=False).indices.items()}
            for name, frame in frames.items() if frame is not None and "commune_code" in frame.columns}
    trees = {name: shapely.STRtree(np.asarray(results.layers[name].geometry.values, dtype=object))
             for name in ("cell_sites", "coverage", "fixed_access") if results.layers.get(name) is not None}
    return MapIndex(rows=rows, trees=trees)


def _near(frame, tree, geom, distance):
    """Rows of ``frame`` within ``distance`` (scalar or per-row array, metres) of ``geom``."""
    if frame is None or len(frame) == 0:
        return frame
    reach = float(np.nanmax(distance)) if np.ndim(distance) else float(distance)
    cand = np.sort(tree.query(geom, predicate="dwithin", distance=reach))
    sub = frame.iloc[cand]
    dist = distance[cand] if np.ndim(distance) else distance
    keep = shapely.dwithin(np.asarray(sub.geometry.values, dtype=object), geom, dist)
    return sub[keep]


def postal_lines(villages: gpd.GeoDataFrame, postal: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Segments from each village (point on surface) to its ``nearest_postal_id``, with ``nearest_postal_m``."""
    if postal is None or len(villages) == 0 or "nearest_postal_id" not in villages.columns:
        return None
    ids = villages["nearest_postal_id"].astype("string")
    where = pd.Index(postal["point_id"].astype(str)).get_indexer(ids.fillna("\0"))
    ok = (where >= 0) & ids.notna().to_numpy()
    if not ok.any():
        return None
    start = shapely.point_on_surface(np.asarray(villages.geometry.values, dtype=object)[ok])
    end = np.asarray(postal.geometry.values, dtype=object)[where[ok]]
    coords = np.stack([shapely.get_coordinates(start), shapely.get_coordinates(end)], axis=1)
    lines = shapely.linestrings(coords)
    return gpd.GeoDataFrame({"village_id": villages["village_id"].to_numpy()[ok],
                             "point_id": ids.to_numpy()[ok],
                             "nearest_postal_m": villages["nearest_postal_m"].to_numpy()[ok]},
                            geometry=lines, crs=villages.crs)


def commune_view(results: Results, commune_code: str, *, index: MapIndex | None = None) -> CommuneView:
    """Everything the commune map of ``commune_code`` shows; ``KeyError`` for an unknown code.

    ``index`` (from :func:`build_index`) makes repeated calls O(size of the commune).
    """
    code = str(commune_code)
    index = index or build_index(results)
    row = index.take(results.communes, "communes", code)
    if row is None or row.empty:
        raise KeyError(code)
    geom = row.geometry.iloc[0]
    ind = index.take(results.indicators, "indicators", code)
    ind_ids = [i for i in ind["indicator"].astype(str).unique() if i != "TC8"]
    villages = index.take(results.villages, "villages", code)
    status = index.take(results.village_status, "village_status", code)
    villages = villages.join(village_statuses(status, villages))

    layers = {}
    postal = results.layers.get("postal_points")
    if postal is not None:
        own = index.take(postal, "postal_points", code)
        wanted = set(villages.get("nearest_postal_id", pd.Series(dtype=object)).dropna().astype(str))
        wanted -= set(own["point_id"].astype(str))
        others = postal[postal["point_id"].astype(str).isin(wanted)] if wanted else postal.iloc[0:0]
        layers["postal_points"] = pd.concat([own, others]) if len(others) else own
    for name in ("radio_stations", "speakers"):
        sub = index.take(results.layers.get(name), name, code)
        if sub is not None:
            layers[name] = sub
    cells = results.layers.get("cell_sites")
    if cells is not None and len(cells):
        radius = pd.to_numeric(cells["radius_used_m"], errors="coerce") if "radius_used_m" in cells.columns \
            else pd.Series(np.nan, index=cells.index)
        radius = radius.fillna(SITE_MARGIN_M).clip(lower=SITE_MARGIN_M).to_numpy(dtype=float)
        layers["cell_sites"] = _near(cells, index.trees["cell_sites"], geom, radius)
    coverage = results.layers.get("coverage")
    if coverage is not None and len(coverage):
        near = _near(coverage, index.trees["coverage"], geom, COVERAGE_MARGIN_M)
        clipped = shapely.intersection(np.asarray(near.geometry.values, dtype=object),
                                       shapely.buffer(geom, COVERAGE_MARGIN_M))
        near = near.set_geometry(clipped, crs=coverage.crs)
        layers["coverage"] = near[~near.geometry.is_empty]
    fixed = results.layers.get("fixed_access")
    if fixed is not None and len(fixed):
        reach = pd.to_numeric(fixed["reach_m"], errors="coerce").fillna(0).to_numpy(dtype=float)
        layers["fixed_access"] = _near(fixed, index.trees["fixed_access"], geom, reach)
    return CommuneView(code=code, commune=row, indicators=ind, villages=villages, indicator_ids=ind_ids,
                       layers=layers, lines=postal_lines(villages, layers.get("postal_points")))
