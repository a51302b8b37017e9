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

from tc8.model.results import STATUS_FAIL, STATUS_MISSING, STATUS_PASS, status_column

#: Coverage polygons are clipped to the commune grown by this much (metres).
COVERAGE_MARGIN_M = 2000.0
#: Cell sites without a usable radius are shown when this close to the commune (metres).
SITE_MARGIN_M = 5000.0


@dataclass
class CommuneView:
    code: str
    commune: gpd.GeoDataFrame          # one row of Results.communes
    indicators: pd.DataFrame           # this commune's rows of Results.indicators (criterion last)
    villages: gpd.GeoDataFrame         # with display columns s_tc8, s_<ind>
    indicator_ids: list
    layers: dict = field(default_factory=dict)   # postal_points, cell_sites, coverage, ...
    lines: gpd.GeoDataFrame | None = None        # village -> nearest qualifying postal point


def tri(values) -> np.ndarray:
    """Nullable booleans -> object array of True/False/None."""
    s = pd.Series(values).astype("boolean")
    return np.where(s.isna(), None, s.fillna(False).to_numpy(dtype=bool)).astype(object)


def _status_of(ok: np.ndarray) -> np.ndarray:
    return np.where(ok == True, STATUS_PASS, np.where(ok == False, STATUS_FAIL, STATUS_MISSING))  # noqa: E712


def _all_of(*flags) -> np.ndarray:
    """Three-valued AND of nullable boolean arrays: False wins, then unknown."""
    stack = np.vstack([f.astype(object) for f in flags])
    any_false = (stack == False).any(axis=0)  # noqa: E712
    all_true = (stack == True).all(axis=0)  # noqa: E712
    return np.where(any_false, False, np.where(all_true, True, None)).astype(object)


def village_flags(results) -> dict:
    """Indicator id -> the village columns behind it (``phone_ok``, ``internet_ok``,
    ``speaker_ok``), from the measures its conditions use. Depends only on the rule set's
    conditions, so it is worked out once per run, not once per commune."""
    cond = results.conditions
    if cond is None or len(cond) == 0 or "measure" not in getattr(cond, "columns", ()):
        return {}
    out = {}
    for ind_id, used in cond.groupby(cond["indicator"].astype(str), sort=False)["measure"]:
        measures = " ".join(used.astype(str).unique())
        out[ind_id] = [flag for word, flag in (("phone", "phone_ok"), ("internet", "internet_ok"),
                                               ("speaker", "speaker_ok")) if word in measures]
    return out


def village_statuses(flags_of: dict, villages: pd.DataFrame, commune: pd.Series, indicator_ids) -> pd.DataFrame:
    """Display status per village: ``s_tc8`` and ``s_<ind>`` (``dat``/``khong_dat``/``thieu_du_lieu``).

    A village-level indicator (telephone/Internet, loudspeakers) shows the village's own
    ``*_ok`` facts from the results; a commune-level one (postal, IT) shows the commune's
    status. ``s_tc8`` combines the village facts present. Nothing is recomputed from inputs.
    """
    out = pd.DataFrame(index=villages.index)
    facts = {c: tri(villages[c]) for c in ("phone_ok", "internet_ok", "speaker_ok") if c in villages.columns}
    used = set()
    for ind in indicator_ids:
        key = "s_" + status_column(ind)[len("status_"):]
        direct = status_column(ind)
        flags = [f for f in flags_of.get(str(ind), []) if f in facts]
        if direct in villages.columns:
            out[key] = villages[direct].astype(object).fillna(STATUS_MISSING).to_numpy()
        elif flags:
            used.update(flags)
            out[key] = _status_of(_all_of(*[facts[f] for f in flags]))
        else:
            out[key] = commune.get(direct, STATUS_MISSING) or STATUS_MISSING
    chosen = [facts[f] for f in (sorted(used) or list(facts))]
    out["s_tc8"] = _status_of(_all_of(*chosen)) if chosen else commune.get("status_tc8", STATUS_MISSING)
    return out


@dataclass
class MapIndex:
    """Row positions per commune code and spatial trees, built once for many commune maps."""

    rows: dict          # frame name -> {commune_code: positions}
    trees: dict         # layer name -> shapely.STRtree over its geometries
    village_flags: dict = field(default_factory=dict)   # indicator id -> village columns behind it

    def take(self, frame, name: str, code: str):
        """Rows of ``frame`` whose ``commune_code`` is ``code`` (None when not indexed)."""
        if frame is None or name not in self.rows:
            return None
        return frame.iloc[self.rows[name].get(code, np.zeros(0, dtype=int))]


def build_index(results) -> MapIndex:
    """Group every frame with a ``commune_code`` by code and build STRtrees (one O(N) pass)."""
    frames = {"communes": results.communes, "indicators": results.indicators, "villages": results.villages,
              **{k: v for k, v in results.layers.items() if v is not None}}
    rows = {name: {str(k): np.asarray(v) for k, v in
                   frame.groupby(frame["commune_code"].astype(str), sort=False).indices.items()}
            for name, frame in frames.items() if "commune_code" in frame.columns}
    trees = {name: shapely.STRtree(np.asarray(results.layers[name].geometry.values, dtype=object))
             for name in ("cell_sites", "coverage", "fixed_access") if results.layers.get(name) is not None}
    return MapIndex(rows=rows, trees=trees, village_flags=village_flags(results))


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


def commune_view(results, commune_code: str, index: MapIndex | None = None) -> CommuneView:
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
    villages = villages.join(village_statuses(index.village_flags, villages, row.iloc[0], ind_ids))

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
