"""The map of one commune: boundary, villages per indicator, cell sites, coverage, postal
points with distances, radio station and loudspeakers — all from a :class:`~tc8.model.results.Results`.
"""
from __future__ import annotations

import folium
import pandas as pd

from tc8.model.results import CRITERION, Results, village_status_column
from tc8.outputs.excluded import exclusion_note
from tc8.text.messages import shorten, text
from tc8.text.size import NAME_CHARS, bounded

from . import popups
from .base import new_map
from .geo import bounds_latlon, feature_collection, to_display
from .layers import DataLayer, FitBounds, SharedData
from .offline import local_css, render_page
from .select import CommuneView, MapIndex, commune_view, tri
from .style import (BOUNDARY_COLOR, INACTIVE_COLOR, LINE_COLOR, ON_OFF_COLORS, POSTAL_COLORS, STATUS_COLORS, TECH_COLORS, badge,
                    esc, esc_label, km, render_fragment, rule_set_label, status_legend, synthetic_note, synthetic_suffix,
                    tech_legend, today)

#: Simplification tolerance of commune-map geometries (metres) and coordinate decimals.
TOLERANCE_M = 5.0
DECIMALS = 6
#: Point layers with more features than this are clustered.
CLUSTER_ABOVE = 150


def _shared(frame, props: dict, *, tolerance_m: float = TOLERANCE_M, shown=None) -> SharedData:
    """``frame`` as shared GeoJSON with ``props``; ``shown``: its :func:`to_display` when already made."""
    shown = to_display(frame, tolerance_m=tolerance_m, decimals=DECIMALS) if shown is None else shown
    keep = frame.index.get_indexer(shown.index)
    columns = {k: [v[i] for i in keep] for k, v in props.items()}
    rows = [dict(zip(columns, vals)) for vals in zip(*columns.values())] if columns else [{}] * len(shown)
    return SharedData(feature_collection(shown.geometry.values, rows))


def _name(key: str, lang: str, layer: str, synthetic, **params) -> str:
    """Layer-control label (Leaflet shows it as HTML, so data in ``params`` is escaped and cut to a label's
    ``NAME_CHARS``)."""
    return text(key, lang, **{k: esc_label(shorten(v, NAME_CHARS)) for k, v in params.items()}) + synthetic_suffix(layer, synthetic, lang)


def _add_villages(fmap, view: CommuneView, lang: str, synthetic) -> None:
    v = view.villages
    if v.empty:
        return
    status_cols = [village_status_column(i) for i in [CRITERION, *view.indicator_ids]]  # Results.village_status
    props = {c: v[c].astype(str).tolist() for c in status_cols}
    props["popup"] = popups.village_popups(v, lang)
    props["tip"] = popups.tooltips(v["village_name"])
    data = _shared(v, props).add_to(fmap)
    common = dict(palette=STATUS_COLORS, stroke="#333333", weight=1, fill_opacity=0.85, radius=7,
                  class_name="tc8-village")
    DataLayer(data, _name("map.layer_overall", lang, "villages", synthetic), status_key="s_tc8",
              show=True, **common).add_to(fmap)
    for ind, col in zip(view.indicator_ids, status_cols[1:]):
        DataLayer(data, _name("map.layer_indicator", lang, "villages", synthetic, id=ind), status_key=col,
                  show=False, **common).add_to(fmap)


def _add_cells(fmap, view: CommuneView, lang: str, synthetic, cluster_above: int) -> None:
    cells = view.layers.get("cell_sites")
    if cells is None or cells.empty:
        return
    tech = cells["technology"].astype(str)
    active = tri(cells["active"]).tolist()
    radius = pd.to_numeric(cells.get("radius_used_m"), errors="coerce")
    props = {
        "_c": [TECH_COLORS.get(t, "#666666") if a else INACTIVE_COLOR for t, a in zip(tech, active)],
        "r": [None if r != r else round(float(r), 1) for r in radius.astype(float)],
        "popup": popups.record_popups(cells, "site_id", [
            ("operator", text("map.layer_cells", lang, operator="").strip()), ("technology", "2G/3G/4G/5G"),
            ("active", text("map.operating", lang)), ("radius_used_m", text("map.radius", lang) + " (m)")], lang),
        "tip": popups.tooltips(cells["operator"].astype(str) + " " + tech + " · " + cells["site_id"].astype(str)),
    }
    names = cells["operator"].astype(str).tolist()  # kept out of the page: only the per-operator flags
    operators = sorted(set(names))
    for j, op in enumerate(operators):
        props[f"op{j}"] = [name == op for name in names]
    data = _shared(cells, props).add_to(fmap)
    cluster = len(cells) > cluster_above
    for j, op in enumerate(operators):  # one overlay per operator
        DataLayer(data, _name("map.layer_cells", lang, "cell_sites", synthetic, operator=op), filter_key=f"op{j}",
                  stroke="#333333", weight=1, fill_opacity=0.9, radius=5, class_name="tc8-cell",
                  cluster=cluster).add_to(fmap)
    DataLayer(data, _name("map.layer_radius", lang, "cell_sites", synthetic), radius_m_key="r", filter_key="r",
              weight=1, fill_opacity=0.06, opacity=0.5, class_name="tc8-radius", show=False).add_to(fmap)


