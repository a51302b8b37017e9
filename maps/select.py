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

from tc8.results import STATUS_FAIL, STATUS_MISSING, STATUS_PASS, status_column

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


def _tri(values) -> np.ndarray:
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


def _village_flags(results, ind_id: str) -> list[str]:
    """Village columns behind an indicator, from the measures its conditions use."""
    cond = results.conditions
    if cond is None or len(cond) == 0 or "measure" not in getattr(cond, "columns", ()):
        return []
    measures = " ".join(cond.loc[cond["indicator"] == ind_id, "measure"].astype(str).unique())
    flags = []
    if "phone" in measures:
        flags.append("phone_ok")
    if "internet" in measures:
        flags.append("internet_ok")
    if "speaker" in measures:
        flags.append("speaker_ok")
    return flags


def village_statuses(results, villages: pd.DataFrame, commune: pd.Series, indicator_ids) -> pd.DataFrame:
    """Display status per village: ``s_tc8`` and ``s_<ind>`` (``dat``/``khong_dat``/``thieu_du_lieu``).

    A village-level indicator (telephone/Internet, loudspeakers) shows the village's own
    ``*_ok`` facts from the results; a commune-level one (postal, IT) shows the commune's
    status. ``s_tc8`` combines the village facts present. Nothing is recomputed from inputs.
    """
    out = pd.DataFrame(index=villages.index)
    facts = {c: _tri(villages[c]) for c in ("phone_ok", "internet_ok", "speaker_ok") if c in villages.columns}
    used = set()
    for ind in indicator_ids:
        key = "s_" + status_column(ind)[len("status_"):]
        direct = status_column(ind)
        flags = [f for f in _village_flags(results, ind) if f in facts]
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


def _in_commune(frame, code: str):
    if frame is None or "commune_code" not in frame.columns:
        return None
    return frame[frame["commune_code"].astype(str) == code]


def _near(frame, geom, distance):
    if frame is None or len(frame) == 0:
        return frame
    keep = shapely.dwithin(np.asarray(frame.geometry.values, dtype=object), geom, distance)
    return frame[keep]


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


def commune_view(results, commune_code: str) -> CommuneView:
    """Everything the commune map of ``commune_code`` shows; ``KeyError`` for an unknown code."""
    code = str(commune_code)
    communes = results.communes
    row = communes[communes["commune_code"].astype(str) == code]
    if row.empty:
        raise KeyError(code)
    geom = row.geometry.iloc[0]
    ind = results.indicators
    ind = ind[ind["commune_code"].astype(str) == code]
    ind_ids = [i for i in ind["indicator"].astype(str).unique() if i != "TC8"]
    villages = results.villages
    villages = villages[villages["commune_code"].astype(str) == code]
    villages = villages.join(village_statuses(results, villages, row.iloc[0], ind_ids))

    layers = {}
    postal = results.layers.get("postal_points")
    if postal is not None:
        wanted = set(villages.get("nearest_postal_id", pd.Series(dtype=object)).dropna().astype(str))
        mask = (postal["commune_code"].astype(str) == code) | postal["point_id"].astype(str).isin(wanted)
        layers["postal_points"] = postal[mask]
    for name in ("radio_stations", "speakers"):
        sub = _in_commune(results.layers.get(name), code)
        if sub is not None:
            layers[name] = sub
    cells = results.layers.get("cell_sites")
    if cells is not None and len(cells):
        radius = pd.to_numeric(cells.get("radius_used_m"), errors="coerce")
        radius = radius.fillna(SITE_MARGIN_M).clip(lower=SITE_MARGIN_M).to_numpy(dtype=float)
        layers["cell_sites"] = _near(cells, geom, radius)
    coverage = results.layers.get("coverage")
    if coverage is not None and len(coverage):
        area = shapely.buffer(geom, COVERAGE_MARGIN_M)
        near = _near(coverage, geom, COVERAGE_MARGIN_M)
        clipped = shapely.intersection(np.asarray(near.geometry.values, dtype=object), area)
        near = near.set_geometry(clipped, crs=coverage.crs)
        layers["coverage"] = near[~near.geometry.is_empty]
    for name in ("fixed_access",):
        frame = results.layers.get(name)
        if frame is not None and len(frame):
            layers[name] = _near(frame, geom, pd.to_numeric(frame["reach_m"], errors="coerce")
                                 .fillna(0).to_numpy(dtype=float))
    return CommuneView(code=code, commune=row, indicators=ind, villages=villages, indicator_ids=ind_ids,
                       layers=layers, lines=postal_lines(villages, layers.get("postal_points")))
