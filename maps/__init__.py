"""Coverage maps of tc8 results: per-commune and province HTML (folium/Leaflet, offline) and PNG.

Renderers read a :class:`~tc8.model.results.Results` and never recompute a verdict::

    from tc8.maps import render_commune_map, render_province_map, save_maps, render_commune_png
"""
from __future__ import annotations

from pathlib import Path

from tc8.model.results import Results

from .commune import render_commune_map
from .province import render_province_map
from .save import save_maps


def render_commune_png(results: Results, commune_code: str, path: str | Path, **kwargs) -> Path:
    """PNG of one commune (see :func:`tc8.maps.static.render_commune_png`; drawn with Pillow, imported lazily)."""
    from .static import render_commune_png as _render

    return _render(results, commune_code, path, **kwargs)


__all__ = ["render_commune_map", "render_province_map", "save_maps", "render_commune_png"]
