"""tc8.plan.postal (issue 11, 8.1): hand-computed fixtures per intervention kind (quantity and
cost from the example cost file), the choice of the cheapest point, where a new point goes, and
the plan proving itself: the edits applied to the input and assessed again give ``dat``."""
from __future__ import annotations

import pandas as pd
from shapely.geometry import Point

from builders import A, B, make_valid_input
from plan_family_helpers import failing_of, plan_of, reassess, statuses
from tc8.pipeline import run_assessment
from tc8.plan import postal
from tc8.plan.costs import example_path, load_costs, parse_costs
from tc8.plan.model import NEW_RECORD, PlanContext

RULES = "ntm-2021-2025"
OK_POINT = {"premises": True, "signboard": True, "posted_hours": True, "hours_per_day": 8.0,
            "letters_2kg": True, "parcels_5kg": True}


def _points(**changes_by_id):
    """A postal_points override: P1 meets every condition, then ``changes_by_id[id]`` applied."""
    def change(frame):
        for column, value in OK_POINT.items():
            frame.loc[frame["point_id"] == "P1", column] = value
        for pid, changes in changes_by_id.items():
            for column, value in changes.items():
                frame.loc[frame["point_id"] == pid, column] = value
        return frame
    return change


def _with_extra_point(extra: dict, xy, **changes_by_id):
    base = _points(**changes_by_id)

    def change(frame):
        frame = base(frame)
        row = {c: None for c in frame.columns if c != "geometry"}
        row.update({"kind": "bdvhx", "commune_code": A, "staffed": True, **OK_POINT, **extra})
        new = frame.iloc[:1].copy()
        for c, v in row.items():
            new[c] = v
        new = new.set_geometry([Point(*xy)], crs=frame.crs)
        return pd.concat([frame, new], ignore_index=True)
    return change


def _run(tmp_path, rules=RULES, **overrides):
    return run_assessment(make_valid_input(tmp_path, **overrides), rules)


def _proves(results, plan, tmp_path, indicator="8.1", rules=RULES):
    """Every commune the plan acts on passes ``indicator`` when re-assessed with the plan applied."""
    after = statuses(reassess(results, plan.interventions, rules, tmp_path), indicator)
    claimed = {i.commune_code for i in plan.interventions}
    assert claimed and all(after[c] == "dat" for c in claimed), after
    return after


def test_a_point_open_3_hours_needs_1_more_hour_at_12_million(tmp_path):
    r = _run(tmp_path, postal_points=_points(P1={"hours_per_day": 3.0}))
    plan = plan_of(postal, r)
    [iv] = [i for i in plan.interventions if i.commune_code == A]
    assert (iv.action, iv.quantity, iv.unit, iv.unit_cost, iv.cost) == ("postal_extend_hours", 1.0, "hour_per_day",
                                                                        12_000_000, 12_000_000)
    assert iv.condition_id == "8.1.point" and iv.target == "postal_points:P1"
    assert iv.edits[0].record_id == "P1" and iv.edits[0].values == {"hours_per_day": 4.0}
    assert (iv.detail["from"], iv.detail["to"]) == (3, 4)
    _proves(r, plan, tmp_path)


def test_half_hours_are_exact(tmp_path):
    r = _run(tmp_path, postal_points=_points(P1={"hours_per_day": 2.5}))
    [iv] = [i for i in plan_of(postal, r).interventions if i.commune_code == A]
    assert (iv.quantity, iv.cost) == (1.5, 18_000_000)


def test_yes_no_conditions_are_fixed_one_by_one(tmp_path):
    r = _run(tmp_path, postal_points=_points(P1={"signboard": False, "posted_hours": False}))
    plan = plan_of(postal, r)
    got = sorted((i.action, i.quantity, i.cost) for i in plan.interventions if i.commune_code == A)
    assert got == [("postal_fix_posted_hours", 1.0, 500_000), ("postal_fix_signboard", 1.0, 3_000_000)]
    _proves(r, plan, tmp_path)


def test_the_cheapest_point_is_fixed(tmp_path):
    # P1 lacks premises (60 M); P3 lacks a sign board (3 M): fix P3 only
    r = _run(tmp_path, postal_points=_with_extra_point({"point_id": "P3", "signboard": False}, (108.04, 12.04),
                                                       P1={"premises": False}))
    plan = plan_of(postal, r)
    got = [(i.target, i.action, i.cost) for i in plan.interventions if i.commune_code == A]
    assert got == [("postal_points:P3", "postal_fix_signboard", 3_000_000)]
    _proves(r, plan, tmp_path)


