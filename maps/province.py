"""The province overview: communes coloured by verdict, one layer per indicator, roll-up panel.

The commune geometries are embedded once and shared by every indicator layer; they are
simplified as a coverage (borders stay shared) with a tolerance that grows with the extent,
and rounded to 4–5 decimals, so a national file (2,621 communes) stays well under 15 MB.
"""
from __future__ import annotations

import math

import folium

from tc8.text.messages import fmt_number, text
from tc8.model.results import CRITERION, STATUS_MISSING, status_column
from tc8.outputs.excluded import province_note
from tc8.text.figures import figure_text, is_unknown
from tc8.text.size import bounded

from . import popups
from .base import new_map
from .geo import bounds_latlon, feature_collection, to_display
from .layers import DataLayer, FitBounds, SharedData
from .offline import local_css, render_page
from .style import (STATUS_COLORS, render_fragment, rule_set_label, status_legend, synthetic_note,
                    synthetic_suffix, today)

#: Popup reasons are cut to this many characters in the overview (the commune map has them all).
REASON_LIMIT = 240


def tolerance_for(frame) -> tuple[float, int]:
    """(simplification tolerance in metres, coordinate decimals) for a metric frame's extent.

    About 1/2500 of the extent's diagonal, at least 10 m: 30 m for a 75 km province, ~700 m
    for the whole country. Decimals: 5 (≈1 m) up to 20 m tolerance, else 4 (≈11 m).
    """
    minx, miny, maxx, maxy = frame.total_bounds
    diag = math.hypot(maxx - minx, maxy - miny) if len(frame) else 0.0
    tol = max(10.0, diag / 2500.0) if math.isfinite(diag) else 10.0
    return tol, (5 if tol <= 20 else 4)


def _rollup_rows(rollup: dict, lang: str) -> list[dict]:
    """The panel's figures, each with its count of unknowns (:func:`tc8.engine.rollup.figure_text`)."""
    r = rollup or {}
    rows = []
    if "communes_passing" in r:
        rows.append({"label": text("map.rollup_pass", lang),
                     "value": f"{r.get('communes_passing', 0)}/{r.get('n_communes', 0)}"})
    if "postal_points" in r:
        rows.append({"label": text("map.rollup_points", lang), "value": figure_text(r, "postal_points", lang, 0)})
    if "postal_service_radius_km" in r:
        rows.append({"label": text("map.rollup_radius", lang),
                     "value": figure_text(r, "postal_service_radius_km", lang, 2, " km")})
    if "population_per_postal_point" in r:
        rows.append({"label": text("map.rollup_people", lang),
                     "value": figure_text(r, "population_per_postal_point", lang, 0)})
    if "share_communes_with_bdvhx_pct" in r:
        share = figure_text(r, "share_communes_with_bdvhx_pct", lang, 1, " %")
        count = r.get("communes_with_bdvhx")
        rows.append({"label": text("map.rollup_bdvhx", lang),
                     "value": share if is_unknown(count) else f"{count} ({share})"})
    if "share_villages_fixed_broadband_pct" in r:
        rows.append({"label": text("map.rollup_broadband", lang),
                     "value": f"{figure_text(r, 'share_villages_fixed_broadband_pct', lang, 1, ' %')} / "
                              f"{figure_text(r, 'share_villages_mobile_broadband_pct', lang, 1, ' %')}"})
    return rows


