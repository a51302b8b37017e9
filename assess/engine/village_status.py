"""Per-village display statuses: what each village shows on the maps, decided once by the engine.

One row per row of ``Results.villages`` (same index), columns ``commune_code``,
``s_<ind>`` per indicator (``8.2`` -> ``s_8_2``) and ``s_tc8``, each ``dat | khong_dat |
thieu_du_lieu``:

* an indicator whose conditions use a village-level measure (telephone/Internet,
  loudspeakers) shows the Kleene AND (the evaluator's ``all``: minimum code wins) of the
  village's own ``*_ok`` columns that explain those measures (the measure registry's
  ``village_columns``, :mod:`tc8.model.vocab`); <NA> counts as unknown;
* an indicator without one (postal, IT, radio station) shows the commune's status;
* ``s_tc8`` is the AND of every village column used by some indicator (of all three
  when none is), or the commune's ``status_tc8`` when the villages have none of them.

Renderers (:mod:`tc8.maps`, :mod:`tc8.dossier`) draw these columns and never rework them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tc8.model.results import CRITERION, Results, status_column, village_status_column
from tc8.model.vocab import MEASURES, STATUS_MISSING, village_fact_columns
from tc8.rules.evaluate import FAIL, MISSING, PASS, STATUS_NAMES

#: Every village column a status can be built from (``phone_ok``, ``internet_ok``, ``speaker_ok``).
VILLAGE_FACTS = village_fact_columns()
#: Column of the criterion's village status.
CRITERION_COLUMN = village_status_column(CRITERION)


def facts_of_indicators(conditions: pd.DataFrame) -> dict[str, list[str]]:
    """Indicator id -> the village columns behind the measures of its conditions
    (``Results.conditions``; one pass per run, it depends only on the rule set)."""
    if conditions is None or len(conditions) == 0 or "measure" not in conditions.columns:
        return {}
    out: dict[str, list[str]] = {}
    for ind_id, used in conditions.groupby(conditions["indicator"].astype(str), sort=False)["measure"]:
        cols = {c for m in used.astype(str).unique() if m in MEASURES for c in MEASURES[m].village_columns}
        out[ind_id] = [c for c in VILLAGE_FACTS if c in cols]
    return out


def _codes(values: pd.Series) -> np.ndarray:
    """Nullable booleans -> evaluator codes (True PASS, False FAIL, <NA> MISSING)."""
    s = pd.Series(values).astype("boolean")
    return np.where(s.isna(), MISSING, np.where(s.fillna(False).to_numpy(dtype=bool), PASS, FAIL))


def _all_columns(codes: dict[str, np.ndarray], names: list[str]) -> np.ndarray:
    """Status names of the evaluator's ``all`` (minimum code) over ``names``."""
    return STATUS_NAMES[np.vstack([codes[n] for n in names]).min(axis=0)]


def _commune_status(villages: pd.DataFrame, communes: pd.DataFrame, column: str) -> np.ndarray:
    """The commune's ``column`` for each village (``thieu_du_lieu`` when absent)."""
    if column not in communes.columns:
        return np.full(len(villages), STATUS_MISSING, dtype=object)
    by_code = pd.Series(communes[column].to_numpy(dtype=object), index=communes["commune_code"].astype(str))
    by_code = by_code[~by_code.index.duplicated()]
    got = villages["commune_code"].astype(str).map(by_code)
    return got.where(got.notna() & (got != ""), STATUS_MISSING).to_numpy(dtype=object)


def village_statuses(villages: pd.DataFrame, communes: pd.DataFrame, conditions: pd.DataFrame, *,
                     indicator_ids: list[str]) -> pd.DataFrame:
    """The display status of every village per indicator and for the criterion (see the module doc).

    ``villages``/``communes``/``conditions`` are the engine's ``Results`` tables;
    ``indicator_ids`` the evaluated indicators in rule-set order (the criterion excluded).
    """
    out = pd.DataFrame({"commune_code": villages["commune_code"].to_numpy(dtype=object)}, index=villages.index)
    codes = {c: _codes(villages[c]) for c in VILLAGE_FACTS if c in villages.columns}
    facts_of = facts_of_indicators(conditions)
    used: set[str] = set()
    for ind in indicator_ids:
        flags = [f for f in facts_of.get(str(ind), []) if f in codes]
        used.update(flags)
        out[village_status_column(ind)] = (_all_columns(codes, flags) if flags
                                           else _commune_status(villages, communes, status_column(str(ind))))
    chosen = sorted(used) or list(codes)
    out[CRITERION_COLUMN] = (_all_columns(codes, chosen) if chosen
                             else _commune_status(villages, communes, "status_tc8"))
    return out


def village_statuses_of(results: Results) -> pd.DataFrame:
    """:func:`village_statuses` of a :class:`~tc8.model.results.Results` (its indicators in table order)."""
    ind = results.indicators["indicator"].astype(str)
    ids = [i for i in pd.unique(ind) if i != CRITERION]
    return village_statuses(results.villages, results.communes, results.conditions, indicator_ids=ids)


__all__ = ["VILLAGE_FACTS", "CRITERION_COLUMN", "facts_of_indicators",
           "village_statuses", "village_statuses_of"]
