"""Atlas commune pages drawn in the browser from data: no folium per page.

Every layer of every commune is built in bulk, once per layer for the whole country: geometry
simplified in metres and reprojected to WGS 84 once, coordinates rounded, popups and tooltips
built by :mod:`tc8.maps.popups` over whole frames, each feature serialised to GeoJSON text
once. A commune page is then only its panel (``templates/map_commune_panel.html``, the same
as the dossier's maps), the concatenated features of that commune and the layer list, drawn by
``assets/commune.js`` (the same layers, styles, popups and layer control as
:func:`tc8.maps.commune.render_commune_map`, whose pages — the dossier's — are unchanged).

Village statuses are read from ``Results.village_status`` (:func:`tc8.maps.select.village_statuses`).
"""
from __future__ import annotations

import html as _html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from tc8.model.results import CRITERION, village_status_column
from tc8.text.messages import shorten, text
from tc8.text.size import NAME_CHARS, bounded

from . import popups
from .base import MAX_ZOOM, OSM_ATTRIBUTION, OSM_URL, PROBE_URL
from .commune import CLUSTER_ABOVE, DECIMALS, TOLERANCE_M, commune_panel
from .geo import WGS84, _to_wgs84, js_json, simplify_metric
from .offline import linked_assets, remote_references
from .select import COVERAGE_MARGIN_M, SITE_MARGIN_M, postal_lines, tri, village_statuses
from .style import (BOUNDARY_COLOR, INACTIVE_COLOR, LINE_COLOR, ON_OFF_COLORS, POSTAL_COLORS, STATUS_COLORS,
                    TECH_COLORS, esc, esc_label, km, synthetic_suffix)

FEATURE = '{"type":"Feature","geometry":%s,"properties":%s}'
#: Shared script and stylesheet of the commune pages (templates/, copied into assets/).
PAGE_SCRIPT = "commune.js"
PAGE_CSS = "map_panel.css"

_VILLAGE = dict(palette=STATUS_COLORS, stroke="#333333", weight=1, fillOpacity=0.85, radius=7, className="tc8-village")
_CELL = dict(stroke="#333333", weight=1, fillOpacity=0.9, radius=5, className="tc8-cell")
_RADIUS = dict(radiusKey="r", filter="r", weight=1, fillOpacity=0.06, opacity=0.5, className="tc8-radius")
_COVERAGE = dict(weight=1, fillOpacity=0.15, opacity=0.6, className="tc8-coverage")
_LINE = dict(color=LINE_COLOR, weight=1.5, dash="4 4", tipPermanent=True, className="tc8-line")
_POSTAL = dict(stroke="#ffffff", weight=2, fillOpacity=1, radius=8, className="tc8-postal")
_BOUNDARY = dict(key="s", palette=STATUS_COLORS, stroke=BOUNDARY_COLOR, weight=2.5, fillOpacity=0.08,
                 className="tc8-commune")


@dataclass
class Layer:
    """Features of one layer for every commune: ``groups[code]`` = feature positions, in page order."""

    features: np.ndarray                          # GeoJSON Feature text per row (None: no geometry)
    groups: dict[str, np.ndarray]
    extra: dict = field(default_factory=dict)


def display_geoms(geoms, crs, tolerance_m: float = 0.0) -> np.ndarray:
    """``geoms`` simplified (metres), in WGS 84, rounded to ``DECIMALS``; None where missing or empty."""
    geoms = np.asarray(geoms, dtype=object)
    out = np.full(len(geoms), None, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not keep.any():
        return out
    kept = geoms[keep]
    if crs is not None and crs.is_projected and tolerance_m > 0:
        kept = simplify_metric(kept, tolerance_m)
    to_wgs = _to_wgs84(crs) if crs is not None and crs.to_string() != WGS84 else None

    def display(xy):
        if to_wgs is not None:
            xy = np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1]))
        return np.round(xy, DECIMALS)

    out[keep] = shapely.transform(kept, display)
    return out


