"""``--skip-invalid`` (issue 9, item 1): rows with errors are left out, listed and their communes marked.

The input: the valid builder input with postal point P1 (commune 24784) lacking ``kind`` and
village V3 (commune 24787) with the population ``nhiều``; speaker K2 names V3, so it is excluded
in the second pass.
"""
from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from builders import A, B, make_valid_input
from tc8.cli.main import cli
from tc8.io.read import read_inputs
from tc8.model.errors import InputError
from tc8.model.inputs import InputPolicy
from tc8.pipeline import run_assessment, verify_dossiers
from tc8.validate.report import Collector, LayerRef
from tc8.validate.run import validate_inputs
from tc8.validate.skip import skippable

RULES = "ntm-2021-2025"
SKIP = InputPolicy(skip_invalid=True)


def _no_kind(p):
    p = p.copy()
    p.loc[0, "kind"] = None
    return p


def _bad_population(v):
    v = v.copy()
    v["population"] = v["population"].astype(object)
    v.loc[2, "population"] = "nhiều"
    return v


@pytest.fixture
def bad_input(tmp_path):
    return make_valid_input(tmp_path, name="bad", postal_points=_no_kind, villages=_bad_population)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_without_the_flag_errors_stop_the_run_and_name_the_flag(bad_input, tmp_path):
    res = run("assess", bad_input, "--rules", RULES, "-o", tmp_path / "o")
    assert res.exit_code == 1
    assert "--skip-invalid" in res.output
    assert not (tmp_path / "o" / "results.json").exists()
    res = run("assess", bad_input, "--rules", RULES, "-o", tmp_path / "o", "--lang", "en")
    assert "--skip-invalid" in res.output


def test_with_the_flag_the_run_goes_on_and_lists_the_records(bad_input, tmp_path):
    out = tmp_path / "o"
    res = run("assess", bad_input, "--rules", RULES, "-o", out, "--skip-invalid")
    assert res.exit_code == 0, res.output
    assert "--skip-invalid" in res.output and ": 3;" in res.output  # terminal count: 3 records
    layers = dict(pyogrio.list_layers(out / "results.gpkg"))
    assert layers["excluded_records"] == "Point"
    ex = pyogrio.read_dataframe(out / "results.gpkg", layer="excluded_records")
    got = {(r.layer, r.row, r.field, r.code) for r in ex.itertuples()}
    assert got == {("postal_points", "P1", "kind", "null_value"), ("villages", "V3", "population", "bad_number"),
                   ("speakers", "K2", "village_id", "unknown_village")}
    assert ex["message_vi"].str.len().gt(0).all() and ex["message_en"].str.len().gt(0).all()
    assert ex.geometry.notna().all()
    assert dict(zip(ex["row"], ex["affected_communes"])) == {"P1": A, "V3": B, "K2": B}
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["policy"]["skip_invalid"] is True
    assert {r["row"] for r in doc["excluded_records"]} == {"P1", "V3", "K2"}
    communes = pyogrio.read_dataframe(out / "results.gpkg", layer="communes")
    assert dict(zip(communes["commune_code"], communes["affected_by_exclusion"])) == {A: 1, B: 1}
    ind = pd.read_csv(out / "results.csv", dtype=str, keep_default_na=False)
    postal_a = ind[(ind["commune_code"] == A) & (ind["indicator"] == "8.1")].iloc[0]
    assert "postal_points P1" in postal_a["missing_vi"] and "The result may change" in postal_a["missing_en"]
    postal_b = ind[(ind["commune_code"] == B) & (ind["indicator"] == "8.1")].iloc[0]
    assert "P1" not in postal_b["missing_vi"]  # a post office affects its own commune only


def test_the_inputs_stay_untouched_and_positions_are_the_files(bad_input):
    raw, problems = read_inputs(bad_input)
    before = {name: len(frame) for name, frame in raw.frames.items()}
    inputs, found = validate_inputs(raw, problems, policy=SKIP)
    assert {name: len(frame) for name, frame in raw.frames.items()} == before
    assert len(inputs.layers["villages"]) == 2 and len(inputs.layers["postal_points"]) == 1
    rows = dict(zip(inputs.excluded["row"], inputs.excluded["position"]))
    assert rows == {"P1": 1, "V3": 3, "K2": 2}
    assert not any(p.severity == "error" for p in found)
    assert [p.layer for p in found if p.code == "rows_excluded"] == ["postal_points", "speakers", "villages"]