def render_province_map(results, *, lang: str = "vi", commune_links: dict | None = None,
                        date: str | None = None, online_tiles: bool = True, synthetic_note_on: bool = True,
                        assets: str | None = None, extra_head: str = "", extra_body: str = "",
                        popup_detail: bool = True) -> str:
    """Self-contained HTML overview of every commune in ``results``.

    ``commune_links``: commune code -> href (relative to the overview) of its commune map,
    shown in the popup; communes without a link get none. A commune with an empty geometry
    is left out of the drawing (it still counts in the roll-up panel). For the atlas
    (:mod:`tc8.maps.atlas`): ``assets`` links the shared Leaflet files instead of inlining them,
    ``extra_head``/``extra_body`` are trusted HTML added to the page (search box), and
    ``popup_detail=False``: no popup HTML in the data, only the commune code ``c`` (the atlas page
    builds a short popup of statuses and link from it; the commune pages carry the reasons).
    """
    communes = results.communes
    tol, decimals = tolerance_for(communes)
    shown = to_display(communes, tolerance_m=tol, decimals=decimals, coverage=True)
    ind_ids = [i for i in results.indicators["indicator"].astype(str).unique() if i != CRITERION]
    keys = {CRITERION: "status_tc8", **{i: status_column(i) for i in ind_ids}}
    links = {str(k): v for k, v in (commune_links or {}).items()}
    tips = popups.tooltips(shown["commune_name"])
    if popup_detail:
        pops = popups.commune_popups(shown, results.indicators, lang, links=links, reason_limit=REASON_LIMIT)
        props = [{"popup": p, "tip": t} for p, t in zip(pops, tips)]
    else:  # the atlas builds the popup in the page from the statuses and its search index (templates/atlas.js)
        props = [{"c": c, "tip": t} for c, t in zip(shown["commune_code"].astype(str), tips)]
    for ind, col in keys.items():
        values = shown[col].astype(str).tolist() if col in shown.columns else [STATUS_MISSING] * len(shown)
        for prop, value in zip(props, values):
            prop[col] = value
    fmap = new_map(lang, online_tiles=online_tiles)
    data = SharedData(feature_collection(shown.geometry.values, props)).add_to(fmap)
    suffix = synthetic_suffix("communes", results.synthetic_layers, lang)
    names = {CRITERION: text("map.layer_communes_overall", lang),
             **{ind: text("map.layer_communes_indicator", lang, id=ind) for ind in ind_ids}}
    for ind, name in names.items():  # the overall verdict first and shown; one hidden layer per indicator
        DataLayer(data, name + suffix, status_key=keys[ind], palette=STATUS_COLORS, stroke="#ffffff", weight=0.6,
                  fill_opacity=0.75, class_name="tc8-commune", show=ind == CRITERION).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    FitBounds(bounds_latlon(shown)).add_to(fmap)
    title = text("map.title_province", lang, province=_province_name(communes, lang))
    return render_page(fmap, extra_head=local_css("map_panel.css") + extra_head, assets=assets, title=title,
                       body=_panel(results, title, lang, date, synthetic_note_on) + extra_body)


def _panel(results, title: str, lang: str, date: str | None, synthetic_note_on: bool) -> str:
    return render_fragment(
        "map_province_panel.html", title=title,
        subtitle=text("map.subtitle", lang, rules=rule_set_label(results.rule_set), date=today(date)),
        synthetic=synthetic_note(results.synthetic_layers, lang) if synthetic_note_on else "",
        excluded=province_note(results, lang),  # --skip-invalid
        rollup_title=text("map.rollup_title", lang), rollup=_rollup_rows(results.rollup, lang),
        status_title=text("map.legend_status", lang), statuses=status_legend(lang))


#: From this many provinces on, the overview is titled as the whole country (34 since 2025, 63 before).
COUNTRY_PROVINCES = 34


def _distinct(communes, col: str) -> list[str]:
    if col not in communes.columns:
        return []
    values = communes[col].dropna().astype(str).str.strip()
    return sorted(set(values[values != ""]))


def _province_name(communes, lang: str) -> str:
    """The province the communes are in, or (several provinces, none given) a count, never ""."""
    names, codes = _distinct(communes, "province_name"), _distinct(communes, "province_code")
    if len(names) == 1 and len(codes) <= 1:
        return bounded(names[0], "province_name")
    if not names and len(codes) == 1:
        return f"{text('map.province_default', lang)} {codes[0]}"
    n = fmt_number(len(communes), 0, lang)
    provinces = max(len(names), len(codes))
    if provinces >= COUNTRY_PROVINCES:
        return text("atlas.title_country", lang, n=n)
    if provinces > 1:
        return text("atlas.title_provinces", lang, p=provinces, n=n)
    return text("atlas.title_communes", lang, n=n)