def features(shown: np.ndarray, props: dict[str, list]) -> np.ndarray:
    """One GeoJSON Feature text per row (None where ``shown`` has no geometry)."""
    texts = shapely.to_geojson(shown)
    names = list(props)
    out = np.full(len(shown), None, dtype=object)
    rows = zip(*props.values()) if names else iter([()] * len(shown))
    for i, (geom, values) in enumerate(zip(texts, rows)):
        if geom is not None:
            out[i] = FEATURE % (geom, js_json(dict(zip(names, values))))
    return out


def by_code(codes, positions=None) -> dict[str, np.ndarray]:
    """``{commune code: positions}`` (``positions`` default ``0..n-1``), each in ascending order."""
    codes = pd.Series(np.asarray(codes, dtype=object)).astype(str)
    pos = np.arange(len(codes)) if positions is None else np.asarray(positions)
    return {k: pos[v] for k, v in codes.groupby(codes, sort=False).indices.items()}


def near_pairs(communes, frame, distance) -> tuple[np.ndarray, np.ndarray]:
    """(commune position, row position) of every row of ``frame`` within ``distance`` (scalar or per row,
    metres) of a commune, sorted by commune then row: what :func:`tc8.maps.select._near` picks per commune."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    areas = np.asarray(communes.geometry.values, dtype=object)
    dist = np.asarray(distance, dtype=float)
    reach = float(np.nanmax(dist)) if dist.ndim else float(dist)
    tree = shapely.STRtree(geoms)
    ci, ri = tree.query(areas, predicate="dwithin", distance=reach)
    keep = shapely.dwithin(geoms[ri], areas[ci], dist[ri] if dist.ndim else dist)
    ci, ri = ci[keep], ri[keep]
    order = np.lexsort((ri, ci))
    return ci[order], ri[order]


def _ids_by_commune(indicators) -> dict[str, list[str]]:
    """Indicator ids of each commune, in results order, without the criterion (as commune_view)."""
    ind = pd.DataFrame({"c": indicators["commune_code"].astype(str), "i": indicators["indicator"].astype(str)})
    ind = ind[ind["i"] != CRITERION].drop_duplicates()
    return {k: list(v) for k, v in ind.groupby("c", sort=False)["i"]}


def commune_layer(results, lang: str) -> Layer:
    """Outlines (simplified 5 m) with status, popup (verdicts, reasons, provisional flag) and tooltip."""
    communes = results.communes
    shown = display_geoms(communes.geometry.values, communes.crs, TOLERANCE_M)
    props = {"s": communes["status_tc8"].astype(str).tolist(),
             "popup": popups.commune_popups(communes, results.indicators, lang),
             "tip": popups.tooltips(communes["commune_name"])}
    bounds = shapely.bounds(shown.astype(object))
    return Layer(features(shown, props), by_code(communes["commune_code"]), {"bounds": bounds})


def village_layer(results, lang: str) -> Layer | None:
    v = results.villages
    if v is None or not len(v):
        return None
    status = village_statuses(results.village_status, v)  # Results.village_status, never recomputed
    v = v.join(status)
    props = {c: v[c].astype(str).tolist() for c in status.columns}
    props["popup"] = popups.village_popups(v, lang)
    props["tip"] = popups.tooltips(v["village_name"])
    shown = display_geoms(v.geometry.values, v.crs, TOLERANCE_M)
    return Layer(features(shown, props), by_code(v["commune_code"]))


def cell_layer(results, lang: str) -> Layer | None:
    cells = results.layers.get("cell_sites")
    if cells is None or not len(cells):
        return None
    used = pd.to_numeric(cells["radius_used_m"], errors="coerce") if "radius_used_m" in cells.columns \
        else pd.Series(np.nan, index=cells.index)
    ci, ri = near_pairs(results.communes, cells, used.fillna(SITE_MARGIN_M).clip(lower=SITE_MARGIN_M).to_numpy(float))
    tech = cells["technology"].astype(str)
    active = tri(cells["active"]).tolist()
    names = cells["operator"].astype(str)
    operators = sorted(set(names))
    props = {
        "_c": [TECH_COLORS.get(t, "#666666") if a else INACTIVE_COLOR for t, a in zip(tech, active)],
        "r": [None if r != r else round(float(r), 1) for r in used.astype(float)],
        "pv": None,
        "tip": popups.tooltips(names + " " + tech + " · " + cells["site_id"].astype(str)),
        "o": pd.Index(operators).get_indexer(names).tolist(),  # the operator, by number (kept out of the page)
    }
    fixed, props["pv"] = popups.record_parts(cells, "site_id", [
        ("operator", text("map.layer_cells", lang, operator="").strip()), ("technology", "2G/3G/4G/5G"),
        ("active", text("map.operating", lang)), ("radius_used_m", text("map.radius", lang) + " (m)")], lang)
    shown = display_geoms(cells.geometry.values, cells.crs, TOLERANCE_M)
    codes = results.communes["commune_code"].astype(str).to_numpy()[ci]
    return Layer(features(shown, props), by_code(codes, ri),
                 {"operators": operators, "op": np.asarray(props["o"]), "tpl": fixed})


def coverage_layer(results, lang: str) -> Layer | None:
    """Coverage clipped to each commune grown by ``COVERAGE_MARGIN_M``: one feature per (commune, polygon)."""
    cov = results.layers.get("coverage")
    if cov is None or not len(cov):
        return None
    communes = results.communes
    ci, ri = near_pairs(communes, cov, COVERAGE_MARGIN_M)
    areas = np.asarray(communes.geometry.values, dtype=object)
    grown = {i: g for i, g in zip(np.unique(ci), shapely.buffer(areas[np.unique(ci)], COVERAGE_MARGIN_M))}
    clipped = shapely.intersection(np.asarray(cov.geometry.values, dtype=object)[ri],
                                   np.asarray([grown[i] for i in ci], dtype=object))
    keep = ~shapely.is_empty(clipped)
    ci, ri, clipped = ci[keep], ri[keep], clipped[keep]
    op, ev, tech = (cov[c].astype(str).to_numpy()[ri] for c in ("operator", "evidence", "technology"))
    keys = sorted(set(zip(op, ev)))
    props = {"_c": [TECH_COLORS.get(t, "#666666") for t in tech],
             "tip": popups.tooltips(pd.Series(op) + " " + pd.Series(tech) + " (" + pd.Series(ev) + ")")}
    shown = display_geoms(clipped, cov.crs, 20.0)
    key_of = {k: j for j, k in enumerate(keys)}
    codes = communes["commune_code"].astype(str).to_numpy()[ci]
    return Layer(features(shown, props), by_code(codes),
                 {"keys": keys, "key": np.asarray([key_of[k] for k in zip(op, ev)], dtype=int)})


def postal_layer(results, lang: str) -> Layer | None:
    """Postal points of each commune, then the ones its villages' nearest points are (as commune_view)."""
    postal = results.layers.get("postal_points")
    if postal is None or not len(postal):
        return None
    q = tri(postal["qualifies"]).tolist() if "qualifies" in postal.columns else [None] * len(postal)
    props = {"_c": [POSTAL_COLORS[v] for v in q],
             "pv": None,
             "tip": popups.tooltips(postal["point_id"].astype(str) + " " + postal["name"].fillna("").astype(str))}
    fixed, props["pv"] = popups.record_parts(
        postal, "point_id", [("kind", "kind"), ("hours_per_day", "h/ngày" if lang == "vi" else "h/day")],
        lang, title_col="name", verdict=("qualifies", "map.qualifies", "map.not_qualifies"), why_col=f"failed_{lang}")
    shown = display_geoms(postal.geometry.values, postal.crs, TOLERANCE_M)
    ids = pd.Index(postal["point_id"].astype(str))
    first = pd.Series(np.arange(len(postal)), index=ids)
    first = first[~first.index.duplicated()]
    v = results.villages
    wanted = v["nearest_postal_id"].dropna().astype(str) if "nearest_postal_id" in v.columns else pd.Series(dtype=str)
    where = first.reindex(wanted.to_numpy()).to_numpy()
    ok = ~np.isnan(where)
    pairs = pd.DataFrame({
        "code": np.concatenate([postal["commune_code"].astype(str).to_numpy(),
                                v.loc[wanted.index, "commune_code"].astype(str).to_numpy()[ok]]),
        "rank": np.concatenate([np.zeros(len(postal), int), np.ones(int(ok.sum()), int)]),
        "pos": np.concatenate([np.arange(len(postal)), where[ok].astype(int)])})
    pairs = pairs.sort_values(["code", "rank", "pos"], kind="stable").drop_duplicates(["code", "pos"])
    return Layer(features(shown, props), by_code(pairs["code"], pairs["pos"].to_numpy()), {"tpl": fixed})


