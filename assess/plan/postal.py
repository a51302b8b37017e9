"""The 8.1 planner: which postal point to fix, and how, or where a new point goes.

For each commune x indicator, the failing conditions on the postal measures are planned
together, on the points of the commune (``Results.layers["postal_points"]`` with the engine's
decisions ``kind_ok``, ``cond_<id>``, ``qualifies``):

* ``postal_points_qualifying`` / ``postal_points_online_services``: a point must meet every
  condition of the rule set's ``postal_point`` block (thresholds resolved for the commune with
  :meth:`PlanContext.param`), and, for the second, offer online public services;
  ``public_telecom_points``: a point (any kind) must offer public telecom services.
* Per existing point: the conditions it fails and the fix of each — a yes/no condition
  ``== true`` -> ``postal_fix_<field>`` (1 item); ``hours_per_day >= N`` ->
  ``postal_extend_hours`` (N - current hours per day, exact); ``collections_per_day >= N`` ->
  ``postal_extend_collections``; ``telecom_service`` / ``online_public_services`` ->
  ``postal_fix_telecom_service`` / ``postal_fix_online_services``. A point is no candidate when
  its kind does not count, when a condition it must meet is unknown (missing data: collect
  first, never planned around) or when a failed condition has no known fix.
* The cheapest candidate is chosen (ties: the one serving more people — the population of the
  commune's villages nearest to it — then the id); a new point (``postal_new_point``, kind
  ``bdvhx``, every condition field set to pass, priced for the commune's terrain) is chosen
  where no point can be fixed or where it is cheaper, placed by :func:`tc8.plan.place.best_position`.
  When the threshold asks for N more points, the N cheapest options are taken (new points may
  repeat: ``KH-<commune>-BC1``, ``-BC2``...).
* ``letter_boxes_qualifying`` is an alternative (``any``) to a qualifying point in the shipped
  sets: when such an alternative is planned it is listed in ``notes["alternative_planned"]``;
  alone, it is :class:`Unfixable` (``plan.unfixable.postal_letter_box``). Any other condition
  of the family that cannot be reached by adding points is ``plan.unfixable.postal_condition``.

Every intervention's ``detail`` holds the parameters of its sentence ``plan.action.<action>``
(``point``, ``from``/``to``, ``condition_vi/en``, ``where_vi/en``, ``why_vi/en``...;
:mod:`tc8.plan.words`). A failing condition that the chosen point meets without an action of
its own (e.g. 8.1.online when the point already offers online services) gets the main
action again with quantity 0 and cost 0 and ``same_as`` naming the condition that carries it,
so that every failing condition has its intervention.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tc8.rules.compare import OPS, param_name
from tc8.rules.model import AnyOf, Condition, iter_nodes
from tc8.text.messages import text

from .costs import ACTIONS
from .lookup import commune_rows, grouped_records
from .model import NEW_RECORD, Edit, FamilyPlan, Intervention, Unfixable
from .place import best_position
from .words import both, labels, num, where

LAYER = "postal_points"
QUALIFYING, ONLINE = "postal_points_qualifying", "postal_points_online_services"
TELECOM, LETTER_BOX = "public_telecom_points", "letter_boxes_qualifying"
#: measures a point can be fixed for -> (the point's yes/no field, action) for the flag ones
FLAGS = {TELECOM: ("telecom_service", "postal_fix_telecom_service"),
         ONLINE: ("online_public_services", "postal_fix_online_services")}
POINT_MEASURES = (QUALIFYING, ONLINE, TELECOM)
#: the measures this planner plans (read by :mod:`tc8.plan.targets`: an ``any`` group is fixed
#: through a child whose measures are listed here, so a letter box is not the chosen way)
MEASURES = POINT_MEASURES
#: numeric point fields and the action that raises them
NUMERIC_ACTIONS = {"hours_per_day": "postal_extend_hours", "collections_per_day": "postal_extend_collections"}
NEW_KIND = "bdvhx"
#: the most points one condition may ask for (a threshold beyond is a rule-file error)
MAX_POINTS = 50


@dataclass(frozen=True)
class _Fix:
    """One action on one point: set ``field`` to ``value``; it serves the failing condition on
    ``measure``."""

    measure: str
    field: str
    value: Any
    action: str
    quantity: float
    detail: dict


@dataclass
class _Option:
    """A way to add one counted point: fix an existing point (``point_id``) or open a new one."""

    point_id: str | None
    fixes: list
    geometry: Any
    served: float = 0.0
    total: float = 0.0
    unpriced: int = 0

    def key(self):
        return (self.unpriced, self.total, -self.served, self.point_id is None, self.point_id or "")


def plan_family(ctx, failing: pd.DataFrame) -> FamilyPlan:
    """Interventions for the failing postal conditions of ``failing`` (rows of
    ``Results.conditions``), per commune and indicator."""
    plan = FamilyPlan()
    if failing is None or not len(failing):
        return plan
    for (code, indicator), rows in grouped_records(failing, ("commune_code", "indicator")):
        _plan_indicator(ctx, str(code), str(indicator), rows, plan)
    return plan


def _plan_indicator(ctx, code: str, indicator: str, rows: list, plan: FamilyPlan) -> None:
    """``rows``: the commune's failing conditions of ``indicator`` (``itertuples`` records)."""
    point_rows = {r.measure: r for r in rows if r.measure in POINT_MEASURES}
    for r in rows:
        if r.measure in POINT_MEASURES:
            continue
        if r.measure == LETTER_BOX and _alternative(ctx, indicator, r.condition_id, point_rows):
            plan.notes.setdefault("alternative_planned", []).append(f"{code}:{r.condition_id}")
            continue
        reason = "postal_letter_box" if r.measure == LETTER_BOX else "postal_condition"
        plan.unfixable.append(Unfixable(code, indicator, r.condition_id, reason, {"measure": r.measure}))
    if not point_rows:
        return
    counts = {m: _points_needed(r) for m, r in point_rows.items()}
    for m in [m for m, k in counts.items() if k is None]:
        r = point_rows.pop(m)
        plan.unfixable.append(Unfixable(code, indicator, r.condition_id, "postal_condition",
                                        {"measure": m, "op": r.op, "threshold": r.threshold}))
    if point_rows:
        needed = max(counts[m] for m in point_rows)
        _plan_points(ctx, code, indicator, point_rows, needed, plan)


