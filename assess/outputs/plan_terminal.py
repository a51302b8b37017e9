"""The terminal summary of ``tc8 plan``: communes not passing, fixable, verified (and those
claimed fixable that do not pass when re-assessed, named), cost per indicator and in total,
the solver each family used, and the example-price warning. Words from the catalogue."""
from __future__ import annotations

from tc8.plan.model import Plan
from tc8.text.messages import fmt_number, text


def _costs_by_indicator(plan: Plan) -> dict[str, tuple[float, int]]:
    out: dict[str, tuple[float, int]] = {}
    for item in plan.interventions:
        cost, n = out.get(item.indicator, (0.0, 0))
        out[item.indicator] = (cost + (item.cost or 0.0), n + 1)
    return dict(sorted(out.items()))


def plan_summary(plan: Plan, *, lang: str = "vi") -> str:
    """The summary lines (no trailing newline)."""
    table = plan.communes
    claimed = table[table["fixable"]]
    failed = claimed[~claimed["verified"].astype(bool)]
    lines = [text("plan.summary.head", lang, rules=plan.results.rule_set.id, failing=len(table),
                  fixable=len(claimed), verified=int(table["verified"].astype(bool).sum())),
             text("plan.summary.items", lang, interventions=len(plan.interventions), unfixable=len(plan.unfixable),
                  collect=len(plan.collect_first))]
    total = 0.0
    for indicator, (cost, n) in _costs_by_indicator(plan).items():
        total += cost
        lines.append(text("plan.summary.cost_indicator", lang, indicator=indicator, cost=fmt_number(cost, 0, lang),
                          currency=plan.currency, n=n))
    lines.append(text("plan.summary.cost_total", lang, cost=fmt_number(total, 0, lang), currency=plan.currency))
    for family, notes in plan.notes.items():
        if "seconds" in notes:
            lines.append(text("plan.summary.solver", lang, family=family,
                              solver=notes.get("solver") or text("plan.summary.no_solver", lang),
                              seconds=fmt_number(notes["seconds"], 2, lang)))
    if len(failed):
        lines.append(text("plan.summary.not_verified", lang, n=len(failed),
                          codes=", ".join(failed["commune_code"].astype(str))))
    if plan.example_costs:
        lines.append(text("plan.example_prices", lang))
    return "\n".join(lines)
