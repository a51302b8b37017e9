"""Rule sets as data: shipped files, the province example, errors, resolve_parameters, CLI."""
from __future__ import annotations

import hashlib
import json
import re
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from tc8.cli.main import cli
from tc8.model.errors import RuleSetError
from tc8.rules.model import (MEASURES, OPS, REQUIRED_PARAMETERS, AllOf, AnyOf, Condition, ParamRef, prune,
                             resolve_parameters, weakest_basis)
from tc8.rules.load import example_paths, list_rule_sets, load_rule_set, shipped_ids
from tc8.model.schema import BASIS_ORDER, LAYERS

CRITERIA = Path(str(files("tc8.data").joinpath("criteria")))
SHIPPED = ["ntm-2010-2015", "ntm-2016-2020", "ntm-2021-2025", "ntm-nang-cao-2021-2025"]


def _example():
    return load_rule_set(next(p for p in example_paths() if p.name == "province-example-2026.yaml"))


# ----------------------------------------------------------------------------- shipped sets

def test_shipped_ids():
    assert shipped_ids() == SHIPPED


@pytest.mark.parametrize("rule_id", SHIPPED)
def test_every_shipped_set_loads_and_is_complete(rule_id):
    rs = load_rule_set(rule_id)
    assert rs.id == rule_id and rs.official is True and rs.criterion_rule == "all"
    assert set(REQUIRED_PARAMETERS) <= set(rs.parameters)
    instruments = {i.id for i in rs.instruments}
    for _, _, cond in rs.conditions(enabled_only=False):
        assert cond.measure in MEASURES and cond.op in OPS and cond.basis in BASIS_ORDER
        assert cond.cite.instrument in instruments and cond.label_vi and cond.label_en
    for p in rs.parameters.values():
        assert p.basis in BASIS_ORDER and p.label_vi and p.label_en
    assert len(rs.sha256) == 64 and rs.source_files[-1].endswith(f"{rule_id}.yaml")


def test_schema_vocabularies_match_the_code():
    schema = json.loads((CRITERIA / "schema.json").read_text(encoding="utf-8"))["$defs"]
    assert schema["measure"]["enum"] == list(MEASURES)
    assert schema["op"]["enum"] == list(OPS)
    assert schema["basis"]["enum"] == list(BASIS_ORDER)
    postal = [c.name for c in LAYERS["postal_points"].columns
              if c.kind in ("bool", "float", "int") and c.name != "synthetic"]
    assert sorted(schema["postalField"]["enum"]) == sorted(postal)


def test_2010_thresholds_as_in_criteria_md():
    rs = load_rule_set("ntm-2010-2015")
    assert [i.id for i in rs.indicators] == ["8.1", "8.2"]
    internet = rs.indicator("8.2").condition
    assert (internet.measure, internet.op, internet.value) == ("share_villages_internet", ">",
                                                              ParamRef("min_share_villages_internet"))
    assert rs.param("min_share_villages_internet") == 30 and internet.basis == "practice"
    top = rs.indicator("8.1").condition
    assert isinstance(top, AllOf) and isinstance(top.children[0], AnyOf)
    assert [c.measure for c in top.children[0].children] == ["postal_points_qualifying", "letter_boxes_qualifying"]
    assert top.children[1].measure == "public_telecom_points"
    fields = {c.field: c for c in rs.postal_point.conditions}
    assert set(fields) == {"staffed", "hours_per_day", "collections_per_day"}
    assert {c.basis for c in fields.values()} == {"practice"}
    assert rs.param("min_hours_per_day") == 4 and rs.param("min_collections_per_day") == 1
    assert "thung_thu" not in rs.postal_kinds()