def line_layer(results, lang: str) -> Layer | None:
    """Village -> nearest postal point segments with their distance as a permanent label."""
    v, postal = results.villages, results.layers.get("postal_points")
    lines = postal_lines(v, postal) if v is not None else None
    if lines is None or not len(lines):
        return None
    commune_of = pd.Series(v["commune_code"].astype(str).to_numpy(), index=v["village_id"].astype(str))
    commune_of = commune_of[~commune_of.index.duplicated()]
    codes = commune_of.reindex(lines["village_id"].astype(str).to_numpy()).fillna("").to_numpy()
    props = {"tip": [esc(km(d, lang)) for d in lines["nearest_postal_m"]]}
    shown = display_geoms(lines.geometry.values, lines.crs, 0.0)
    return Layer(features(shown, props), by_code(codes))


def on_air_layer(results, lang: str, name: str) -> Layer | None:
    """Radio stations or loudspeakers of each commune, coloured operating / not."""
    frame = results.layers.get(name)
    if frame is None or not len(frame) or "commune_code" not in frame.columns:
        return None
    id_col, ok_col = ("station_id", "station_ok") if name == "radio_stations" else ("cluster_id", "operating")
    col = ok_col if ok_col in frame.columns else "operating"
    fields = [("type", "type"), ("operating", text("map.operating", lang))]
    if name == "speakers":
        fields.append(("village_id_used" if "village_id_used" in frame.columns else "village_id", "village"))
    props = {"_c": [ON_OFF_COLORS[v] for v in tri(frame[col]).tolist()],
             "pv": None,
             "tip": popups.tooltips(frame[id_col].astype(str))}
    fixed, props["pv"] = popups.record_parts(frame, id_col, fields, lang, verdict=(col, "map.operating", "map.not_operating"))
    shown = display_geoms(frame.geometry.values, frame.crs, TOLERANCE_M)
    return Layer(features(shown, props), by_code(frame["commune_code"]), {"tpl": fixed})


