"""``tc8 verify``: re-runs the recorded assessment; a changed input is named and exits 1."""
from __future__ import annotations

import json

from click.testing import CliRunner

from builders import make_valid_input
from tc8.cli.main import cli
from tc8.pipeline import verify_dossiers


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _dossier(tmp_path):
    input_dir = make_valid_input(tmp_path)
    out = tmp_path / "out"
    res = run("dossier", input_dir, "--rules", "ntm-2021-2025", "-o", out, "--no-maps")
    assert res.exit_code == 0, res.output
    return input_dir, out


def test_verify_unchanged_passes(tmp_path):
    _, out = _dossier(tmp_path)
    res = run("verify", out)
    assert res.exit_code == 0, res.output
    assert "24784: kết quả khớp; bảng khớp" in res.output and "24787:" in res.output
    one = run("verify", out / "24787", "--lang", "en")  # a single commune folder
    assert one.exit_code == 0 and "24787: verdicts match; tables match" in one.output
    assert "24784" not in one.output


def test_verify_names_modified_input_and_differing_table(tmp_path):
    input_dir, out = _dossier(tmp_path)
    speakers = input_dir / "speakers.geojson"
    doc = json.loads(speakers.read_text(encoding="utf-8"))
    for feat in doc["features"]:
        if feat["properties"]["cluster_id"] == "K1":
            feat["properties"]["operating"] = False
    speakers.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    res = run("verify", out)
    assert res.exit_code == 1
    assert str(speakers) in res.output  # the changed file is named
    line = next(x for x in res.output.splitlines() if x.startswith("24784:"))
    assert "bảng khác ở chỉ tiêu 8.3" in line
    assert "24787: kết quả khớp; bảng khớp" in res.output


def test_verify_changed_verdict(tmp_path):
    input_dir, out = _dossier(tmp_path)
    man = json.loads((out / "24784" / "manifest.json").read_text(encoding="utf-8"))
    assert man["verdicts"]["8.2"] == "dat"
    cov = input_dir / "coverage.geojson"
    cells = input_dir / "cell_sites.geojson"
    for path, change in ((cov, {"technology": "2G"}), (cells, {"active": False})):
        doc = json.loads(path.read_text(encoding="utf-8"))  # no mobile broadband left anywhere
        for feat in doc["features"]:
            feat["properties"].update(change)
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    report = verify_dossiers(out, lang="en")
    assert not report.ok
    assert {p for p, why in report.inputs_changed} >= {str(cov), str(cells)}
    check = next(c for c in report.communes if c.code == "24784")
    assert any(ind == "8.2" and old == "dat" and new != "dat" for ind, old, new in check.verdicts_differ)
    assert any("verdicts differ (8.2: dat →" in line for line in report.lines("en"))


def test_verify_missing_input_is_named(tmp_path):
    input_dir, out = _dossier(tmp_path)
    (input_dir / "commune_it.csv").unlink()
    res = run("verify", out)
    assert res.exit_code == 1
    assert f"Tệp đầu vào không còn: {input_dir / 'commune_it.csv'}" in res.output
    assert "Traceback" not in res.output


def test_verify_without_manifest(tmp_path):
    res = run("verify", tmp_path)
    assert res.exit_code == 1 and "manifest.json" in res.output


def test_verify_detects_a_record_change_that_keeps_verdicts(tmp_path):
    """Renaming a village that passes everything changes no verdict and no condition row,
    but the village table of the workbook no longer matches: verify says so."""
    input_dir, out = _dossier(tmp_path)
    villages = input_dir / "villages.geojson"
    doc = json.loads(villages.read_text(encoding="utf-8"))
    for feat in doc["features"]:
        if feat["properties"]["village_id"] == "V1":
            feat["properties"]["village_name"] = "Thôn Mới"
    villages.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    report = verify_dossiers(out)
    check = next(c for c in report.communes if c.code == "24784")
    assert not check.verdicts_differ and not check.tables_differ
    assert check.records_differ == ["villages"]
    assert next(c for c in report.communes if c.code == "24787").ok
    res = run("verify", out)
    assert res.exit_code == 1 and str(villages) in res.output
    assert "24784: kết quả khớp; bảng khớp; bản ghi khác ở thôn" in res.output


def test_verify_english_dossier(tmp_path):
    input_dir = make_valid_input(tmp_path)
    out = tmp_path / "out"
    res = run("dossier", input_dir, "--rules", "ntm-2021-2025", "-o", out, "--no-maps", "--lang", "en")
    assert res.exit_code == 0, res.output
    man = json.loads((out / "24784" / "manifest.json").read_text(encoding="utf-8"))
    assert set(man["records_sha256"]) == {"villages", "postal", "stations", "it"}
    res = run("verify", out, "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "24784: verdicts match; tables match" in res.output