def test_2016_thresholds_as_in_criteria_md():
    rs = load_rule_set("ntm-2016-2020")
    assert [i.id for i in rs.indicators] == ["8.1", "8.2", "8.3", "8.4"]
    assert rs.param("min_hours_per_day") == 4 and rs.parameters["min_hours_per_day"].basis == "text"
    fields = [c.field for c in rs.postal_point.conditions]
    assert fields == ["premises", "signboard", "posted_hours", "hours_per_day", "letters_2kg", "parcels_5kg"]
    assert {c.basis for c in rs.postal_point.conditions} == {"text"}
    letterbox = dict((c.id, c) for _, c in rs.indicator("8.1").conditions(enabled_only=False))["8.1.letterbox"]
    assert letterbox.enabled is False and letterbox.basis == "practice"
    assert rs.param("min_share_villages_phone_and_internet") == 100
    assert rs.param("min_share_villages_speakers") == 100
    assert rs.indicator("8.4").basis == "provisional" and rs.indicator("8.1").basis == "text"
    assert rs.instrument("qd1980").date == "2016-10-17" and rs.instrument("qd441").number == "441/QĐ-BTTTT"


def test_model_parameters():
    rs = load_rule_set("ntm-2021-2025")
    radii = {(t, r): rs.param(f"radius_m_{t}_{r}") for t in ("2g", "3g", "4g", "5g")
             for r in ("flat", "hilly", "mountainous")}
    assert radii[("2g", "flat")] == 5000 and radii[("2g", "mountainous")] == 2000
    assert radii[("3g", "hilly")] == 1500 and radii[("4g", "flat")] == 3000 and radii[("4g", "mountainous")] == 1500
    assert radii[("5g", "mountainous")] == 500
    assert rs.param("default_terrain") == "mountainous"
    assert rs.param("phone_technologies") == ("2G", "3G", "4G", "5G")
    assert rs.param("internet_technologies") == ("3G", "4G", "5G")
    assert rs.param("speaker_reach_m") == 300 and rs.param("polygon_covered_share") == 50
    assert all(rs.parameters[f"radius_m_{t}_{r}"].basis == "provisional" for t, r in radii)


def test_2021_smartphone_is_optional_and_islands_get_45():
    rs = load_rule_set("ntm-2021-2025")
    conds = {c.id: c for _, c in rs.indicator("8.2").conditions(enabled_only=False)}
    assert conds["8.2.smartphone"].enabled is False and conds["8.2.smartphone"].basis == "provisional"
    assert [c.id for _, c in rs.indicator("8.2").conditions()] == ["8.2.villages"]
    communes = pd.DataFrame({"island": pd.array([True, False, None], dtype="boolean"),
                             "difficult": pd.array([False, True, None], dtype="boolean")})
    params = resolve_parameters(rs, communes)
    assert params["min_smartphone_share"].tolist() == [45, 55, 55]
    assert params["min_share_villages_speakers"].tolist() == [100, 100, 100]
    assert rs.param("min_share_dossiers_online") == 60


def test_nang_cao_extends_2021():
    rs = load_rule_set("ntm-nang-cao-2021-2025")
    assert rs.extends == "ntm-2021-2025" and len(rs.source_files) == 2
    ids = [c.id for _, _, c in rs.conditions()]
    assert "8.1.online" in ids and "8.2.smartphone_wa" in ids
    assert "8.2.wifi" not in ids and "8.3.it_radio" not in ids  # shipped off
    assert rs.indicator("8.4") == load_rule_set("ntm-2021-2025").indicator("8.4")
    raw = b"".join(Path(f).read_bytes() for f in rs.source_files)
    assert rs.sha256 == hashlib.sha256(raw).hexdigest()


def test_list_rule_sets():
    assert [rs.id for rs in list_rule_sets()] == SHIPPED


# ----------------------------------------------------------------------------- province example

