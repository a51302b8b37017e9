"""Drawing primitives for the static PNG maps (Pillow, no matplotlib figure).

Geometry is drawn on an RGB image ``SUPER`` times larger than the output and shrunk by
averaging each block of pixels (anti-aliasing); text is drawn afterwards at the output size. Coordinates are
transformed from the metric CRS to pixels with numpy, a whole layer at once. Sizes are given
in points (1/72 inch) and turned into pixels with the picture's dpi, as matplotlib did.
The font is DejaVu Sans from matplotlib's package data (it has the Vietnamese glyphs); no
timestamp or other metadata goes into the PNG, so the same map gives the same bytes.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from PIL import Image, ImageColor, ImageDraw, ImageFont

#: Geometry is drawn this many times larger, then shrunk (anti-aliasing).
SUPER = 2


@functools.lru_cache(maxsize=None)
def font(size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans (bold) at ``size_px`` pixels, from matplotlib's data (no pyplot import)."""
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / name), size_px)


@functools.lru_cache(maxsize=None)
def rgb(color: str) -> tuple[int, int, int]:
    return ImageColor.getrgb(color)[:3]


def mix(color: str, alpha: float, under: str = "#ffffff") -> tuple[int, int, int]:
    """``color`` at opacity ``alpha`` over ``under`` (markers drawn translucent on white)."""
    a, b = np.array(rgb(color), float), np.array(rgb(under), float)
    return tuple(int(round(v)) for v in a * alpha + b * (1 - alpha))


@dataclass
class Frame:
    """Metric extent -> pixels of the map panel (y up -> y down); ``scale`` in pixels per metre."""

    minx: float
    maxy: float
    scale: float
    width: int
    height: int
    dpi: float

    def px(self, xy: np.ndarray, factor: int = 1) -> np.ndarray:
        """(n, 2) metric coordinates -> (n, 2) float pixel coordinates (times ``factor``)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        return np.column_stack([(xy[:, 0] - self.minx) * self.scale, (self.maxy - xy[:, 1]) * self.scale]) * factor

    def pt(self, points: float, factor: int = 1) -> float:
        """A size in points as pixels."""
        return points * self.dpi / 72.0 * factor


def make_frame(bounds, side_px: int, dpi: float) -> Frame:
    """A frame whose longer side is ``side_px`` pixels for ``bounds`` (minx, miny, maxx, maxy), equal aspect."""
    minx, miny, maxx, maxy = bounds
    span = max(maxx - minx, maxy - miny, 1.0)
    scale = side_px / span
    return Frame(minx=minx, maxy=maxy, scale=scale, width=max(int(round((maxx - minx) * scale)), 1),
                 height=max(int(round((maxy - miny) * scale)), 1), dpi=dpi)


def rings(geoms) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Every ring of the (multi)polygons ``geoms``: coordinate arrays, the polygon part each ring
    belongs to, and whether it is an exterior ring (the first ring of its part)."""
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[shapely.get_type_id(parts) == 3]  # polygons only
    if not len(parts):
        return [], np.zeros(0, int), np.zeros(0, bool)
    ring_geoms, part_of = shapely.get_rings(parts, return_index=True)
    exterior = np.r_[True, part_of[1:] != part_of[:-1]]
    coords, ring_of = shapely.get_coordinates(ring_geoms, return_index=True)
    split = np.split(coords, np.flatnonzero(np.diff(ring_of)) + 1) if len(coords) else []
    return split, part_of, exterior


def flat(points: np.ndarray) -> list[float]:
    """(n, 2) pixels as the flat list ImageDraw takes."""
    return points.ravel().tolist()


def dashed(draw: ImageDraw.ImageDraw, a: np.ndarray, b: np.ndarray, fill, width: int, on: float, off: float) -> None:
    """Dashed segments from points ``a`` to ``b`` (pixels, (n, 2) each): ``on`` drawn, ``off`` skipped."""
    for p, q in zip(a, b):
        length = float(np.hypot(*(q - p)))
        if length == 0:
            continue
        starts = np.arange(0.0, length, on + off)
        ends = np.minimum(starts + on, length)
        u = (q - p) / length
        for s, e in zip(starts, ends):
            draw.line(flat(np.array([p + u * s, p + u * e])), fill=fill, width=width)


def marker(draw: ImageDraw.ImageDraw, kind: str, x: float, y: float, r: float, fill, outline, width: int) -> None:
    """One marker of radius ``r`` pixels at (x, y): ``o`` circle, ``s`` square, ``^`` triangle, ``*`` star."""
    if kind == "o":
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill, outline=outline, width=width)
    elif kind == "s":
        draw.rectangle([x - r, y - r, x + r, y + r], fill=fill, outline=outline, width=width)
    elif kind == "^":
        draw.polygon([(x, y - r * 1.15), (x - r, y + r * 0.75), (x + r, y + r * 0.75)], fill=fill,
                     outline=outline, width=width)
    else:  # star: five points, inner radius 0.4
        angles = np.pi / 2 + np.arange(10) * np.pi / 5
        radii = np.where(np.arange(10) % 2 == 0, r, 0.4 * r)
        draw.polygon(list(zip(x + radii * np.cos(angles), y - radii * np.sin(angles))), fill=fill,
                     outline=outline, width=width)


def shrink(image: Image.Image) -> Image.Image:
    """The supersampled ``image`` at the output size: the mean of each SUPER x SUPER block (box filter)."""
    return image.reduce(SUPER)


def save_png(image: Image.Image, path) -> None:
    """``image`` as a PNG with fixed options and no metadata (same picture, same bytes)."""
    image.save(path, format="PNG", optimize=False, compress_level=3)
