"""``make_plan``: from an assessment to a :class:`~tc8.plan.model.Plan`.

1. :func:`tc8.plan.targets.find_targets` says which failing leaf conditions to fix (grouped by
   measure family) and which to collect first.
2. Each family's rows go to ``tc8.plan.<family>.plan_family(ctx, failing)`` (imported by name;
   a family without a module gives :class:`~tc8.plan.model.Unfixable` ``no_planner`` for each
   of its rows). Each call is timed (``Plan.notes[family]["seconds"]``).
3. A failing condition the planner returned neither an intervention nor an unfixable for is
   reported as unfixable ``not_planned`` (never silently skipped).
4. ``Plan.communes``: one row per commune that does not pass (see :func:`commune_rows`).

Verification (``verified``, ``status_after``) is filled later by :func:`tc8.plan.apply.verify_plan`.
"""
from __future__ import annotations

import importlib
import importlib.util
import time
from collections.abc import Iterable

import numpy as np
import pandas as pd

from tc8.model.vocab import FAMILIES, STATUS_PASS

from .costs import CostBook, load_costs
from .model import FamilyPlan, Plan, PlanContext, Unfixable
from .targets import find_targets

#: status of a commune after the plan before verification
NOT_VERIFIED = ""


def planner(family: str):
    """The planner module of ``family`` (``tc8.plan.<family>``), None when there is none."""
    name = f"{__package__}.{family}"
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except (ImportError, ValueError):
        return None
    module = importlib.import_module(name)
    return module if hasattr(module, "plan_family") else None


def plannable_measures() -> callable:
    """``measure -> bool``: whether a planner exists for it (its family module; a module that
    declares ``MEASURES`` handles only those)."""
    from tc8.model.vocab import MEASURES

    modules = {family: planner(family) for family in FAMILIES}

    def plannable(measure: str) -> bool:
        spec = MEASURES.get(measure)
        module = modules.get(spec.family) if spec else None
        handled = getattr(module, "MEASURES", None)
        return module is not None and (handled is None or measure in handled)
    return plannable


def _run_family(ctx: PlanContext, family: str, failing: pd.DataFrame) -> FamilyPlan:
    module = planner(family)
    if module is None:
        return FamilyPlan(unfixable=[Unfixable(str(r.commune_code), str(r.indicator), str(r.condition_id),
                                               "no_planner", {"family": family})
                                     for r in failing.itertuples(index=False)])
    return module.plan_family(ctx, failing)


def _not_planned(failing: pd.DataFrame, done: FamilyPlan) -> list[Unfixable]:
    """Failing rows the planner left without an intervention or an unfixable."""
    seen = {(i.commune_code, i.condition_id) for i in done.interventions}
    seen |= {(u.commune_code, u.condition_id) for u in done.unfixable}
    return [Unfixable(str(r.commune_code), str(r.indicator), str(r.condition_id), "not_planned")
            for r in failing.itertuples(index=False) if (str(r.commune_code), str(r.condition_id)) not in seen]


def make_plan(results, costs: CostBook | None = None, *, communes: Iterable[str] | None = None,
              lang: str = "vi") -> Plan:
    """The plan for every commune of ``results`` that does not pass (only ``communes`` when
    given). ``costs``: a read cost file (default the shipped example)."""
    costs = costs if costs is not None else load_costs(None)
    ctx = PlanContext(results=results, costs=costs, lang=lang)
    targets = find_targets(results, plannable=plannable_measures(), communes=communes, lang=lang)
    interventions, unfixable, notes = [], [], {}
    for family, failing in targets.fix.items():
        start = time.perf_counter()
        done = _run_family(ctx, family, failing)
        notes[family] = {**done.notes, "seconds": round(time.perf_counter() - start, 3),
                         "conditions": len(failing)}
        interventions += done.interventions
        unfixable += done.unfixable + _not_planned(failing, done)
    plan = Plan(results=results, interventions=interventions, unfixable=unfixable,
                collect_first=targets.collect_first, notes=notes, cost_source=costs.source,
                currency=costs.currency, example_costs=costs.example, costs=costs)
    plan.communes = commune_rows(plan, communes=communes)
    return plan


def commune_rows(plan: Plan, *, communes: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per commune that does not pass: ``commune_code, commune_name, district_name,
    status_tc8, n_interventions, n_unfixable, n_collect_first, fixable, cost_total, verified,
    status_after``. ``fixable``: it fails, every failing condition has an intervention, and
    nothing is unfixable or missing. ``cost_total``: sum of the priced interventions (NaN when
    one has no price). ``verified`` False and ``status_after`` "" until verified."""
    table = plan.results.communes
    rows = table[table["status_tc8"] != STATUS_PASS]
    if communes:
        rows = rows[rows["commune_code"].astype(str).isin(set(map(str, communes)))]
    codes = rows["commune_code"].astype(str)

    def count(items) -> pd.Series:
        return pd.Series([i.commune_code for i in items], dtype=object).value_counts().reindex(codes, fill_value=0)

    costs = pd.DataFrame({"code": [i.commune_code for i in plan.interventions],
                          "cost": [np.nan if i.cost is None else i.cost for i in plan.interventions]})
    cost_total = costs.groupby("code")["cost"].sum(min_count=1).where(
        ~costs.groupby("code")["cost"].apply(lambda s: s.isna().any()), np.nan).reindex(codes).fillna(0.0) \
        if len(costs) else pd.Series(0.0, index=codes)
    out = pd.DataFrame({
        "commune_code": codes.to_numpy(),
        "commune_name": rows["commune_name"].to_numpy(dtype=object),
        "district_name": (rows["district_name"] if "district_name" in rows else pd.Series("", index=rows.index))
        .fillna("").to_numpy(dtype=object),
        "status_tc8": rows["status_tc8"].to_numpy(dtype=object),
        "n_interventions": count(plan.interventions).to_numpy(),
        "n_unfixable": count(plan.unfixable).to_numpy(),
        "n_collect_first": count(plan.collect_first).to_numpy(),
    })
    out["cost_total"] = cost_total.to_numpy(dtype=float)
    out["fixable"] = (out["n_interventions"] > 0) & (out["n_unfixable"] == 0) & (out["n_collect_first"] == 0) \
        & (out["status_tc8"] != STATUS_PASS)
    out["verified"] = False
    out["status_after"] = NOT_VERIFIED
    return out
