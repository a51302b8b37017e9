"""What a rule set will not be able to decide, said before anything is run (``tc8 validate --rules``).

:data:`NEEDS` is what each measure of the registry (:data:`tc8.model.vocab.MEASURES`)
reads: a tuple of *clauses* that must all be available, each clause a tuple of *sources*
(``(layer, column)``, column ``None`` = the layer itself) of which one is enough. A measure is
undecided in every commune when some clause has none of its sources: the layer is absent, the
column is absent, or the column is empty (every cell null or blank; a layer with no rows is not
"empty"). The postal-point rule's fields come from the rule set itself (:data:`~tc8.model.vocab.POSTAL_RULE`).
``tests/test_validate_rules_preview.py`` checks the table against the engine by dropping every
column and layer in turn.

An indicator cannot pass in any commune (it is at best ``thieu_du_lieu``; ``khong_dat`` where
another condition fails or there is no record at all) when its enabled condition tree is blocked:
a leaf whose measure is undecided, an ``all`` with a blocked child, an ``any`` whose children
are all blocked. Works on the layers as read (:class:`tc8.io.read.RawInputs`), so it also runs on an
input that has validation errors; column names are matched as validation matches them.

Not predicted: gaps that depend on the data (an FM station without ``licensed``, a village
outside every coverage with no fixed-line source), which the assessment reports per commune.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tc8.model.schema import LAYERS
from tc8.model.vocab import MEASURES, POSTAL_RULE
from tc8.text.messages import text
from tc8.validate.names import USUAL_EXTRAS, column_map, normalise

_PP = "postal_points"

#: measure -> clauses (all needed) of sources (any one is enough); see the module docstring.
#: Read from the registry (:attr:`tc8.model.vocab.MeasureSpec.needs`).
NEEDS: dict[str, tuple] = {name: spec.needs for name, spec in MEASURES.items()}


@dataclass(frozen=True)
class Gap:
    """A source that is not there: ``reason`` is ``no_layer``, ``no_column`` or ``empty_column``."""

    layer: str
    column: str | None
    reason: str


def _all_empty(series: pd.Series) -> bool:
    cells = series.astype("string").str.strip()
    return bool((cells.isna() | (cells == "")).all())


class _Sources:
    """Which (layer, column) of ``raw`` are missing, computed once each."""

    def __init__(self, raw):
        self.frames = raw.frames
        self._cache: dict = {}

    def gap(self, layer: str, column: str | None) -> Gap | None:
        key = (layer, column)
        if key not in self._cache:
            self._cache[key] = self._gap(layer, column)
        return self._cache[key]

    def _gap(self, layer, column):
        frame = self.frames.get(layer)
        if frame is None:
            return Gap(layer, None, "no_layer")
        if column is None:
            return None
        actual = column_map(LAYERS[layer], frame.columns).get(column)
        if actual is None:
            return Gap(layer, column, "no_column")
        if len(frame) and _all_empty(frame[actual]):
            return Gap(layer, column, "empty_column")
        return None


def _clauses(measure: str, rule_set) -> list[tuple]:
    out = []
    for clause in NEEDS[measure]:
        if clause == POSTAL_RULE:
            rule = rule_set.postal_point
            fields = dict.fromkeys(c.field for c in rule.enabled_conditions) if rule is not None else {}
            out.extend(((_PP, f),) for f in fields)
        else:
            out.append(clause)
    return out


def blocked_measures(raw, rule_set, sources: _Sources | None = None) -> dict[str, list[Gap]]:
    """Measure -> the missing sources that leave it undecided in every commune (blocked only)."""
    sources = sources or _Sources(raw)
    out = {}
    for measure in NEEDS:
        gaps = []
        for clause in _clauses(measure, rule_set):
            found = [sources.gap(layer, column) for layer, column in clause]
            if all(found):
                gaps.extend(g for g in found if g not in gaps)
        if gaps:
            out[measure] = gaps
    return out


def _blocked_node(node, blocked: dict) -> dict | None:
    """Measure -> gaps that stop ``node`` from passing anywhere; None when it can pass."""
    from tc8.rules.evaluate import children_of

    group = children_of(node)
    if group is None:
        return {node.measure: blocked[node.measure]} if node.measure in blocked else None
    kind, kids = group
    found = [_blocked_node(k, blocked) for k in kids]
    hit = [f for f in found if f]
    if not hit or (kind == "any" and len(hit) < len(found)):
        return None
    return {m: g for f in hit for m, g in f.items()}


def _override_gaps(sources: _Sources, rule_set) -> list[dict]:
    out = []
    for ov in rule_set.overrides:
        for column in ov.when:
            gap = sources.gap("communes", column)
            if gap is not None:
                when = ", ".join(f"{k} = {v}" for k, v in ov.when.items())
                out.append({"source": ov.source, "when": when, "layer": "communes", "column": column,
                            "reason": gap.reason})
    return out


def _unused(raw) -> dict:
    out = {}
    for name, frame in raw.frames.items():
        geom = getattr(frame, "_geometry_column_name", None)
        known = set(column_map(LAYERS[name], frame.columns).values())
        extra = [str(c) for c in frame.columns
                 if c != geom and c not in known and normalise(c) not in USUAL_EXTRAS]
        if extra:
            out[name] = extra
    return out


def _gap_text(gap: Gap, lang: str) -> str:
    return text(f"preview.{gap.reason}", lang, layer=gap.layer, column=gap.column or "")


def _causes_text(measures: dict, lang: str) -> str:
    """``lớp commune_it không có cột officials (cần cho it_share_officials_computer); ...``."""
    by_gap: dict = {}
    for measure, gaps in measures.items():
        for gap in gaps:
            by_gap.setdefault(gap, []).append(measure)
    return "; ".join(f"{_gap_text(g, lang)} ({text('preview.needed_for', lang, measures=', '.join(ms))})"
                     for g, ms in by_gap.items())


def preview(raw, rule_set, lang: str = "vi") -> dict:
    """What ``rule_set`` cannot decide with ``raw``, as JSON-ready data with messages in ``lang``:
    ``{rule_set, indicators: [{indicator, name, at_best, message, causes}], overrides, unused_columns}``
    (``at_best``: the best status any commune can get)."""
    sources = _Sources(raw)
    blocked = blocked_measures(raw, rule_set, sources)
    indicators = []
    for ind in rule_set.indicators:
        tree = ind.enabled_condition
        measures = _blocked_node(tree, blocked) if tree is not None else None
        if not measures:
            continue
        causes = [{"measure": m, "layer": g.layer, "column": g.column, "reason": g.reason}
                  for m, gaps in measures.items() for g in gaps]
        indicators.append({"indicator": ind.id, "name": ind.name(lang), "at_best": "thieu_du_lieu",
                           "message": text("preview.indicator", lang, indicator=ind.id, name=ind.name(lang),
                                           causes=_causes_text(measures, lang)),
                           "causes": causes})
    overrides = _override_gaps(sources, rule_set)
    for ov in overrides:
        ov["message"] = text("preview.override", lang, source=ov["source"], when=ov["when"],
                             cause=_gap_text(Gap(ov["layer"], ov["column"], ov["reason"]), lang))
    return {"rule_set": rule_set.id, "indicators": indicators, "overrides": overrides,
            "unused_columns": _unused(raw)}


def preview_lines(data: dict, lang: str) -> list[str]:
    """The text form of :func:`preview` for the terminal report."""
    lines = [text("preview.title", lang, rule_set=data["rule_set"])]
    lines += [f"  {ind['message']}" for ind in data["indicators"]] or [f"  {text('preview.none', lang)}"]
    lines += [f"  {ov['message']}" for ov in data["overrides"]]
    lines += [f"  {text('preview.unused', lang, layer=layer, columns=', '.join(cols))}"
              for layer, cols in data["unused_columns"].items()]
    return lines
