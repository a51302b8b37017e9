"""Two assessments of the same communes under two rule sets, side by side (``tc8 compare``).

:func:`compare_results` lists every commune x indicator (the criterion row ``TC8`` included)
whose status differs between ``a`` and ``b``, and why: the conditions of both runs are joined
on commune x condition id (``Results.conditions``) and a condition *decides* the difference when
its own status differs and it carries the indicator's move (a condition now failing where the
indicator now fails and did not before, or formerly failing where it formerly failed). Each
deciding condition gets its kinds of reason:

* ``threshold`` / ``op``: same condition, another threshold (per commune, after overrides) or
  operator;
* ``only_a`` / ``only_b``: the condition exists in one set only; ``off_in_a`` / ``off_in_b``: it
  exists in both but is switched off in one;
* ``measured``: same rule, another measured value: a parameter of the measure differs (coverage
  radii, postal point conditions...), named from ``Results.parameters``;
* ``other``: none of these (e.g. the evidence changed).

The criterion row is decided by the indicators whose status differs (``indicator``) and a
changed ``criterion_rule``; an indicator in one set only gives ``indicator_only_a`` / ``_b``; a
status change that no condition explains (``all``/``any`` regrouped) gives ``structure``.
An indicator absent from one set has the status "" there.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tc8.model.results import CRITERION, Results
from tc8.model.vocab import STATUSES, postal_rule_measures
from tc8.rules.diff import POSTAL, RuleDiff, diff_rule_sets
from tc8.text.messages import LANGS, fmt_number, text

#: Columns of :attr:`Comparison.rows`.
ROW_COLUMNS = ("commune_code", "commune_name", "district", "indicator", "status_a", "status_b", "deciding",
               "why", "detail_vi", "detail_en", "op_a", "op_b", "threshold_a", "threshold_b", "threshold_param",
               "measured_a", "measured_b")
_KEYS = ["commune_code", "indicator"]


@dataclass
class Comparison:
    """What differs between two assessments of the same input (:func:`compare_results`)."""

    a: Results
    b: Results
    rule_diff: RuleDiff
    """How the two rule sets differ, without the input (:func:`tc8.rules.diff.diff_rule_sets`)."""
    rows: pd.DataFrame
    """One row per commune x indicator whose status differs (``TC8`` included), columns
    :data:`ROW_COLUMNS`: statuses ``status_a``/``status_b`` ("" where the indicator does not
    exist), ``deciding`` (``;``-joined condition ids, or indicator ids for ``TC8``), ``why``
    (``;``-joined reason kinds, see the module), ``detail_vi``/``detail_en`` (the reasons in
    words), and the first deciding condition's ``op_a/b``, ``threshold_a/b`` (per commune),
    ``threshold_param``, ``measured_a/b`` (NaN when unknown or a range)."""
    moves: pd.DataFrame
    """One row per indicator x (``status_a``, ``status_b``) pair that occurs: ``communes`` (count)."""
    counts: pd.DataFrame
    """One row per indicator of either set (``TC8`` last): ``communes``, and ``dat_a``,
    ``khong_dat_a``, ``thieu_du_lieu_a`` and the same for ``_b`` (communes per status)."""

    @property
    def changed_communes(self) -> list[str]:
        """Codes of the communes whose criterion (``TC8``) status differs, in commune order."""
        return self.rows.loc[self.rows["indicator"] == CRITERION, "commune_code"].tolist()


# --------------------------------------------------------------------------- statuses

def _status_pairs(a: Results, b: Results) -> pd.DataFrame:
    cols = [*_KEYS, "status", "measured", "threshold", "op"]
    both = a.indicators[cols].merge(b.indicators[cols], on=_KEYS, how="outer", suffixes=("_a", "_b"), sort=False)
    for side in ("a", "b"):
        both[f"status_{side}"] = both[f"status_{side}"].fillna("").astype(object)
    return both[both["status_a"] != both["status_b"]].reset_index(drop=True)


def _condition_pairs(a: Results, b: Results, changed: pd.DataFrame) -> pd.DataFrame:
    cols = ["commune_code", "indicator", "condition_id", "measure", "op", "threshold", "threshold_param",
            "measured_low", "measured_high", "status"]
    frames = []
    for res, side in ((a, "a"), (b, "b")):
        frame = res.conditions[cols] if len(res.conditions) else pd.DataFrame(columns=cols)
        frames.append(frame.merge(changed[_KEYS], on=_KEYS).add_suffix(f"_{side}").rename(
            columns={f"commune_code_{side}": "commune_code", f"condition_id_{side}": "condition_id"}))
    pairs = frames[0].merge(frames[1], on=["commune_code", "condition_id"], how="outer", sort=False)
    pairs["indicator"] = pairs["indicator_b"].fillna(pairs["indicator_a"])
    for side in ("a", "b"):
        pairs[f"status_{side}"] = pairs[f"status_{side}"].fillna("").astype(object)
    pairs = pairs[pairs["status_a"] != pairs["status_b"]]
    return pairs.merge(changed[[*_KEYS, "status_a", "status_b"]], on=_KEYS, suffixes=("", "_ind"))


_RANK = {"khong_dat": 0, "thieu_du_lieu": 1, "dat": 2}


def _deciding(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per commune x indicator the conditions that carry the difference: for a move down (dat ->
    khong_dat...) a condition now at the indicator's new status that was better or absent
    before; for a move up one formerly at its old status that is now better or absent. All
    differing conditions when none carries it (e.g. inside ``any``)."""
    ra, rb = (pairs[f"status_{s}"].map(_RANK) for s in ("a", "b"))
    ia, ib = (pairs[f"status_{s}_ind"].map(_RANK) for s in ("a", "b"))
    down = (ib < ia) & (pairs["status_b"] == pairs["status_b_ind"]) & (ra.isna() | (ra > rb))
    up = (ib > ia) & (pairs["status_a"] == pairs["status_a_ind"]) & (rb.isna() | (rb > ra))
    carries = down | up
    has = carries.groupby([pairs["commune_code"], pairs["indicator"]]).transform("any")
    both = ia.notna() & ib.notna()  # an indicator of one set only is said as such (_fallback)
    return pairs[(carries | ~has) & both].reset_index(drop=True)


