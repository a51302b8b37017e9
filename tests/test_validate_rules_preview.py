"""Issue 7, class 6 (c): ``tc8 validate INPUT --rules ID`` says, before anything is run, which
indicators will be missing data because of absent layers, absent columns or empty columns; and
the table behind it agrees with the engine."""
from __future__ import annotations

import dataclasses
import json

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point

from builders import A, B, make_valid_input, valid_layers, write_layers
from tc8.cli.main import cli
from tc8.engine.assess import assess
from tc8.io.read import read_inputs
from tc8.rules.model import MEASURES, Cite, Condition, Indicator
from tc8.rules.load import load_rule_set
from tc8.model.schema import LAYERS
from tc8.validate.run import validate_inputs


def _run(*args):
    return CliRunner().invoke(cli, ["validate", *map(str, args)])


# ---------------------------------------------------------------- the command

def test_rules_option_names_indicator_layer_column_and_measure(tmp_path):
    # the builders' input has no officials_using_eoffice (commune_it) and no premises (postal_points)
    path = make_valid_input(tmp_path)
    res = _run(path, "--rules", "ntm-2021-2025")
    assert res.exit_code == 0, res.output
    lines = [ln.strip() for ln in res.output.splitlines()]
    line = next(ln for ln in lines if ln.startswith("8.4"))
    assert "thiếu dữ liệu" in line and "commune_it" in line and "officials_using_eoffice" in line
    assert "it_share_officials_eoffice" in line
    line = next(ln for ln in lines if ln.startswith("8.1"))
    assert "postal_points" in line and "premises" in line and "postal_points_qualifying" in line
    assert not any(ln.startswith(("8.2", "8.3")) for ln in lines)
    # and the engine agrees: neither indicator passes anywhere, both lack data somewhere
    from tc8.pipeline import run_assessment

    status = run_assessment(path, "ntm-2021-2025").indicators.groupby("indicator")["status"].agg(set)
    for ind in ("8.1", "8.4"):
        assert "dat" not in status[ind] and "thieu_du_lieu" in status[ind]


_FILLED = {"postal_points": lambda f: f.assign(premises=True),
           "commune_it": lambda f: f.assign(officials_using_eoffice=[20, 15])}


def test_absent_layer_and_json(tmp_path):
    path = make_valid_input(tmp_path, speakers=None, **_FILLED)
    res = _run(path, "--rules", "ntm-2021-2025", "--format", "json", "--lang", "en")
    assert res.exit_code == 0, res.output
    preview = json.loads(res.output)["rules_preview"]
    assert preview["rule_set"] == "ntm-2021-2025"
    [ind] = preview["indicators"]
    assert ind["indicator"] == "8.3" and ind["at_best"] == "thieu_du_lieu"
    assert ind["causes"] == [{"measure": "share_villages_speakers", "layer": "speakers", "column": None,
                              "reason": "no_layer"}]
    assert "speakers" in ind["message"]


def test_empty_column_counts_as_absent(tmp_path):
    path = make_valid_input(tmp_path, commune_it=lambda f: f.assign(officials_using_eoffice=[20, 15], website=""))
    # (a blank website is also "no website" for other checks; here it must read as an empty column)
    res = _run(path, "--rules", "ntm-2021-2025")
    line = next(ln for ln in res.output.splitlines() if ln.strip().startswith("8.4"))
    assert "website" in line and "trống" in line


def test_misspelt_column_shows_in_the_preview(tmp_path):
    path = make_valid_input(tmp_path, postal_points=lambda f: f.rename(columns={"hours_per_day": "hours_per_days"}),
                            commune_it=_FILLED["commune_it"])
    res = _run(path, "--rules", "ntm-2021-2025", "--lang", "en")
    assert "did you mean hours_per_day" in res.output
    line = next(ln for ln in res.output.splitlines() if ln.strip().startswith("8.1"))
    assert "hours_per_day" in line and "postal_points_qualifying" in line


def test_override_that_cannot_apply_is_named(tmp_path):
    path = make_valid_input(tmp_path, communes=lambda f: f.drop(columns=["difficult"]), **_FILLED)
    res = _run(path, "--rules", "ntm-2021-2025", "--format", "json")
    overrides = json.loads(res.output)["rules_preview"]["overrides"]
    assert [(o["column"], o["reason"]) for o in overrides] == [("difficult", "no_column")]


