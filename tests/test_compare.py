"""tc8.engine.compare.compare_results and tc8.pipeline.run_compare: what changes between two rule
sets on the same input, and why (hand-made cases on tests/builders.py, and the demo)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from builders import A, B, make_valid_input
from tc8.engine.assess import assess
from tc8.engine.compare import ROW_COLUMNS, compare_results
from tc8.io.demo import demo_input_path
from tc8.rules.load import load_rule_set
from tc8.validate.run import load_and_validate

#: 8.4 reduced to the dossiers condition, so that its status is the threshold's verdict alone
ONLY_DOSSIERS = """
indicators:
  - id: "8.4"
    name_vi: "Hồ sơ trực tuyến"
    name_en: "Online dossiers"
    condition:
      all:
        - id: "8.4.dossiers"
          measure: it_share_dossiers_online
          op: ">="
          value: {param: min_share_dossiers_online}
          unit: "%"
          basis: provisional
          cite: {instrument: qd1127}
          label_vi: "Hồ sơ xử lý trực tuyến"
          label_en: "Dossiers processed online"
"""
WEBSITE = """        - id: "8.4.web"
          measure: it_website
          op: "=="
          value: true
          basis: provisional
          cite: {instrument: qd1127}
          label_vi: "Có trang thông tin điện tử"
          label_en: "Has a website"