# --------------------------------------------------------------------------- reasons

def _disabled_ids(rs) -> set:
    return {c.id for _, _, c in rs.conditions(enabled_only=False) if not c.enabled}


def _param_diffs(a: Results, b: Results) -> dict[str, list[str]]:
    """Commune code -> names of the parameters whose value differs for it."""
    pa, pb = a.parameters, b.parameters
    if pa is None or pb is None:
        return {}
    common = [c for c in pa.columns if c in pb.columns]
    idx = pa.index.intersection(pb.index)
    left, right = pa.loc[idx, common], pb.loc[idx, common]
    differs = (left != right) & ~(left.isna() & right.isna())
    only = sorted(set(pa.columns) ^ set(pb.columns))
    return {code: [c for c in common if row[c]] + only for code, row in differs.iterrows()}


def _kinds(r, off_a: set, off_b: set) -> list[str]:
    if r.status_a == "":
        return ["off_in_a" if r.condition_id in off_a else "only_b"]
    if r.status_b == "":
        return ["off_in_b" if r.condition_id in off_b else "only_a"]
    kinds = []
    if r.op_a != r.op_b:
        kinds.append("op")
    if not _same(r.threshold_a, r.threshold_b):
        kinds.append("threshold")
    if not (_same(r.measured_low_a, r.measured_low_b) and _same(r.measured_high_a, r.measured_high_b)):
        kinds.append("measured")
    return kinds or ["other"]


def _same(x, y) -> bool:
    return (pd.isna(x) and pd.isna(y)) or x == y


def _measured(low, high, lang: str) -> str:
    if pd.isna(low) or pd.isna(high):
        return "?"
    if low == high:
        return fmt_number(low, 0 if float(low).is_integer() else 1, lang)
    return f"{fmt_number(low, 1, lang)}–{fmt_number(high, 1, lang)}"


def _status_word(status: str, lang: str) -> str:
    return text(f"status.{status}", lang) if status in STATUSES else text("compare.absent", lang)


def _sentence(kind: str, r, params: list[str], lang: str) -> str:
    side = "a" if kind in ("only_a", "off_in_b") else "b"
    return text(f"compare.why.{kind}", lang, cond=r.condition_id, op=r.op_b if isinstance(r.op_b, str) else "",
                a=_value(kind, r, "a", lang), b=_value(kind, r, "b", lang),
                param=f" ({r.threshold_param_b})" if isinstance(r.threshold_param_b, str) and r.threshold_param_b else "",
                measured=_measured(r.measured_low_b, r.measured_high_b, lang),
                status=_status_word(getattr(r, f"status_{side}"), lang),
                params=", ".join(params) or text("compare.params_none", lang))


def _value(kind: str, r, side: str, lang: str) -> str:
    if kind == "threshold":
        value = getattr(r, f"threshold_{side}")
        return "?" if pd.isna(value) else fmt_number(value, 0 if float(value).is_integer() else 2, lang)
    if kind == "op":
        return getattr(r, f"op_{side}")
    if kind == "measured":
        return _measured(getattr(r, f"measured_low_{side}"), getattr(r, f"measured_high_{side}"), lang)
    return _status_word(getattr(r, f"status_{side}"), lang)