def test_without_rules_no_preview_and_unknown_rules_exit(tmp_path):
    path = make_valid_input(tmp_path)
    res = _run(path, "--format", "json")
    assert "rules_preview" not in json.loads(res.output)
    res = _run(path, "--rules", "no-such-rules")
    assert res.exit_code in (1, 2) and "Traceback" not in res.output and "no-such-rules" in res.output


def test_preview_runs_even_when_the_input_has_errors(tmp_path):
    path = make_valid_input(tmp_path, villages=lambda v: v.assign(population=-1), commune_it=None)
    res = _run(path, "--rules", "ntm-2021-2025")
    assert res.exit_code == 1
    assert any(ln.strip().startswith("8.4") and "commune_it" in ln for ln in res.output.splitlines())


# ---------------------------------------------------------------- agreement with the engine

def _full_layers() -> dict:
    """Every column filled, every commune with every kind of record, every measure known."""
    layers = valid_layers()
    vil = layers["villages"]
    layers["villages"] = vil.assign(fixed_phone=True, fixed_broadband=True, mobile_phone=True,
                                    mobile_broadband=True, synthetic=False)
    pts, xy = [], []
    for code, x in ((A, 108.02), (B, 108.08)):
        for kind, dx in (("bdvhx", 0.0), ("thung_thu", 0.001)):
            pts.append({"point_id": f"P{code}{kind}", "kind": kind, "name": kind, "commune_code": code,
                        "operator": "VNPost", "staffed": True, "premises": True, "hours_per_day": 8.0,
                        "signboard": True, "posted_hours": True, "letters_2kg": True, "parcels_5kg": True,
                        "collections_per_day": 2.0, "telecom_service": True, "online_public_services": True,
                        "synthetic": False})
            xy.append((x + dx, 12.02))
    layers["postal_points"] = gpd.GeoDataFrame(pts, geometry=[Point(p) for p in xy], crs="EPSG:4326")
    layers["cell_sites"] = gpd.GeoDataFrame(
        [{"site_id": f"S{i}", "operator": "Viettel", "technology": "4G", "active": True, "radius_m": 8000.0,
          "synthetic": False} for i in range(2)],
        geometry=[Point(108.02, 12.025), Point(108.07, 12.025)], crs="EPSG:4326")
    cov = layers["coverage"]
    layers["coverage"] = cov.assign(source="x", synthetic=False)
    layers["fixed_access"] = gpd.GeoDataFrame(
        [{"node_id": f"N{i}", "operator": "VNPT", "technology": "ftth", "reach_m": 8000.0, "voice": True,
          "synthetic": False} for i in range(2)],
        geometry=[Point(108.03, 12.03), Point(108.07, 12.02)], crs="EPSG:4326")
    stations, xy = [], []
    for code, x in ((A, 108.025), (B, 108.075)):
        for typ in ("fm", "ip"):
            stations.append({"station_id": f"R{code}{typ}", "commune_code": code, "type": typ, "operating": True,
                             "compliant": True, "licensed": True, "synthetic": False})
            xy.append((x, 12.025))
    layers["radio_stations"] = gpd.GeoDataFrame(stations, geometry=[Point(p) for p in xy], crs="EPSG:4326")
    layers["speakers"] = gpd.GeoDataFrame(
        [{"cluster_id": f"K{v}", "type": "fm", "operating": True, "village_id": v, "synthetic": False}
         for v in vil["village_id"]], geometry=list(vil.geometry), crs="EPSG:4326")
    layers["commune_it"] = pd.DataFrame(
        [{"commune_code": c, "officials": 20, "officials_with_computer": 20, "officials_using_eoffice": 20,
          "eoffice_system": True, "website": "https://x.example.vn", "dossiers_total": 100, "dossiers_online": 90,
          "mobile_subscriptions": 1000, "smartphone_subscriptions": 900, "working_age_population": 950,
          "public_wifi_points": 3, "synthetic": False} for c in (A, B)])
    return layers


def _every_measure():
    """ntm-2021-2025 with one indicator checking every measure of the vocabulary (``>= 1``) and a
    postal-point rule holding the conditions of every shipped rule set (one engine run sees all)."""
    from tc8.rules.model import AllOf, ParamRef, PostalPointRule
    from tc8.rules.load import shipped_ids

    rs = load_rule_set("ntm-2021-2025")
    conds = {}
    for rid in shipped_ids():
        own = load_rule_set(rid)
        for c in own.postal_point.conditions:
            value = own.param(c.value.name) if isinstance(c.value, ParamRef) else c.value
            conds.setdefault(c.field, dataclasses.replace(c, id=f"pp.{c.field}", value=value, enabled=True))
    leaves = tuple(Condition(id=m, measure=m, op=">=", value=1, basis="text", cite=Cite(), label_vi=m, label_en=m)
                   for m in MEASURES)
    return dataclasses.replace(rs, indicators=(Indicator("all", "all", "all", AllOf(leaves)),),
                               postal_point=PostalPointRule(rs.postal_point.kinds, tuple(conds.values())))


