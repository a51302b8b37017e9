"""How two rule sets differ, without any input (``tc8 rules diff A B``, and the "why" of ``tc8 compare``).

:func:`diff_rule_sets` lists every difference that can change a verdict of criterion 8 as
:class:`Change` records: indicators added / removed / renamed, the criterion rule, conditions
(commune-level and postal-point) added / removed / switched on or off, their measure or field,
operator, threshold and basis, the regrouping of an indicator's ``all``/``any`` tree, the
postal point kinds, and parameters added / removed / changed in value or basis.

Thresholds and parameter values are compared *resolved*, per commune group: the default value
(a commune no override matches) and the value for a commune matching each ``when`` entry of
either set's overrides (``commune_group = 1``, ``difficult = true``, ``island = true``...: one
"profile" per column value, and one per multi-column ``when``). A group is listed only where
its pair of values differs from the default pair, so a default change is said once. Values
compare as Python values (``100 == 100.0``); ``when`` values compare as text (``1 == "1"``).

Titles, descriptions, citations and labels are not differences of criterion 8; an empty
:attr:`RuleDiff.changes` means the two sets decide every commune the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from .compare import ParamRef
from .model import AllOf, Condition, Indicator, RuleSet, iter_nodes, prune

#: What a :class:`Change` is about (its ``kind``), in the order the text renderer lists them.
KINDS = ("criterion_rule", "indicator_added", "indicator_removed", "indicator_renamed", "structure",
         "condition_added", "condition_removed", "enabled", "measure", "field", "op", "threshold",
         "threshold_ref", "basis", "postal_point_added", "postal_point_removed", "postal_kinds",
         "parameter_added", "parameter_removed", "parameter_value", "parameter_basis")
#: ``Change.scope`` of changes that are not inside one indicator.
CRITERION, POSTAL, PARAMETERS = "TC8", "postal_point", "parameters"
_ABSENT = object()


@dataclass(frozen=True)
class Change:
    """One difference from rule set A to rule set B.

    ``scope``: the indicator id (``8.1``), ``postal_point``, ``TC8`` (criterion) or
    ``parameters``; ``subject``: the condition id, parameter name or indicator id; ``a``/``b``:
    the value in A and in B (None where absent: a condition added has ``a`` None and ``b`` its
    ``enabled`` flag); ``group``: "" for the default, else the commune group the values apply
    to (``commune_group = 1``); ``param``: the parameter behind a threshold ("" for a literal).
    """

    kind: str
    scope: str
    subject: str
    a: object = None
    b: object = None
    group: str = ""
    param: str = ""


@dataclass(frozen=True)
class RuleDiff:
    """Every :class:`Change` from ``a`` to ``b`` (ordered by scope, then :data:`KINDS`)."""

    a: RuleSet
    b: RuleSet
    changes: tuple

    @property
    def identical(self) -> bool:
        """No difference in criterion 8 (titles and citations aside)."""
        return not self.changes

    def about(self, subject: str) -> tuple:
        """The changes whose subject is ``subject`` (a condition id or parameter name)."""
        return tuple(c for c in self.changes if c.subject == subject)


# --------------------------------------------------------------------------- commune groups

def _norm(value) -> str:
    return str(value).strip().lower()


def _wanted(value) -> list:
    return value if isinstance(value, (list, tuple)) else [value]


def profiles(a: RuleSet, b: RuleSet) -> list[tuple[str, dict]]:
    """(label, {column: value}) for each commune group the overrides of ``a`` or ``b`` name."""
    seen: dict[str, dict] = {}
    for ov in (*a.overrides, *b.overrides):
        for col, wanted in ov.when.items():
            for v in _wanted(wanted):
                seen.setdefault(f"{col} = {_show(v)}", {col: v})
        if len(ov.when) > 1:
            prof = {col: _wanted(w)[0] for col, w in ov.when.items()}
            seen.setdefault(" & ".join(f"{c} = {_show(v)}" for c, v in prof.items()), prof)
    return list(seen.items())


def _show(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _matches(when: dict, profile: dict) -> bool:
    return all(col in profile and _norm(profile[col]) in {_norm(w) for w in _wanted(wanted)}
               for col, wanted in when.items())


def resolved(rs: RuleSet, name: str, profile: dict):
    """Value of parameter ``name`` in ``rs`` for a commune matching ``profile`` (later
    overrides win); a sentinel when ``rs`` has no such parameter."""
    if name not in rs.parameters:
        return _ABSENT
    value = rs.parameters[name].value
    for ov in rs.overrides:
        if name in ov.set and _matches(ov.when, profile):
            value = ov.set[name]
    return value


def _threshold(rs: RuleSet, value, profile: dict):
    return resolved(rs, value.name, profile) if isinstance(value, ParamRef) else value


def _per_group(get_a: Callable, get_b: Callable, groups: list) -> Iterator[tuple[str, object, object]]:
    """(group, a, b): the default pair when it differs, then each group whose pair differs from
    the default pair and is not equal in both (or the default differs)."""
    base = (get_a({}), get_b({}))
    if base[0] != base[1]:
        yield "", base[0], base[1]
    for label, prof in groups:
        pair = (get_a(prof), get_b(prof))
        if pair != base and (pair[0] != pair[1] or base[0] != base[1]):
            yield label, pair[0], pair[1]


def _value(v):
    return None if v is _ABSENT else v


# --------------------------------------------------------------------------- conditions

def _leaves(rs: RuleSet) -> dict[str, tuple[str, object]]:
    """Condition id -> (scope, condition) over indicators and the postal point block."""
    out = {cond.id: (ind, cond) for ind, _, cond in rs.conditions(enabled_only=False)}
    if rs.postal_point is not None:
        out.update({c.id: (POSTAL, c) for c in rs.postal_point.conditions})
    return out


def _condition_changes(cid: str, scope: str, ca, cb, a: RuleSet, b: RuleSet, groups: list) -> list[Change]:
    out = []
    if ca.enabled != cb.enabled:
        out.append(Change("enabled", scope, cid, ca.enabled, cb.enabled))
    for attr in ("measure", "field", "op", "basis"):
        va, vb = getattr(ca, attr, None), getattr(cb, attr, None)
        if va != vb:
            out.append(Change(attr, scope, cid, va, vb))
    if ca.param != cb.param:
        out.append(Change("threshold_ref", scope, cid, ca.param or ca.value, cb.param or cb.value))
    param = cb.param or ca.param or ""
    for group, va, vb in _per_group(lambda p: _threshold(a, ca.value, p), lambda p: _threshold(b, cb.value, p),
                                    groups):
        out.append(Change("threshold", scope, cid, _value(va), _value(vb), group, param))
    return out


def _conditions(a: RuleSet, b: RuleSet, groups: list) -> list[Change]:
    la, lb = _leaves(a), _leaves(b)
    out = []
    for cid, (scope, cond) in la.items():
        if cid not in lb:
            out.append(Change("condition_removed", scope, cid, cond.enabled, None))
    for cid, (scope, cond) in lb.items():
        if cid not in la:
            out.append(Change("condition_added", scope, cid, None, cond.enabled))
        else:
            out += _condition_changes(cid, scope, la[cid][1], cond, a, b, groups)
    return out


def tree_text(node) -> str:
    """``all(8.1.point, any(8.1.x, 8.1.y))`` of the enabled conditions ("" when none)."""
    node = prune(node)
    if node is None:
        return ""
    if isinstance(node, Condition):
        return node.id
    if len(node.children) == 1:  # a group of one is its child
        return tree_text(node.children[0])
    word = "all" if isinstance(node, AllOf) else "any"
    return f"{word}({', '.join(tree_text(child) for child in node.children)})"


def _enabled_ids(ind: Indicator) -> set:
    return {n.id for _, n in iter_nodes(ind.condition) if isinstance(n, Condition) and n.enabled}


# --------------------------------------------------------------------------- indicators, parameters

def _indicators(a: RuleSet, b: RuleSet) -> list[Change]:
    ia, ib = {i.id: i for i in a.indicators}, {i.id: i for i in b.indicators}
    out = [Change("indicator_removed", i, i, ia[i].name_vi, None) for i in ia if i not in ib]
    out += [Change("indicator_added", i, i, None, ib[i].name_vi) for i in ib if i not in ia]
    for i in (i for i in ib if i in ia):
        if (ia[i].name_vi, ia[i].name_en) != (ib[i].name_vi, ib[i].name_en):
            out.append(Change("indicator_renamed", i, i, ia[i].name_vi, ib[i].name_vi))
        ta, tb = tree_text(ia[i].condition), tree_text(ib[i].condition)
        if ta != tb and _enabled_ids(ia[i]) == _enabled_ids(ib[i]):  # same conditions, regrouped
            out.append(Change("structure", i, i, ta, tb))
    return out


def _postal(a: RuleSet, b: RuleSet) -> list[Change]:
    pa, pb = a.postal_point, b.postal_point
    if pa is None and pb is None:
        return []
    if pa is None or pb is None:
        kind = "postal_point_added" if pa is None else "postal_point_removed"
        return [Change(kind, POSTAL, POSTAL, a.postal_kinds() or None, b.postal_kinds() or None)]
    ka, kb = a.postal_kinds(), b.postal_kinds()
    return [Change("postal_kinds", POSTAL, POSTAL, ka, kb)] if set(ka) != set(kb) else []


def _parameters(a: RuleSet, b: RuleSet, groups: list) -> list[Change]:
    out = [Change("parameter_removed", PARAMETERS, n, a.param(n), None) for n in a.parameters if n not in b.parameters]
    out += [Change("parameter_added", PARAMETERS, n, None, b.param(n)) for n in b.parameters if n not in a.parameters]
    for name in (n for n in b.parameters if n in a.parameters):
        pa, pb = a.parameters[name], b.parameters[name]
        if pa.is_list or pb.is_list:
            if set(_wanted(pa.value)) != set(_wanted(pb.value)):
                out.append(Change("parameter_value", PARAMETERS, name, pa.value, pb.value, "", name))
        else:
            for group, va, vb in _per_group(lambda p: resolved(a, name, p), lambda p: resolved(b, name, p), groups):
                out.append(Change("parameter_value", PARAMETERS, name, _value(va), _value(vb), group, name))
        if pa.basis != pb.basis:
            out.append(Change("parameter_basis", PARAMETERS, name, pa.basis, pb.basis))
    return out


def _order(a: RuleSet, b: RuleSet) -> Callable:
    scopes = [CRITERION, POSTAL] + [i.id for i in a.indicators] + [i.id for i in b.indicators] + [PARAMETERS]
    first = {s: scopes.index(s) for s in scopes}
    return lambda c: (first.get(c.scope, len(scopes)), KINDS.index(c.kind))


def diff_rule_sets(a: RuleSet, b: RuleSet) -> RuleDiff:
    """Every difference of criterion 8 from ``a`` to ``b`` (see the module docstring)."""
    groups = profiles(a, b)
    changes: list[Change] = []
    rule_a, rule_b = a.criterion_rule or "all", b.criterion_rule or "all"
    if rule_a != rule_b:
        changes.append(Change("criterion_rule", CRITERION, CRITERION, rule_a, rule_b))
    changes += _indicators(a, b) + _postal(a, b) + _conditions(a, b, groups) + _parameters(a, b, groups)
    return RuleDiff(a, b, tuple(sorted(changes, key=_order(a, b))))