def test_a_tie_goes_to_the_point_serving_more_people(tmp_path):
    # both lack a sign board; P1 (108.02, 12.02) is nearest V1 (800 people), P3 nearest V2 (600)
    r = _run(tmp_path, postal_points=_with_extra_point({"point_id": "P3", "signboard": False}, (108.04, 12.04),
                                                       P1={"signboard": False}))
    got = [i.target for i in plan_of(postal, r).interventions if i.commune_code == A]
    assert got == ["postal_points:P1"]
    r = _run(tmp_path / "b", postal_points=_with_extra_point({"point_id": "P3", "signboard": False},
                                                             (108.04, 12.04), P1={"signboard": False}),
             villages=lambda v: v.assign(population=[600, 800, 900]))
    assert [i.target for i in plan_of(postal, r).interventions if i.commune_code == A] == ["postal_points:P3"]


def _villages_b(v):
    """Commune B gets a second, more populous village V4 far from the polygon's centre."""
    extra = v.iloc[[2]].copy()
    extra["village_id"], extra["village_name"], extra["population"] = "V4", "Thôn Mới", 2000
    extra = extra.set_geometry([Point(108.095, 12.045)], crs=v.crs)
    return pd.concat([v, extra], ignore_index=True)


def test_a_new_point_goes_to_the_most_populous_village_not_the_centroid(tmp_path):
    # B has only a letter box (a kind that does not count): a new point, flat terrain -> 250 M
    r = _run(tmp_path, postal_points=_points(), villages=_villages_b)
    plan = plan_of(postal, r)
    [iv] = [i for i in plan.interventions if i.commune_code == B]
    assert (iv.action, iv.quantity, iv.unit, iv.unit_cost, iv.cost) == ("postal_new_point", 1.0, "point",
                                                                        250_000_000, 250_000_000)
    assert iv.detail["why"] == "no_counting_kind" and iv.detail["village_id"] == "V4"
    v4 = r.villages.loc[r.villages["village_id"] == "V4"].geometry.iloc[0]
    centroid = r.communes.loc[r.communes["commune_code"] == B].geometry.iloc[0].centroid
    assert iv.geometry.distance(v4) < 1 and iv.geometry.distance(centroid) > 2000
    [edit] = iv.edits
    assert edit.record_id is NEW_RECORD and edit.layer == "postal_points" and edit.geometry is iv.geometry
    assert edit.values["point_id"] == f"KH-{B}-BC1" and edit.values["kind"] == "bdvhx"
    assert edit.values["commune_code"] == B and edit.values["hours_per_day"] == 4.0
    assert all(edit.values[f] is True for f in ("premises", "signboard", "posted_hours", "letters_2kg",
                                                "parcels_5kg"))
    _proves(r, plan, tmp_path)


def test_hilly_terrain_prices_the_new_point_at_300_million(tmp_path):
    r = _run(tmp_path, postal_points=lambda p: p.iloc[[1]])  # A (hilly) has no point at all
    [iv] = [i for i in plan_of(postal, r).interventions if i.commune_code == A]
    assert (iv.action, iv.cost, iv.detail["why"], iv.detail["village_id"]) == ("postal_new_point", 300_000_000,
                                                                                "no_point", "V1")


def test_a_new_point_is_chosen_when_it_is_cheaper(tmp_path):
    text = example_path().read_text(encoding="utf-8").replace(
        "postal_fix_premises:    {unit: item, cost: 60000000", "postal_fix_premises:    {unit: item, cost: 400000000")
    costs = parse_costs(text, "test")
    r = _run(tmp_path, postal_points=_points(P1={"premises": False}))
    [iv] = [i for i in plan_of(postal, r, costs).interventions if i.commune_code == A]
    assert (iv.action, iv.cost, iv.detail["why"], iv.detail["best_point"]) == ("postal_new_point", 300_000_000,
                                                                                "cheaper", "P1")


def test_an_unknown_value_is_not_fixed_a_new_point_is_planned(tmp_path):
    # P1: premises unknown (missing data) and no sign board: it cannot be shown to qualify
    r = _run(tmp_path, postal_points=_points(P1={"premises": None, "signboard": False}))
    [iv] = [i for i in plan_of(postal, r).interventions if i.commune_code == A]
    assert iv.action == "postal_new_point" and iv.detail["why"] == "none_fixable"


