"""Issue 10 item 4: the commune groups of the 2026–2030 criteria (nhóm xã 1, 2, 3).

A rule set whose ``period`` starts in 2026 reads ``commune_group`` as the group of
QĐ 51/2025/QĐ-TTg: its overrides must name 1, 2 or 3 (checked at load), and the input's values
must be 1, 2 or 3 (checked where the rule set meets the input: an error naming file, layer,
row and field). Sets of 2010–2025 are not concerned.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from builders import make_valid_input, valid_layers
from tc8.cli.main import cli
from tc8.model.errors import InputError, RuleSetError
from tc8.pipeline import run_assessment
from tc8.rules.groups import bad_group_values, period_start, uses_2026_groups
from tc8.rules.load import example_paths, list_rule_sets, load_rule_set
from tc8.text.problems import problem_dict

EXAMPLE = next(p for p in example_paths() if p.name == "province-example-2026.yaml")
C = "24790"


def _three_communes(groups: tuple) -> dict:
    """The builders' input plus a third commune east of the two, groups as given (None = empty)."""
    layers = valid_layers()
    third = gpd.GeoDataFrame(
        [{"commune_code": C, "commune_name": "Xã Ea Ba", "province_code": "66", "region": "tay_nguyen",
          "terrain": "flat", "population": 3000, "area_km2": 30.0, "island": False, "difficult": False}],
        geometry=[box(108.10, 12.00, 108.15, 12.05)], crs="EPSG:4326")
    communes = pd.concat([layers["communes"], third], ignore_index=True)
    communes["commune_group"] = pd.array(list(groups), dtype="string")
    layers["communes"] = gpd.GeoDataFrame(communes, geometry="geometry", crs="EPSG:4326")
    it = layers["commune_it"]
    layers["commune_it"] = pd.concat([it, pd.DataFrame([{
        "commune_code": C, "officials": 10, "officials_with_computer": 10, "eoffice_system": True,
        "website": "https://eaba.example.vn", "dossiers_total": 100, "dossiers_online": 55}])], ignore_index=True)
    return layers


def _write(tmp_path, groups):
    layers = _three_communes(groups)
    return make_valid_input(tmp_path, communes=layers["communes"], commune_it=layers["commune_it"])


