/* tc8 atlas: draws one commune page from window.tc8_commune (tc8.maps.atlas_pages), the same map as
   tc8.maps.commune draws with folium: plain base layer (+ OpenStreetMap when its probe tile loads),
   scale bar, one overlay per layer spec, layer control, fit to the commune.
   tc8_commune = {map: {base: [plain, osm|null], tiles, attribution, probe, maxZoom}, tpl: {layer: [piece...]},
                  bounds: [[s, w], [n, e]] | null, data: [[Feature...]...],
                  layers: [[data index, name (escaped HTML), shown 0/1, options]...]}
   Popup and tooltip texts (and popup pieces) are HTML escaped by Python; data never becomes HTML here. */
(function () {
  "use strict";
  var d = window.tc8_commune;
  if (!d) { return; }
  var m = d.map;
  var map = L.map("tc8-map", {center: [16.0, 106.0], crs: L.CRS.EPSG3857, zoom: 6, zoomControl: true,
                              preferCanvas: false, maxZoom: m.maxZoom});
  window.map_tc8 = map;  // found by tests and by name like folium's map_<id>
  L.control.scale().addTo(map);
  var base = {}, overlays = {};
  var plain = L.featureGroup().addTo(map);
  base[m.base[0]] = plain;
  if (m.base[1]) {
    var tiles = L.tileLayer(m.tiles, {attribution: m.attribution, maxZoom: m.maxZoom});
    base[m.base[1]] = tiles;
    var img = new Image();
    img.onload = function () {
      if (map.hasLayer(plain) && !map.hasLayer(tiles)) { map.addLayer(tiles); map.removeLayer(plain); }
    };
    img.onerror = function () { /* offline: keep the plain background */ };
    img.src = m.probe;
  }
  // A record's popup: the pieces its layer shares (d.tpl) around its own escaped values (p.pv).
  function join(fixed, values) {
    var out = fixed[0];
    for (var i = 0; i < values.length; i++) { out += values[i] + fixed[i + 1]; }
    return out;
  }
  function draw(features, o) {
    var pal = o.palette || {};
    function style(f) {
      var p = f.properties, c = o.key ? (pal[p[o.key]] || o.color) : (p._c || o.color);
      return {color: o.stroke || c, fillColor: c, weight: o.weight, opacity: o.opacity,
              fillOpacity: o.fillOpacity, dashArray: o.dash, className: o.className};
    }
    var g = L.geoJson({type: "FeatureCollection", features: features}, {
      className: o.className,
      style: style,
      filter: function (f) {
        var v = o.filter ? f.properties[o.filter] : true;
        return o.filterValue === undefined ? !!v : v === o.filterValue;
      },
      pointToLayer: function (f, ll) {
        var s = style(f), r = o.radiusKey ? f.properties[o.radiusKey] : null;
        if (r && r > 0) { s.radius = r; return L.circle(ll, s); }
        s.radius = o.radius; return L.circleMarker(ll, s);
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        var popup = p.popup || (o.tpl && p.pv ? join(d.tpl[o.tpl], p.pv) : null);
        if (popup) { l.bindPopup(popup, {maxWidth: 380, autoPanPaddingTopLeft: [10, 130]}); }
        if (p.tip) {
          l.bindTooltip(p.tip, o.tipPermanent
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
  }
  var defaults = {color: "#555555", weight: 1.5, opacity: 1.0, fillOpacity: 0.6, radius: 6};
  d.layers.forEach(function (spec) {
    var o = {}, k;
    for (k in defaults) { o[k] = defaults[k]; }
    for (k in spec[3]) { o[k] = spec[3][k]; }
    var layer = draw(d.data[spec[0]], o);
    overlays[spec[1]] = layer;
    if (spec[2]) { layer.addTo(map); }
  });
  L.control.layers(base, overlays, {collapsed: false, autoZIndex: true, position: "topright"}).addTo(map);
  if (d.bounds) { map.fitBounds(d.bounds, {padding: [12, 12]}); }
})();
