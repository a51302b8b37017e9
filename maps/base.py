"""The empty map every tc8 map starts from: plain background, optional online tiles, scale bar."""
from __future__ import annotations

import functools

import folium
from branca.element import MacroElement
from folium.template import Template

from tc8.text.messages import text

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
#: One small tile fetched to learn whether the tile server is reachable (the world at zoom 0).
PROBE_URL = "https://tile.openstreetmap.org/0/0/0.png"
MAX_ZOOM = 19


class TileProbe(MacroElement):
    """Switch the base layer from ``plain`` to ``tiles`` once one probe tile has loaded.

    Offline (or blocked) the image fails quietly: the plain background stays and no script
    error is raised. The user can still switch base layers by hand in the layer control.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, plain = {{ this.plain.get_name() }}, tiles = {{ this.tiles.get_name() }};
            var img = new Image();
            img.onload = function () {
                if (map.hasLayer(plain) && !map.hasLayer(tiles)) { map.addLayer(tiles); map.removeLayer(plain); }
            };
            img.onerror = function () { /* offline: keep the plain background */ };
            img.src = "{{ this.url }}";
        })();
        {% endmacro %}
    """)

    def __init__(self, plain, tiles, url: str = PROBE_URL):
        super().__init__()
        self._name = "TileProbe"
        self.plain = plain  # names are read when rendering (render_page numbers the elements then)
        self.tiles = tiles
        self.url = url


@functools.lru_cache(maxsize=1)
def _osm_provider():
    """OpenStreetMap as a tile provider object: given a URL string, folium searches every xyzservices
    provider by name first (about 20 ms a map, most of an atlas page's drawing time)."""
    import xyzservices

    return xyzservices.TileProvider(name="osm", url=OSM_URL, attribution="OpenStreetMap")


def new_map(lang: str, *, online_tiles: bool = True) -> folium.Map:
    """A folium map with SVG rendering, a scale bar and base layers.

    The plain background is the base layer the page starts with, so an offline viewer
    loses nothing. ``online_tiles`` adds OpenStreetMap as a second base layer and a
    :class:`TileProbe` that selects it when the tile server answers; with
    ``online_tiles=False`` the page makes no network request at all.
    """
    fmap = folium.Map(location=[16.0, 106.0], zoom_start=6, tiles=None, control_scale=True,
                      prefer_canvas=False)
    fmap.options["maxZoom"] = MAX_ZOOM  # folium gives max_zoom to its own tiles only; MarkerCluster needs it
    plain = folium.FeatureGroup(name=text("map.base_plain", lang), overlay=False, show=True).add_to(fmap)
    if online_tiles:
        osm = folium.TileLayer(tiles=_osm_provider(), attr=OSM_ATTRIBUTION, name=text("map.base_osm", lang),
                               overlay=False, show=False, max_zoom=MAX_ZOOM).add_to(fmap)
        TileProbe(plain, osm).add_to(fmap)
    return fmap