def test_example_province_file_resolves_per_commune_group():
    rs = _example()
    assert rs.official is False and rs.extends == "ntm-2021-2025" and rs.period == "2026-2030"
    communes = pd.DataFrame({
        "commune_code": ["1", "2", "3", "4", "5"],
        "commune_group": pd.array(["1", "2", "3", None, "3"], dtype="string"),
        "island": pd.array([False, False, False, None, True], dtype="boolean"),
        "difficult": pd.array([False, False, True, False, False], dtype="boolean"),
    }, index=[10, 11, 12, 13, 14])
    params = resolve_parameters(rs, communes)
    assert list(params.index) == [10, 11, 12, 13, 14]
    assert params["min_share_dossiers_online"].tolist() == [90, 75, 50, 60, 50]
    assert params["min_share_officials_eoffice"].tolist() == [100, 90, 80, 80, 80]
    assert params["min_share_officials_computer"].tolist() == [100, 90, 90, 100, 90]
    assert params["min_smartphone_share"].tolist() == [80, 70, 55, 55, 45]  # island last wins
    assert "postal_point_kinds" not in params.columns
    assert "8.2.smartphone" in [c.id for _, c in rs.indicator("8.2").conditions()]
    assert [c.id for _, c in rs.indicator("8.4").conditions()] == [
        "8.4.dossiers", "8.4.eoffice", "8.4.computers", "8.4.website"]
    threshold = rs.indicator("8.4").condition.children[0].threshold(params)
    assert threshold.tolist() == [90, 75, 50, 60, 50]


def test_when_matches_numbers_and_booleans_and_never_na():
    rs = _example()
    communes = pd.DataFrame({"commune_group": pd.array([1, 2, None], dtype="Int64"),
                             "island": [True, False, False], "difficult": [False] * 3})
    params = resolve_parameters(rs, communes)
    assert params["min_share_dossiers_online"].tolist() == [90, 75, 60]
    assert params["min_smartphone_share"].tolist() == [45, 70, 55]


def test_when_on_a_missing_column_is_an_error():
    with pytest.raises(RuleSetError, match="commune_group"):
        resolve_parameters(_example(), pd.DataFrame({"island": [True], "difficult": [False]}))


def test_threshold_literal_broadcast_prune_and_weakest_basis():
    rs = load_rule_set("ntm-2016-2020")
    params = resolve_parameters(rs, pd.DataFrame(index=["a", "b"]))
    point = rs.indicator("8.1").condition.children[0]
    assert point.threshold(params).tolist() == [1, 1]
    pruned = prune(rs.indicator("8.1").condition)
    assert isinstance(pruned, AnyOf) and [c.id for c in pruned.children] == ["8.1.point"]
    assert weakest_basis(["text", "practice"]) == "practice" and weakest_basis([]) == ""
    assert weakest_basis([rs.indicator("8.1")]) == "text"  # the disabled practice letter box is ignored
    assert weakest_basis(rs.indicators) == "provisional"
    assert isinstance(next(rs.indicator("8.2").conditions())[1], Condition)


# ----------------------------------------------------------------------------- errors

