"""Codes know their year (issue 10, item 1; tc8.validate.code_year).

An input's commune codes are 2024 or 2025 units: ``--code-year`` wins, else the ``code_year``
of the ``communes`` row of ``tc8_layers`` (written by ``tc8 template``), else inferred from codes
and names against both official lists; mixed evidence leaves the year unknown with a warning
asking to declare it. With a year, each commune is checked against the list of its year.
Inputs here: the bundled demo (2024 codes) and small inputs built from its polygons.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

from tc8.cli.main import cli
from tc8.io.admin_units import units_2024, units_2025
from tc8.io.demo import demo_input_path
from tc8.io.read import read_inputs
from tc8.io.template import write_template
from tc8.model.inputs import CodeYear, InputPolicy
from tc8.validate.code_year import declared_year, normalise_name
from tc8.validate.run import validate_inputs


def _validate(root: Path, **policy):
    raw, problems = read_inputs(root)
    inputs, problems = validate_inputs(raw, problems, policy=InputPolicy(**policy))
    assert inputs is not None, [p for p in problems if p.severity == "error"]
    return inputs, [p for p in problems if p.code.startswith("code_year")]


def _communes(tmp_path: Path, codes: list, names: list, year: int | None = None) -> Path:
    """An input of len(codes) demo polygons with these codes and names (and a declared year)."""
    demo = gpd.read_file(demo_input_path() / "communes.geojson").head(len(codes)).copy()
    demo["commune_code"], demo["commune_name"] = codes, names
    root = tmp_path / "in"
    root.mkdir()
    demo.to_file(root / "communes.geojson", driver="GeoJSON")
    if year is not None:
        pd.DataFrame({"layer": ["communes"], "code_year": [year]}).to_csv(root / "tc8_layers.csv", index=False)
    return root


def _lam_dong(year: int, n: int) -> pd.DataFrame:
    """``n`` units of the list of ``year`` whose code and name differ from the other year's."""
    units, other = (units_2024(), units_2025()) if year == 2024 else (units_2025(), units_2024())
    units = units[units["province_code"] == "68"].merge(other[["code", "name"]], on="code", how="left",
                                                        suffixes=("", "_other"))
    return units[units["name"] != units["name_other"]].head(n)


def test_normaliser():
    assert normalise_name("Phường Xuân Hương – Đà Lạt") == normalise_name("phuong xuan huong - da lat")
    assert normalise_name("Phường Xuân Hương – Đà Lạt") == "xuanhuongdalat"
    assert normalise_name("Thị trấn Đinh Văn") == "dinhvan"
    assert normalise_name("Xã Ea ly") == normalise_name("Xã Ealy")
    assert normalise_name("Phường 02") == normalise_name("Phường 2") == "2"
    assert normalise_name("Xã Tiến Lợi") != normalise_name("Xã Tuyên Quang")


def test_demo_inferred_2024_without_false_warnings():
    inputs, found = _validate(demo_input_path())
    assert inputs.code_year == CodeYear(2024, "inferred")
    assert [p.code for p in found] == ["code_year_inferred"]  # no per-commune warning
    assert found[0].params["year"] == "2024" and found[0].params["named_2024"] == "109"


def test_2025_input_inferred_2025(tmp_path):
    units = _lam_dong(2025, 8)
    inputs, found = _validate(_communes(tmp_path, list(units["code"]), list(units["name"])))
    assert inputs.code_year == CodeYear(2025, "inferred")
    assert [p.code for p in found] == ["code_year_inferred"]


def test_mixed_input_asks_to_declare(tmp_path):
    old, new = _lam_dong(2024, 4), _lam_dong(2025, 4)
    root = _communes(tmp_path, list(old["code"]) + list(new["code"]), list(old["name"]) + list(new["name"]))
    inputs, found = _validate(root)
    assert inputs.code_year == CodeYear(None, "unknown")
    assert [p.code for p in found] == ["code_year_undetermined"]  # and no commune checked
    assert found[0].severity == "warning"


def test_a_code_with_another_meaning_names_both(tmp_path):
    root = _communes(tmp_path, ["24781", "22963", "99999", "24805"],
                     ["Phường Xuân Hương - Đà Lạt", "Xã Tuyên Quang", "Xã Không Có", "Xã Xuân Thọ"], year=2024)
    inputs, found = _validate(root)
    assert inputs.code_year == CodeYear(2024, "declared")
    other = {p.row: p for p in found if p.code == "code_year_other_name"}
    assert set(other) == {"24781", "22963"}
    assert other["24781"].params["official"] == "Phường 2" and other["24781"].field == "commune_name"
    assert other["24781"].params["name"] == "Phường Xuân Hương - Đà Lạt"
    assert other["22963"].params["official"] == "Xã Tiến Lợi"
    assert [p.params["value"] for p in found if p.code == "code_year_unknown_code"] == ["99999"]


def test_flag_overrides_declaration(tmp_path):
    units = _lam_dong(2025, 3)
    root = _communes(tmp_path, list(units["code"]), list(units["name"]), year=2025)
    assert _validate(root)[0].code_year == CodeYear(2025, "declared")
    inputs, found = _validate(root, code_year=2024)
    assert inputs.code_year == CodeYear(2024, "flag")
    assert found and all(p.code in ("code_year_other_name", "code_year_unknown_code") for p in found)


def test_provisional_ids_skipped(tmp_path):
    root = _communes(tmp_path, [None, "24805"], ["Xã Mới Lập", "Xã Xuân Thọ"], year=2024)
    inputs, found = _validate(root)
    assert inputs.code_year == CodeYear(2024, "declared") and found == []


def test_template_round_trips_the_declaration(tmp_path):
    for year in (2024, 2025, None):
        path = write_template(tmp_path / f"t{year}.gpkg", code_year=year)
        raw, problems = read_inputs(path)
        assert declared_year(raw) == year
        inputs, problems = validate_inputs(raw, problems)
        assert not [p for p in problems if p.layer == "tc8_layers"]  # the communes row is not "unknown"
        assert inputs.code_year == (CodeYear(year, "declared") if year else CodeYear(None, "unknown"))
    result = CliRunner().invoke(cli, ["template", str(tmp_path / "cli.gpkg"), "--code-year", "2025"])
    assert result.exit_code == 0, result.output
    assert declared_year(read_inputs(tmp_path / "cli.gpkg")[0]) == 2025


def test_bad_declaration_is_an_error_naming_row_and_field(tmp_path):
    root = _communes(tmp_path, ["24805"], ["Xã Xuân Thọ"], year=2023)
    raw, problems = read_inputs(root)
    inputs, problems = validate_inputs(raw, problems)
    bad = [p for p in problems if p.severity == "error"]
    assert inputs is None and [(p.layer, p.row, p.field) for p in bad] == [("tc8_layers", "communes", "code_year")]


def test_results_record_the_year(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(demo_input_path(), root)
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(cli, ["assess", str(root), "--rules", "ntm-2021-2025", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["code_year"] == {"year": 2024, "basis": "inferred"} and data["policy"]["code_year"] is None
    result = runner.invoke(cli, ["assess", str(root), "--rules", "ntm-2021-2025", "-o", str(out), "-q", "--overwrite", "--code-year", "2024"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["code_year"] == {"year": 2024, "basis": "flag"} and data["policy"]["code_year"] == 2024
    assert runner.invoke(cli, ["assess", str(root), "--rules", "ntm-2021-2025", "-o", str(out), "--code-year", "2023"]).exit_code == 2
