"""Leaflet layers drawn from GeoJSON embedded once and shared by several toggleable layers.

:class:`SharedData` writes a FeatureCollection into the page as one JS variable;
:class:`DataLayer` is a folium layer (so ``LayerControl`` lists it) that draws that data
with a style picked per feature from a property (e.g. the status of one indicator). Popup
and tooltip texts are properties holding HTML that the Python side has already escaped
(:mod:`tc8.maps.style`); the JS never builds HTML from data.
"""
from __future__ import annotations

import itertools

from branca.element import MacroElement
from folium.elements import ElementAddToElement
from folium.map import Layer
from folium.template import Template

from .geo import js_json
from .offline import RawHtml

_ids = itertools.count()


class _RawScript:
    """Put the ``script`` macro's output into the page as is.

    branca's ``MacroElement.render`` wraps the output in ``Element(output)``, which compiles
    it as a Jinja template: data containing ``{{``/``{%`` would be evaluated or crash, and a
    large payload is slow to parse. Here it is inserted verbatim.
    """

    def render(self, **kwargs):
        figure = self.get_root()
        script = self._template.module.__dict__.get("script")
        figure.script.add_child(RawHtml(script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class SharedData(_RawScript, MacroElement):
    """``var <name> = <FeatureCollection>;`` — add to the map before the layers that use it."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.var_name }} = {{ this.payload }};
        {% endmacro %}
    """)

    def __init__(self, collection: dict):
        super().__init__()
        self._name = "SharedData"
        self.var_name = f"tc8_data_{next(_ids)}"
        self.collection = collection

    @property
    def payload(self) -> str:
        return js_json(self.collection)


class DataLayer(_RawScript, Layer):
    """Draw ``data`` (a :class:`SharedData`) as one toggleable overlay.

    Style: ``status_key`` names a property whose value picks a colour from ``palette``;
    otherwise ``color``. Points become ``L.circleMarker`` (``radius`` px), or ``L.circle`` in
    metres when ``radius_m_key`` names a positive property. ``filter_key``: only features
    whose property is truthy. ``tooltip_permanent``: always-visible label (distances).
    ``class_name`` is set on every drawn SVG path (tests count them). ``cluster``: wrap in a MarkerCluster group (points only).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var o = {{ this.js_options }}, pal = {{ this.js_palette }};
            function style(f) {
                var p = f.properties, c = o.key ? (pal[p[o.key]] || o.color) : (p._c || o.color);
                return {color: o.stroke || c, fillColor: c, weight: o.weight, opacity: o.opacity,
                        fillOpacity: o.fillOpacity, dashArray: o.dash, className: o.className};
            }
            var g = L.geoJson({{ this.data.var_name }}, {
                className: o.className,
                style: style,
                filter: function (f) { return !o.filter || !!f.properties[o.filter]; },
                pointToLayer: function (f, ll) {
                    var s = style(f), r = o.radiusKey ? f.properties[o.radiusKey] : null;
                    if (r && r > 0) { s.radius = r; return L.circle(ll, s); }
                    s.radius = o.radius; return L.circleMarker(ll, s);
                },
                onEachFeature: function (f, l) {
                    var p = f.properties;
                    if (p[o.popup]) { l.bindPopup(p[o.popup], {maxWidth: 380, autoPanPaddingTopLeft: [10, 130]}); }
                    if (p[o.tip]) {
                        l.bindTooltip(p[o.tip], o.tipPermanent
                            ? {permanent: true, direction: "center", className: "tc8-dist"} : {sticky: true});
                    }
                }
            });
            if (o.cluster) {
                var c = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 40});
                c.addLayer(g);
                return c;
            }
            return g;
        })();
        {% endmacro %}
    """)

    def __init__(self, data: SharedData, name: str, *, status_key: str | None = None,
                 palette: dict | None = None, color: str = "#555555", stroke: str | None = None,
                 weight: float = 1.5, opacity: float = 1.0, fill_opacity: float = 0.6,
                 dash: str | None = None, radius: float = 6, radius_m_key: str | None = None,
                 popup_key: str = "popup", tooltip_key: str = "tip", filter_key: str | None = None,
                 tooltip_permanent: bool = False, class_name: str = "tc8", cluster: bool = False,
                 show: bool = True, overlay: bool = True):
        super().__init__(name=name, overlay=overlay, control=True, show=show)
        self._name = "DataLayer"
        self.data = data
        self.js_palette = js_json(palette or {})
        self.js_options = js_json({
            "key": status_key, "color": color, "stroke": stroke, "weight": weight, "opacity": opacity,
            "fillOpacity": fill_opacity, "dash": dash, "radius": radius, "radiusKey": radius_m_key,
            "popup": popup_key, "tip": tooltip_key, "tipPermanent": tooltip_permanent, "filter": filter_key, "className": class_name,
            "cluster": cluster})

    def render(self, **kwargs):
        if self.show:
            self.add_child(ElementAddToElement(element_name=self.get_name(),
                                               element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")
        _RawScript.render(self, **kwargs)


class FitBounds(MacroElement):
    """Fit the map to ``bounds`` (``[[s, w], [n, e]]``) once loaded; a no-op when None."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {% if this.bounds %}{{ this._parent.get_name() }}.fitBounds({{ this.bounds }}, {padding: [12, 12]});{% endif %}
        {% endmacro %}
    """)

    def __init__(self, bounds):
        super().__init__()
        self._name = "FitBounds"
        self.bounds = js_json(bounds) if bounds else ""
