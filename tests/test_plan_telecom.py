"""The 8.2 planner (tc8.plan.telecom): one hand-computed fixture per intervention kind, a
partial threshold, and the proof: the edits applied to the input and re-assessed give 8.2
`dat` in every commune the plan claims to fix (fixtures and the bundled demo)."""
from __future__ import annotations

import shutil

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from builders import write_layers
from tc8.pipeline import run_assessment
from tc8.plan.costs import CostBook, load_costs
from tc8.plan.model import NEW_RECORD, PlanContext
from tc8.plan.telecom import needed_count, plan_family
from tc8.text.messages import text

X, Y = 820000.0, 1328000.0   # UTM 49N: the assessment's metric CRS is the layers' own, so
CRS = "EPSG:32649"           # every distance below is exact in metres
RULES = "ntm-2021-2025"      # flat terrain: 3G 2500 m, 4G 3000 m
TELECOM = ("share_villages_phone", "share_villages_internet", "share_villages_phone_and_internet")


def _gdf(rows, xy):
    return gpd.GeoDataFrame(rows, geometry=[Point(X + dx, Y + dy) for dx, dy in xy], crs=CRS)


def _layers(villages_xy, sites=(), node=((X + 20000, Y + 20000), 100.0)):
    """One flat 6 x 6 km commune; villages at (dx, dy); ``sites``: (id, tech, active, radius_m, dx, dy);
    one fixed access node (far away unless given)."""
    communes = gpd.GeoDataFrame([{"commune_code": "24784", "commune_name": "Xã Hòa Bình", "province_code": "66",
                                  "region": "tay_nguyen", "terrain": "flat", "population": 5200, "area_km2": 36.0,
                                  "island": False, "difficult": False}],
                                geometry=[box(X, Y, X + 6000, Y + 6000)], crs=CRS)
    villages = _gdf([{"village_id": f"V{i + 1}", "commune_code": "24784", "village_name": f"Thôn {i + 1}",
                      "population": 500, "households": 100} for i in range(len(villages_xy))], villages_xy)
    cells = _gdf([{"site_id": s[0], "operator": "Viettel", "technology": s[1], "active": s[2], "radius_m": s[3]}
                  for s in sites], [(s[4], s[5]) for s in sites])
    (nx, ny), reach = node
    fixed = gpd.GeoDataFrame([{"node_id": "N1", "operator": "VNPT", "technology": "ftth", "reach_m": reach,
                               "voice": True}], geometry=[Point(nx, ny)], crs=CRS)
    return {"communes": communes, "villages": villages, "cell_sites": cells, "fixed_access": fixed}


def _plan(results):
    c = results.conditions
    failing = c[c["measure"].isin(TELECOM) & (c["status"] == "khong_dat")]
    return failing, plan_family(PlanContext(results, load_costs()), failing)


def _apply(layers: dict, plan, metric_crs: str) -> dict:
    """The layers with every edit of ``plan`` applied (a test's own small apply)."""
    out = {name: frame.copy() for name, frame in layers.items()}
    id_col = {"cell_sites": "site_id", "fixed_access": "node_id"}
    for item in plan.interventions:
        for edit in item.edits:
            frame = out[edit.layer]
            if edit.record_id is NEW_RECORD:
                geom = gpd.GeoSeries([edit.geometry], crs=metric_crs).to_crs(frame.crs).iloc[0]
                row = gpd.GeoDataFrame([edit.values], geometry=[geom], crs=frame.crs)
                out[edit.layer] = pd.concat([frame, row], ignore_index=True)
            else:
                mask = frame[id_col[edit.layer]] == edit.record_id
                assert mask.sum() == 1
                for key, value in edit.values.items():
                    frame[key] = frame[key].astype(object)
                    frame.loc[mask, key] = value
    return out


def _reassess_fixture(tmp_path, layers, plan, results):
    path = write_layers(_apply(layers, plan, results.metric_crs), tmp_path / "applied")
    return run_assessment(path, RULES)


def _assess(tmp_path, layers, rules=RULES):
    return run_assessment(write_layers(layers, tmp_path / "input"), rules)


def _one(plan):
    assert plan.unfixable == []
    assert len(plan.interventions) == 1, plan.interventions
    return plan.interventions[0]


def _fixed(after) -> bool:
    return (after.communes["status_8_2"] == "dat").all()


def test_reactivate_an_inactive_site(tmp_path):
    # V1 1500 m from inactive S2 (own radius 2000 m): 80,000,000 beats a new site (1.2e9) and
    # fibre from the node 26.9 km away (> 1e9)
    layers = _layers([(1000, 1000)], sites=[("S2", "3G", False, 2000.0, 2500, 1000)])
    results = _assess(tmp_path, layers)
    _, plan = _plan(results)
    item = _one(plan)
    assert (item.action, item.quantity, item.unit_cost, item.cost) == ("cell_reactivate", 1.0, 80_000_000, 80_000_000)
    assert item.target == "cell_sites:S2" and item.covers == ("V1",)
    assert [(e.layer, e.record_id, e.values) for e in item.edits] == [("cell_sites", "S2", {"active": True})]
    assert plan.notes["solver"] == "milp" and plan.notes["solver_status"] == {"optimal": 1}
    assert _fixed(_reassess_fixture(tmp_path, layers, plan, results))


