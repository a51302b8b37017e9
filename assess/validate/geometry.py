"""Geometry checks of one layer and the point-in-commune checks (vectorised, shapely 2).

* :func:`resolve_crs` — a GeoJSON without ``crs`` is WGS 84 by RFC 7946; any other layer
  without a CRS is an error.
* :func:`check_geometry` — missing/empty geometry, non-numeric coordinates, wrong geometry
  type for the layer, invalid geometry (with ``shapely.is_valid_reason``).
* :func:`check_extent` — bounds outside Vietnam's box (tested in WGS 84); when the swapped
  (y, x) would be inside, the row is reported as lat/lon swapped instead.
* :func:`check_metric_crs` — a user's metric CRS must declare an area of use containing the
  data (error otherwise; warning when it declares none) and must not distort areas there.
* :class:`CommuneIndex` — each row's commune by point in polygon (STRtree bulk query; polygons
  use ``point_on_surface``; a point on a shared boundary belongs to every commune it touches),
  the nearest commune of a point and the distance to a named commune.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Proj, Transformer

from tc8.model.schema import Layer
from .report import Collector, LayerRef

#: Generous WGS 84 box around Vietnam incl. Hoàng Sa / Trường Sa (degrees).
VN_LON = (102.0, 118.0)
VN_LAT = (8.0, 23.5)
#: Data may stick out of a metric CRS's declared area of use by this much (degrees).
AREA_OF_USE_MARGIN_DEG = 1.0
#: Largest scale error (areas and distances; 0.01 = 1 %) of a metric CRS at the data. UTM within
#: its zone widened by the margin stays under 0.6 % in Vietnam; Web Mercator is 2-19 % off there.
MAX_SCALE_ERROR = 0.01
#: A point this close to a commune (metres, metric CRS) touches it.
BOUNDARY_TOLERANCE_M = 1.0

_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
               5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
_TYPE_IDS = {name: tid for tid, name in _TYPE_NAMES.items()}


def resolve_crs(frame: gpd.GeoDataFrame, ref: LayerRef, report: Collector) -> CRS | None:
    """The layer's CRS; GeoJSON without one is WGS 84; otherwise a missing CRS is reported."""
    if frame.crs is not None:
        return CRS.from_user_input(frame.crs)
    if Path(ref.file).suffix.lower() in (".geojson", ".json"):
        return CRS.from_epsg(4326)
    report.add("error", "missing_crs", ref.file, ref.name, "", "geometry")
    return None


def check_geometry(geoms: np.ndarray, layer: Layer, ref: LayerRef, report: Collector,
                   *, csv: bool = False) -> np.ndarray:
    """Mask of rows whose geometry is present, of an allowed type and valid."""
    field = "lon, lat" if csv else "geometry"
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    bounds = shapely.bounds(geoms)
    nan_coords = ~missing & ~np.isfinite(bounds).all(axis=1)
    report.add_rows("error", "empty_geometry", ref, missing | nan_coords, field)
    present = ~(missing | nan_coords)
    type_ids = shapely.get_type_id(geoms)
    allowed = [_TYPE_IDS[name] for name in layer.geometry]
    wrong = present & ~np.isin(type_ids, allowed)
    found = np.array([_TYPE_NAMES.get(int(t), "?") for t in range(-1, 8)], dtype=object)[type_ids + 1]
    report.add_rows("error", "wrong_geometry_type", ref, wrong, "geometry",
                    per_row={"found": found}, expected=", ".join(layer.geometry))
    candidates = present & ~wrong
    invalid = np.zeros(len(geoms), dtype=bool)
    invalid[candidates] = ~shapely.is_valid(geoms[candidates])
    if invalid.any():
        reasons = np.empty(len(geoms), dtype=object)
        reasons[invalid] = shapely.is_valid_reason(geoms[invalid])
        report.add_rows("error", "invalid_geometry", ref, invalid, "geometry", per_row={"reason": reasons})
    return present & ~wrong & ~invalid


def _to_lonlat(bounds: np.ndarray, crs: CRS) -> np.ndarray:
    """(minlon, minlat, maxlon, maxlat) of each box's four corners in WGS 84 (inf when impossible)."""
    tr = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
    xs = np.stack([bounds[:, 0], bounds[:, 2], bounds[:, 0], bounds[:, 2]], axis=1)
    ys = np.stack([bounds[:, 1], bounds[:, 1], bounds[:, 3], bounds[:, 3]], axis=1)
    with np.errstate(invalid="ignore"):
        lon, lat = tr.transform(xs.ravel(), ys.ravel(), errcheck=False)
    lon = np.asarray(lon, dtype=float).reshape(xs.shape)
    lat = np.asarray(lat, dtype=float).reshape(xs.shape)
    return np.stack([lon.min(1), lat.min(1), lon.max(1), lat.max(1)], axis=1)