def _add_coverage(fmap, view: CommuneView, lang: str, synthetic) -> None:
    cov = view.layers.get("coverage")
    if cov is None or cov.empty:
        return
    for (op, evidence), grp in cov.groupby([cov["operator"].astype(str), cov["evidence"].astype(str)], sort=True):
        props = {"_c": [TECH_COLORS.get(t, "#666666") for t in grp["technology"].astype(str)],
                 "tip": popups.tooltips(grp["operator"].astype(str) + " " + grp["technology"].astype(str)
                                        + " (" + grp["evidence"].astype(str) + ")")}
        data = _shared(grp, props, tolerance_m=20.0).add_to(fmap)
        DataLayer(data, _name("map.layer_coverage", lang, "coverage", synthetic, operator=op,
                              evidence=text(f"evidence.{evidence}", lang)),
                  weight=1, fill_opacity=0.15, opacity=0.6, class_name="tc8-coverage", show=False).add_to(fmap)


def _add_points(fmap, view: CommuneView, lang: str, synthetic, cluster_above: int) -> None:
    postal = view.layers.get("postal_points")
    if view.lines is not None and len(view.lines):
        lines = view.lines
        props = {"tip": [esc(km(d, lang)) for d in lines["nearest_postal_m"]]}
        data = _shared(lines, props, tolerance_m=0).add_to(fmap)
        DataLayer(data, _name("map.layer_postal_lines", lang, "postal_points", synthetic), color=LINE_COLOR,
                  weight=1.5, dash="4 4", tooltip_permanent=True, class_name="tc8-line").add_to(fmap)
    if postal is not None and len(postal):
        q = tri(postal["qualifies"]).tolist() if "qualifies" in postal.columns else [None] * len(postal)
        props = {"_c": [POSTAL_COLORS[v] for v in q],
                 "popup": popups.record_popups(
                     postal, "point_id", [("kind", "kind"), ("hours_per_day", "h/ngày" if lang == "vi" else "h/day")],
                     lang, title_col="name", verdict=("qualifies", "map.qualifies", "map.not_qualifies"),
                     why_col=f"failed_{lang}"),
                 "tip": popups.tooltips(postal["point_id"].astype(str) + " " + postal["name"].fillna("").astype(str))}
        data = _shared(postal, props).add_to(fmap)
        DataLayer(data, _name("map.layer_postal", lang, "postal_points", synthetic), stroke="#ffffff", weight=2,
                  fill_opacity=1, radius=8, class_name="tc8-postal").add_to(fmap)
    for name, key, id_col, ok_col, radius, css in (
            ("radio_stations", "map.layer_stations", "station_id", "station_ok", 9, "tc8-station"),
            ("speakers", "map.layer_speakers", "cluster_id", "operating", 4, "tc8-speaker")):
        frame = view.layers.get(name)
        if frame is None or frame.empty:
            continue
        col = ok_col if ok_col in frame.columns else "operating"
        ok = tri(frame[col]).tolist()
        fields = [("type", "type"), ("operating", text("map.operating", lang))]
        if name == "speakers":
            fields.append(("village_id_used" if "village_id_used" in frame.columns else "village_id", "village"))
        props = {"_c": [ON_OFF_COLORS[v] for v in ok],
                 "popup": popups.record_popups(frame, id_col, fields, lang,
                                               verdict=(col, "map.operating", "map.not_operating")),
                 "tip": popups.tooltips(frame[id_col].astype(str))}
        data = _shared(frame, props).add_to(fmap)
        DataLayer(data, _name(key, lang, name, synthetic), stroke="#222222", weight=1, fill_opacity=0.9,
                  radius=radius, class_name=css, cluster=len(frame) > cluster_above).add_to(fmap)


def _panel(view: CommuneView, results, lang: str, date: str | None, note: bool, back: tuple | None = None) -> str:
    return commune_panel(view.commune.iloc[0], view.code, results, lang, date, note, back,
                         cells="cell_sites" in view.layers, excluded=exclusion_note(results, view.code, lang))