def test_errors_not_about_a_row_still_stop(tmp_path):
    no_column = make_valid_input(tmp_path, name="nocol", postal_points=lambda p: p.drop(columns=["kind"]))
    with pytest.raises(InputError) as err:
        run_assessment(no_column, RULES, policy=SKIP)
    assert any(p.code == "missing_column" for p in err.value.problems)
    bad_commune = make_valid_input(tmp_path, name="badcommune",
                                   communes=lambda c: c.assign(population=[-5, 4100]))
    res = run("assess", bad_commune, "--rules", RULES, "-o", tmp_path / "o", "--skip-invalid")
    assert res.exit_code == 1  # a commune row is not skipped: it would vanish from every report


def test_skipping_is_generic_over_row_checks():
    report = Collector()
    ref = LayerRef("postal_points", "x.gpkg")
    report.add_rows("error", "some_future_check", ref, np.array([False, True]), "geometry")
    assert skippable(report.finish(), report)
    report.add("error", "missing_crs", "x.gpkg", "postal_points", "", "geometry")
    assert not skippable(report.finish(), report)
    metadata = Collector()  # a row of a table that is not an input layer
    metadata.add_rows("error", "bad_bool", LayerRef("tc8_layers", "x.gpkg"), np.array([True]), "complete")
    assert not skippable(metadata.finish(), metadata)
    communes = Collector()
    communes.add_rows("error", "bad_number", LayerRef("communes", "x.gpkg"), np.array([True]), "population")
    assert not skippable(communes.finish(), communes)


def test_capped_rows_are_all_listed(tmp_path):
    many = make_valid_input(tmp_path, name="many", postal_points=lambda p: p.assign(kind=None))
    results = run_assessment(many, RULES, policy=SKIP)
    assert set(results.excluded["row"]) == {"P1", "P2"}
    assert "postal_points" not in results.layers or len(results.layers["postal_points"]) == 0


def test_a_cell_site_marks_the_communes_within_its_reach(tmp_path):
    def sites(radius):  # S1 (in 24784, 3.3 km from 24787) with a bad "active" value
        return lambda s: s.assign(active=["có lẽ", False], radius_m=[radius, 1500.0])

    own = run_assessment(make_valid_input(tmp_path, name="own", cell_sites=sites(500.0)), RULES, policy=SKIP)
    assert own.excluded["affected_communes"].tolist() == [A]  # its own radius: 500 m
    wide = run_assessment(make_valid_input(tmp_path, name="wide", cell_sites=sites(None)), RULES, policy=SKIP)
    assert wide.excluded["affected_communes"].tolist() == [f"{A};{B}"]  # the rule set's largest: 5 km


def test_nothing_changes_without_the_flag(tmp_path):
    good = make_valid_input(tmp_path, name="good")
    results = run_assessment(good, RULES)
    assert results.excluded is None and "affected_by_exclusion" not in results.communes.columns
    skipped = run_assessment(good, RULES, policy=SKIP)
    assert len(skipped.excluded) == 0 and not skipped.communes["affected_by_exclusion"].any()
    pd.testing.assert_frame_equal(results.indicators, skipped.indicators)


def test_a_commune_run_of_another_commune_is_unaffected(tmp_path):
    only_postal = make_valid_input(tmp_path, name="p1", postal_points=_no_kind)
    good = make_valid_input(tmp_path, name="good")
    res = run_assessment(only_postal, RULES, communes=[B], policy=SKIP)
    ref = run_assessment(good, RULES, communes=[B])
    assert not res.communes["affected_by_exclusion"].any()
    assert set(res.excluded["row"]) == {"P1"}
    cols = ["commune_code", "indicator", "status", "missing_vi", "reasons_vi"]
    pd.testing.assert_frame_equal(res.indicators[cols], ref.indicators[cols])


def test_maps_dossiers_and_verify(bad_input, tmp_path):
    out = tmp_path / "job"
    res = run("dossier", bad_input, "--rules", RULES, "-o", out, "--skip-invalid")
    assert res.exit_code == 0, res.output
    folder = out / A
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["policy"]["skip_invalid"] is True
    html = next(folder.glob("*.html")).read_text(encoding="utf-8")
    assert 'class="tc8-synthetic tc8-excluded">Kết quả có thể thay đổi: 1 bản ghi' in html
    wb = openpyxl.load_workbook(next(folder.glob("*.xlsx")), read_only=True)
    texts = {ws.title: " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)
             for ws in wb}
    assert "postal_points P1" in texts["Tổng hợp"] and "postal_points P1" in texts["Cần bổ sung"]
    assert '"skip_invalid": true' in texts["Nguồn dữ liệu"]
    report = verify_dossiers(out)  # re-runs with the recorded policy: without it the input would be refused
    assert report.ok, report.lines()


def test_province_map_note(bad_input, tmp_path):
    out = tmp_path / "maps"
    res = run("map", bad_input, "--rules", RULES, "-o", out, "--skip-invalid")
    assert res.exit_code == 0, res.output
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "2 xã có kết quả có thể thay đổi do 3 bản ghi" in page