def _province_file(tmp_path, when_value, period="2026-2030"):
    path = tmp_path / "tinh.yaml"
    path.write_text(f"""id: tinh-2026
extends: ntm-2021-2025
official: false
title_vi: "Hướng dẫn của tỉnh (thử)"
title_en: "Province guidance (test)"
period: "{period}"
overrides:
  - when: {{commune_group: {when_value}}}
    set: {{min_share_dossiers_online: 70}}
""", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- periods

def test_period_start_and_which_sets_use_the_groups():
    assert period_start("2026-2030") == 2026 and period_start(" 2021-2025") == 2021
    assert period_start("") is None and period_start("giai đoạn mới") is None
    assert uses_2026_groups("2026-2030") and uses_2026_groups("2031-2035")
    assert not uses_2026_groups("2021-2025") and not uses_2026_groups("")
    assert [rs.id for rs in list_rule_sets() if rs.uses_2026_groups] == []  # shipped sets unaffected


def test_bad_group_values():
    assert bad_group_values(1) == [] and bad_group_values("3") == [] and bad_group_values([2, "3"]) == []
    assert bad_group_values(4) == [4] and bad_group_values(["kho_khan", 1]) == ["kho_khan"]
    assert bad_group_values(True) == [True] and bad_group_values(0) == [0]


# ----------------------------------------------------------------------------- the example file

def test_example_file_loads_as_a_2026_set_with_three_groups():
    rs = load_rule_set(EXAMPLE)
    assert rs.period == "2026-2030" and rs.uses_2026_groups and rs.official is False
    groups = [o.when["commune_group"] for o in rs.overrides if "commune_group" in o.when]
    assert groups == [1, 2, 3, [2, 3]]
    header = EXAMPLE.read_text(encoding="utf-8").split("\nid:")[0]
    assert "NOT OFFICIAL" in header and "THE PROVINCE'S" in header and "không phải văn bản chính thức" in header


# ----------------------------------------------------------------------------- load-time check

@pytest.mark.parametrize("value, shown", [(4, "4"), ("kho_khan", "'kho_khan'"), ("[1, 5]", "5")])
def test_override_with_a_group_outside_1_2_3_is_refused_in_a_2026_set(tmp_path, value, shown):
    path = _province_file(tmp_path, value)
    with pytest.raises(RuleSetError) as err:
        load_rule_set(path)
    msg = str(err.value)
    assert f"{path}:8: overrides[0].when.commune_group" in msg, msg
    assert shown in msg and "1, 2 or 3" in msg and "2026-2030" in msg


def test_the_same_override_is_accepted_in_an_earlier_period(tmp_path):
    rs = load_rule_set(_province_file(tmp_path, "kho_khan", period="2021-2025"))
    assert not rs.uses_2026_groups and rs.overrides[-1].when == {"commune_group": "kho_khan"}


# ----------------------------------------------------------------------------- assessment

def test_per_group_thresholds_apply_per_commune_in_the_conditions_table(tmp_path):
    results = run_assessment(_write(tmp_path, ("1", "2", "3")), str(EXAMPLE))
    cond = results.conditions.set_index(["commune_code", "condition_id"])
    dossiers = {code: cond.loc[(code, "8.4.dossiers"), "threshold"] for code in ("24784", "24787", C)}
    assert dossiers == {"24784": 90, "24787": 75, C: 50}
    eoffice = {code: cond.loc[(code, "8.4.eoffice"), "threshold"] for code in ("24784", "24787", C)}
    assert eoffice == {"24784": 100, "24787": 90, C: 80}
    computers = {code: cond.loc[(code, "8.4.computers"), "threshold"] for code in ("24784", "24787", C)}
    assert computers == {"24784": 100, "24787": 90, C: 90}
    assert set(cond.xs("8.4.dossiers", level="condition_id")["threshold_param"]) == {"min_share_dossiers_online"}
    # Ea Ba: 55 % online passes its group-3 threshold of 50 %, would fail group 2's 75 %
    assert cond.loc[(C, "8.4.dossiers"), "status"] == "dat"
    assert not [w for w in results.warnings if w.code.startswith("commune_group")]


def test_a_bad_group_with_a_2026_set_is_an_error_naming_file_row_and_field(tmp_path):
    path = _write(tmp_path, ("1", "kho_khan", "4"))
    with pytest.raises(InputError) as err:
        run_assessment(path, str(EXAMPLE))
    errors = [p for p in err.value.problems if p.severity == "error"]
    assert [(p.code, p.layer, p.row, p.field, p.params["value"]) for p in errors] == [
        ("bad_commune_group", "communes", "24787", "commune_group", "kho_khan"),
        ("bad_commune_group", "communes", C, "commune_group", "4")]
    assert all(p.file.endswith("communes.geojson") for p in errors)
    vi, en = problem_dict(errors[1], "vi"), problem_dict(errors[1], "en")
    assert "'4'" in vi["message"] and "nhóm 1, 2 hoặc 3" in vi["message"]
    assert "group 1, 2 or 3" in en["message"] and "1, 2, 3" in en["fix"]


def test_cli_assess_with_a_bad_group_exits_1_with_the_message(tmp_path):
    path = _write(tmp_path, ("1", "2", "nhom3"))
    result = CliRunner().invoke(cli, ["assess", str(path), "--rules", str(EXAMPLE), "--lang", "en",
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "nhom3" in result.output and "commune_group" in result.output and C in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out" / "results.csv").exists()


def test_communes_without_a_group_keep_the_default_with_one_warning(tmp_path):
    results = run_assessment(_write(tmp_path, ("1", None, None)), str(EXAMPLE))
    cond = results.conditions.set_index(["commune_code", "condition_id"])
    assert cond.loc[("24787", "8.4.dossiers"), "threshold"] == 60  # the file's default
    warns = [w for w in results.warnings if w.code == "commune_group_empty"]
    assert len(warns) == 1 and warns[0].row == f"24787, {C}" and warns[0].params["n"] == 2
    assert warns[0].field == "commune_group"


def test_earlier_sets_ignore_commune_group_values(tmp_path):
    results = run_assessment(_write(tmp_path, ("chung", "kho_khan", None)), "ntm-2021-2025")
    assert len(results.communes) == 3
    assert not [w for w in results.warnings if w.code.startswith("commune_group")]