def _explain(deciding: pd.DataFrame, a: Results, b: Results, diff: RuleDiff) -> pd.DataFrame:
    """One row per commune x indicator: deciding ids, kinds and sentences, first condition's numbers."""
    off_a, off_b = _disabled_ids(a.rule_set), _disabled_ids(b.rule_set)
    params = _param_diffs(a, b)
    postal = [c.subject for c in diff.changes if c.scope == POSTAL]
    postal_measures = set(postal_rule_measures())
    out = []
    for r in deciding.itertuples(index=False):
        kinds = _kinds(r, off_a, off_b)
        names = params.get(r.commune_code, [])
        if r.measure_b in postal_measures or r.measure_a in postal_measures:
            names = names + postal
        out.append({"commune_code": r.commune_code, "indicator": r.indicator, "deciding": r.condition_id,
                    "why": ";".join(kinds),
                    **{f"detail_{lang}": "; ".join(_sentence(k, r, names, lang) for k in kinds) for lang in LANGS},
                    "op_a": r.op_a, "op_b": r.op_b, "threshold_a": r.threshold_a, "threshold_b": r.threshold_b,
                    "threshold_param": r.threshold_param_b if isinstance(r.threshold_param_b, str)
                    else r.threshold_param_a,
                    "measured_a": r.measured_low_a if r.measured_low_a == r.measured_high_a else np.nan,
                    "measured_b": r.measured_low_b if r.measured_low_b == r.measured_high_b else np.nan})
    return _join_reasons(pd.DataFrame(out))


def _join_reasons(frame: pd.DataFrame) -> pd.DataFrame:
    """Several deciding conditions of one commune x indicator: texts joined, numbers of the first."""
    if frame.empty:
        return frame
    grouped = frame.groupby(_KEYS, sort=False)
    rank = (~frame["why"].str.contains("threshold|op", regex=True)).astype(int)  # a changed rule first
    first = frame.assign(_r=rank).sort_values("_r", kind="stable").drop_duplicates(_KEYS).drop(columns="_r")
    first = first.set_index(_KEYS).reindex(pd.MultiIndex.from_frame(grouped.size().reset_index()[_KEYS]))
    for col, sep in (("deciding", ";"), ("why", ";"), ("detail_vi", "; "), ("detail_en", "; ")):
        first[col] = grouped[col].agg(lambda s, sep=sep: sep.join(dict.fromkeys(s)))
    return first.reset_index()


# --------------------------------------------------------------------------- rows without conditions

def _criterion_reasons(changed: pd.DataFrame, diff: RuleDiff) -> pd.DataFrame:
    """``TC8`` rows: the indicators whose status differs (and a changed criterion rule)."""
    crit = changed[changed["indicator"] == CRITERION]
    inds = changed[changed["indicator"] != CRITERION]
    rule = next((c for c in diff.changes if c.kind == "criterion_rule"), None)
    by_code = {code: grp for code, grp in inds.groupby("commune_code", sort=False)}
    out = []
    for code in crit["commune_code"]:
        grp = by_code.get(code, inds.iloc[:0])
        row = {"commune_code": code, "indicator": CRITERION, "deciding": ";".join(grp["indicator"]),
               "why": ";".join((["criterion_rule"] if rule else []) + ["indicator"] * (len(grp) > 0))}
        for lang in LANGS:
            parts = [text("compare.why.criterion_rule", lang, a=rule.a, b=rule.b)] if rule else []
            parts += [text("compare.why.indicator", lang, ind=r.indicator, a=_status_word(r.status_a, lang),
                           b=_status_word(r.status_b, lang)) for r in grp.itertuples(index=False)]
            row[f"detail_{lang}"] = "; ".join(parts)
        out.append(row)
    return pd.DataFrame(out)


def _fallback(changed: pd.DataFrame, explained: pd.DataFrame) -> pd.DataFrame:
    """Indicator rows no condition explains: one set lacks the indicator, or its tree regrouped."""
    keys = set(zip(explained["commune_code"], explained["indicator"])) if len(explained) else set()
    mask = np.array([(c, i) not in keys and i != CRITERION for c, i in zip(changed["commune_code"], changed["indicator"])],
                    dtype=bool)
    rest = changed[mask]
    kinds = np.where(rest["status_a"] == "", "indicator_only_b",
                     np.where(rest["status_b"] == "", "indicator_only_a", "structure"))
    frame = pd.DataFrame({"commune_code": rest["commune_code"].to_numpy(), "indicator": rest["indicator"].to_numpy(),
                          "deciding": "", "why": kinds})
    for lang in LANGS:
        frame[f"detail_{lang}"] = [text(f"compare.why.{k}", lang) for k in kinds]
    return frame


