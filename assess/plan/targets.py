"""Which leaf conditions a plan must fix, and which must be collected first.

For every commune x indicator that does not pass, the indicator's condition tree (without its
disabled conditions, as the engine evaluates it) is walked with the leaf statuses of
``Results.conditions`` (three-valued: ``khong_dat`` < ``thieu_du_lieu`` < ``dat``):

* an ``all`` node that does not pass needs every child that does not pass;
* an ``any`` node that fails (every child fails) needs ONE child made to pass: the first child
  in file order whose leaves all have a planner (a family module that exists and, when it
  declares ``MEASURES``, lists the leaf's measure); when no child has one, the first child
  (its failures then come back as ``no_planner`` / unfixable, never silently dropped);
* an ``any`` node that is ``thieu_du_lieu`` (no child passes, at least one unknown) needs its
  unknown children decided: only data is collected, nothing is planned around;
* a leaf that fails is a condition to fix; a leaf that is ``thieu_du_lieu`` is a
  :class:`~tc8.plan.model.CollectFirst` (whatever else fails beside it).

So an indicator that is ``thieu_du_lieu`` gives only collect-first items (its tree has no failing
path), and one that is ``khong_dat`` gives the failing leaves on its chosen path plus the
unknown leaves on that path to collect. Vectorised over communes: one pass per tree node.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tc8.model.vocab import MEASURES, STATUS_FAIL, STATUS_MISSING, STATUS_PASS

from .model import CollectFirst

FAIL, MISSING, PASS = 0, 1, 2
_CODE = {STATUS_FAIL: FAIL, STATUS_MISSING: MISSING, STATUS_PASS: PASS}


@dataclass
class Targets:
    """``fix``: family -> the rows of ``Results.conditions`` (every column) to fix, in file
    order per commune; ``collect_first``: the conditions to decide first (missing data)."""

    fix: dict[str, pd.DataFrame] = field(default_factory=dict)
    collect_first: list[CollectFirst] = field(default_factory=list)


def _leaves(node) -> list:
    kids = getattr(node, "children", None)
    return [node] if kids is None else [leaf for kid in kids for leaf in _leaves(kid)]


def _status(node, st: dict[str, np.ndarray]) -> np.ndarray:
    kids = getattr(node, "children", None)
    if kids is None:
        return st[node.id]
    stack = np.vstack([_status(k, st) for k in kids])
    return stack.min(axis=0) if node.kind == "all" else stack.max(axis=0)


def _choose(kids, plannable: Callable[[str], bool]) -> int:
    """Position of the child of an ``any`` to fix (see the module docstring)."""
    for i, kid in enumerate(kids):
        if all(plannable(leaf.measure) for leaf in _leaves(kid)):
            return i
    return 0


def _walk(node, st, want: np.ndarray, plannable, fix: dict, collect: dict) -> None:
    """Mark in ``fix`` / ``collect`` (condition id -> bool per commune) what makes ``node``
    pass where ``want``; ``want`` holds only communes where ``node`` does not pass."""
    kids = getattr(node, "children", None)
    if kids is None:
        fix[node.id] = fix.get(node.id, False) | (want & (st[node.id] == FAIL))
        collect[node.id] = collect.get(node.id, False) | (want & (st[node.id] == MISSING))
        return
    status = [_status(k, st) for k in kids]
    if node.kind == "all":
        for kid, s in zip(kids, status):
            _walk(kid, st, want & (s != PASS), plannable, fix, collect)
        return
    own = np.vstack(status).max(axis=0)
    for kid, s in zip(kids, status):  # unknown any: decide the unknown children first
        _walk(kid, st, want & (own == MISSING) & (s == MISSING), plannable, fix, collect)
    chosen = _choose(kids, plannable)
    _walk(kids[chosen], st, want & (own == FAIL), plannable, fix, collect)


def _pairs(marks: dict[str, np.ndarray], codes: pd.Index) -> pd.DataFrame:
    rows = [pd.DataFrame({"commune_code": codes[mask], "condition_id": cid})
            for cid, mask in marks.items() if np.any(mask)]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["commune_code", "condition_id"])


def _indicator_marks(ind, conditions: pd.DataFrame, failing: pd.Series, plannable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows to fix, rows to collect) of one indicator, for the communes in ``failing``."""
    tree = ind.enabled_condition
    rows = conditions[conditions["indicator"] == ind.id]
    if tree is None or rows.empty or not failing.any():
        empty = pd.DataFrame(columns=["commune_code", "condition_id"])
        return empty, empty
    table = rows.pivot_table(index="commune_code", columns="condition_id", values="status", aggfunc="first")
    table = table.reindex(failing.index)
    st = {cid: table[cid].map(_CODE).fillna(MISSING).to_numpy(dtype=int) if cid in table
          else np.full(len(table), MISSING) for cid in (leaf.id for leaf in _leaves(tree))}
    fix: dict = {}
    collect: dict = {}
    _walk(tree, st, failing.to_numpy(dtype=bool), plannable, fix, collect)
    return _pairs(fix, table.index), _pairs(collect, table.index)


def _collect_items(pairs: pd.DataFrame, results, lang: str) -> list[CollectFirst]:
    """CollectFirst items with the indicator's missing-data note (``missing_vi/en``)."""
    if pairs.empty:
        return []
    ind = results.indicators.set_index(["commune_code", "indicator"])
    column = "missing_en" if lang == "en" else "missing_vi"
    out = []
    for row in pairs.itertuples(index=False):
        note = ind[column].get((row.commune_code, row.indicator), "") if column in ind else ""
        out.append(CollectFirst(str(row.commune_code), str(row.indicator), str(row.condition_id),
                                note if isinstance(note, str) else ""))
    return out


def find_targets(results, *, plannable: Callable[[str], bool] = lambda measure: True,
                 communes: Iterable[str] | None = None, lang: str = "vi") -> Targets:
    """The conditions to fix per family and the conditions to collect first, for every commune
    x indicator of ``results`` that does not pass (only ``communes`` when given).
    ``plannable(measure)``: whether a planner handles that measure (chooses within ``any``)."""
    conditions, indicators = results.conditions, results.indicators
    wanted = set(map(str, communes)) if communes else None
    fixes, collects = [], []
    for ind in results.rule_set.indicators:
        rows = indicators[indicators["indicator"] == ind.id].set_index("commune_code")
        failing = rows["status"] != STATUS_PASS
        if wanted is not None:
            failing &= rows.index.astype(str).isin(wanted)
        fix, collect = _indicator_marks(ind, conditions, failing, plannable)
        fixes.append(fix.assign(indicator=ind.id))
        collects.append(collect.assign(indicator=ind.id))
    fix = pd.concat(fixes, ignore_index=True) if fixes else pd.DataFrame(columns=["commune_code", "condition_id"])
    rows = conditions.merge(fix[["commune_code", "condition_id"]], on=["commune_code", "condition_id"]) \
        if len(fix) else conditions.iloc[0:0]
    family = rows["measure"].map(lambda m: MEASURES[m].family if m in MEASURES else "")
    by_family = {fam: part.reset_index(drop=True) for fam, part in rows.groupby(family, sort=False)}
    collect = pd.concat(collects, ignore_index=True) if collects else pd.DataFrame()
    return Targets(fix=by_family, collect_first=_collect_items(collect, results, lang))
