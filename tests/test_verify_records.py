"""``tc8 verify`` hashes the record set that decided the verdicts (tc8.dossier.records), not
the workbook layout: dropping a workbook column changes no hash and no verify result; a
decisive input value that changes is named by its record group; older manifests are
verified as far as they can be, and say what was not checked."""
from __future__ import annotations

import copy
import json

import pytest

from builders import make_valid_input
from tc8.dossier import view as dossier_view
from tc8.dossier import xlsx
from tc8.dossier.manifest import legacy_table_hashes
from tc8.dossier.records import RECORD_SET_VERSION, RecordSet, canonical_value
from tc8.pipeline import verify_dossiers
from tc8.dossier.write import write_dossiers
from tc8.pipeline import run_assessment

RULES = "ntm-2021-2025"
DROPPED = {"postal_points": "hours_per_day", "villages_telecom": "mobile_voice_ok", "stations": "licensed",
           "villages_speakers": "speaker_ids"}


def _layout_without_columns(name: str) -> dict:
    """The workbook layout with one shown column dropped from several tables."""
    spec = copy.deepcopy(xlsx.layout.__wrapped__(name))
    if name == "workbook_commune":
        for table, key in DROPPED.items():
            spec["tables"][table] = [c for c in spec["tables"][table] if c["key"] != key]
    return spec


@pytest.fixture
def dossier(tmp_path):
    """A dossier made with today's layout; its input folder."""
    input_dir = make_valid_input(tmp_path)
    results = run_assessment(input_dir, RULES)
    out = tmp_path / "out"
    write_dossiers(results, out, with_maps=False, options={"rules": RULES})
    return {"input": input_dir, "out": out, "results": results}


def _edit(path, key, value, field, new):
    doc = json.loads(path.read_text(encoding="utf-8"))
    for feat in doc["features"]:
        if feat["properties"][key] == value:
            feat["properties"][field] = new
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _check(report, code):
    return next(c for c in report.communes if c.code == code)


def test_record_hashes_do_not_follow_the_workbook_layout(dossier, monkeypatch):
    results = dossier["results"]
    before = {code: RecordSet(results).hashes(code) for code in ("24784", "24787")}
    monkeypatch.setattr(dossier_view, "layout", _layout_without_columns)
    view = dossier_view.Slicer(results).view("24784")
    assert "hours_per_day" not in view.postal[0]  # the patched layout is the one the views use
    after = {code: RecordSet(results).hashes(code) for code in ("24784", "24787")}
    assert after == before
    assert before["24784"]["record_set_version"] == RECORD_SET_VERSION
    assert set(before["24784"]["records_sha256"]) == {"villages", "postal", "stations", "it"}


def test_verify_of_an_older_dossier_survives_a_layout_change(dossier, monkeypatch):
    man = json.loads((dossier["out"] / "24784" / "manifest.json").read_text(encoding="utf-8"))
    assert man["record_set_version"] == RECORD_SET_VERSION
    monkeypatch.setattr(dossier_view, "layout", _layout_without_columns)
    report = verify_dossiers(dossier["out"], lang="en")
    assert report.ok, report.lines("en")
    assert all(c.tables_checked and c.records_checked and not c.records_differ for c in report.communes)


def test_a_changed_hour_is_named_by_its_record_group(dossier):
    """P1 open 6 h instead of 8 h still qualifies (minimum 4 h): same verdicts and tables, but
    the postal record group no longer matches."""
    postal = dossier["input"] / "postal_points.geojson"
    _edit(postal, "point_id", "P1", "hours_per_day", 6.0)
    report = verify_dossiers(dossier["out"], lang="en")
    assert not report.ok and (str(postal), "changed") in report.inputs_changed
    check = _check(report, "24784")
    assert not check.verdicts_differ and not check.tables_differ
    assert check.records_differ == ["postal"]
    assert "24784: verdicts match; tables match; records differ in postal points" in report.lines("en")
    assert _check(report, "24787").ok


def test_an_evidence_record_is_hashed_with_the_villages_that_name_it(dossier):
    """Fixed access node N1 decides V2's fixed telephone; a longer reach keeps V2 covered,
    but the record that decided it changed."""
    assert "N1" in set(dossier["results"].villages["fixed_phone_record"])
    _edit(dossier["input"] / "fixed_access.geojson", "node_id", "N1", "reach_m", 4999.0)
    check = _check(verify_dossiers(dossier["out"]), "24784")
    assert not check.verdicts_differ and not check.tables_differ
    assert check.records_differ == ["villages"]


def test_a_value_that_decides_nothing_is_not_hashed(dossier):
    _edit(dossier["input"] / "coverage.geojson", "technology", "4G", "source", "Another source")
    report = verify_dossiers(dossier["out"])
    assert report.inputs_changed and all(c.ok for c in report.communes)


def _rewrite(folder, change):
    path = folder / "manifest.json"
    man = json.loads(path.read_text(encoding="utf-8"))
    change(man)
    path.write_text(json.dumps(man, ensure_ascii=False), encoding="utf-8")


def test_manifest_without_record_set_version(dossier):
    """A manifest of an older tc8: tables checked with the every-column scheme it used,
    records not checked (their hashes followed the workbook layout) — said, not failed."""
    folder = dossier["out"] / "24784"
    view = dossier_view.Slicer(dossier["results"]).view("24784")
    legacy = legacy_table_hashes(view.indicators, view.conditions)

    def older(man):
        del man["record_set_version"]
        man["tables_sha256"] = legacy
        man["records_sha256"] = {"villages": "0" * 64}

    _rewrite(folder, older)
    report = verify_dossiers(folder, lang="en")
    check = _check(report, "24784")
    assert report.ok and check.tables_checked and not check.records_checked and not check.records_differ
    line = report.lines("en")[-1]
    assert line.startswith("24784: verdicts match; tables match; records not checked: made by an older tc8")
    _rewrite(folder, lambda man: man["tables_sha256"].update({"8.1": "0" * 64}))
    check = _check(verify_dossiers(folder), "24784")
    assert check.tables_differ == ["8.1"] and not check.ok


def test_manifest_of_another_record_set_version(dossier):
    folder = dossier["out"] / "24787"
    _rewrite(folder, lambda man: man.update(record_set_version=RECORD_SET_VERSION + 1,
                                            records_sha256={"villages": "0" * 64}))
    report = verify_dossiers(folder, lang="en")
    check = _check(report, "24787")
    assert report.ok and not check.tables_checked and not check.records_checked
    assert (f"made with record set v{RECORD_SET_VERSION + 1}; this tc8 uses v{RECORD_SET_VERSION}"
            in report.lines("en")[-1])
    assert "kết quả khớp; bảng và bản ghi chưa kiểm" in verify_dossiers(folder).lines("vi")[-1]


def test_canonical_values():
    assert canonical_value(120) == canonical_value(120.0) == 120.0
    assert canonical_value(1 / 3) == 0.3333333333
    assert canonical_value(float("nan")) is None and canonical_value(None) is None
    assert canonical_value(True) is True
    assert canonical_value("Tho\u0302n") == "Thôn"  # NFD -> NFC
