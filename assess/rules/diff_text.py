"""A :class:`~tc8.rules.diff.RuleDiff` in words (``tc8 rules diff A B [--lang en]``).

One line per :class:`~tc8.rules.diff.Change`, grouped by scope (criterion, postal point,
each indicator, parameters); words from ``templates/messages_compare.yaml`` (``rulediff.*``).
Numbers the Vietnamese way in ``vi`` (``2,5``), lists joined with commas, booleans as có/không.
"""
from __future__ import annotations

from tc8.text.messages import fmt_number, text
from .compare import ParamRef
from .diff import CRITERION, PARAMETERS, POSTAL, Change, RuleDiff
from .model import RuleSet


def fmt_value(value, lang: str) -> str:
    """A rule value for people: 4, 2,5 (vi), có/không, lists joined, (không có) for None."""
    if value is None:
        return text("rulediff.absent", lang)
    if isinstance(value, bool):
        return text("rules.yes" if value else "rules.no", lang)
    if isinstance(value, (int, float)):
        return fmt_number(value, 0 if float(value).is_integer() else 2, lang)
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, ParamRef):
        return value.name
    return str(value)


def _condition(rs: RuleSet, cid: str):
    for _, _, cond in rs.conditions(enabled_only=False):
        if cond.id == cid:
            return cond
    for cond in rs.postal_point.conditions if rs.postal_point is not None else ():
        if cond.id == cid:
            return cond
    return None


def _rule(rs: RuleSet, cond, lang: str) -> str:
    """``measure >= 1`` / ``postal_points.hours_per_day >= min_hours_per_day = 4``."""
    subject = cond.measure if hasattr(cond, "measure") else f"postal_points.{cond.field}"
    value = fmt_value(cond.value, lang)
    if cond.param and cond.param in rs.parameters:
        value = f"{cond.param} = {fmt_value(rs.param(cond.param), lang)}"
    return f"{subject} {cond.op} {value}"


def _uses(diff: RuleDiff, name: str, lang: str) -> str:
    ids = sorted({c.id for rs in (diff.a, diff.b) for _, _, c in rs.conditions() if c.param == name}
                 | {c.id for rs in (diff.a, diff.b) if rs.postal_point is not None
                    for c in rs.postal_point.enabled_conditions if c.param == name})
    return text("rulediff.uses", lang, ids=", ".join(ids)) if ids else ""


def _indicator_name(rs: RuleSet, ind_id: str, lang: str) -> str:
    return next((i.name(lang) for i in rs.indicators if i.id == ind_id), text("rulediff.absent", lang))


def _on_off(flag, lang: str) -> str:
    return text("rulediff.on" if flag else "rulediff.off", lang)


def _group(change: Change, diff: RuleDiff, lang: str) -> str:
    if change.group:
        return text("rulediff.group", lang, group=change.group)
    grouped = any(c.group for c in diff.about(change.subject) if c.kind == change.kind)
    return text("rulediff.group_default", lang) if grouped else ""


def change_line(change: Change, diff: RuleDiff, lang: str = "vi") -> str:
    """One :class:`Change` as a sentence."""
    kind = change.kind
    params = {"subject": change.subject, "a": fmt_value(change.a, lang), "b": fmt_value(change.b, lang)}
    if kind in ("condition_added", "condition_removed", "enabled"):
        rs = diff.b if kind != "condition_removed" else diff.a
        cond = _condition(rs, change.subject)
        flag = cond.enabled if cond is not None else False
        params.update(label=cond.label(lang) if cond is not None else "", off="" if flag else text("rulediff.off_note", lang),
                      rule=_rule(rs, cond, lang) if cond is not None else "")
        if kind == "enabled":
            params.update(a=_on_off(change.a, lang), b=_on_off(change.b, lang))
        return text(f"rulediff.kind.{kind}", lang, **params)
    if kind.startswith("indicator_"):
        params.update(a=_indicator_name(diff.a, change.subject, lang), b=_indicator_name(diff.b, change.subject, lang))
    if kind == "threshold":
        params.update(param=f" ({change.param})" if change.param else "", group=_group(change, diff, lang))
    if kind in ("parameter_added", "parameter_removed", "parameter_value"):
        params.update(group=_group(change, diff, lang), uses=_uses(diff, change.subject, lang))
    if kind == "threshold_ref":
        params.update({k: change_ref(v, lang) for k, v in (("a", change.a), ("b", change.b))})
    if kind in ("basis", "parameter_basis"):
        params.update({k: text(f"rules.basis.{v}", lang) for k, v in (("a", change.a), ("b", change.b))})
    return text(f"rulediff.kind.{kind}", lang, **params)


def change_ref(value, lang: str) -> str:
    """A threshold's source: the parameter name, or the literal."""
    return value if isinstance(value, str) and not isinstance(value, bool) else \
        text("rulediff.literal", lang, value=fmt_value(value, lang))


def _scope_title(scope: str, diff: RuleDiff, lang: str) -> str:
    if scope in (CRITERION, POSTAL, PARAMETERS):
        return text("rulediff.scope." + {CRITERION: "criterion"}.get(scope, scope), lang)
    ind = next((i for rs in (diff.b, diff.a) for i in rs.indicators if i.id == scope), None)
    return text("rulediff.scope.indicator", lang, id=scope, name=ind.name(lang) if ind is not None else "")


def _side(side: str, rs: RuleSet, lang: str) -> str:
    status = text("rules.official" if rs.official else "rules.not_official", lang)
    return "  " + text("rulediff.side", lang, side=side, id=rs.id, title=rs.title(lang), period=rs.period,
                       status=status)


def render_rule_diff(diff: RuleDiff, lang: str = "vi") -> str:
    """The full text of ``tc8 rules diff``: both sets, then every change by scope, or a clear
    sentence that nothing in criterion 8 differs."""
    out = [text("rulediff.title", lang), _side("A", diff.a, lang), _side("B", diff.b, lang), ""]
    if diff.identical:
        return "\n".join(out + [text("rulediff.identical", lang)])
    out.append(text("rulediff.count", lang, n=len(diff.changes)))
    scope = None
    for change in diff.changes:
        if change.scope != scope:
            scope = change.scope
            out += ["", _scope_title(scope, diff, lang)]
        out.append("  • " + change_line(change, diff, lang))
    return "\n".join(out)
