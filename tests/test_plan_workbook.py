"""plan.xlsx: communes ranked by cost to pass, totals per indicator and district, every
intervention, the example-price warning (tc8.dossier.workbook_plan)."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from tc8.dossier.workbook_plan import write_plan_workbook
from tc8.io.demo import demo_input_path
from tc8.pipeline import run_assessment
from tc8.plan.model import CollectFirst, Intervention, Plan, Unfixable


@pytest.fixture(scope="module")
def results():
    return run_assessment(demo_input_path(), "ntm-2021-2025")


def _plan(results) -> Plan:
    failing = results.communes[results.communes["status_tc8"] != "dat"]
    a, b, c = failing["commune_code"].iloc[:3]
    items = [
        Intervention(a, "8.1", "8.1.point", "postal_extend_hours", 1.0, "hour_per_day", 12e6, 12e6, "postal_points:P1"),
        Intervention(a, "8.4", "8.4.eoffice", "it_eoffice_users", 4, "official", 2e6, 8e6),
        Intervention(b, "8.2", "8.2.villages", "cell_new_site", 1, "site", 1.5e9, 1.5e9),
    ]
    communes = failing.iloc[:3][["commune_code", "commune_name", "district_name", "status_tc8"]].copy()
    communes["fixable"] = [True, True, False]
    communes["cost_total"] = [20e6, 1.5e9, None]
    communes["verified"] = [True, True, False]
    communes["status_after"] = ["dat", "dat", "khong_dat"]
    return Plan(results=results, interventions=items,
                unfixable=[Unfixable(c, "8.3", "8.3.station", "no_planner")],
                collect_first=[CollectFirst(c, "8.4", "8.4.website", "số liệu trang thông tin")],
                communes=communes, notes={"telecom": {"solver": "milp"}}, cost_source="example")


def test_communes_ranked_by_cost_and_totals(results, tmp_path):
    plan = _plan(results)
    path = write_plan_workbook(plan, tmp_path / "plan.xlsx", lang="vi", action_label=lambda a: f"<{a}>")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Xếp hạng xã theo chi phí", "Tổng hợp", "Các can thiệp", "Ghi chú"]
    ranked = [row for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)]
    codes = [r[1] for r in ranked]
    assert codes == list(plan.communes["commune_code"])           # 20 M, then 1.5 bn, then unfixable
    assert ranked[0][-1] == 20e6 and ranked[2][-1] is None
    assert all(r[4] for r in ranked)      # the demo's codes are of 2024: each has its 2025 commune
    header = [c.value for c in wb.worksheets[0][1]]
    assert header[9:13] == ["Chi phí 8.1", "Chi phí 8.2", "Chi phí 8.3", "Chi phí 8.4"]
    assert ranked[0][9] == 12e6 and ranked[0][12] == 8e6 and ranked[1][10] == 1.5e9
    totals = {r[0]: r for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True) if r and r[0]}
    assert totals["8.2"][1:] == (1, 1, 1.5e9)
    assert totals["Tất cả"][1:] == (3, 2, 1.52e9)
    district = plan.communes["district_name"].iloc[0]
    assert district in totals
    assert "Theo xã mới (từ 1/7/2025)" in totals
    actions = [r[3] for r in wb.worksheets[2].iter_rows(min_row=2, values_only=True) if r and r[3]]
    assert "<cell_new_site>" in actions
    assert any(str(a).startswith("Thu thập số liệu trước") for a in actions)
    assert any(str(a).startswith("Không khắc phục được") for a in actions)
    note = " ".join(str(c) for r in wb.worksheets[3].iter_rows(values_only=True) for c in r if c)
    assert "ĐƠN GIÁ VÍ DỤ" in note and "milp" in note


def test_english_words(results, tmp_path):
    path = write_plan_workbook(_plan(results), tmp_path / "plan.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Communes by cost to pass"
    assert "EXAMPLE PRICES" in " ".join(str(c) for r in wb.worksheets[3].iter_rows(values_only=True) for c in r if c)


def test_official_prices_have_no_warning(results, tmp_path):
    plan = _plan(results)
    plan.example_costs = False
    wb = openpyxl.load_workbook(write_plan_workbook(plan, tmp_path / "p.xlsx"))
    assert "ĐƠN GIÁ VÍ DỤ" not in " ".join(str(c) for r in wb.worksheets[3].iter_rows(values_only=True) for c in r if c)
