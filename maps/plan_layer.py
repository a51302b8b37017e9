"""The plan overlay of the atlas commune pages (``tc8 plan`` writes the atlas with it).

Reads a :class:`tc8.plan.model.Plan` only: every intervention with a geometry (points for new,
upgraded or reactivated cell sites, postal points, stations, loudspeaker clusters; lines for fibre
extensions) becomes one feature of the overlay "Kế hoạch" / "Plan", with a popup giving the action
in words (the cost file's label, as plan.xlsx), the sentence of the action, quantity, cost and
currency, and the example-prices warning when the cost file's numbers are examples. Interventions
without a location (8.4) are listed as text in the page's legend. Nothing here decides anything.
"""
from __future__ import annotations

import numpy as np

from tc8.text.messages import catalogue, fmt_number, text

from .style import esc

#: Colour of every plan feature (no status, technology or postal colour uses it).
PLAN_COLOR = "#00acc1"
#: Options of the plan overlay in assets/commune.js: dashed outline, thick lines, large markers.
PLAN_OPTIONS = dict(weight=4, opacity=1.0, fillOpacity=0.55, radius=10, dash="6 4", className="tc8-plan")


def action_label(plan, action: str, lang: str) -> str:
    """The cost file's label of ``action``, as plan.xlsx shows it (:func:`tc8.outputs.plan_files.action_text`)."""
    from tc8.outputs.plan_files import action_text

    return action_text(plan, action, lang)


def _sentence(item, lang: str) -> str:
    key = f"plan.action.{item.action}"
    if key not in catalogue():
        return ""
    try:
        return text(key, lang, **item.detail)
    except (KeyError, IndexError, ValueError):
        return ""


def money(plan, cost, lang: str) -> str:
    """``cost`` with the plan's currency, or the no-price words."""
    if cost is None or cost != cost:
        return text("plan_maps.no_price", lang)
    return fmt_number(float(cost), 0, lang) + " " + plan.currency


def intervention_popup(plan, item, lang: str) -> str:
    """Escaped HTML popup of one intervention."""
    rows = [f"<b>{esc(text('plan_maps.layer', lang))}: {esc(action_label(plan, item.action, lang))}</b>"]
    sentence = _sentence(item, lang)
    if sentence:
        rows.append(esc(sentence))
    rows.append(esc(text("plan_maps.indicator", lang, indicator=item.indicator, condition=item.condition_id)))
    rows.append(f"{esc(text('plan_maps.quantity', lang))}: {esc(fmt_number(item.quantity, 0 if float(item.quantity).is_integer() else 1, lang))} {esc(item.unit)}")
    rows.append(f"{esc(text('plan_maps.cost', lang))}: {esc(money(plan, item.cost, lang))}")
    if plan.example_costs:
        rows.append(f'<i class="tc8-plan-warn">{esc(text("plan.example_prices", lang))}</i>')
    return "<br>".join(rows)


def plan_features(plan, lang: str) -> tuple[np.ndarray, dict, list]:
    """(geometries in the metric CRS, properties ``_c``/``popup``/``tip``, commune codes) of every
    intervention with a geometry: what :mod:`tc8.maps.atlas_pages` turns into the overlay's layer."""
    items = [i for i in plan.interventions if i.geometry is not None and not i.geometry.is_empty]
    props = {"_c": [PLAN_COLOR] * len(items),
             "popup": [intervention_popup(plan, i, lang) for i in items],
             "tip": [esc(action_label(plan, i.action, lang)) for i in items]}
    return np.asarray([i.geometry for i in items], dtype=object), props, [i.commune_code for i in items]


def plan_legend(plan, code: str, lang: str) -> str:
    """Legend block of the plan overlay for one commune: swatches, interventions without a location
    (per indicator, by action), the commune's total and the example-prices warning ("" without a plan item)."""
    mine = [i for i in plan.interventions if str(i.commune_code) == code]
    if not mine:
        return ""
    out = [f"<h2>{esc(text('plan_maps.layer', lang))}</h2>",
           f'<div><span class="tc8-sw" style="background:{PLAN_COLOR};border:2px dashed #005662"></span>'
           f"{esc(text('plan_maps.legend_points', lang))}</div>",
           f'<div><span class="tc8-sw line" style="background:{PLAN_COLOR};border-color:{PLAN_COLOR}"></span>'
           f"{esc(text('plan_maps.legend_lines', lang))}</div>"]
    unplaced: dict[str, list] = {}
    for item in mine:
        if item.geometry is None or item.geometry.is_empty:
            unplaced.setdefault(item.indicator, []).append(item)
    for indicator, items in sorted(unplaced.items()):
        what = "; ".join(f"{action_label(plan, i.action, lang)} ×{fmt_number(i.quantity, 0, lang)} {i.unit} "
                         f"({money(plan, i.cost, lang)})" for i in items)
        out.append(f'<div class="tc8-note tc8-plan-unplaced">'
                   f"{esc(text('plan_maps.no_location', lang, indicator=indicator, n=len(items)))}: {esc(what)}</div>")
    costs = [i.cost for i in mine if i.cost is not None and i.cost == i.cost]
    out.append(f'<div class="tc8-note">{esc(text("plan_maps.total", lang, cost=money(plan, sum(costs), lang)))}</div>')
    if plan.example_costs:
        out.append(f'<div class="tc8-synthetic tc8-plan-warn">{esc(text("plan.example_prices", lang))}</div>')
    return "\n".join(out)


def with_plan_legend(panel: str, legend: str) -> str:
    """``panel`` (templates/map_commune_panel.html) with ``legend`` at the end of its legend box."""
    if not legend:
        return panel
    head, sep, tail = panel.rpartition("</div>")
    return head + legend + "\n" + sep + tail


__all__ = ["plan_features", "plan_legend", "with_plan_legend", "intervention_popup", "PLAN_COLOR", "PLAN_OPTIONS"]
