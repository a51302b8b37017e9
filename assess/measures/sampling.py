"""Sample locations that stand for each village when deciding coverage.

A point village is its own single sample (weight 1). A polygon village is represented by
sample points inside it: the centres of populated cells of the population raster (weight =
people in the cell) when a raster is given, otherwise a regular grid (weight = 1, i.e. an
area share). A polygon without a populated cell centre inside it (cells nodata, 0 or outside
the raster; or the polygon smaller than a cell) falls back to the grid, i.e. area share, and is
flagged ``weights_missing``: it is not population-weighted. A polygon that receives no grid
sample either (tiny) gets its representative point with weight 1, so every village has at
least one sample.

All geometry is in the metric CRS of the inputs; distances in metres.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import shapely

from tc8.io.raster import populated

log = logging.getLogger(__name__)

#: target number of grid samples in a median-sized polygon village (area-weighted mode)
GRID_SAMPLES_PER_VILLAGE = 400


@dataclass(frozen=True)
class Samples:
    """``village`` (positional index into the villages frame), ``points``, ``weight``; per
    village (positional): ``population_weighted`` (its samples are raster cells) and
    ``weights_missing`` (a polygon that had a raster but no populated cell: area share)."""

    village: np.ndarray
    points: np.ndarray
    weight: np.ndarray
    population_weighted: np.ndarray
    weights_missing: np.ndarray


def _grid_points(polygons: np.ndarray) -> np.ndarray:
    """A regular point grid over the polygons' total bounds, spaced for the median polygon."""
    areas = shapely.area(polygons)
    spacing = max(25.0, float(np.sqrt(np.median(areas) / GRID_SAMPLES_PER_VILLAGE)))
    xmin, ymin, xmax, ymax = shapely.total_bounds(polygons)
    xs = np.arange(xmin + spacing / 2, xmax, spacing)
    ys = np.arange(ymin + spacing / 2, ymax, spacing)
    if xs.size * ys.size > 5_000_000:  # huge sparse extent: keep memory bounded
        factor = np.sqrt(xs.size * ys.size / 5_000_000)
        xs, ys = xs[:: int(np.ceil(factor))], ys[:: int(np.ceil(factor))]
    gx, gy = np.meshgrid(xs, ys)
    return shapely.points(gx.ravel(), gy.ravel())


def _raster_points(polygons: np.ndarray, raster_path, metric_crs: str):
    """Centres and counts of populated raster cells over the polygons' extent, in ``metric_crs``."""
    import rasterio
    from pyproj import Transformer
    from rasterio.windows import from_bounds

    with rasterio.open(raster_path) as src:
        to_src = Transformer.from_crs(metric_crs, src.crs, always_xy=True)
        xmin, ymin, xmax, ymax = shapely.total_bounds(polygons)
        bx, by = to_src.transform([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
        window = from_bounds(min(bx), min(by), max(bx), max(by), transform=src.transform)
        window = window.round_offsets().round_lengths()
        band = populated(src.read(1, window=window, boundless=True, fill_value=0), src.nodata)
        rows, cols = np.nonzero(band > 0)
        transform = src.window_transform(window)
        cx, cy = rasterio.transform.xy(transform, rows, cols, offset="center")
        to_metric = Transformer.from_crs(src.crs, metric_crs, always_xy=True)
        mx, my = to_metric.transform(np.asarray(cx, dtype=float), np.asarray(cy, dtype=float))
        return shapely.points(mx, my), band[rows, cols]


def _contained(polys: np.ndarray, cand: np.ndarray, cand_w: np.ndarray):
    """(polygon position, point, weight) of every candidate point inside a polygon."""
    poly_pos, cand_pos = shapely.STRtree(cand).query(polys, predicate="contains")
    return poly_pos, cand[cand_pos], cand_w[cand_pos]


def village_samples(geoms: np.ndarray, *, raster_path=None, metric_crs: str = "") -> Samples:
    """Samples for every village geometry (positional order).

    Points give one sample each. Polygons are sampled as described in the module docstring.
    """
    n = len(geoms)
    is_point = shapely.get_type_id(geoms) == 0
    idx_points = np.flatnonzero(is_point)
    idx_polys = np.flatnonzero(~is_point)
    village = [idx_points]
    points = [geoms[idx_points]]
    weight = [np.ones(idx_points.size)]
    weighted = np.zeros(n, dtype=bool)
    missing = np.zeros(n, dtype=bool)
    if idx_polys.size:
        polys = geoms[idx_polys]
        rest = np.ones(idx_polys.size, dtype=bool)  # polygons still without samples
        if raster_path is not None:
            pos, pts, w = _contained(polys, *_raster_points(polys, raster_path, metric_crs))
            village.append(idx_polys[pos])
            points.append(pts)
            weight.append(w)
            rest[pos] = False
            weighted[idx_polys[~rest]] = True
            missing[idx_polys[rest]] = True
        if rest.any():  # area share: a regular grid over the polygons without raster samples
            sub = np.flatnonzero(rest)
            grid = _grid_points(polys[sub])
            pos, pts, w = _contained(polys[sub], grid, np.ones(len(grid)))
            village.append(idx_polys[sub[pos]])
            points.append(pts)
            weight.append(w)
            rest[sub[pos]] = False
        if rest.any():  # smaller than the grid spacing: the representative point
            village.append(idx_polys[rest])
            points.append(shapely.point_on_surface(polys[rest]))
            weight.append(np.ones(int(rest.sum())))
    return Samples(np.concatenate(village), np.concatenate(points), np.concatenate(weight), weighted, missing)