def _alternative(ctx, indicator: str, condition_id: str, point_rows: dict) -> bool:
    """Whether a condition planned here (``point_rows``) is an alternative (same ``any``
    group) to ``condition_id`` in the indicator's condition tree."""
    try:
        tree = ctx.results.rule_set.indicator(indicator).condition
    except KeyError:
        return False
    planned = {r.condition_id for r in point_rows.values()}
    for _, node in iter_nodes(tree):
        if isinstance(node, AnyOf):
            ids = {n.id for _, n in iter_nodes(node) if isinstance(n, Condition)}
            if condition_id in ids and ids & planned:
                return True
    return False


def _points_needed(row) -> int | None:
    """How many more counted points make ``measured op threshold`` hold (None: adding points
    cannot, e.g. ``<=``, or no threshold)."""
    low, threshold = row.measured_low, row.threshold
    if row.op not in (">=", ">", "==") or pd.isna(threshold):
        return None
    low = 0.0 if pd.isna(low) else float(low)
    for k in range(1, MAX_POINTS + 1):
        if OPS[row.op](low + k, float(threshold)):
            return k
    return None


def _plan_points(ctx, code: str, indicator: str, rows: dict, needed: int, plan: FamilyPlan) -> None:
    terrain = ctx.terrain(code)
    existing, why_new = _existing_options(ctx, code, rows)
    for option in existing:
        _price(ctx, option, terrain)
    existing.sort(key=_Option.key)
    chosen: list[_Option] = []
    for n in range(1, needed + 1):
        new = _new_option(ctx, code, rows, n)
        _price(ctx, new, terrain)
        if existing and existing[0].key() <= new.key():
            chosen.append(existing.pop(0))
        else:
            why = why_new if not existing else "cheaper"
            chosen.append(new)
            best = existing[0].point_id if existing else ""
            new.fixes[0].detail.update(why=why, best_point=best,
                                       **both("why", f"plan.detail.postal_why_{why}", best_point=best))
    for option in chosen:
        plan.interventions.extend(_interventions(ctx, code, indicator, rows, option, terrain))