LAYERS = (("communes", commune_layer), ("coverage", coverage_layer), ("cells", cell_layer),
          ("villages", village_layer), ("lines", line_layer), ("postal", postal_layer))
_NONE = np.zeros(0, dtype=int)


def build_layers(results, lang: str) -> dict:
    """Every layer of every commune page, built once (see the module docstring)."""
    out = {name: build(results, lang) for name, build in LAYERS}
    for name in ("radio_stations", "speakers"):
        out[name] = on_air_layer(results, lang, name)
    out["ids"] = _ids_by_commune(results.indicators)
    return out


def _take(layer: Layer | None, code: str, mask=None) -> list[str]:
    if layer is None:
        return []
    pos = layer.groups.get(code, _NONE)
    if mask is not None:
        pos = pos[mask]
    return [f for f in layer.features[pos] if f is not None]


def _positions(layer: Layer | None, code: str) -> np.ndarray:
    return _NONE if layer is None else layer.groups.get(code, _NONE)


def _cell_specs(add, code: str, layers: dict, label) -> None:
    cells = layers["cells"]
    pos = _positions(cells, code)
    if not len(pos):
        return
    i = add(_take(cells, code))
    for j in sorted(set(cells.extra["op"][pos].tolist())):  # one overlay per operator
        add(None, i, label("map.layer_cells", "cell_sites", operator=cells.extra["operators"][j]), 1,
            {**_CELL, "filter": "o", "filterValue": j, "cluster": len(pos) > CLUSTER_ABOVE, "tpl": "cells"})
    add(None, i, label("map.layer_radius", "cell_sites"), 0, {**_RADIUS, "tpl": "cells"})


