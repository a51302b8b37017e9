"""What a commune lacks to pass: per failing condition, how far the measured value is from the
threshold, in a unit someone can act on (villages, officials, dossiers, points).

Read from ``Results.conditions`` (``threshold``, ``measured_low/high``, ``op``, ``unit``,
``status``), ``Results.communes["n_villages"]`` and the ``commune_it`` input layer (the base of
the IT shares). Only conditions with status ``khong_dat`` have a gap (missing data is said by
the reason line). One row per failing condition (:data:`GAP_COLUMNS`):

* ``kind`` — what ``need`` counts: ``villages`` (a share of villages: villages still to reach),
  ``<numerator column>`` of ``commune_it`` (a share of officials or dossiers: how many more,
  e.g. ``officials_using_eoffice``), ``count`` (a count measure: how many more), ``pp``
  (a share without a known base: percentage points), ``yes`` (a yes/no condition not met);
* ``need`` — a whole number for counts (rounded up: 2.1 villages short means 3), the
  percentage points otherwise; NaN for ``yes``;
* ``alternative`` — the condition is one branch of an ``any`` group: meeting one is enough.

A share of ``n`` villages at ``measured`` % passes ``>= t`` % when ``ceil(t·n/100)`` villages
are covered; ``round(measured·n/100)`` are covered now. Only ``>=`` / ``>`` on numbers and
``==`` on yes/no have a gap; other operators give ``kind`` ``pp`` with the plain difference.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tc8.model.results import Results
from tc8.model.vocab import MEASURES, STATUS_FAIL
from tc8.rules.compare import smallest_passing
from tc8.rules.model import AnyOf, iter_nodes

GAP_COLUMNS = ["commune_code", "indicator", "condition_id", "measure", "kind", "need", "alternative"]


def _alternatives(results: Results) -> set[tuple[str, str]]:
    """(indicator, condition id) of conditions that are a direct branch of an ``any`` group."""
    out = set()
    for indicator in results.rule_set.indicators:
        for _, node in iter_nodes(indicator.condition):
            if isinstance(node, AnyOf):
                out.update((indicator.id, getattr(child, "id", "")) for child in node.children)
    return out


def _it_base(results: Results, measure: str) -> tuple[str, pd.Series, pd.Series] | None:
    """(numerator column, numerator, denominator) by commune code for an IT share, else None."""
    spec = MEASURES.get(measure)
    it = results.inputs.get("commune_it") if results.inputs is not None else None
    if spec is None or it is None or spec.family != "it" or spec.unit != "%":
        return None
    columns = spec.columns_of("commune_it")
    if len(columns) != 2 or not set(columns) <= set(it.columns):
        return None
    frame = it.drop_duplicates("commune_code").set_index(it["commune_code"].drop_duplicates().astype(str))
    return columns[0], pd.to_numeric(frame[columns[0]], errors="coerce"), pd.to_numeric(frame[columns[1]],
                                                                                           errors="coerce")


def _short_of(ops: pd.Series, thresholds: pd.Series, have: pd.Series, base: pd.Series | None = None) -> pd.Series:
    """Whole units still needed per row (at least 1): the smallest passing value
    (:func:`tc8.rules.compare.smallest_passing`, exactly as the engine compares; ``base`` the
    whole of a share, None for a count) minus what the row ``have``."""
    wholes = [None] * len(ops) if base is None else [int(b) for b in base]
    target = [smallest_passing(op, t, w) for op, t, w in zip(ops, thresholds, wholes)]
    return (pd.Series(target, index=ops.index, dtype=float) - have).clip(lower=1)


def condition_gaps(results: Results) -> pd.DataFrame:
    """One row per failing condition with what it lacks (:data:`GAP_COLUMNS`, module docstring)."""
    cond = results.conditions
    if cond is None or not len(cond):
        return pd.DataFrame(columns=GAP_COLUMNS)
    fail = cond[cond["status"] == STATUS_FAIL].copy()
    fail["commune_code"] = fail["commune_code"].astype(str)
    measured = pd.to_numeric(fail["measured_high"], errors="coerce")
    threshold = pd.to_numeric(fail["threshold"], errors="coerce")
    rising = fail["op"].isin([">=", ">"])
    fail["kind"] = np.where(fail["unit"] == "bool", "yes", np.where(fail["unit"] == "count", "count", "pp"))
    fail["need"] = np.where(fail["unit"] == "bool", np.nan, np.abs(threshold - measured))
    counts = rising & (fail["unit"] == "count") & measured.notna() & threshold.notna()
    fail.loc[counts, "need"] = _short_of(fail.loc[counts, "op"], threshold[counts], measured[counts])
    villages = results.communes.set_index(results.communes["commune_code"].astype(str))["n_villages"]
    for name in fail.loc[rising & (fail["unit"] == "%"), "measure"].unique():
        rows = rising & (fail["measure"] == name)
        codes = fail.loc[rows, "commune_code"]
        spec = MEASURES.get(name)
        if spec is not None and spec.village_columns:
            base, have, kind = codes.map(villages).astype(float), None, "villages"
        else:
            found = _it_base(results, name)
            if found is None:
                continue
            kind, numerator, denominator = found
            base, have = codes.map(denominator).astype(float), codes.map(numerator).astype(float)
        have = have if have is not None else np.round(measured[rows] * base / 100.0)
        known = base.notna() & have.notna() & (base > 0) & threshold[rows].notna()
        fail.loc[rows & known.reindex(fail.index, fill_value=False), "kind"] = kind
        k = known[known].index
        fail.loc[k, "need"] = _short_of(fail.loc[k, "op"], threshold[k], have[k], base[k])
    alternatives = _alternatives(results)
    fail["alternative"] = [(i, c) in alternatives for i, c in zip(fail["indicator"], fail["condition_id"])]
    return fail[GAP_COLUMNS].reset_index(drop=True)
