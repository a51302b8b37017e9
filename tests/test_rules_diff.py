"""`tc8 rules diff`: how two rule sets differ, without input (tc8.rules.diff, tc8.rules.diff_text)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from tc8.cli.main import cli
from tc8.rules.diff import diff_rule_sets
from tc8.rules.diff_text import render_rule_diff
from tc8.rules.load import load_rule_set

EXAMPLE = str(Path(__file__).resolve().parents[1] / "data" / "examples" / "province-example-2026.yaml")


def _kinds(diff, subject):
    return {(c.kind, c.group, c.a, c.b) for c in diff.about(subject)}


def write_set(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"id: {name}\nextends: ntm-2021-2025\ntitle_vi: \"{name}\"\ntitle_en: \"{name}\"\n"
                    f"period: \"2021-2025\"\n{body}", encoding="utf-8")
    return str(path)


def test_a_set_against_itself_has_no_change_and_says_so():
    rs = load_rule_set("ntm-2021-2025")
    diff = diff_rule_sets(rs, load_rule_set("ntm-2021-2025"))
    assert diff.identical and diff.changes == ()
    assert "Nothing in criterion 8 differs" in render_rule_diff(diff, "en")
    assert "Không có khác biệt nào trong tiêu chí 8" in render_rule_diff(diff, "vi")


def test_one_threshold_changed(tmp_path):
    b = write_set(tmp_path, "b", "parameters:\n  min_share_dossiers_online: {value: 75, basis: provisional}\n")
    diff = diff_rule_sets(load_rule_set("ntm-2021-2025"), load_rule_set(b))
    assert _kinds(diff, "8.4.dossiers") == {("threshold", "", 60, 75)}
    assert _kinds(diff, "min_share_dossiers_online") == {("parameter_value", "", 60, 75)}
    assert len(diff.changes) == 2
    assert "[8.4.dossiers] threshold (min_share_dossiers_online): 60 → 75" in render_rule_diff(diff, "en")


def test_nang_cao_against_standard_names_the_added_conditions():
    diff = diff_rule_sets(load_rule_set("ntm-2021-2025"), load_rule_set("ntm-nang-cao-2021-2025"))
    added = {c.subject: c.b for c in diff.changes if c.kind == "condition_added"}
    assert added == {"8.1.online": True, "8.2.smartphone_wa": True, "8.2.wifi": False, "8.3.it_radio": False}
    assert [c.subject for c in diff.changes if c.kind == "parameter_added"] == ["min_smartphone_per_working_age"]
    # the nâng cao overrides (difficult, mountainous) restate the default 50: no group line
    assert not any(c.group for c in diff.changes)
    text = render_rule_diff(diff, "en")
    assert "+ [8.1.online]" in text and "(off: no effect on verdicts)" in text


def test_2016_against_2021():
    diff = diff_rule_sets(load_rule_set("ntm-2016-2020"), load_rule_set("ntm-2021-2025"))
    kinds = {(c.kind, c.subject) for c in diff.changes}
    assert {("condition_removed", "8.4.computers"), ("condition_added", "8.4.dossiers"),
            ("condition_added", "8.4.eoffice"), ("parameter_removed", "min_share_officials_computer")} <= kinds
    assert not any(c.kind == "structure" for c in diff.changes)  # a group of one is its child


def test_province_example_thresholds_per_commune_group():
    diff = diff_rule_sets(load_rule_set("ntm-2021-2025"), load_rule_set(EXAMPLE))
    assert _kinds(diff, "8.4.dossiers") == {("threshold", "commune_group = 1", 60, 90),
                                            ("threshold", "commune_group = 2", 60, 75),
                                            ("threshold", "commune_group = 3", 60, 50)}
    # group 3 keeps 55; islands keep 45 whatever their group: neither is listed
    assert _kinds(diff, "8.2.smartphone") == {("enabled", "", False, True),
                                              ("threshold", "commune_group = 1", 55, 80),
                                              ("threshold", "commune_group = 2", 55, 70)}
    assert ("condition_added", "8.4.computers") in {(c.kind, c.subject) for c in diff.changes}
    assert "(xã có commune_group = 2)" in render_rule_diff(diff, "vi")


def test_default_change_said_once_and_groups_that_keep_their_value(tmp_path):
    body = ("parameters:\n  min_share_dossiers_online: {value: 70, basis: provisional}\n"
            "overrides:\n  - when: {island: true}\n    set: {min_share_dossiers_online: 60}\n")
    diff = diff_rule_sets(load_rule_set("ntm-2021-2025"), load_rule_set(write_set(tmp_path, "b", body)))
    assert _kinds(diff, "8.4.dossiers") == {("threshold", "", 60, 70), ("threshold", "island = true", 60, 60)}


def test_enabled_switches_in_indicators_and_postal_point(tmp_path):
    body = 'enable: ["8.2.smartphone"]\ndisable: ["pp.parcels_5kg"]\n'
    diff = diff_rule_sets(load_rule_set("ntm-2021-2025"), load_rule_set(write_set(tmp_path, "b", body)))
    kinds = {(c.kind, c.subject, c.a, c.b) for c in diff.changes}
    assert kinds == {("enabled", "8.2.smartphone", False, True), ("enabled", "pp.parcels_5kg", True, False)}
    assert next(c for c in diff.changes if c.subject == "pp.parcels_5kg").scope == "postal_point"


def test_operator_and_criterion_rule():
    a = load_rule_set("ntm-2021-2025")
    ind = a.indicator("8.4")
    tree = replace(ind.condition, children=tuple(replace(c, op=">") if c.id == "8.4.dossiers" else c
                                                 for c in ind.condition.children))
    b = replace(a, criterion_rule="any",
                indicators=tuple(replace(i, condition=tree) if i.id == "8.4" else i for i in a.indicators))
    kinds = {(c.kind, c.subject, c.a, c.b) for c in diff_rule_sets(a, b).changes}
    assert kinds == {("op", "8.4.dossiers", ">=", ">"), ("criterion_rule", "TC8", "all", "any")}


def test_cli_rules_diff(tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["rules", "diff", "ntm-2021-2025", "ntm-nang-cao-2021-2025", "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert "8.1.online" in out.output and "5 differences" in out.output
    same = runner.invoke(cli, ["rules", "diff", "ntm-2021-2025", "ntm-2021-2025"])
    assert same.exit_code == 0 and "Không có khác biệt nào" in same.output
    bad = runner.invoke(cli, ["rules", "diff", "ntm-2021-2025", "nope"])
    assert bad.exit_code == 1 and "nope" in bad.output and "Traceback" not in bad.output