def _price(ctx, option: _Option, terrain: str) -> None:
    for fix in option.fixes:
        _, total = ctx.costs.cost(fix.action, fix.quantity, terrain)
        if total is None:
            option.unpriced += 1
        else:
            option.total += total


def _existing_options(ctx, code: str, rows: dict) -> tuple[list, str]:
    """Candidate existing points of commune ``code`` and, when there is none, why
    (``no_point``, ``no_counting_kind``, ``none_fixable``)."""
    points = ctx.results.layers.get(LAYER)
    sub = commune_rows(points, code) if points is not None else None
    if sub is None or not len(sub):
        return [], "no_point"
    served = _served(ctx, code, sub)
    options = []
    for i, (_, point) in enumerate(sub.iterrows()):
        fixes = _point_fixes(ctx, code, point, rows)
        if fixes:
            options.append(_Option(str(point["point_id"]), fixes, point.geometry, served=served[i]))
    if options:
        return options, ""
    needs_kind = QUALIFYING in rows or ONLINE in rows
    return [], "no_counting_kind" if needs_kind and not sub["kind_ok"].astype(bool).any() else "none_fixable"


def _served(ctx, code: str, sub: pd.DataFrame) -> np.ndarray:
    """Per point of ``sub``: the population of the commune's villages nearest to it."""
    villages = ctx.results.villages
    vil = commune_rows(villages, code, columns=("population", "geometry")) if len(villages) else villages
    out = np.zeros(len(sub))
    if not len(vil) or "population" not in vil.columns:
        return out
    dist = np.array([[g.distance(p) for p in sub.geometry] for g in vil.geometry])
    nearest = dist.argmin(axis=1)
    np.add.at(out, nearest, vil["population"].astype("Float64").fillna(0).to_numpy(dtype=float))
    return out


def _point_fixes(ctx, code: str, point: pd.Series, rows: dict) -> list | None:
    """The fixes that make ``point`` count for every measure of ``rows``; None when it cannot
    (kind not counted, unknown value, failed condition without a known fix) or already counts."""
    fixes = []
    if QUALIFYING in rows or ONLINE in rows:
        if not bool(point["kind_ok"]):
            return None
        target = QUALIFYING if QUALIFYING in rows else ONLINE
        qualifies = _tri(point["qualifies"])
        if QUALIFYING in rows and qualifies is True and ONLINE not in rows:
            return None  # already counted
        if qualifies is not True:
            for cond in ctx.results.rule_set.postal_point.enabled_conditions:
                fix = _condition_fix(ctx, code, cond, point, target)
                if fix is False:
                    return None
                if fix is not None:
                    fixes.append(fix)
    for measure in (TELECOM, ONLINE):
        if measure in rows:
            column, action = FLAGS[measure]
            value = _tri(point[column])
            if value is None:
                return None  # unknown: collect first
            if not value:
                fixes.append(_Fix(measure, column, True, action, 1.0, _flag_detail(str(point["point_id"]), column)))
    return fixes or None


def _flag_detail(pid: str, column: str) -> dict:
    return {"point": pid, "field": column, **both("condition", f"plan.detail.postal_field_{column}")}


def _tri(value) -> bool | None:
    """A nullable yes/no as True, False or None (unknown)."""
    return None if value is None or pd.isna(value) else bool(value)


def _need(ctx, code: str, cond) -> Any:
    name = param_name(cond.value)
    return ctx.param(code, name) if name else cond.value


