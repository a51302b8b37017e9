"""Reading the population raster: which cells hold people, and whether any village gets weights.

Validation opens the raster once to refuse one that misses every village
(:func:`raster_coverage`); the measures read populated cells to weight village samples
(:mod:`tc8.measures.sampling`). A cell holds people when its value is finite and positive;
nodata, 0, negative and non-finite cells are unpopulated (:func:`populated`).
"""
from __future__ import annotations

import numpy as np
import shapely


def populated(band: np.ndarray, nodata) -> np.ndarray:
    """People per raster cell as float64: nodata, non-finite and negative cells are 0."""
    band = np.asarray(band, dtype="float64").copy()
    if nodata is not None:
        band[band == nodata] = 0.0
    band[~np.isfinite(band) | (band < 0)] = 0.0
    return band


#: Raster cells read at once when looking for a populated cell (bounds memory to ~32 MB).
_STRIP_CELLS = 4_000_000


def raster_coverage(src, geoms: np.ndarray) -> str | None:
    """Does the open raster ``src`` give weights to any village? ``geoms`` are the villages in
    the raster's CRS. ``"outside"``: the raster's bounds miss the villages' extent; ``"empty"``:
    no polygon village contains a populated cell centre and no point village lies in a
    populated cell (nodata, 0, negative and non-finite cells are unpopulated); None: at least
    one village is covered. Reads the extent in strips of rows and stops at the first hit."""
    import rasterio
    from rasterio.windows import Window

    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    b = src.bounds
    if not (xmin <= b.right and xmax >= b.left and ymin <= b.top and ymax >= b.bottom):
        return "outside"
    is_point = shapely.get_type_id(geoms) == 0
    if is_point.any():
        xy = [(p.x, p.y) for p in geoms[is_point]]
        values = np.array([v[0] for v in src.sample(xy, indexes=1)], dtype="float64")
        if (populated(values, src.nodata) > 0).any():
            return None
    polys = geoms[~is_point]
    if not len(polys):
        return "empty"
    cols, rows = ~src.transform * (np.array([xmin, xmax, xmin, xmax]), np.array([ymin, ymin, ymax, ymax]))
    c0, c1 = max(int(np.floor(np.min(cols))), 0), min(int(np.ceil(np.max(cols))), src.width)
    r0, r1 = max(int(np.floor(np.min(rows))), 0), min(int(np.ceil(np.max(rows))), src.height)
    tree = shapely.STRtree(polys)
    step = max(1, _STRIP_CELLS // max(c1 - c0, 1))
    for r in range(r0, r1, step):
        window = Window(c0, r, c1 - c0, min(step, r1 - r))
        band = populated(src.read(1, window=window), src.nodata)
        rr, cc = np.nonzero(band > 0)
        if not rr.size:
            continue
        cx, cy = rasterio.transform.xy(src.window_transform(window), rr, cc, offset="center")
        hit, _ = tree.query(shapely.points(np.asarray(cx, dtype=float), np.asarray(cy, dtype=float)),
                            predicate="within")
        if hit.size:
            return None
    return "empty"