def _order(rows: pd.DataFrame, a: Results, b: Results) -> pd.DataFrame:
    """Communes in A's order (then B's), indicators in A's order then B's, ``TC8`` last."""
    codes = list(dict.fromkeys([*a.communes["commune_code"], *b.communes["commune_code"]]))
    inds = list(dict.fromkeys([*(i.id for i in a.rule_set.indicators), *(i.id for i in b.rule_set.indicators),
                               CRITERION]))
    key = rows["commune_code"].map({c: k for k, c in enumerate(codes)}) * (len(inds) + 1) + \
        rows["indicator"].map({i: k for k, i in enumerate(inds)})
    return rows.assign(_k=key.to_numpy()).sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)


def _counts(a: Results, b: Results) -> pd.DataFrame:
    inds = list(dict.fromkeys([*a.indicators["indicator"], *b.indicators["indicator"]]))
    inds = [i for i in inds if i != CRITERION] + [CRITERION]
    out = pd.DataFrame({"indicator": inds})
    out["communes"] = len(set(a.communes["commune_code"]) | set(b.communes["commune_code"]))
    for res, side in ((a, "a"), (b, "b")):
        table = pd.crosstab(res.indicators["indicator"], res.indicators["status"]).reindex(
            index=inds, columns=list(STATUSES), fill_value=0)
        for status in STATUSES:
            out[f"{status}_{side}"] = table[status].fillna(0).astype(int).to_numpy()
    return out


def compare_results(a: Results, b: Results) -> Comparison:
    """What differs between ``a`` and ``b``, two assessments of the same input (see the module)."""
    diff = diff_rule_sets(a.rule_set, b.rule_set)
    changed = _status_pairs(a, b)
    deciding = _deciding(_condition_pairs(a, b, changed[changed["indicator"] != CRITERION]))
    explained = _explain(deciding, a, b, diff)
    parts = [f for f in (explained, _fallback(changed, explained), _criterion_reasons(changed, diff)) if len(f)]
    reasons = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*_KEYS])
    rows = changed[[*_KEYS, "status_a", "status_b"]].merge(reasons, on=_KEYS, how="left")
    for col in ROW_COLUMNS:
        if col not in rows.columns:
            rows[col] = np.nan if col.startswith(("threshold_a", "threshold_b", "measured_")) else ""
    rows = rows.astype({"op_a": object, "op_b": object})
    tc8_rows = rows["indicator"] == CRITERION  # the criterion's numbers: indicators passing / needed
    crit = changed.set_index(_KEYS)
    for side in ("a", "b"):
        nums = crit.reindex(pd.MultiIndex.from_frame(rows[_KEYS]))
        rows.loc[tc8_rows, f"threshold_{side}"] = nums[f"threshold_{side}"].to_numpy()[tc8_rows.to_numpy()]
        rows.loc[tc8_rows, f"measured_{side}"] = nums[f"measured_{side}"].to_numpy()[tc8_rows.to_numpy()]
        rows.loc[tc8_rows, f"op_{side}"] = nums[f"op_{side}"].to_numpy()[tc8_rows.to_numpy()]
    info = pd.concat([b.communes, a.communes])[["commune_code", "commune_name", *(
        ["district_name"] if "district_name" in a.communes.columns else [])]].drop_duplicates("commune_code")
    info = info.rename(columns={"district_name": "district"}).set_index("commune_code")
    rows["commune_name"] = rows["commune_code"].map(info["commune_name"])
    rows["district"] = rows["commune_code"].map(info["district"]) if "district" in info else ""
    rows = _order(rows[list(ROW_COLUMNS)], a, b)
    for col in ("deciding", "why", "detail_vi", "detail_en", "op_a", "op_b", "threshold_param", "district"):
        rows[col] = rows[col].fillna("").astype(object)
    counts = _counts(a, b)
    moves = rows.groupby(["indicator", "status_a", "status_b"], sort=False).size().rename("communes").reset_index()
    order = moves["indicator"].map({i: k for k, i in enumerate(counts["indicator"])})
    moves = moves.assign(_k=order).sort_values(["_k", "communes"], ascending=[True, False], kind="stable")
    return Comparison(a=a, b=b, rule_diff=diff, rows=rows, moves=moves.drop(columns="_k").reset_index(drop=True),
                      counts=counts)
