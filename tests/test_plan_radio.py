"""tc8.plan.radio (issue 11, 8.3): hand-computed fixtures per intervention kind (station repair,
licence, new station; loudspeaker repair and new cluster) with quantity and cost from the example
cost file, the choice of villages under a threshold below 100 %, and the plan proving itself:
the edits applied to the input and assessed again give ``dat``."""
from __future__ import annotations

import pandas as pd
from shapely.geometry import Point

from builders import A, B, make_valid_input
from plan_family_helpers import failing_of, plan_of, reassess, statuses
from tc8.pipeline import run_assessment
from tc8.plan import radio
from tc8.plan.model import NEW_RECORD

RULES = "ntm-2021-2025"


def _stations(**changes_by_id):
    """A radio_stations override: R2 gets compliant = true, then the changes."""
    def change(frame):
        frame.loc[frame["station_id"] == "R2", "compliant"] = True
        for sid, changes in changes_by_id.items():
            for column, value in changes.items():
                frame.loc[frame["station_id"] == sid, column] = value
        return frame
    return change


def _run(tmp_path, rules=RULES, **overrides):
    return run_assessment(make_valid_input(tmp_path, **overrides), rules)


def _proves(results, plan, tmp_path, rules=RULES, communes=None):
    after = statuses(reassess(results, plan.interventions, rules, tmp_path), "8.3")
    claimed = communes or {i.commune_code for i in plan.interventions}
    assert claimed and all(after[c] == "dat" for c in claimed), after
    return after


def _of(plan, code, condition=None):
    return [i for i in plan.interventions if i.commune_code == code and condition in (None, i.condition_id)]


def test_a_station_out_of_service_is_repaired_for_150_million(tmp_path):
    r = _run(tmp_path, radio_stations=_stations(R1={"operating": False}))
    plan = plan_of(radio, r)
    [iv] = _of(plan, A, "8.3.station")
    assert (iv.action, iv.quantity, iv.unit, iv.unit_cost, iv.cost) == ("radio_station_repair", 1.0, "station",
                                                                        150_000_000, 150_000_000)
    assert iv.target == "radio_stations:R1" and iv.edits[0].values == {"operating": True, "compliant": True}


def test_an_fm_station_without_licence_gets_one_for_5_million(tmp_path):
    r = _run(tmp_path, radio_stations=_stations(R1={"licensed": False}))
    [iv] = _of(plan_of(radio, r), A, "8.3.station")
    assert (iv.action, iv.cost, iv.edits[0].values) == ("radio_station_license", 5_000_000, {"licensed": True})


def test_repair_and_licence_together(tmp_path):
    r = _run(tmp_path, radio_stations=_stations(R1={"compliant": False, "licensed": False}))
    got = sorted((i.action, i.cost) for i in _of(plan_of(radio, r), A, "8.3.station"))
    assert got == [("radio_station_license", 5_000_000), ("radio_station_repair", 150_000_000)]


def test_no_station_a_new_ip_station_at_the_most_populous_village(tmp_path):
    # B has no station: a new IT-based station (450 M) at V3, its only (most populous) village
    r = _run(tmp_path, radio_stations=lambda s: s.iloc[[0]])
    plan = plan_of(radio, r)
    [iv] = _of(plan, B, "8.3.station")
    assert (iv.action, iv.quantity, iv.cost, iv.target) == ("radio_station_new", 1.0, 450_000_000, "")
    [edit] = iv.edits
    assert edit.record_id is NEW_RECORD and edit.values == {
        "station_id": f"KH-{B}-DT1", "commune_code": B, "type": "ip", "operating": True, "compliant": True}
    v3 = r.villages.loc[r.villages["village_id"] == "V3"].geometry.iloc[0]
    assert iv.geometry.distance(v3) < 1 and iv.detail["placement"] == "village"


def test_an_unknown_compliance_is_not_repaired_around(tmp_path):
    # R1 out of service is repairable; a station with unknown compliance and nothing known
    # failing is not a failure (thieu_du_lieu), so nothing is planned for it
    r = _run(tmp_path)
    assert not _of(plan_of(radio, r), B, "8.3.station")


