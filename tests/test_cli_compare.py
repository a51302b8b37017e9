"""`tc8 compare INPUT --rules A --rules B -o OUTDIR`: one read, two assessments, three files."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from builders import A, make_valid_input
from test_compare import it_shares, rule_file
from tc8.cli.main import cli


@pytest.fixture()
def case(tmp_path):
    """The hand-made case of test_compare: thresholds 60 % / 80 %, commune A at 70 %, B at 90 %."""
    path = make_valid_input(tmp_path, commune_it=it_shares(70, 90))
    return path, rule_file(tmp_path, "a60"), rule_file(tmp_path, "b80", threshold=80), tmp_path / "out"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_files_and_summary(case):
    path, ra, rb, out = case
    res = run("compare", path, "--rules", ra, "--rules", rb, "-o", out, "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "8.4: Pass → Fail: 1 communes" in res.output and "Traceback" not in res.output
    raw = (out / "compare.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out / "compare.csv", encoding="utf-8-sig", dtype={"commune_code": str, "indicator": str})
    row = table[table["indicator"] == "8.4"].iloc[0]
    assert (row.commune_code, row.status_a, row.status_b, row.deciding) == (A, "dat", "khong_dat", "8.4.dossiers")
    assert (row.threshold_a, row.threshold_b, row.measured_a) == (60, 80, 70)
    assert set(table["rule_set_a"]) == {"a60"} and set(table["rule_set_b"]) == {"b80"}
    wb = openpyxl.load_workbook(out / "compare.xlsx")
    summary, detail = wb.worksheets[0], wb.worksheets[1]
    assert detail.freeze_panes == "A2" and detail.auto_filter.ref and summary.auto_filter.ref
    assert [c.value for c in detail[1]][:4] == ["Commune code", "Commune", "District", "Indicator"]
    assert [c.value for c in summary[2]][:4] == ["8.4", "Pass", "Fail", 1]
    layers = dict(pyogrio.list_layers(out / "compare.gpkg"))
    assert layers["communes_changed"] == "MultiPolygon"
    changed = pyogrio.read_dataframe(out / "compare.gpkg", layer="communes_changed")
    # TC8 of commune A is khong_dat under both sets (8.1-8.3 fail): no commune changes its verdict
    assert len(changed) == 0


def test_vietnamese_by_default_and_tc8_layer(tmp_path):
    path = make_valid_input(tmp_path)
    res = run("compare", path, "--rules", "ntm-2021-2025", "--rules", "ntm-nang-cao-2021-2025", "-o", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert "xã đạt" in res.output
    table = pd.read_csv(tmp_path / "o" / "compare.csv", encoding="utf-8-sig", dtype={"commune_code": str, "indicator": str})
    changed = pyogrio.read_dataframe(tmp_path / "o" / "compare.gpkg", layer="communes_changed")
    crit = table[table["indicator"] == "TC8"]
    assert sorted(changed["commune_code"]) == sorted(crit["commune_code"])
    assert {"status_tc8_a", "status_tc8_b"} <= set(changed.columns)


def test_load_and_validate_runs_once(case, monkeypatch):
    import tc8.validate.run as run_mod

    calls = []
    real = run_mod.load_and_validate
    monkeypatch.setattr(run_mod, "load_and_validate", lambda *a, **k: calls.append(a) or real(*a, **k))
    reads = []
    real_read = run_mod.read_inputs
    monkeypatch.setattr(run_mod, "read_inputs", lambda *a, **k: reads.append(a) or real_read(*a, **k))
    path, ra, rb, out = case
    res = run("compare", path, "--rules", ra, "--rules", rb, "-o", out, "-q")
    assert res.exit_code == 0, res.output
    assert len(calls) == 1 and len(reads) == 1


@pytest.mark.parametrize("rules", [["ntm-2021-2025"], ["ntm-2021-2025"] * 3, []])
def test_exactly_two_rules(tmp_path, rules):
    args = [x for r in rules for x in ("--rules", r)]
    res = run("compare", make_valid_input(tmp_path), *args, "-o", tmp_path / "o", "--lang", "en")
    assert res.exit_code == 2
    assert f"Exactly two --rules are needed (A and B)" in res.output and f"got {len(rules)}" in res.output


def test_existing_files_refused_then_overwritten_and_commune_filter(case):
    path, ra, rb, out = case
    assert run("compare", path, "--rules", ra, "--rules", rb, "-o", out, "-q").exit_code == 0
    again = run("compare", path, "--rules", ra, "--rules", rb, "-o", out, "-q")
    assert again.exit_code == 1 and "compare.csv" in again.output and "Traceback" not in again.output
    only_b = run("compare", path, "--rules", ra, "--rules", rb, "-o", out, "-q", "--overwrite", "--commune", "24787")
    assert only_b.exit_code == 0, only_b.output
    assert pd.read_csv(out / "compare.csv", encoding="utf-8-sig").empty


def test_bad_rule_file_is_a_clear_error(case, tmp_path):
    path, ra, _, out = case
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [\n", encoding="utf-8")
    res = run("compare", path, "--rules", ra, "--rules", bad, "-o", out)
    assert res.exit_code == 1 and "bad.yaml" in res.output and "Traceback" not in res.output
