"""``tc8 assess``: exit codes, messages, outputs, overwrite protection, atomic writes."""
from __future__ import annotations

import json

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from builders import make_valid_input
from tc8.cli.main import cli
from tc8.model.results import CRITERION


@pytest.fixture
def input_dir(tmp_path):
    return make_valid_input(tmp_path)


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_assess_writes_three_files_and_table(input_dir, tmp_path):
    out = tmp_path / "out"
    res = run("assess", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert "Xã Hòa Bình" in res.output and "xã đạt" in res.output
    table = pd.read_csv(out / "results.csv", dtype={"commune_code": str})
    assert set(table["status"]) <= {"dat", "khong_dat", "thieu_du_lieu"}
    assert set(table["indicator"]) == {"8.1", "8.2", "8.3", "8.4", CRITERION}
    assert (table["rule_set"] == "ntm-2016-2020").all()
    layers = {name for name, _ in pyogrio.list_layers(out / "results.gpkg")}
    assert {"communes", "villages", "indicators", "conditions", "run_info"} <= layers
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["rule_set"]["id"] == "ntm-2016-2020" and doc["metric_crs"].startswith("EPSG:326")
    assert all(len(src["sha256"]) == 64 for src in doc["inputs"])
    # every non-passing indicator explains itself or says what is missing
    bad = table[(table["status"] != "dat")]
    assert (bad["reasons_vi"].fillna("") + bad["missing_vi"].fillna("")).str.len().min() > 0


def test_english_table(input_dir, tmp_path):
    res = run("assess", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(tmp_path / "o"), "--lang", "en")
    assert res.exit_code == 0
    assert "communes pass" in res.output


def test_existing_output_needs_overwrite(input_dir, tmp_path):
    out = tmp_path / "out"
    assert run("assess", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(out)).exit_code == 0
    before = (out / "results.csv").read_bytes()
    res = run("assess", str(input_dir), "--rules", "ntm-2021-2025", "-o", str(out))
    assert res.exit_code == 1 and "--overwrite" in res.output
    assert (out / "results.csv").read_bytes() == before
    res = run("assess", str(input_dir), "--rules", "ntm-2021-2025", "-o", str(out), "--overwrite")
    assert res.exit_code == 0
    assert "ntm-2021-2025" in (out / "results.csv").read_text(encoding="utf-8")


def test_unknown_rule_set_and_commune(input_dir, tmp_path):
    res = run("assess", str(input_dir), "--rules", "ntm-1999", "-o", str(tmp_path / "a"))
    assert res.exit_code == 1 and "ntm-2016-2020" in res.output  # lists the known ids
    res = run("assess", str(input_dir), "--rules", "ntm-2016-2020", "--commune", "99999", "-o", str(tmp_path / "b"))
    assert res.exit_code == 1 and "99999" in res.output
    assert not (tmp_path / "b" / "results.csv").exists()


def test_one_commune_only(input_dir, tmp_path):
    res = run("assess", str(input_dir), "--rules", "ntm-2016-2020", "--commune", "24787", "-o", str(tmp_path / "c"))
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "c" / "results.csv", dtype={"commune_code": str})
    assert set(table["commune_code"]) == {"24787"}
    # details are printed for a single commune: the village that decided 8.2 is named
    assert "Buôn Ea Tiêu" in res.output


def test_bad_input_is_a_message_not_a_traceback(tmp_path):
    bad = make_valid_input(tmp_path, villages=lambda v: v.assign(commune_code=["24784", "24784", "99999"]))  # unknown code
    res = CliRunner().invoke(cli, ["assess", str(bad), "--rules", "ntm-2016-2020", "-o", str(tmp_path / "o")])
    assert res.exit_code == 1
    assert "villages" in res.output and "V3" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "o" / "results.csv").exists()


def test_bad_flag_exits_2(input_dir, tmp_path):
    res = CliRunner().invoke(cli, ["assess", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(tmp_path),
                                   "--lang", "fr"])
    assert res.exit_code == 2


def test_interrupted_write_leaves_no_file(input_dir, tmp_path, monkeypatch):
    import tc8.outputs.files as writers

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    out = tmp_path / "out"
    monkeypatch.setattr(writers.Path, "write_text", boom)
    res = CliRunner().invoke(cli, ["assess", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(out)])
    assert res.exit_code == 1
    assert not (out / "results.json").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp file left behind