def test_upgrade_a_3g_site_to_4g(tmp_path):
    # V1 2800 m from active 3G S1: outside 3G's 2500 m, inside 4G's 3000 m -> upgrade, flat 450,000,000
    layers = _layers([(1000, 1000)], sites=[("S1", "3G", True, None, 3800, 1000)])
    results = _assess(tmp_path, layers)
    assert results.communes["status_8_2"].iloc[0] == "khong_dat"
    _, plan = _plan(results)
    item = _one(plan)
    assert (item.action, item.quantity, item.unit_cost, item.cost) == ("cell_upgrade", 1.0, 450_000_000, 450_000_000)
    assert item.detail["from"] == "3G" and item.detail["to"] == "4G" and item.detail["radius_m"] == 3000.0
    assert [(e.record_id, e.values) for e in item.edits] == [("S1", {"technology": "4G"})]
    assert _fixed(_reassess_fixture(tmp_path, layers, plan, results))


def test_a_2g_site_is_not_upgraded_when_4g_reaches_less(tmp_path):
    # 2G flat 5000 m -> 4G flat 3000 m would lose coverage: no upgrade candidate, a new site instead
    layers = _layers([(1000, 1000), (4500, 1000)], sites=[("S1", "2G", True, None, 5000, 1000)])
    results = _assess(tmp_path, layers)
    _, plan = _plan(results)
    assert {i.action for i in plan.interventions} == {"cell_new_site"}
    assert _fixed(_reassess_fixture(tmp_path, layers, plan, results))


def test_one_new_site_serves_two_villages(tmp_path):
    # V1, V2 2000 m apart, nothing near: one 4G site (3000 m) at either serves both: 1.2e9 (flat),
    # cheaper than two fibre extensions (~1e9 each). S9 serves V3 only (own radius 100 m).
    layers = _layers([(1000, 1000), (3000, 1000), (5500, 5500)], sites=[("S9", "4G", True, 100.0, 5500, 5500)])
    results = _assess(tmp_path, layers)
    _, plan = _plan(results)
    item = _one(plan)
    assert (item.action, item.quantity, item.cost) == ("cell_new_site", 1.0, 1_200_000_000)
    assert item.covers == ("V1", "V2") and item.target == ""
    (edit,) = item.edits
    assert edit.layer == "cell_sites" and edit.record_id is NEW_RECORD
    assert edit.values == {"site_id": "KH-24784-S1", "operator": "Viettel", "technology": "4G", "active": True}
    assert edit.geometry.distance(Point(X + 1000, Y + 1000)) <= 3000 and edit.geometry.distance(Point(X + 3000, Y + 1000)) <= 3000
    assert _fixed(_reassess_fixture(tmp_path, layers, plan, results))


def test_fibre_from_the_nearest_node(tmp_path):
    # V1 2500 m from node N1 whose reach is 1000 m: 1500 m of fibre at 40,000 (flat) = 60,000,000
    layers = _layers([(1000, 2500), (5500, 5500)], sites=[("S9", "4G", True, 100.0, 5500, 5500)],
                     node=((X + 1000, Y + 5000), 1000.0))
    results = _assess(tmp_path, layers)
    _, plan = _plan(results)
    item = _one(plan)
    assert (item.action, item.quantity, item.unit, item.unit_cost, item.cost) == (
        "fibre_extend", 1500.0, "m", 40_000, 60_000_000)
    assert item.covers == ("V1",) and item.detail["from_node"] == "N1"
    assert list(item.geometry.coords) == [(X + 1000, Y + 5000), (X + 1000, Y + 2500)]
    (edit,) = item.edits
    assert edit.layer == "fixed_access" and edit.values["voice"] is True and edit.values["technology"] == "ftth"
    assert _fixed(_reassess_fixture(tmp_path, layers, plan, results))


def test_a_village_reporting_no_service_is_still_served_by_a_planned_site(tmp_path):
    # evidence: a village's own "no" (reported) does not veto a modeled site (coverage.py only adds)
    layers = _layers([(1000, 1000)], sites=[("S2", "3G", False, 2000.0, 2500, 1000)])
    layers["villages"] = layers["villages"].assign(mobile_phone=False, mobile_broadband=False)
    results = _assess(tmp_path, layers)
    _, plan = _plan(results)
    assert _one(plan).action == "cell_reactivate"
    assert _fixed(_reassess_fixture(tmp_path, layers, plan, results))


def test_needed_count():
    assert needed_count(3, ">=", 100) == 3
    assert needed_count(3, ">=", 50) == 2      # 66.7 % >= 50, 33.3 % < 50
    assert needed_count(4, ">=", 50) == 2
    assert needed_count(4, ">", 50) == 3
    assert needed_count(4, "<=", 50) is None and needed_count(0, ">=", 50) is None


