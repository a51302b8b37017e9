"""The IT planner (tc8.plan.it): hand-computed quantities and costs (example prices of
data/plan/costs-example.yaml: 50,000 VND per dossier, 2,000,000 per official on e-office,
30,000,000 for a website, 18,000,000 per computer, 15,000,000 per Wi-Fi point)."""
from __future__ import annotations

import pandas as pd
import pytest

from builders import A, B, make_valid_input
from tc8.pipeline import run_assessment
from tc8.plan.it import smallest_value
from tc8.plan.run import make_plan

RULES = "ntm-2021-2025"


def _it(frame: pd.DataFrame, **by_code) -> pd.DataFrame:
    for code, values in by_code.items():
        for key, value in values.items():
            frame.loc[frame["commune_code"] == code, key] = value
    return frame


def _plan(tmp_path, **it_values):
    path = make_valid_input(tmp_path, commune_it=lambda f: _it(f.astype(object), **it_values))
    return make_plan(run_assessment(path, RULES))


def _only(plan, code, condition):
    return [i for i in plan.interventions if i.commune_code == code and i.condition_id == condition]


@pytest.mark.parametrize("op, threshold, whole, expected", [
    (">=", 60, 100, 60), (">", 60, 100, 61), (">=", 60, 1000, 600), (">=", 80, 22, 18),  # 17.6 -> 18
    (">=", 33.3, 1000, 333), (">", 33.3, 1000, 334), (">=", 100 / 3, 3, 1), (">=", 1, None, 1), (">", 2.5, None, 3),
])
def test_smallest_value_exact(op, threshold, whole, expected):
    assert smallest_value(op, threshold, whole) == expected


def test_dossiers_52_to_60_percent(tmp_path):
    # 52 of 100 dossiers online, threshold 60 %: 8 more dossiers, 8 x 50,000 = 400,000 VND
    plan = _plan(tmp_path, **{B: {"dossiers_total": 100, "dossiers_online": 52, "officials_using_eoffice": 20,
                                  "website": "https://eatieu.example.vn"}})
    [item] = _only(plan, B, "8.4.dossiers")
    assert (item.action, item.quantity, item.unit, item.unit_cost, item.cost) == \
        ("it_dossiers_online", 8, "dossier", 50_000, 400_000)
    assert item.edits[0].layer == "commune_it" and item.edits[0].values == {"dossiers_online": 60}


def test_eoffice_users_and_website(tmp_path):
    # 11 of 20 officials on e-office (55 %), threshold 80 %: 16 needed, 5 more x 2,000,000 = 10,000,000;
    # website "no": one website, 30,000,000
    plan = _plan(tmp_path, **{B: {"dossiers_total": 80, "dossiers_online": 60, "officials_using_eoffice": 11,
                                  "website": "no"}})
    [users] = _only(plan, B, "8.4.eoffice")
    assert (users.action, users.quantity, users.cost) == ("it_eoffice_users", 5, 10_000_000)
    [site] = _only(plan, B, "8.4.website")
    assert (site.action, site.quantity, site.cost) == ("it_website", 1, 30_000_000)
    assert site.edits[0].values == {"website": "yes"}


def test_missing_it_figure_is_collect_first_not_planned(tmp_path):
    # B: officials_using_eoffice and website empty -> collect first, never an intervention
    plan = _plan(tmp_path, **{B: {"dossiers_total": 80, "dossiers_online": 20}})
    collect = {(c.commune_code, c.condition_id) for c in plan.collect_first}
    assert {(B, "8.4.eoffice"), (B, "8.4.website")} <= collect
    planned = {(i.commune_code, i.condition_id) for i in plan.interventions}
    assert not collect & planned
    assert _only(plan, B, "8.4.dossiers")[0].quantity == 28  # 20 -> 48 of 80
    row = plan.communes.set_index("commune_code").loc[B]
    assert not row["fixable"]


def test_beyond_whole_is_unfixable(tmp_path):
    from tc8.plan.it import plan_family
    from tc8.plan.model import PlanContext
    from tc8.plan.costs import load_costs

    results = run_assessment(make_valid_input(tmp_path), RULES)
    failing = pd.DataFrame([{"commune_code": A, "indicator": "8.4", "condition_id": "x", "measure":
                             "it_share_dossiers_online", "op": ">", "threshold": 100.0}])
    done = plan_family(PlanContext(results, load_costs(None)), failing)
    assert not done.interventions and done.unfixable[0].reason == "beyond_whole"