def _inside(ll: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return ((ll[:, 0] >= VN_LON[0]) & (ll[:, 2] <= VN_LON[1])
                & (ll[:, 1] >= VN_LAT[0]) & (ll[:, 3] <= VN_LAT[1]))


def check_extent(geoms: np.ndarray, crs: CRS, good: np.ndarray, ref: LayerRef,
                 report: Collector) -> tuple[np.ndarray, np.ndarray]:
    """(rows inside Vietnam's box among ``good``, lon/lat bounds of every row (NaN if not good))."""
    ll = np.full((len(geoms), 4), np.nan)
    if not good.any():
        return good, ll
    bounds = shapely.bounds(geoms[good])
    ll[good] = _to_lonlat(bounds, crs)
    inside = np.zeros(len(geoms), dtype=bool)
    inside[good] = _inside(ll[good])
    outside = good & ~inside
    if outside.any():
        swapped_bounds = shapely.bounds(geoms[outside])[:, [1, 0, 3, 2]]
        swapped = np.zeros(len(geoms), dtype=bool)
        swapped[outside] = _inside(_to_lonlat(swapped_bounds, crs))
        centre_x = np.round((ll[:, 0] + ll[:, 2]) / 2, 5)
        centre_y = np.round((ll[:, 1] + ll[:, 3]) / 2, 5)
        src = np.full((len(geoms), 2), np.nan)
        src[outside] = np.round(shapely.bounds(geoms[outside])[:, :2], 5)
        report.add_rows("error", "latlon_swapped", ref, swapped, "geometry",
                        per_row={"x": src[:, 0], "y": src[:, 1]})
        report.add_rows("error", "outside_vietnam", ref, outside & ~swapped, "geometry",
                        per_row={"lon": centre_x, "lat": centre_y},
                        box=f"{VN_LON[0]}–{VN_LON[1]}°E, {VN_LAT[0]}–{VN_LAT[1]}°N")
    return inside, ll


def check_metric_crs(crs: CRS, box, value: str, report: Collector) -> bool:
    """Whether the user's metric ``crs`` fits data whose WGS 84 bounds are ``box``
    (minlon, minlat, maxlon, maxlat; degrees). Errors: the box is not inside the CRS's declared
    area of use widened by :data:`AREA_OF_USE_MARGIN_DEG` (``metric_crs_area``), or the CRS's
    scale at the box's corners and centre is off by more than :data:`MAX_SCALE_ERROR`
    (``metric_crs_distorted``, e.g. Web Mercator). A CRS that declares no area of use is a
    warning (``metric_crs_no_area``); its scale is still checked. ``value`` as the user typed it."""
    from tc8.text.messages import fmt_number

    area = crs.area_of_use
    where = {"data_west": deg_text(box[0]), "data_south": deg_text(box[1]), "data_east": deg_text(box[2]),
             "data_north": deg_text(box[3])}
    if area is None:
        report.add("warning", "metric_crs_no_area", "--crs", field="metric_crs", value=value)
    else:
        m = AREA_OF_USE_MARGIN_DEG
        if not (box[0] >= area.west - m and box[2] <= area.east + m
                and box[1] >= area.south - m and box[3] <= area.north + m):
            report.add("error", "metric_crs_area", "--crs", field="metric_crs", value=value,
                       area=area.name, west=deg_text(area.west), south=deg_text(area.south),
                       east=deg_text(area.east), north=deg_text(area.north), **where)
            return False
    lons = np.array([box[0], box[2], box[0], box[2], (box[0] + box[2]) / 2])
    lats = np.array([box[1], box[1], box[3], box[3], (box[1] + box[3]) / 2])
    try:
        f = Proj(crs).get_factors(lons, lats, errcheck=False)
        scale = np.stack([f.areal_scale, f.meridional_scale, f.parallel_scale])
        worst = float(np.max(np.abs(scale - 1.0)))
    except Exception:  # noqa: BLE001 - a CRS pyproj cannot evaluate there is unusable there
        worst = np.inf
    if not np.isfinite(worst) or worst > MAX_SCALE_ERROR:
        report.add("error", "metric_crs_distorted", "--crs", field="metric_crs", value=value,
                   error_vi=fmt_number(worst * 100, 1, "vi"), error_en=fmt_number(worst * 100, 1, "en"),
                   limit=deg_text(MAX_SCALE_ERROR * 100), **where)
        return False
    return True


def deg_text(value: float) -> str:
    """A coordinate in degrees as short text (``108.1``, ``-180``)."""
    return f"{round(float(value), 2):g}"


def project(geoms: np.ndarray, crs: CRS, metric: CRS) -> np.ndarray:
    """Geometries transformed from ``crs`` to ``metric`` (non-finite where impossible)."""
    return np.asarray(gpd.GeoSeries(geoms, crs=crs).to_crs(metric).values, dtype=object)


class CommuneIndex:
    """STRtree over the communes usable for point-in-polygon (present geometry and code).

    ``names`` (optional, aligned with ``codes``) lets messages name a commune by code and name
    (:meth:`name`). Besides :meth:`locate`, the index answers the nearest commune of points
    outside every commune (:meth:`nearest`) and the distance to a named commune
    (:meth:`distance_to`); the boundary policy (:mod:`tc8.validate.boundary`) uses both.
    """

    def __init__(self, geoms: np.ndarray, codes: np.ndarray, names: np.ndarray | None = None):
        usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & np.array(
            [c is not None for c in codes], dtype=bool)
        geoms = np.where(usable, geoms, None)
        invalid = usable.copy()
        invalid[usable] = ~shapely.is_valid(geoms[usable])
        if invalid.any():  # repaired copies only for the lookup; the error is reported elsewhere
            geoms[invalid] = shapely.make_valid(geoms[invalid])
        self.codes = np.asarray(codes, dtype=object)
        self.names = np.asarray(names if names is not None else codes, dtype=object)
        self.tree = shapely.STRtree(geoms)
        first = pd.Series(np.arange(len(codes)), index=pd.Index(self.codes, dtype=object))
        first = first[usable]
        self._position = first[~first.index.duplicated()]  # code -> first usable commune

    @staticmethod
    def anchor(geoms: np.ndarray) -> np.ndarray:
        """The point that locates each row: the point itself, a polygon's ``point_on_surface``
        (None for any other or missing geometry)."""
        type_ids = shapely.get_type_id(geoms)
        pts = np.where(type_ids == 0, geoms, None)
        polys = np.isin(type_ids, (3, 6))
        if polys.any():
            pts[polys] = shapely.point_on_surface(geoms[polys])
        return pts

    def locate(self, geoms: np.ndarray, given: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(commune code per row or None, whether ``given[i]`` is among the communes touched).

        ``geoms`` are in the communes' (metric) CRS; None rows are not located. Polygons are
        located by their ``point_on_surface``. A point within :data:`BOUNDARY_TOLERANCE_M` of
        a commune counts as touching it (a point on a shared edge in WGS 84 is a few cm off
        the edge once projected); a commune that contains it wins over one only touching it.
        """
        n = len(geoms)
        pts = self.anchor(geoms)
        q, c = self.tree.query(pts, predicate="dwithin", distance=BOUNDARY_TOLERANCE_M)
        code = np.full(n, None, dtype=object)
        if len(q):
            inside = shapely.intersects(pts[q], self.tree.geometries[c])
            # per point: containing communes first, then the others in tree order
            order = np.lexsort((c, ~inside, q))
            q, c = q[order], c[order]
            first_q, first_at = np.unique(q, return_index=True)
            code[first_q] = self.codes[c[first_at]]
        agree = np.zeros(n, dtype=bool)
        if given is not None and len(q):
            hit = self.codes[c] == given[q]
            agree[q[hit]] = True
            code[agree] = given[agree]
        return code, agree

    def nearest(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position of the nearest commune, distance in metres) per point of ``points``
        (anchors, metric CRS); -1 and NaN for a None point. Ties: the first commune."""
        pos = np.full(len(points), -1, dtype=np.intp)
        dist = np.full(len(points), np.nan)
        present = ~shapely.is_missing(points)
        if present.any() and len(self.tree):
            (q, c), d = self.tree.query_nearest(points[present], return_distance=True, all_matches=False)
            rows = np.flatnonzero(present)[q]
            pos[rows], dist[rows] = c, d
        return pos, dist

    def distance_to(self, points: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Distance in metres from each point to the commune its ``codes`` entry names (NaN
        where the point is None or the code names no usable commune); aligned arrays."""
        pos = self.position(codes)
        known = (pos >= 0) & ~shapely.is_missing(points)
        dist = np.full(len(points), np.nan)
        if known.any():
            dist[known] = shapely.distance(points[known], self.tree.geometries[pos[known]])
        return dist

    def code(self, positions: np.ndarray) -> np.ndarray:
        """Codes of the communes at ``positions`` (None for -1)."""
        out = np.full(len(positions), None, dtype=object)
        ok = positions >= 0
        out[ok] = self.codes[positions[ok]]
        return out

    def name(self, positions: np.ndarray) -> np.ndarray:
        """Names of the communes at ``positions`` (None for -1)."""
        out = np.full(len(positions), None, dtype=object)
        ok = positions >= 0
        out[ok] = self.names[positions[ok]]
        return out

    def position(self, codes: np.ndarray) -> np.ndarray:
        """Position of the commune each code names (-1 when none)."""
        pos = self._position.reindex(pd.Index(codes, dtype=object)).to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isnan(pos), -1, pos).astype(np.intp)