def _point_specs(add, code: str, layers: dict, label) -> None:
    lines, postal = _take(layers["lines"], code), _take(layers["postal"], code)
    if lines:
        add(lines, None, label("map.layer_postal_lines", "postal_points"), 1, _LINE)
    if postal:
        add(postal, None, label("map.layer_postal", "postal_points"), 1, {**_POSTAL, "tpl": "postal"})
    for name, key, radius, css in (("radio_stations", "map.layer_stations", 9, "tc8-station"),
                                   ("speakers", "map.layer_speakers", 4, "tc8-speaker")):
        feats = _take(layers[name], code)
        if feats:
            add(feats, None, label(key, name), 1, {"stroke": "#222222", "weight": 1, "fillOpacity": 0.9,
                                                   "radius": radius, "className": css, "tpl": name,
                                                   "cluster": len(feats) > CLUSTER_ABOVE})


def page_layers(code: str, layers: dict, lang: str, synthetic) -> tuple[list[str], list]:
    """(data chunks, layer specs) of one commune page, in the order of render_commune_map's layers."""
    chunks, specs = [], []

    def add(feats, data=None, name=None, show=0, opts=None):
        if data is None:
            chunks.append("[" + ",".join(feats) + "]")
            data = len(chunks) - 1
        if name is not None:
            specs.append([data, name, show, opts])
        return data

    def label(key, layer, **params):
        return text(key, lang, **{k: esc_label(shorten(v, NAME_CHARS)) for k, v in params.items()}) \
            + synthetic_suffix(layer, synthetic, lang)

    add(_take(layers["communes"], code), None, label("map.layer_boundary", "communes"), 1, _BOUNDARY)
    cov = layers["coverage"]
    if cov is not None and len(_positions(cov, code)):
        keys = cov.extra["key"][_positions(cov, code)]
        for k in sorted(set(keys.tolist())):
            op, evidence = cov.extra["keys"][k]
            add(_take(cov, code, keys == k), None, label("map.layer_coverage", "coverage", operator=op,
                                                         evidence=text(f"evidence.{evidence}", lang)), 0, _COVERAGE)
    _cell_specs(add, code, layers, label)
    villages = _take(layers["villages"], code)
    if villages:
        i = add(villages, None, label("map.layer_overall", "villages"), 1, {**_VILLAGE, "key": "s_tc8"})
        for ind in layers["ids"].get(code, []):
            add(None, i, label("map.layer_indicator", "villages", id=ind), 0,
                {**_VILLAGE, "key": village_status_column(ind)})
    _point_specs(add, code, layers, label)
    if _take(layers.get("plan"), code):  # tc8 plan: the plan overlay (tc8.maps.plan_layer), last
        from .plan_layer import PLAN_OPTIONS
        add(_take(layers["plan"], code), None, text("plan_maps.layer", lang), 1, PLAN_OPTIONS)
    return chunks, specs


PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=1.0, user-scalable=no">
<title>{title}</title>
{assets}
<link rel="stylesheet" href="{prefix}{css}">
<link rel="stylesheet" href="{prefix}atlas.css">
<style>html, body {{ width: 100%; height: 100%; margin: 0; padding: 0; }}
#tc8-map {{ position: relative; width: 100%; height: 100%; left: 0; top: 0; }}
.leaflet-container {{ font-size: 1rem; }}</style>
</head>
<body>
<div class="folium-map" id="tc8-map"></div>
{panel}
<script>var tc8_commune = {data};</script>
<script src="{prefix}{script}"></script>
</body>
</html>
"""


def _map_options(lang: str, online_tiles: bool) -> str:
    options = {"base": [text("map.base_plain", lang), text("map.base_osm", lang) if online_tiles else None],
               "maxZoom": MAX_ZOOM}
    if online_tiles:
        options.update(tiles=OSM_URL, attribution=OSM_ATTRIBUTION, probe=PROBE_URL)
    return js_json(options)


def _excluded_codes(results) -> set[str]:
    """Communes an excluded record could affect (only they get an exclusion note)."""
    excluded = results.excluded
    if excluded is None or not len(excluded):
        return set()
    return {c for found in excluded["affected_communes"].fillna("").astype(str).str.split(";") for c in found if c}


def commune_pages(results, codes: list[str], *, lang: str, date: str | None, online_tiles: bool,
                  assets: str, back: tuple[str, str], plan=None):
    """Yield ``(code, html)`` of the atlas page of each of ``codes`` (``assets``: relative URL of the
    shared files, ending in ``/``; ``back``: ``(href, label)`` of the overview; ``plan``: a
    :class:`tc8.plan.model.Plan` drawn as an overlay by :mod:`tc8.maps.plan_layer`, None: no overlay)."""
    from tc8.outputs.excluded import exclusion_note

    from .plan_layer import plan_features, plan_legend, with_plan_legend

    layers = build_layers(results, lang)
    if plan is not None:
        geoms, props, plan_codes = plan_features(plan, lang)
        layers["plan"] = Layer(features(display_geoms(geoms, results.communes.crs), props), by_code(plan_codes))
    communes = results.communes
    row_of = {c: i for i, c in enumerate(communes["commune_code"].astype(str))}
    bounds = layers["communes"].extra["bounds"]
    has_cells = results.layers.get("cell_sites") is not None and len(results.layers["cell_sites"]) > 0
    affected = _excluded_codes(results)
    options = _map_options(lang, online_tiles)
    pieces = {name: js_json(name) + ":" + js_json(layer.extra["tpl"]) for name, layer in layers.items()
              if isinstance(layer, Layer) and "tpl" in layer.extra}
    head = linked_assets(assets)
    for code in codes:
        row = communes.iloc[row_of[code]]
        chunks, specs = page_layers(code, layers, lang, results.synthetic_layers)
        west, south, east, north = bounds[row_of[code]]
        box = [[south, west], [north, east]] if np.all(np.isfinite([west, south, east, north])) else None
        shared = "{" + ",".join(pieces[n] for n in sorted({s[3]["tpl"] for s in specs if "tpl" in s[3]})) + "}"
        data = ('{"map":' + options + ',"tpl":' + shared + ',"bounds":' + js_json(box) + ',"layers":' + js_json(specs)
                + ',"data":[' + ",".join(chunks) + "]}")
        panel = commune_panel(row, code, results, lang, date, True, back, cells=has_cells,
                              excluded=exclusion_note(results, code, lang) if code in affected else "")
        if plan is not None:
            panel = with_plan_legend(panel, plan_legend(plan, code, lang))
        title = text("map.title_commune", lang, name=bounded(row.get("commune_name", ""), "commune_name"), code=code)
        page = PAGE.format(title=_html.escape(title), assets=head, prefix=assets, css=PAGE_CSS, panel=panel,
                           data=data, script=PAGE_SCRIPT)
        bad = remote_references(page)
        if bad:
            raise RuntimeError("atlas page loads remote assets: " + "; ".join(bad[:3]))
        yield code, page


__all__ = ["commune_pages", "build_layers", "page_layers", "PAGE_SCRIPT", "PAGE_CSS"]
