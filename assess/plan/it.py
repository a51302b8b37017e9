"""The IT planner (criterion 8.4 and every family-``it`` measure of the registry): the gap in
each reported figure of ``commune_it`` as an intervention with a quantity.

* A share (``100 * part / whole`` in %, e.g. ``it_share_dossiers_online``): the smallest whole
  number N of more ``part`` (dossiers online, officials on e-office, officials with a computer,
  smartphone subscriptions) such that the rule's comparison holds at the current ``whole``.
  Worked out by :func:`tc8.rules.compare.smallest_passing` (exact fractions, then checked with
  the engine's own expression and operator), so the edited figure passes exactly as assessed;
  the summary table's gap (:mod:`tc8.engine.gaps`) uses the same function. 52 % of 1,000 dossiers -> 60 %: N = 80.
* A count (``public_wifi_points``): the smallest whole number reaching the threshold.
* A yes/no (``it_eoffice_system``, ``it_website``): one item; the edit writes ``True`` / the
  yes word ``yes`` (a value the validator reads as yes).

Edge cases: a ``whole`` of 0 or a figure unknown -> :class:`Unfixable` ``no_denominator`` /
``missing_figure`` (the engine reports those as missing data, so they rarely reach here); a part
that would exceed its whole where the input model forbids it (more dossiers online than
dossiers) -> ``beyond_whole``; smartphone subscriptions per working-age person may exceed 100 %,
and where the needed smartphone subscriptions exceed the mobile subscriptions the edit raises
those too (new subscriptions). Operators other than ``>=``, ``>``, ``==`` -> ``unsupported_op``.
Several conditions on one figure of one commune are planned in order on a working copy, so each
intervention's quantity is what it adds beyond the previous one.
"""
from __future__ import annotations

import pandas as pd

from tc8.rules.compare import OPS, smallest_passing as smallest_value  # noqa: F401 - the name tests use

from .model import Edit, FamilyPlan, Intervention, PlanContext, Unfixable

LAYER = "commune_it"
#: share or count measure -> (action, part field, whole field or None for a count)
FIGURES = {
    "it_share_dossiers_online": ("it_dossiers_online", "dossiers_online", "dossiers_total"),
    "it_share_officials_eoffice": ("it_eoffice_users", "officials_using_eoffice", "officials"),
    "it_share_officials_computer": ("it_officials_computer", "officials_with_computer", "officials"),
    "smartphone_share_subscriptions": ("it_smartphone", "smartphone_subscriptions", "mobile_subscriptions"),
    "smartphone_per_working_age": ("it_smartphone", "smartphone_subscriptions", "working_age_population"),
    "public_wifi_points": ("it_public_wifi", "public_wifi_points", None),
}
#: yes/no measure -> (action, field, the value that makes it yes)
SWITCHES = {"it_eoffice_system": ("it_eoffice_system", "eoffice_system", True),
            "it_website": ("it_website", "website", "yes")}
#: wholes a part may not exceed (tc8.validate.consistency.AT_MOST); working-age is not one
CAPPED = {"dossiers_total", "officials", "mobile_subscriptions"}
#: the measures this planner handles (read by tc8.plan.run to choose within ``any``)
MEASURES = tuple(FIGURES) + tuple(SWITCHES)


def _number(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _figure(row, figures: dict, ctx: PlanContext) -> tuple[list[Intervention], list[Unfixable]]:
    action, part_field, whole_field = FIGURES[row.measure]
    part, whole = _number(figures.get(part_field)), _number(figures.get(whole_field)) if whole_field else None
    code, ind, cid = str(row.commune_code), str(row.indicator), str(row.condition_id)
    if part is None or (whole_field and whole is None):
        return [], [Unfixable(code, ind, cid, "missing_figure", {"field": part_field if part is None else whole_field})]
    if whole_field and whole == 0:
        return [], [Unfixable(code, ind, cid, "no_denominator", {"field": whole_field})]
    if row.op not in (">=", ">", "=="):
        return [], [Unfixable(code, ind, cid, "unsupported_op", {"op": row.op})]
    target = smallest_value(">=" if row.op == "==" else row.op, float(row.threshold), whole)
    if row.op == "==" and not OPS["=="](100 * float(target) / whole if whole else float(target), float(row.threshold)):
        return [], [Unfixable(code, ind, cid, "unsupported_op", {"op": row.op})]
    if whole_field in CAPPED and target > whole:
        return [], [Unfixable(code, ind, cid, "beyond_whole", {"field": part_field, "whole": whole, "need": target})]
    quantity = max(target - part, 0)
    values = {part_field: target}
    mobile = _number(figures.get("mobile_subscriptions"))
    if part_field == "smartphone_subscriptions" and mobile is not None and target > mobile:
        values["mobile_subscriptions"] = target  # new subscriptions, so the part stays within its whole
    figures.update(values)
    unit_cost, cost = ctx.costs.cost(action, quantity, ctx.terrain(code))
    edit = Edit(LAYER, code, values)
    return [Intervention(code, ind, cid, action, float(quantity), ctx.costs.unit(action), unit_cost, cost,
                         target=f"{LAYER}:{code}", detail={"field": part_field, "from": part, "to": target,
                                                           "whole": whole, "threshold": float(row.threshold)},
                         edits=(edit,))], []


def _switch(row, figures: dict, ctx: PlanContext) -> Intervention:
    action, field_name, yes = SWITCHES[row.measure]
    code = str(row.commune_code)
    figures[field_name] = yes
    unit_cost, cost = ctx.costs.cost(action, 1, ctx.terrain(code))
    return Intervention(code, str(row.indicator), str(row.condition_id), action, 1.0, ctx.costs.unit(action),
                        unit_cost, cost, target=f"{LAYER}:{code}", detail={"field": field_name},
                        edits=(Edit(LAYER, code, {field_name: yes}),))


def plan_family(ctx: PlanContext, failing: pd.DataFrame) -> FamilyPlan:
    """Interventions for the failing IT conditions in ``failing`` (rows of ``Results.conditions``)."""
    table = ctx.results.inputs.get(LAYER) if ctx.results.inputs is not None else None
    records = {} if table is None else table.drop_duplicates("commune_code").set_index("commune_code")
    out = FamilyPlan()
    working: dict[str, dict] = {}
    for row in failing.itertuples(index=False):
        code = str(row.commune_code)
        if code not in working:
            working[code] = records.loc[code].to_dict() if len(records) and code in records.index else {}
        if row.measure in SWITCHES:
            out.interventions.append(_switch(row, working[code], ctx))
        elif row.measure in FIGURES:
            done, unfixable = _figure(row, working[code], ctx)
            out.interventions += done
            out.unfixable += unfixable
        else:
            out.unfixable.append(Unfixable(code, str(row.indicator), str(row.condition_id), "no_planner",
                                           {"family": "it"}))
    return out