def test_speakers_new_cluster_and_repair_per_village(tmp_path):
    # A: V1 ok, V2 without any cluster -> new IP cluster at V2 (35 M)
    # B: V3's only cluster K2 is out of service -> repair K2 (8 M)
    r = _run(tmp_path, radio_stations=_stations())
    plan = plan_of(radio, r)
    [a] = _of(plan, A, "8.3.speakers")
    assert (a.action, a.quantity, a.unit, a.unit_cost, a.cost, a.covers) == ("speaker_new", 1.0, "cluster",
                                                                             35_000_000, 35_000_000, ("V2",))
    assert a.edits[0].values == {"cluster_id": f"KH-{A}-L1", "type": "ip", "operating": True, "village_id": "V2"}
    v2 = r.villages.loc[r.villages["village_id"] == "V2"].geometry.iloc[0]
    assert a.geometry.distance(v2) < 1
    [b] = _of(plan, B, "8.3.speakers")
    assert (b.action, b.cost, b.target, b.edits[0].values) == ("speaker_repair", 8_000_000, "speakers:K2",
                                                               {"operating": True})
    _proves(r, plan, tmp_path)


def _half_rules(tmp_path) -> str:
    path = tmp_path / "half.yaml"
    path.write_text(
        "id: half\nextends: ntm-2021-2025\ntitle_vi: Nửa\ntitle_en: Half\n"
        "parameters:\n  min_share_villages_speakers: {value: 50, basis: provisional}\n"
        "overrides:\n  - when: {difficult: true}\n    set: {min_share_villages_speakers: 50}\n", encoding="utf-8")
    return str(path)


def _four_villages_in_b(v):
    """B gets villages V4 (1000 people) and V5 (100 people): 3 villages without a cluster."""
    extra = v.iloc[[2, 2]].copy()
    extra["village_id"], extra["village_name"], extra["population"] = ["V4", "V5"], ["Thôn 4", "Thôn 5"], [1000, 100]
    extra["households"] = [250, 25]
    extra = extra.set_geometry([Point(108.09, 12.045), Point(108.06, 12.045)], crs=v.crs)
    return pd.concat([v, extra], ignore_index=True)


def test_threshold_below_100_fixes_the_most_populous_village_first(tmp_path):
    # B: V3 (900) ok after K2 operates; V4 (1000), V5 (100) without cluster: 1 of 3 = 33 % < 50 %:
    # one new cluster is enough, at V4 (the most populous among equal costs)
    rules = _half_rules(tmp_path)
    r = _run(tmp_path, rules, radio_stations=_stations(), villages=_four_villages_in_b,
             speakers=lambda k: k.assign(operating=True))
    plan = plan_of(radio, r)
    got = [(i.action, i.covers, i.cost) for i in _of(plan, B, "8.3.speakers")]
    assert got == [("speaker_new", ("V4",), 35_000_000)]
    _proves(r, plan, tmp_path, rules=rules, communes={B})


def test_threshold_below_100_fixes_the_cheapest_village_first(tmp_path):
    # as above, but V5 has a cluster out of service: repairing it (8 M) beats a new one at V4
    rules = _half_rules(tmp_path)

    def speakers(k):
        extra = k.iloc[[1]].copy()
        extra["cluster_id"], extra["village_id"], extra["operating"] = "K5", "V5", False
        extra = extra.set_geometry([Point(108.0601, 12.0451)], crs=k.crs)
        return pd.concat([k.assign(operating=True), extra], ignore_index=True)

    r = _run(tmp_path, rules, radio_stations=_stations(), villages=_four_villages_in_b, speakers=speakers)
    plan = plan_of(radio, r)
    got = [(i.action, i.covers, i.target, i.cost) for i in _of(plan, B, "8.3.speakers")]
    assert got == [("speaker_repair", ("V5",), "speakers:K5", 8_000_000)]
    _proves(r, plan, tmp_path, rules=rules, communes={B})


def test_the_demo_plan_proves_itself(tmp_path):
    from tc8.io.demo import demo_input_path

    r = run_assessment(demo_input_path(), RULES)
    plan = plan_of(radio, r)
    failing = failing_of(r, "radio")
    assert not plan.unfixable
    assert {(i.commune_code, i.condition_id) for i in plan.interventions} == set(
        zip(failing["commune_code"], failing["condition_id"]))
    after = _proves(r, plan, tmp_path)
    before = statuses(r, "8.3")
    assert {c for c in before if before[c] != after[c]} == set(failing["commune_code"])