def commune_panel(row, code: str, results, lang: str, date: str | None, note: bool, back: tuple | None, *,
                  cells: bool, excluded: str) -> str:
    """Title panel and legend of a commune map (``row``: its Results.communes row; ``cells``: a cell-site
    legend; ``excluded``: its :func:`~tc8.outputs.excluded.exclusion_note`). Shared with the atlas pages."""
    on_air = text("map.layer_stations", lang) + " / " + text("map.layer_speakers", lang)
    return render_fragment(
        "map_commune_panel.html",
        title=text("map.title_commune", lang, name=bounded(row.get("commune_name", ""), "commune_name"),
                   code=code),
        subtitle=text("map.subtitle", lang, rules=rule_set_label(results.rule_set), date=today(date)),
        verdict_label=text("map.verdict", lang), verdict_badge=badge(row.get("status_tc8"), lang),
        back=back,  # atlas page: (href, label) of the overview
        synthetic=synthetic_note(results.synthetic_layers, lang) if note else "",
        excluded=excluded,  # --skip-invalid
        status_title=text("map.legend_status", lang), statuses=status_legend(lang),
        village_note=text("map.legend_village_note", lang),
        tech_title=text("map.legend_tech", lang),
        techs=(tech_legend() + [{"color": INACTIVE_COLOR, "label": text("map.not_operating", lang)}]
               if cells else []),
        points_title=text("map.legend_points", lang),
        points=[{"color": POSTAL_COLORS[True], "label": text("map.layer_postal", lang) + ": "
                 + text("map.qualifies", lang), "shape": ""},
                {"color": POSTAL_COLORS[False], "label": text("map.layer_postal", lang) + ": "
                 + text("map.not_qualifies", lang), "shape": ""},
                {"color": ON_OFF_COLORS[True], "label": on_air + ": " + text("map.operating", lang), "shape": ""},
                {"color": ON_OFF_COLORS[False], "label": on_air + ": " + text("map.not_operating", lang), "shape": ""},
                {"color": LINE_COLOR, "label": text("map.layer_postal_lines", lang), "shape": "line"}])


def render_commune_map(results: Results, commune_code: str, *, lang: str = "vi", synthetic_note: bool = True,
                       date: str | None = None, online_tiles: bool = True, index: MapIndex | None = None,
                       cluster_above: int = CLUSTER_ABOVE, view: CommuneView | None = None,
                       assets: str | None = None, back: tuple[str, str] | None = None) -> str:
    """Self-contained HTML map of one commune of ``results`` (``KeyError`` if not assessed).

    ``date`` (ISO) goes into the title (default: today). ``synthetic_note`` adds the
    "synthetic data" line to the title panel; synthetic layers are always suffixed in the
    layer control. A commune with no village still gets its boundary and records.
    ``index``: a :func:`tc8.maps.select.build_index` reused across communes (speed only).
    ``cluster_above``: point layers (cell sites, loudspeakers, stations) with more features are clustered.
    ``view``: the commune's :func:`~tc8.maps.select.commune_view` when the caller already has it.
    ``assets``/``back`` (atlas pages, :mod:`tc8.maps.atlas`): relative URL of the shared Leaflet files
    (linked, not inlined) and ``(href, label)`` of the link back to the overview.
    """
    view = view or commune_view(results, commune_code, index=index)
    synthetic = results.synthetic_layers
    fmap = new_map(lang, online_tiles=online_tiles)
    commune = view.commune
    outline = to_display(commune, tolerance_m=TOLERANCE_M, decimals=DECIMALS)
    data = _shared(commune, {"s": [str(commune["status_tc8"].iloc[0])],
                             "popup": popups.commune_popups(commune, view.indicators, lang),
                             "tip": popups.tooltips(commune["commune_name"])}, shown=outline).add_to(fmap)
    DataLayer(data, _name("map.layer_boundary", lang, "communes", synthetic), status_key="s",
              palette=STATUS_COLORS, stroke=BOUNDARY_COLOR, weight=2.5, fill_opacity=0.08,
              class_name="tc8-commune").add_to(fmap)
    _add_coverage(fmap, view, lang, synthetic)
    _add_cells(fmap, view, lang, synthetic, cluster_above)
    _add_villages(fmap, view, lang, synthetic)
    _add_points(fmap, view, lang, synthetic, cluster_above)
    folium.LayerControl(collapsed=False).add_to(fmap)
    FitBounds(bounds_latlon(outline)).add_to(fmap)
    title = text("map.title_commune", lang, name=bounded(commune["commune_name"].iloc[0], "commune_name"),
                 code=view.code)
    head = local_css("map_panel.css") + (local_css("atlas.css") if back else "")
    return render_page(fmap, extra_head=head, title=title, assets=assets,
                       body=_panel(view, results, lang, date, synthetic_note, back))


__all__ = ["render_commune_map", "commune_panel"]