def _condition_fix(ctx, code: str, cond, point: pd.Series, measure: str):
    """None when ``point`` meets ``cond``; the :class:`_Fix` when it fails it and a fix is
    known; False when it cannot be fixed here (unknown value, or no known fix)."""
    result = _tri(point.get(f"cond_{cond.id}"))
    if result is True:
        return None
    if result is None:
        return False  # unknown: missing data, not a failure to fix
    target = _pass_value(cond, _need(ctx, code, cond))
    if target is None:
        return False
    label = labels("condition", cond.label_vi, cond.label_en)
    pid = str(point["point_id"])
    if isinstance(target, bool):
        action = f"postal_fix_{cond.field}"
        if action not in ACTIONS:
            return False
        return _Fix(measure, cond.field, True, action, 1.0, {"point": pid, "field": cond.field, **label})
    action = NUMERIC_ACTIONS.get(cond.field)
    current = point[cond.field]
    if action is None or pd.isna(current):
        return False
    return _Fix(measure, cond.field, target, action, round(target - float(current), 6),
                {"point": pid, "field": cond.field, **label, "from": num(current), "to": num(target)})


def _pass_value(cond, need) -> Any:
    """A value of the condition's field that passes ``field op need`` (None when unknown):
    ``true`` for ``== true``; the threshold for ``>=``; the next whole number above it for ``>``."""
    if isinstance(need, (bool, np.bool_)):
        return bool(need) if cond.op == "==" else (not bool(need) if cond.op == "!=" else None)
    if cond.op == ">=" or cond.op == "==":
        return float(need)
    if cond.op == ">":
        return float(math.floor(float(need)) + 1)
    return None


def _new_option(ctx, code: str, rows: dict, n: int) -> _Option:
    """A new point ``KH-<code>-BC<n>`` where it serves the most people, every condition field
    set to pass (and the flags the failing measures need)."""
    pid = f"KH-{code}-BC{n}"
    position, placement = best_position(ctx.results, code)
    values: dict[str, Any] = {"point_id": pid, "kind": NEW_KIND, "commune_code": code, "staffed": True,
                              "name": text("plan.name.new_postal_point", ctx.lang, code=code, n=n)}
    rule = ctx.results.rule_set.postal_point
    for cond in (rule.enabled_conditions if rule is not None else ()):
        value = _pass_value(cond, _need(ctx, code, cond))
        if value is not None:
            values[cond.field] = value
    main = QUALIFYING if QUALIFYING in rows else next(iter(rows))
    fixes = [_Fix(main, "", values, "postal_new_point", 1.0,
                  {"point": pid, "kind": NEW_KIND, **placement, **where(placement)})]
    for measure in (TELECOM, ONLINE):
        if measure in rows:
            column, action = FLAGS[measure]
            values[column] = True
            fixes.append(_Fix(measure, column, True, action, 1.0, _flag_detail(pid, column)))
    return _Option(None, fixes, position)


def _interventions(ctx, code: str, indicator: str, rows: dict, option: _Option, terrain: str) -> list:
    out = []
    new_id = option.fixes[0].value["point_id"] if option.point_id is None else None
    for i, fix in enumerate(option.fixes):
        unit_cost, total = ctx.costs.cost(fix.action, fix.quantity, terrain)
        if new_id is not None and i == 0:
            edits, target = (Edit(LAYER, NEW_RECORD, dict(fix.value), option.geometry),), ""
        elif new_id is not None:
            edits, target = (), f"{LAYER}:{new_id}"  # the new record already carries the value
        else:
            edits, target = (Edit(LAYER, option.point_id, {fix.field: fix.value}),), f"{LAYER}:{option.point_id}"
        out.append(Intervention(code, indicator, rows[fix.measure].condition_id, fix.action, fix.quantity,
                                ctx.costs.unit(fix.action), unit_cost, total, target=target, detail=dict(fix.detail),
                                edits=edits, geometry=option.geometry))
    done = {i.condition_id for i in out}
    first = out[0]
    for row in rows.values():
        if row.condition_id not in done:
            done.add(row.condition_id)
            out.append(companion(first, row.condition_id))
    return out


def companion(main: Intervention, condition_id: str) -> Intervention:
    """``main`` again for another condition it also fixes: quantity 0, cost 0, no edits."""
    return Intervention(main.commune_code, main.indicator, condition_id, main.action, 0.0, main.unit,
                        main.unit_cost, None if main.cost is None else 0.0, target=main.target,
                        detail={**main.detail, "same_as": main.condition_id}, geometry=main.geometry)
