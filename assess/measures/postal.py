"""Which postal points qualify under a rule set, and why the others do not.

Each point is checked against the rule set's ``postal_point`` conditions with the parameter
values of the commune it belongs to. A condition on an empty field is unknown (<NA>), so a
point can qualify (True), fail (False) or be undecided (<NA>). Kinds outside
``postal_point_kinds`` never qualify.
"""
from __future__ import annotations

import operator

import numpy as np
import pandas as pd

from tc8.text.messages import LANGS, fmt_number, text
from tc8.rules.model import ParamRef

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
       "==": operator.eq, "!=": operator.ne}


def param_name(value) -> str | None:
    """The parameter a rule value refers to (a :class:`~tc8.rules.model.ParamRef`), else ``None``."""
    return value.name if isinstance(value, ParamRef) else None


def values_for(value, params: pd.DataFrame, codes: pd.Series, defaults: dict) -> np.ndarray:
    """A rule value per row: the literal broadcast, or the parameter of each row's commune."""
    name = param_name(value)
    if name is None:
        return np.full(len(codes), value, dtype=object)
    if name in params.columns:
        got = params[name].reindex(codes.to_numpy(dtype=object)).to_numpy(dtype=object)
        missing = pd.isna(got)
        if missing.any():
            got[missing] = defaults.get(name)
        return got
    return np.full(len(codes), defaults.get(name), dtype=object)


def compare(left: pd.Series, op: str, right: np.ndarray) -> pd.Series:
    """Three-valued comparison: <NA> where the left value is missing."""
    known = left.notna().to_numpy()
    result = np.zeros(len(left), dtype=bool)
    if known.any():
        lv = left.to_numpy(dtype=object)[known]
        rv = right[known]
        result[known] = np.array([OPS[op](a, b) for a, b in zip(lv, rv)], dtype=bool) if lv.dtype == object else OPS[op](lv, rv)
    out = pd.Series(result, index=left.index, dtype="boolean")
    out[~known] = pd.NA
    return out


def _fmt(value, lang: str) -> str:
    if isinstance(value, (bool, np.bool_)):
        return text("word.yes" if value else "word.no", lang)
    if isinstance(value, (int, float, np.number)):
        return fmt_number(float(value), 0 if float(value).is_integer() else 1, lang)
    return str(value)


def evaluate_points(postal: pd.DataFrame, rule, params: pd.DataFrame, defaults: dict,
                    kinds: list[str]) -> pd.DataFrame:
    """Per point: ``kind_ok``, ``cond_<id>`` (boolean), ``qualifies`` (boolean), ``failed_vi/en``
    (the failed or unknown conditions, ``; ``-joined) and ``unknown_fields``."""
    codes = postal["commune_code"]
    out = pd.DataFrame(index=postal.index)
    kind_ok = postal["kind"].isin(kinds).fillna(False).astype(bool)
    out["kind_ok"] = kind_ok.to_numpy()
    qualifies = pd.Series(kind_ok.to_numpy(), index=postal.index, dtype="boolean")
    failed = {lang: [[] if k else [text("reason.postal_kind", lang, kind=postal["kind"].iat[i])]
                     for i, k in enumerate(kind_ok.to_numpy())] for lang in LANGS}
    unknown = [[] for _ in range(len(postal))]
    conditions = rule.enabled_conditions
    for cond in conditions:
        right = values_for(cond.value, params, codes, defaults)
        result = compare(postal[cond.field], cond.op, right)
        out[f"cond_{cond.id}"] = result
        qualifies = qualifies & result
        bad = np.flatnonzero(~result.fillna(True).to_numpy() & kind_ok.to_numpy())
        for i in bad:
            for lang in LANGS:
                label = cond.label_vi if lang == "vi" else (cond.label_en or cond.label_vi)
                failed[lang][i].append(f"{label} ({_fmt(postal[cond.field].iat[i], lang)})")
        for i in np.flatnonzero(result.isna().to_numpy() & kind_ok.to_numpy()):
            unknown[i].append(cond.field)
            for lang in LANGS:
                label = cond.label_vi if lang == "vi" else (cond.label_en or cond.label_vi)
                failed[lang][i].append(f"{label} ({text('word.unknown', lang)})")
    out["qualifies"] = qualifies
    for lang in LANGS:
        out[f"failed_{lang}"] = ["; ".join(items) for items in failed[lang]]
    out["unknown_fields"] = [", ".join(items) for items in unknown]
    return out
