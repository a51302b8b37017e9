"""Geometry for display: simplify in metres, reproject to WGS 84, round, encode as GeoJSON.

All work is vectorised (shapely 2 array functions). Simplification keeps shared borders
shared (``shapely.coverage_simplify``) when the geometries form a coverage, and falls back to
``simplify(preserve_topology=True)`` per geometry otherwise. Empty or missing geometries
are dropped from the output, never raised on.
"""
from __future__ import annotations

import functools
import json

import numpy as np
import shapely

WGS84 = "EPSG:4326"


def simplify_metric(geoms, tolerance_m: float, *, coverage: bool = False) -> np.ndarray:
    """Simplified copies of ``geoms`` (metric CRS; ``tolerance_m`` in metres; 0 = unchanged).

    ``coverage=True`` for edge-matched polygons (communes): borders stay shared. Points and
    lines pass through. A polygon never collapses to empty: the original is kept instead.
    """
    arr = np.asarray(geoms, dtype=object)
    if tolerance_m <= 0 or len(arr) == 0:
        return arr
    out = None
    if coverage:
        try:
            out = shapely.coverage_simplify(arr, tolerance_m, simplify_boundary=True)
        except Exception:  # not a valid coverage (overlaps/gaps): per-geometry fallback
            out = None
    if out is None:
        out = shapely.simplify(arr, tolerance_m, preserve_topology=True)
    lost = shapely.is_empty(out) & ~shapely.is_empty(arr)
    out[lost] = arr[lost]
    return out


def to_display(frame, *, tolerance_m: float = 0.0, decimals: int = 6, coverage: bool = False):
    """``frame`` (GeoDataFrame) simplified, in EPSG:4326, coordinates rounded to ``decimals``.

    6 decimals ≈ 0.1 m, 5 ≈ 1 m, 4 ≈ 11 m. Rows with empty/missing geometry are dropped.
    """
    geoms = np.asarray(frame.geometry.values, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not keep.all():
        frame, geoms = frame[keep], geoms[keep]
    crs = frame.crs
    if crs is not None and crs.is_projected and tolerance_m > 0:
        geoms = simplify_metric(geoms, tolerance_m, coverage=coverage)
    to_wgs = _to_wgs84(crs) if crs is not None and crs.to_string() != WGS84 else None

    def display(xy):
        if to_wgs is not None:
            xy = np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1]))
        return np.round(xy, decimals)

    return frame.set_geometry(shapely.transform(geoms, display), crs=WGS84)


@functools.lru_cache(maxsize=16)
def _to_wgs84(crs):
    """One pyproj transformer per CRS (``GeoDataFrame.to_crs`` builds a new one on every call)."""
    from pyproj import Transformer

    return Transformer.from_crs(crs, WGS84, always_xy=True)


def bounds_latlon(frame) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of a EPSG:4326 frame, or None when empty."""
    if frame is None or len(frame) == 0:
        return None
    minx, miny, maxx, maxy = frame.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def feature_collection(geoms, properties: list[dict]) -> dict:
    """A GeoJSON FeatureCollection from EPSG:4326 ``geoms`` and one property dict per geometry."""
    texts = shapely.to_geojson(np.asarray(geoms, dtype=object))
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": json.loads(g), "properties": p}
                         for g, p in zip(texts, properties)]}


def js_json(value) -> str:
    """JSON safe to embed in a ``<script>``: ``<`` (so no ``</script>`` or ``<!--`` can occur), ``&`` and
    line separators escaped. ``>`` is left as is: it ends nothing inside a script without a ``<`` before
    it, and escaping it made every popup tag 5 bytes longer (a sixth of a commune page)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_plain)
    return (text.replace("<", "\\u003c").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return str(value)
