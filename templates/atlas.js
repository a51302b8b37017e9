/* tc8 atlas: the overview's search box (by commune code or name, accents optional).
   Reads window.tc8_atlas = {communes: [[code, name, district, province, href, [s, w, n, e]]], limit, none}.
   Builds the hit list with DOM text nodes only (names are data, never HTML). */
(function () {
  "use strict";
  var data = window.tc8_atlas;
  var input = document.getElementById("tc8-q"), list = document.getElementById("tc8-hits");
  if (!data || !input || !list) { return; }
  function fold(s) {
    return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase();
  }
  var rows = data.communes.map(function (c) {
    return {c: c, code: fold(c[0]), key: fold(c[0] + " " + c[1] + " " + c[2] + " " + c[3])};
  });
  function theMap() {
    for (var k in window) {
      if (k.indexOf("map_") === 0 && window[k] instanceof L.Map) { return window[k]; }
    }
    return null;
  }
  function go(c) {
    if (c[4]) { window.location.href = c[4]; return; }
    var map = theMap();
    if (map && c[5]) { map.fitBounds([[c[5][0], c[5][1]], [c[5][2], c[5][3]]], {maxZoom: 13}); }
  }
  function find(q) {
    var words = q.split(/\s+/), first = [], rest = [];
    for (var i = 0; i < rows.length && first.length < data.limit; i++) {
      var r = rows[i];
      if (r.code.indexOf(q) === 0) { first.push(r.c); continue; }
      if (rest.length < data.limit && words.every(function (w) { return r.key.indexOf(w) >= 0; })) {
        rest.push(r.c);
      }
    }
    return first.concat(rest).slice(0, data.limit);
  }
  var hits = [];
  function show() {
    var q = fold(input.value.trim());
    while (list.firstChild) { list.removeChild(list.firstChild); }
    hits = q ? find(q) : [];
    hits.forEach(function (c) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.textContent = c[1] + " (" + c[0] + ")" + (c[2] ? ", " + c[2] : "") + (c[3] ? ", " + c[3] : "");
      a.href = c[4] || "#";
      a.className = "tc8-hit";
      a.addEventListener("click", function (e) { if (!c[4]) { e.preventDefault(); go(c); } });
      li.appendChild(a);
      list.appendChild(li);
    });
    if (q && !hits.length) {
      var none = document.createElement("li");
      none.textContent = data.none;
      list.appendChild(none);
    }
  }
  // Popups of the overview's communes, built from the feature's statuses and this index (the page
  // carries no popup HTML: 11,163 of them weighed 10 MB). Data is escaped before it becomes HTML.
  var byCode = {};
  data.communes.forEach(function (c) { byCode[c[0]] = c; });
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function badge(s) {
    var w = data.popup, label = w.labels[s] || w.labels[""], color = w.colors[s] || "#969696";
    return '<span class="tc8-badge" style="background:' + esc(color) + '">' + esc(label) + "</span>";
  }
  function popupHtml(p) {
    var c = byCode[p.c] || [p.c, "", "", "", ""], rows = data.popup.rows.slice(1).map(function (r) {
      return "<tr><th>" + esc(r[0]) + "</th><td>" + badge(p[r[1]]) + "</td></tr>";
    }).join("");
    var link = c[4] ? '<div><a href="' + esc(c[4]) + '">' + esc(data.popup.open) + "</a></div>" : "";
    var tam = c[6] ? '<div class="tc8-why">' + esc(data.popup.provisional) + "</div>" : "";
    return '<div class="tc8-pop"><b>' + esc(c[1]) + "</b> (" + esc(c[0]) + ") " + badge(p[data.popup.rows[0][1]])
      + tam + link + "<table>" + rows + "</table></div>";
  }
  function bind(l) {
    if (l.feature && l.feature.properties && l.feature.properties.c !== undefined && !l.getPopup()) {
      l.bindPopup(popupHtml(l.feature.properties), {maxWidth: 380, autoPanPaddingTopLeft: [10, 130]});
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var map = theMap();
    if (!map) { return; }
    map.eachLayer(bind);
    map.on("layeradd", function (e) { bind(e.layer); });
  });
  input.addEventListener("input", show);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && hits.length) { e.preventDefault(); go(hits[0]); }
  });
})();
