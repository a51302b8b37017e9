"""tc8.plan.targets and tc8.plan.run: which conditions a plan fixes (all / any), collect-first
items, unfixable reporting (a family without a planner), and the commune table."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from tc8.plan import run as plan_run
from tc8.plan.targets import find_targets
from tc8.rules.model import AllOf, AnyOf, Cite, Condition, Indicator


def _leaf(cid, measure):
    return Condition(id=cid, op=">=", value=1, basis="text", cite=Cite(), label_vi=cid, label_en=cid, measure=measure)


def _results(tree, statuses: dict[str, dict[str, str]], ind_status: dict[str, str]):
    """A Results stand-in: indicator "X" with ``tree``; statuses: commune -> condition -> status."""
    rows = [{"commune_code": code, "indicator": "X", "condition_id": cid, "measure": measure, "status": status,
             "op": ">=", "threshold": 1.0}
            for code, by_cond in statuses.items() for cid, (measure, status) in by_cond.items()]
    indicators = pd.DataFrame([{"commune_code": c, "indicator": "X", "status": s, "missing_vi": f"thu {c}",
                                "missing_en": f"collect {c}"} for c, s in ind_status.items()])
    return SimpleNamespace(rule_set=SimpleNamespace(indicators=(Indicator("X", "x", "x", tree),)),
                           conditions=pd.DataFrame(rows), indicators=indicators)


def _fixed(targets):
    return sorted((r.commune_code, r.condition_id) for f in targets.fix.values() for r in f.itertuples())


def test_all_fixes_every_failing_leaf_and_collects_unknown():
    tree = AllOf((_leaf("a", "it_website"), _leaf("b", "it_eoffice_system"), _leaf("c", "public_wifi_points")))
    res = _results(tree, {"1": {"a": ("it_website", "khong_dat"), "b": ("it_eoffice_system", "dat"),
                                "c": ("public_wifi_points", "thieu_du_lieu")},
                          "2": {"a": ("it_website", "dat"), "b": ("it_eoffice_system", "dat"),
                                "c": ("public_wifi_points", "dat")}}, {"1": "khong_dat", "2": "dat"})
    targets = find_targets(res)
    assert _fixed(targets) == [("1", "a")]
    assert [(c.commune_code, c.condition_id, c.missing_note) for c in targets.collect_first] == [("1", "c", "thu 1")]
    assert set(targets.fix) == {"it"}


def test_any_fixes_first_child_with_a_planner():
    tree = AnyOf((_leaf("p", "postal_points_qualifying"), _leaf("w", "it_website")))
    res = _results(tree, {"1": {"p": ("postal_points_qualifying", "khong_dat"), "w": ("it_website", "khong_dat")}},
                   {"1": "khong_dat"})
    assert _fixed(find_targets(res, plannable=lambda m: m == "it_website")) == [("1", "w")]
    assert _fixed(find_targets(res, plannable=lambda m: True)) == [("1", "p")]
    assert _fixed(find_targets(res, plannable=lambda m: False)) == [("1", "p")]  # none: the first, reported later


def test_missing_indicator_gives_only_collect_first():
    tree = AnyOf((_leaf("p", "postal_points_qualifying"), _leaf("w", "it_website")))
    res = _results(tree, {"1": {"p": ("postal_points_qualifying", "khong_dat"), "w": ("it_website", "thieu_du_lieu")}},
                   {"1": "thieu_du_lieu"})
    targets = find_targets(res)
    assert _fixed(targets) == []
    assert [(c.commune_code, c.condition_id) for c in targets.collect_first] == [("1", "w")]


def test_family_without_planner_is_reported_unfixable(monkeypatch, tmp_path):
    from builders import make_valid_input
    from tc8.pipeline import run_assessment

    results = run_assessment(make_valid_input(tmp_path), "ntm-2021-2025")
    real = plan_run.planner
    monkeypatch.setattr(plan_run, "planner", lambda family: None if family == "it" else real(family))
    plan = plan_run.make_plan(results)
    failing_it = results.conditions[(results.conditions["status"] == "khong_dat")
                                    & results.conditions["measure"].str.startswith("it_")]
    assert len(failing_it)  # the fixture's commune B fails 8.4 (20 of 80 dossiers online)
    reported = {(u.commune_code, u.condition_id): u.reason for u in plan.unfixable}
    for row in failing_it.itertuples():
        assert reported[(row.commune_code, row.condition_id)] == "no_planner"
    assert not any(i.indicator == "8.4" for i in plan.interventions)
    table = plan.communes.set_index("commune_code")
    assert not table.loc[failing_it["commune_code"].iloc[0], "fixable"]


def test_commune_table_and_costs(tmp_path):
    from builders import B, make_valid_input
    from tc8.pipeline import run_assessment

    plan = plan_run.make_plan(run_assessment(make_valid_input(tmp_path), "ntm-2021-2025"))
    table = plan.communes.set_index("commune_code")
    assert set(table.index) == set(plan.results.communes.loc[plan.results.communes["status_tc8"] != "dat",
                                                              "commune_code"])
    mine = [i.cost for i in plan.interventions if i.commune_code == B]
    assert table.loc[B, "cost_total"] == sum(mine)
    assert "it" in plan.notes and plan.notes["it"]["seconds"] >= 0
    assert plan.example_costs