def _mutated(tmp_path, name, old, new, source="ntm-2016-2020"):
    text = (CRITERIA / f"{source}.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path, needle):
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_bad_op_names_file_line_and_field(tmp_path):
    path = _mutated(tmp_path, "bad-op.yaml", 'op: ">"', 'op: "=>"', source="ntm-2010-2015")
    with pytest.raises(RuleSetError) as err:
        load_rule_set(path)
    msg = str(err.value)
    line = _line_of(path, '"=>"')
    assert f"bad-op.yaml:{line}: indicators[1].condition.op" in msg
    assert "'=>' is not one of" in msg


def test_unknown_measure(tmp_path):
    path = _mutated(tmp_path, "bad-measure.yaml", "measure: share_villages_speakers", "measure: share_villages_horns")
    with pytest.raises(RuleSetError, match=r"bad-measure\.yaml:\d+: indicators\[2\]\.condition\.all\[1\]\.measure: "
                                           r"'share_villages_horns' is not one of"):
        load_rule_set(path)


def test_unknown_param(tmp_path):
    path = _mutated(tmp_path, "bad-param.yaml", "{param: min_share_villages_speakers}", "{param: min_share_speakerz}")
    with pytest.raises(RuleSetError) as err:
        load_rule_set(path)
    line = _line_of(path, "min_share_speakerz")
    assert f"bad-param.yaml:{line}: indicators[2].condition.all[1].value.param: unknown parameter" in str(err.value)


def test_missing_basis(tmp_path):
    old = '          basis: practice\n          cite: {instrument: qd441, article: "Chỉ tiêu 8.3"}'
    path = _mutated(tmp_path, "no-basis.yaml", old, '          cite: {instrument: qd441, article: "Chỉ tiêu 8.3"}')
    with pytest.raises(RuleSetError, match=r"no-basis\.yaml:\d+: indicators\[2\]\.condition\.all\[1\]: "
                                           r"'basis' is a required property"):
        load_rule_set(path)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\ntitle_vi: [unclosed\nperiod: 2020\n", encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"broken\.yaml:\d+:\d+: YAML syntax error"):
        load_rule_set(path)


@pytest.mark.parametrize("old,new,expected", [
    ('id: "8.3.speakers"', 'id: "8.3.station"', r"duplicate condition id '8\.3\.station'"),
    ("instrument: qd441, article: \"Chỉ tiêu 8.4\", note: \"Cách hiểu tạm.\"",
     "instrument: qd999, article: \"Chỉ tiêu 8.4\", note: \"Cách hiểu tạm.\"", r"unknown instrument 'qd999'"),
    ("measure: it_website\n          op: \"==\"\n          value: true",
     "measure: it_website\n          op: \">=\"\n          value: true", r"only be compared with == or !="),
    ("value: {param: min_share_villages_speakers}", "value: true", r"expects a number value"),
    ("overrides: []", "overrides: [{when: {difficult: true}, set: {postal_point_kinds: bdvhx}}]",
     r"overrides\[0\]\.set\.postal_point_kinds: postal_point_kinds is a list parameter"),
    ("overrides: []", "overrides: [{when: {difficult: true}, set: {postal_point_kinds: [bdvhx]}}]",
     r"overrides\[0\]\.set\.postal_point_kinds: \['bdvhx'\] is not of type"),
    ("overrides: []", "overrides: [{when: {difficult: true}, set: {no_such: 1}}]", r"unknown parameter 'no_such'"),
    ("  speaker_reach_m:\n    value: 300", "  speaker_reach_m:\n    value: 300\n  speaker_reach_m:\n    value: 3",
     r"duplicate key 'speaker_reach_m'"),
    ("value: mountainous", "value: alpine", r"default_terrain must be one of"),
])
def test_semantic_errors(tmp_path, old, new, expected):
    path = _mutated(tmp_path, "bad.yaml", old, new)
    with pytest.raises(RuleSetError, match=r"bad\.yaml:\d+: .*" + expected):
        load_rule_set(path)


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_extends_a_sibling_file_enable_disable_and_cycles(tmp_path):
    base = _mutated(tmp_path, "base.yaml", "id: ntm-2016-2020", "id: base")
    child = _write(tmp_path / "child.yaml", "id: child\nextends: base.yaml\ntitle_vi: Con\ntitle_en: Child\n"
                   "enable: ['8.1.letterbox']\ndisable: [pp.parcels_5kg]\n"
                   "parameters: {min_hours_per_day: {value: 6, basis: provisional}}\n")
    rs = load_rule_set(child)
    assert rs.official is False and rs.period == "2016-2020" and rs.source_files == (str(base), str(child))
    assert rs.param("min_hours_per_day") == 6 and rs.parameters["min_hours_per_day"].label_vi
    assert "8.1.letterbox" in [c.id for _, c in rs.indicator("8.1").conditions()]
    assert "pp.parcels_5kg" not in [c.id for c in rs.postal_point.enabled_conditions]
    _write(tmp_path / "bad-enable.yaml", "id: x\nextends: base.yaml\ntitle_vi: x\ntitle_en: x\nenable: [8.9.nope]\n")
    with pytest.raises(RuleSetError, match=r"bad-enable\.yaml:5: enable\[0\]: .*'8\.9\.nope'"):
        load_rule_set(tmp_path / "bad-enable.yaml")
    _write(tmp_path / "a.yaml", "id: a\nextends: b.yaml\ntitle_vi: a\ntitle_en: a\n")
    _write(tmp_path / "b.yaml", "id: b\nextends: a.yaml\ntitle_vi: b\ntitle_en: b\n")
    with pytest.raises(RuleSetError, match="cycle"):
        load_rule_set(tmp_path / "a.yaml")
    _write(tmp_path / "new-param.yaml", "id: n\nextends: ntm-2016-2020\ntitle_vi: n\ntitle_en: n\n"
           "parameters: {brand_new: {value: 1, basis: provisional}}\n")
    with pytest.raises(RuleSetError, match=r"parameters\.brand_new: a new parameter needs 'label_vi'"):
        load_rule_set(tmp_path / "new-param.yaml")


def test_unknown_id_and_missing_file():
    with pytest.raises(RuleSetError, match="unknown rule set 'ntm-1999'.*ntm-2016-2020"):
        load_rule_set("ntm-1999")
    with pytest.raises(RuleSetError, match="not found"):
        load_rule_set("no/such/file.yaml")


# ----------------------------------------------------------------------------- CLI

def test_cli_list():
    result = CliRunner().invoke(cli, ["rules", "list"])
    assert result.exit_code == 0, result.output
    for rule_id in SHIPPED:
        assert re.search(rf"^{re.escape(rule_id)}\s+\S+\s+có\s+\d", result.output, re.M)
    assert "province-example-2026.yaml" in result.output
    en = CliRunner().invoke(cli, ["rules", "list", "--lang", "en"])
    assert en.exit_code == 0 and "Official" in en.output and re.search(r"^ntm-2010-2015\s+2010-2015\s+yes\s+2", en.output, re.M)


def test_cli_show_vi_and_en():
    result = CliRunner().invoke(cli, ["rules", "show", "ntm-2016-2020"])
    assert result.exit_code == 0, result.output
    assert "8.1 Xã có điểm phục vụ bưu chính" in result.output
    assert "postal_points.hours_per_day >= min_hours_per_day = 4 h · văn bản" in result.output
    assert "441/QĐ-BTTTT (28/03/2017)" in result.output and "[tắt]" in result.output
    assert "radius_m_4g_flat = 3.000 m · tạm định" in result.output
    en = CliRunner().invoke(cli, ["rules", "show", "ntm-2010-2015", "--lang", "en"])
    assert en.exit_code == 0 and "Internet reaches the villages" in en.output
    assert "share_villages_internet > min_share_villages_internet = 30 % · practice" in en.output


def test_cli_show_example_file():
    path = str(next(p for p in example_paths() if p.name == "province-example-2026.yaml"))
    result = CliRunner().invoke(cli, ["rules", "show", path])
    assert result.exit_code == 0, result.output
    assert "KHÔNG CHÍNH THỨC" in result.output and "commune_group = 1" in result.output


def test_cli_unknown_id_and_malformed_file(tmp_path):
    result = CliRunner().invoke(cli, ["rules", "show", "ntm-1999"])
    assert result.exit_code == 1 and "ntm-1999" in result.output and "ntm-2021-2025" in result.output
    bad = _mutated(tmp_path, "bad.yaml", 'op: ">"', 'op: "=>"', source="ntm-2010-2015")
    result = CliRunner().invoke(cli, ["rules", "show", str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bad.yaml:" in result.output and "indicators[1].condition.op" in result.output
    assert isinstance(result.exception, SystemExit)