"""


def rule_file(tmp_path: Path, name: str, *, threshold: float = 60, extra: str = "") -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f'id: {name}\nextends: ntm-2021-2025\ntitle_vi: "{name}"\ntitle_en: "{name}"\n'
                    f'period: "2021-2025"\nparameters:\n  min_share_dossiers_online: {{value: {threshold}, '
                    f'basis: provisional}}\n{ONLY_DOSSIERS}{extra}', encoding="utf-8")
    return str(path)


def it_shares(online_a: int, online_b: int):
    """commune_it with A at online_a/100 dossiers online and B at online_b/100 (per cent)."""
    return lambda frame: frame.assign(dossiers_total=[100, 100], dossiers_online=[online_a, online_b])


def run_both(tmp_path, rules_a, rules_b, **layers):
    inputs = load_and_validate(make_valid_input(tmp_path, **layers))
    return compare_results(assess(inputs, load_rule_set(rules_a)), assess(inputs, load_rule_set(rules_b)))


@pytest.mark.parametrize("online_b", [90, 25])  # B above both thresholds, or below both
def test_exactly_the_communes_between_the_thresholds_move(tmp_path, online_b):
    # thresholds 60 % (A) and 80 % (B); commune A at 70 % lies between them: dat -> khong_dat
    cmp = run_both(tmp_path, rule_file(tmp_path, "a60"), rule_file(tmp_path, "b80", threshold=80),
                   commune_it=it_shares(70, online_b))
    rows = cmp.rows[cmp.rows["indicator"] == "8.4"]
    assert rows["commune_code"].tolist() == [A]
    row = rows.iloc[0]
    assert (row.status_a, row.status_b, row.deciding, row.why) == ("dat", "khong_dat", "8.4.dossiers", "threshold")
    assert (row.threshold_a, row.threshold_b, row.measured_a, row.threshold_param) == (60, 80, 70, "min_share_dossiers_online")
    assert "60 → >= 80 (min_share_dossiers_online)" in row.detail_vi and "measured 70" in row.detail_en
    moves = cmp.moves[cmp.moves["indicator"] == "8.4"]
    assert moves[["status_a", "status_b", "communes"]].values.tolist() == [["dat", "khong_dat", 1]]


def test_a_condition_present_in_one_set_only(tmp_path):
    # both communes at 90 %; B adds "has a website": A (24784) has one, B (24787) has none (unknown)
    cmp = run_both(tmp_path, rule_file(tmp_path, "a"), rule_file(tmp_path, "b", extra=WEBSITE),
                   commune_it=it_shares(90, 90))
    rows = cmp.rows[cmp.rows["indicator"] == "8.4"]
    assert rows["commune_code"].tolist() == [B]
    row = rows.iloc[0]
    assert (row.status_a, row.deciding, row.why) == ("dat", "8.4.web", "only_b")
    assert row.status_b in ("khong_dat", "thieu_du_lieu")
    assert "only in B" in row.detail_en


def test_a_condition_switched_on_in_one_set(tmp_path):
    switched = tmp_path / "switched.yaml"
    switched.write_text('id: switched\nextends: ntm-2021-2025\ntitle_vi: "s"\ntitle_en: "s"\nperiod: "2021-2025"\n'
                        'enable: ["8.2.smartphone"]\n', encoding="utf-8")
    cmp = run_both(tmp_path, "ntm-2021-2025", str(switched))
    row = cmp.rows[(cmp.rows["indicator"] == "8.2") & (cmp.rows["commune_code"] == A)].iloc[0]
    assert (row.status_a, row.deciding, row.why) == ("dat", "8.2.smartphone", "off_in_a")


def test_a_set_with_itself_gives_no_rows(tmp_path):
    cmp = run_both(tmp_path, "ntm-2021-2025", "ntm-2021-2025")
    assert cmp.rows.empty and list(cmp.rows.columns) == list(ROW_COLUMNS)
    assert cmp.moves.empty and cmp.changed_communes == [] and cmp.rule_diff.identical


@pytest.fixture(scope="module")
def demo_pair():
    inputs = load_and_validate(demo_input_path())
    return assess(inputs, load_rule_set("ntm-2021-2025")), assess(inputs, load_rule_set("ntm-nang-cao-2021-2025"))


def test_tc8_rows_are_exactly_the_communes_whose_verdict_changes(demo_pair):
    a, b = demo_pair
    cmp = compare_results(a, b)
    both = a.communes.set_index("commune_code")["status_tc8"].to_frame("a").join(
        b.communes.set_index("commune_code")["status_tc8"].rename("b"))
    changed = both[both["a"] != both["b"]]
    crit = cmp.rows[cmp.rows["indicator"] == "TC8"].set_index("commune_code")
    assert sorted(crit.index) == sorted(changed.index) and len(changed) > 0
    assert (crit["status_a"] == changed["a"].reindex(crit.index)).all()
    assert (crit["status_b"] == changed["b"].reindex(crit.index)).all()
    # every TC8 row names the indicators that changed for that commune
    inds = cmp.rows[cmp.rows["indicator"] != "TC8"].groupby("commune_code")["indicator"].agg(";".join)
    assert (crit["deciding"] == inds.reindex(crit.index)).all()
    # every indicator row has a deciding condition or a stated reason, and the moves add up
    assert (cmp.rows["why"] != "").all()
    assert cmp.moves["communes"].sum() == len(cmp.rows)
    tc8 = cmp.counts.set_index("indicator").loc["TC8"]
    assert (tc8["dat_a"], tc8["dat_b"]) == ((a.communes["status_tc8"] == "dat").sum(),
                                            (b.communes["status_tc8"] == "dat").sum())


def test_counts_per_status(demo_pair):
    a = demo_pair[0]
    cmp = compare_results(a, a)
    counts = cmp.counts.set_index("indicator")
    assert list(counts.index) == ["8.1", "8.2", "8.3", "8.4", "TC8"]
    assert (counts[["dat_a", "khong_dat_a", "thieu_du_lieu_a"]].sum(axis=1) == len(a.communes)).all()
    assert isinstance(cmp.rows, pd.DataFrame) and cmp.rows.empty


def test_a_condition_that_passed_and_is_dropped_does_not_explain_a_fail(tmp_path):
    # A: dossiers >= 60 % and a website; B: dossiers >= 80 %, no website condition.
    # Commune A (70 %, has a website) passes under A and fails under B because of the threshold only.
    cmp = run_both(tmp_path, rule_file(tmp_path, "a", extra=WEBSITE), rule_file(tmp_path, "b80", threshold=80),
                   commune_it=it_shares(70, 90))
    row = cmp.rows[(cmp.rows["indicator"] == "8.4") & (cmp.rows["commune_code"] == A)].iloc[0]
    assert (row.status_a, row.status_b, row.deciding, row.why) == ("dat", "khong_dat", "8.4.dossiers", "threshold")