def _undecided(inputs, rule_set) -> set:
    """Measures whose bounds are apart in every commune (the engine cannot decide them anywhere)."""
    cond = assess(inputs, rule_set).conditions
    apart = (cond["measured_low"] != cond["measured_high"]).groupby(cond["measure"]).all()
    return set(apart[apart].index)


def _drop_groups():
    """Groups of (layer, column) to drop together — column ``None`` = the whole optional layer —
    each with at most one item per layer, so that no item can hide another's effect on a measure
    (a measure's clauses that all must hold read one layer; telecom alternatives span layers but
    one missing source never decides them). Every column the engine could see empty is in one group."""
    per_layer = []
    for layer in LAYERS.values():
        items = [(layer.name, None)] if not layer.required else []
        items += [(layer.name, c.name) for c in layer.columns
                  if c.name not in (layer.id_column, layer.code_column, "commune_code") and c.nullable]
        per_layer.append(items)
    for k in range(max(len(items) for items in per_layer)):
        yield [items[k] for items in per_layer if k < len(items)]


def _drop(raw, inputs, group):
    layers, frames = dict(inputs.layers), dict(raw.frames)
    for layer, column in group:
        if column is None:
            del layers[layer], frames[layer]
            continue
        frame = layers[layer]
        layers[layer] = frame.assign(**{column: pd.Series(pd.NA, index=frame.index, dtype=frame[column].dtype)})
        frames[layer] = frames[layer].drop(columns=[column], errors="ignore")
    return dataclasses.replace(raw, frames=frames), dataclasses.replace(inputs, layers=layers)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    path = write_layers(_full_layers(), tmp_path_factory.mktemp("full") / "in")
    raw, read_problems = read_inputs(path)
    inputs, problems = validate_inputs(raw, read_problems)
    assert inputs is not None, problems
    return raw, inputs


@pytest.mark.slow
def test_needs_table_agrees_with_the_engine(full):
    """Drop every column (and optional layer) the engine could find empty: the measures the
    preview calls undecided are exactly those the engine cannot decide in any commune."""
    from tc8.engine.preview import blocked_measures

    raw, inputs = full
    rule_set = _every_measure()
    assert _undecided(inputs, rule_set) == set()  # the fixture decides every measure
    assert blocked_measures(raw, rule_set) == {}
    seen = set()
    for group in _drop_groups():
        dropped_raw, dropped_inputs = _drop(raw, inputs, group)
        predicted = set(blocked_measures(dropped_raw, rule_set))
        assert predicted == _undecided(dropped_inputs, rule_set), group
        seen |= predicted
    # the village shares are blocked by a missing villages layer (their telecom alternatives: next test)
    assert seen == set(MEASURES)


def test_telecom_alternatives_all_needed(full):
    """Telephone and Internet can come from coverage, cell sites, access nodes or the villages' own
    reports: only when every one of them is missing is the share undecided."""
    from tc8.engine.preview import blocked_measures

    raw, inputs = full
    rule_set = _every_measure()
    mobile = ("coverage", "cell_sites")
    for also_fixed in (False, True):
        layers = {k: v for k, v in inputs.layers.items() if k not in mobile}
        frames = {k: v for k, v in raw.frames.items() if k not in mobile}
        cols = ["mobile_phone", "mobile_broadband"] + (["fixed_phone", "fixed_broadband"] if also_fixed else [])
        layers["villages"] = layers["villages"].assign(**{c: pd.Series(pd.NA, dtype="boolean",
                                                                       index=layers["villages"].index) for c in cols})
        frames["villages"] = frames["villages"].drop(columns=cols)
        if also_fixed:
            del layers["fixed_access"], frames["fixed_access"]
        got = set(blocked_measures(dataclasses.replace(raw, frames=frames), rule_set))
        assert got == _undecided(dataclasses.replace(inputs, layers=layers), rule_set)
        assert bool(got) == also_fixed


def test_every_measure_has_needs():
    from tc8.engine.preview import NEEDS

    assert set(NEEDS) == set(MEASURES)