def test_without_villages_a_point_inside_the_commune_said_so(tmp_path):
    r = _run(tmp_path, postal_points=_points(), villages=lambda v: v.iloc[:2],
             speakers=lambda k: k.assign(village_id=["V1", None, None]))
    [iv] = [i for i in plan_of(postal, r).interventions if i.commune_code == B]
    polygon = r.communes.loc[r.communes["commune_code"] == B].geometry.iloc[0]
    assert iv.detail["placement"] == "commune_point" and polygon.contains(iv.geometry)
    assert "chưa có dữ liệu thôn" in iv.detail["where_vi"]
    assert "no village data" in iv.detail["where_en"]


def test_2010_rules_telecom_service_on_the_letter_box_commune(tmp_path):
    # 2010-2015: B passes the point-or-letter-box alternative by its letter box, but no point
    # offers public telecom: the cheapest point (any kind) is given the service (10 M)
    r = _run(tmp_path, "ntm-2010-2015")
    plan = plan_of(postal, r)
    got = [(i.condition_id, i.action, i.target, i.cost) for i in plan.interventions if i.commune_code == B]
    assert got == [("8.1.telecom", "postal_fix_telecom_service", "postal_points:P2", 10_000_000)]
    _proves(r, plan, tmp_path, rules="ntm-2010-2015")


def test_2010_rules_staffing_and_collections(tmp_path):
    r = _run(tmp_path, "ntm-2010-2015", postal_points=_points(P1={"staffed": False, "collections_per_day": 0.0}))
    plan = plan_of(postal, r)
    got = sorted((i.action, i.quantity, i.cost) for i in plan.interventions if i.commune_code == A)
    assert got == [("postal_extend_collections", 1.0, 10_000_000), ("postal_fix_staffed", 1.0, 36_000_000)]
    _proves(r, plan, tmp_path, rules="ntm-2010-2015")


def test_advanced_rules_online_services(tmp_path):
    rules = "ntm-nang-cao-2021-2025"
    r = _run(tmp_path, rules, postal_points=_points(P1={"online_public_services": False}))
    plan = plan_of(postal, r)
    got = [(i.condition_id, i.action, i.cost) for i in plan.interventions if i.commune_code == A]
    assert got == [("8.1.online", "postal_fix_online_services", 25_000_000)]
    # B: a new point must also offer online services; both failing conditions get an intervention
    got_b = {(i.condition_id, i.action) for i in plan.interventions if i.commune_code == B}
    assert got_b == {("8.1.point", "postal_new_point"), ("8.1.online", "postal_fix_online_services")}
    _proves(r, plan, tmp_path, rules=rules)


def test_letter_box_alternative_is_noted_not_dropped(tmp_path):
    r = _run(tmp_path, "ntm-2010-2015", postal_points=_points(P2={"collections_per_day": 0.0}))
    fail = failing_of(r, "postal")
    fail_b = fail[fail["commune_code"] == B]
    assert set(fail_b["condition_id"]) >= {"8.1.point", "8.1.letterbox"}
    plan = postal.plan_family(PlanContext(r, load_costs()), fail)
    assert f"{B}:8.1.letterbox" in plan.notes["alternative_planned"]
    only_box = postal.plan_family(PlanContext(r, load_costs()),
                                  fail_b[fail_b["condition_id"] == "8.1.letterbox"])
    assert [u.reason for u in only_box.unfixable] == ["postal_letter_box"]


def test_the_demo_plan_proves_itself(tmp_path):
    from tc8.io.demo import demo_input_path

    r = run_assessment(demo_input_path(), RULES)
    plan = plan_of(postal, r)
    failing = failing_of(r, "postal")
    assert not plan.unfixable
    assert {(i.commune_code, i.condition_id) for i in plan.interventions} == set(
        zip(failing["commune_code"], failing["condition_id"]))
    after = _proves(r, plan, tmp_path)
    before = statuses(r, "8.1")
    assert {c for c in before if before[c] != after[c]} == set(failing["commune_code"])
    new = [i for i in plan.interventions if i.action == "postal_new_point"]
    assert new and all(i.detail["placement"] == "village" for i in new)
