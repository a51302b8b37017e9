"""The empty map every tc8 map starts from: plain background, optional online tiles, scale bar."""
from __future__ import annotations

import folium

from tc8.messages import text

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


def new_map(lang: str, *, online_tiles: bool = True) -> folium.Map:
    """A folium map with SVG rendering, a scale bar and base layers.

    The plain background is the default base layer, so an offline viewer requests nothing.
    ``online_tiles`` adds OpenStreetMap as a second base layer the user can pick when online;
    when tiles cannot load, Leaflet only leaves grey squares (no script error).
    """
    fmap = folium.Map(location=[16.0, 106.0], zoom_start=6, tiles=None, control_scale=True,
                      prefer_canvas=False, max_zoom=19)
    folium.FeatureGroup(name=text("map.base_plain", lang), overlay=False, show=True).add_to(fmap)
    if online_tiles:
        folium.TileLayer(tiles=OSM_URL, attr=OSM_ATTRIBUTION, name=text("map.base_osm", lang),
                         overlay=False, show=False, max_zoom=19).add_to(fmap)
    return fmap
