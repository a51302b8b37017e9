"""Three-valued evaluation of a rule set's condition trees, for all communes at once.

Status codes while evaluating: 0 = ``khong_dat``, 1 = ``thieu_du_lieu``, 2 = ``dat``; an
``all`` node takes the minimum of its children, an ``any`` node the maximum (Kleene logic),
so a missing figure never turns into a silent pass or fail. A leaf compares the lower and
upper bound of its measure with the threshold: both pass -> ``dat``, both fail ->
``khong_dat``, otherwise ``thieu_du_lieu``. Trees are evaluated as given: the engine passes
each indicator's tree without its disabled conditions (:attr:`tc8.rules.model.Indicator.enabled_condition`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tc8.model.vocab import STATUS_FAIL, STATUS_MISSING, STATUS_PASS
from tc8.text.messages import LANGS, fmt_number, text
from tc8.text.join import join_pair

from .compare import OPS, values_for

FAIL, MISSING, PASS = 0, 1, 2
#: Status code -> status name (``STATUS_NAMES[FAIL] == "khong_dat"``).
STATUS_NAMES = np.array([STATUS_FAIL, STATUS_MISSING, STATUS_PASS], dtype=object)


@dataclass
class Evaluated:
    status: np.ndarray
    reasons: dict            # lang -> object array
    missing: dict            # lang -> object array
    leaves: list = field(default_factory=list)   # [(condition, Leaf)]


@dataclass
class Leaf:
    status: np.ndarray
    low: np.ndarray
    high: np.ndarray
    threshold: np.ndarray
    measure: object


def children_of(node) -> tuple[str, list] | None:
    """(``all``|``any``, children) for a group node, ``None`` for a leaf condition."""
    from .model import AllOf, AnyOf

    if isinstance(node, (AllOf, AnyOf)):
        return node.kind, list(node.children)
    return None


def show_value(value: float, unit: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return text("word.unknown", lang)
    if unit == "bool":
        return text("word.yes" if value >= 0.5 else "word.no", lang)
    if unit == "%":
        return fmt_number(value, 1, lang) + "%"
    if np.isinf(value):
        return "?"
    return fmt_number(value, 0 if float(value).is_integer() else 1, lang)


def _leaf(cond, measures, params, defaults, codes: pd.Index) -> Evaluated:
    measure = measures[cond.measure]
    unit = measure.unit
    raw = values_for(cond.value, params, pd.Series(codes, index=codes), defaults)
    thr = np.array([float(v) if v is not None else np.nan for v in raw], dtype=float)
    low, high = measure.low.to_numpy(dtype=float), measure.high.to_numpy(dtype=float)
    fn = OPS[cond.op]
    with np.errstate(invalid="ignore"):
        lo_ok, hi_ok = fn(low, thr), fn(high, thr)
    unknown = np.isnan(low) | np.isnan(high) | np.isnan(thr)
    status = np.where(lo_ok & hi_ok, PASS, np.where(~lo_ok & ~hi_ok, FAIL, MISSING))
    status[unknown] = MISSING
    reasons, missing = {}, {}
    label_attr = {"vi": "label_vi", "en": "label_en"}
    for lang in LANGS:
        label = getattr(cond, label_attr[lang], "") or getattr(cond, "label_vi", "") or cond.measure
        r = np.full(len(codes), "", dtype=object)
        bad = np.flatnonzero(status == FAIL)
        if bad.size:
            details = getattr(measure, f"details_{lang}").to_numpy(dtype=object)
            r[bad] = [text("reason.condition", lang, label=label, measured=show_value(low[i], unit, lang),
                           op=cond.op, threshold=show_value(thr[i], unit, lang))
                      + (" — " + details[i] if details[i] else "") for i in bad]
        m = np.full(len(codes), "", dtype=object)
        miss = np.flatnonzero(status == MISSING)
        if miss.size:
            notes = getattr(measure, f"missing_{lang}").to_numpy(dtype=object)
            m[miss] = [notes[i] if notes[i] else label + ": " + (getattr(measure, f"details_{lang}").iat[i]
                                                                 or text("word.unknown", lang)) for i in miss]
        reasons[lang], missing[lang] = r, m
    leaf = Leaf(status, low, high, thr, measure)
    return Evaluated(status, reasons, missing, [(cond, leaf)])


def evaluate(node, measures, params, defaults, codes: pd.Index) -> Evaluated:
    """Evaluate a condition tree (already pruned of disabled conditions) for every commune."""
    group = children_of(node)
    if group is None:
        return _leaf(node, measures, params, defaults, codes)
    kind, kids = group
    done = [evaluate(k, measures, params, defaults, codes) for k in kids]
    stack = np.vstack([e.status for e in done])
    status = stack.min(axis=0) if kind == "all" else stack.max(axis=0)
    reasons = {lang: np.full(len(codes), "", dtype=object) for lang in LANGS}
    missing = {lang: np.full(len(codes), "", dtype=object) for lang in LANGS}
    for e in done:
        for lang in LANGS:
            take = (status == FAIL) & (e.status == FAIL)
            reasons[lang] = np.where(take, join_pair(reasons[lang], e.reasons[lang]), reasons[lang])
            take_m = (status != PASS) & (e.status == MISSING)
            missing[lang] = np.where(take_m, join_pair(missing[lang], e.missing[lang]), missing[lang])
    leaves = [leaf for e in done for leaf in e.leaves]
    return Evaluated(status, reasons, missing, leaves)


def deciding_leaf(evaluated: Evaluated) -> np.ndarray:
    """Per commune, the position (in ``leaves``) of the first leaf whose status equals the result."""
    stack = np.vstack([leaf.status for _, leaf in evaluated.leaves])
    match = stack == evaluated.status[None, :]
    return np.where(match.any(axis=0), match.argmax(axis=0), 0)