def test_partial_threshold_covers_only_what_is_needed(tmp_path):
    rules = tmp_path / "half.yaml"
    rules.write_text("id: half\nextends: ntm-2021-2025\nofficial: false\ntitle_vi: Nửa\ntitle_en: Half\n"
                     "overrides:\n  - when: {difficult: false}\n    set: {min_share_villages_phone_and_internet: 50}\n",
                     encoding="utf-8")
    # 4 villages, none served; 50 % -> 2 needed: one new site serves V1 and V2 (1000 m apart)
    layers = _layers([(1000, 1000), (2000, 1000), (5500, 1000), (1000, 5500), (5900, 5900)],
                     sites=[("S9", "4G", True, 100.0, 5900, 5900)])
    results = _assess(tmp_path, layers, rules=str(rules))
    failing, plan = _plan(results)
    assert float(failing["threshold"].iloc[0]) == 50.0
    item = _one(plan)
    assert item.action == "cell_new_site" and len(item.covers) >= 2
    after = run_assessment(write_layers(_apply(layers, plan, results.metric_crs), tmp_path / "applied"), str(rules))
    assert _fixed(after)


def test_a_condition_not_met_by_more_coverage_is_unfixable(tmp_path):
    layers = _layers([(1000, 1000)], sites=[("S9", "4G", True, 100.0, 5500, 5500)])
    results = _assess(tmp_path, layers)
    failing, _ = _plan(results)
    plan = plan_family(PlanContext(results, load_costs()), failing.assign(op="<="))
    assert [u.reason for u in plan.unfixable] == ["telecom_op"] and plan.interventions == []
    assert "<=" in text("plan.unfixable.telecom_op", "en", **plan.unfixable[0].detail)


def test_not_enough_candidates_is_unfixable(tmp_path):
    # 2G new sites give no Internet and there is no fixed access layer to extend: unfixable
    layers = _layers([(1000, 1000)], sites=[("S9", "4G", True, 100.0, 5500, 5500)])
    layers["villages"] = layers["villages"].assign(fixed_phone=False, fixed_broadband=False)
    del layers["fixed_access"]
    results = _assess(tmp_path, layers)
    failing, _ = _plan(results)
    book = load_costs()
    book = CostBook(book.actions, {**book.candidates, "upgrade_to": "2G"}, book.currency, book.example)
    plan = plan_family(PlanContext(results, book), failing)
    assert plan.interventions == []
    (item,) = plan.unfixable
    assert item.reason == "telecom_not_enough" and item.detail == {"need": 1, "reachable": 0, "required": 1, "total": 1}


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory):
    from tc8.io.demo import demo_input_path
    target = tmp_path_factory.mktemp("demo") / "input"
    shutil.copytree(demo_input_path(), target)
    return target


def test_demo_plan_is_verified_by_reassessment(demo_copy, tmp_path):
    results = run_assessment(demo_copy, RULES)
    failing, plan = _plan(results)
    assert failing["commune_code"].nunique() == 11
    claimed = {i.commune_code for i in plan.interventions}
    assert claimed == set(failing["commune_code"]) and plan.unfixable == []
    layers = {}
    for path in demo_copy.glob("*.geojson"):
        layers[path.stem] = gpd.read_file(path)
    applied = _apply({k: layers[k] for k in ("cell_sites", "fixed_access")}, plan, results.metric_crs)
    out = tmp_path / "applied"
    shutil.copytree(demo_copy, out)
    for name, frame in applied.items():
        (out / f"{name}.geojson").unlink()
        frame.to_file(out / f"{name}.geojson", driver="GeoJSON")
    after = run_assessment(out, RULES)
    status = after.communes.set_index("commune_code")["status_8_2"]
    assert (status.loc[sorted(claimed)] == "dat").all()
    for item in plan.interventions:  # every sentence renders in both languages
        for lang in ("vi", "en"):
            assert "{" not in text(f"plan.action.{item.action}", lang, **item.detail)


def test_polygon_village_needs_the_covered_share(tmp_path):
    # a 6000 x 500 m strip village (area share, 50 % needed); inactive S2 (radius 2000 m) at its
    # west end covers ~2500 m of it (< 50 %): no use; inactive S3 in the middle covers ~4000 m (> 50 %)
    layers = _layers([(5500, 5500)], sites=[("S2", "3G", False, 2000.0, 0, 1250), ("S3", "3G", False, 2000.0, 3000, 1250),
                                            ("S9", "4G", True, 100.0, 5500, 5500)])
    strip = gpd.GeoDataFrame([{"village_id": "V2", "commune_code": "24784", "village_name": "Thôn dài",
                               "population": 500, "households": 100}],
                             geometry=[box(X, Y + 1000, X + 6000, Y + 1500)], crs=CRS)
    layers["villages"] = pd.concat([layers["villages"], strip], ignore_index=True)
    results = _assess(tmp_path, layers)
    _, plan = _plan(results)
    item = _one(plan)
    assert (item.action, item.target, item.covers, item.cost) == ("cell_reactivate", "cell_sites:S3", ("V2",), 80_000_000)
    assert _fixed(_reassess_fixture(tmp_path, layers, plan, results))
