"""tc8 lineage: an assessment of 2024 communes carried onto the 2025 communes (issue 10, item 2).

Hand-built cases go through :func:`tc8.engine.lineage.carry` on tiny Results-like tables with the
official conversion; the demo case runs ``tc8 assess`` then ``tc8 lineage`` and checks the counts
against an independent pandas computation from the shipped conversion CSV and results.csv.
"""
from __future__ import annotations

from importlib.resources import files

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from tc8.cli.main import cli
from tc8.engine.lineage import Assessment, carry
from tc8.model.errors import InputError

INDICATORS = ("8.1", "8.2", "8.3", "8.4", "TC8")


def assessment(statuses: dict, *, sizes: dict | None = None) -> Assessment:
    """``statuses``: code -> status of every indicator (a str) or a dict indicator -> status (TC8
    derived when absent); ``sizes``: code -> (area km², population) for square polygons."""
    rows = []
    for code, status in statuses.items():
        per = {i: status for i in INDICATORS} if isinstance(status, str) else dict(status)
        if "TC8" not in per:
            values = set(per.values())
            per["TC8"] = "khong_dat" if "khong_dat" in values else "thieu_du_lieu" if "thieu_du_lieu" in values else "dat"
        rows += [{"commune_code": code, "commune_name": f"X{code}", "indicator": i, "status": s,
                  "name_vi": f"chỉ tiêu {i}", "name_en": f"indicator {i}"} for i, s in per.items()]
    communes = None
    if sizes:
        x, geoms, codes, pops = 0.0, [], [], []
        for code, (km2, pop) in sizes.items():
            side = (km2 ** 0.5) * 1000
            geoms.append(box(x, 0, x + side, side))
            x += side
            codes.append(code)
            pops.append(pop)
        communes = gpd.GeoDataFrame({"commune_code": codes, "population": pops}, geometry=geoms, crs="EPSG:32648")
    return Assessment(pd.DataFrame(rows), communes, "ntm-2021-2025", "test")


def carried(lineage, code: str, indicator: str = "TC8") -> str:
    rows = lineage.rows
    return rows.loc[(rows.commune_code == code) & (rows.indicator == indicator), "status"].item()


def commune(lineage, code: str) -> pd.Series:
    return lineage.communes.set_index("commune_code").loc[code]


def test_all_parts_pass_carry_dat_with_shares():
    # 22963 Xã Tiến Lợi + 23131 Xã Hàm Mỹ (2024) = 22963 Xã Tuyên Quang (2025)
    lin = carry(assessment({"22963": "dat", "23131": "dat"}, sizes={"22963": (1, 100), "23131": (3, 300)}))
    assert list(lin.communes.commune_code) == ["22963"]
    assert all(carried(lin, "22963", i) == "dat" for i in INDICATORS)
    row = commune(lin, "22963")
    assert row.commune_name == "Xã Tuyên Quang" and not row.needs_reassessment and row.n_parts == 2
    parts = lin.parts.set_index("part_code")
    assert parts.loc["22963", "part_name"] == "Xã Tiến Lợi"
    assert parts.loc["22963", "area_share"] == pytest.approx(0.25, abs=1e-6)
    assert parts.loc["23131", "population_share"] == pytest.approx(0.75)
    assert not parts.share_approximate.any()
    assert row.geometry.area == pytest.approx(4e6, rel=1e-6)  # the union of the parts' polygons
    assert set(lin.rows.basis) == {"practice"} and set(lin.parts.basis) == {"practice"}
    assert lin.rows.note_en.str.contains("practice").all() and lin.rows.note_vi.str.contains("5424").all()
    assert lin.counts == {"communes": 1, "dat": 1, "khong_dat": 0, "thieu_du_lieu": 0, "needs_reassessment": 0}


def test_one_failing_part_fails_the_new_commune():
    lin = carry(assessment({"22963": "dat", "23131": {"8.1": "dat", "8.2": "dat", "8.3": "khong_dat", "8.4": "dat"}}))
    assert carried(lin, "22963", "8.3") == "khong_dat" and carried(lin, "22963") == "khong_dat"
    assert carried(lin, "22963", "8.1") == "dat"
    assert not commune(lin, "22963").needs_reassessment  # every part assessed, none split: no re-assessment
    reasons = lin.rows.set_index(["commune_code", "indicator"]).loc[("22963", "8.3"), "reasons_en"]
    assert "23131 Xã Hàm Mỹ" in reasons
    part_statuses = lin.rows.set_index(["commune_code", "indicator"]).loc[("22963", "8.3"), "part_statuses"]
    assert part_statuses == "22963: dat; 23131: khong_dat"


def test_a_part_missing_from_the_assessment():
    # 25099 Đạ Huoai (2025) = 25099 + 25111 + 25117 (2024); 25117 not assessed
    lin = carry(assessment({"25099": "dat", "25111": "dat"}, sizes={"25099": (1, 10), "25111": (1, 10)}))
    assert carried(lin, "25099") == "thieu_du_lieu"
    row = commune(lin, "25099")
    assert row.needs_reassessment and row.n_not_assessed == 1 and "25117" in row.parts_not_assessed
    assert lin.parts.area_share.isna().all()  # the missing part's size is unknown: no share is given
    assert set(lin.parts.set_index("part_code").loc["25117", ["status_8_1", "status_tc8"]]) == {"chua_danh_gia"}
    # a failing part outweighs a missing one
    lin = carry(assessment({"25099": {"8.1": "khong_dat", "8.2": "dat", "8.3": "dat", "8.4": "dat"}, "25111": "dat"}))
    assert carried(lin, "25099") == "khong_dat" and carried(lin, "25099", "8.2") == "thieu_du_lieu"


def test_missing_data_in_a_part_gives_missing_data():
    lin = carry(assessment({"22963": "dat", "23131": {"8.1": "thieu_du_lieu", "8.2": "dat", "8.3": "dat", "8.4": "dat"}}))
    assert carried(lin, "22963", "8.1") == "thieu_du_lieu" and carried(lin, "22963") == "thieu_du_lieu"
    assert not commune(lin, "22963").needs_reassessment


def test_split_commune_feeds_two_new_ones():
    # 00988 Xã Yên Định is split between 00700 Ngọc Đường and 00994 Minh Ngọc
    everyone = {"00700": "dat", "00988": "dat", "00994": "dat", "01009": "dat"}
    sizes = {code: (1, 100) for code in everyone}
    lin = carry(assessment(everyone, sizes=sizes))
    assert sorted(lin.communes.commune_code) == ["00700", "00994"]
    for code in ("00700", "00994"):
        assert carried(lin, code) == "dat"  # carried, but a split part means re-assessment
        row = commune(lin, code)
        assert row.needs_reassessment and row.shares_approximate and "00988" in row.parts_partly_merged
    split = lin.parts[lin.parts.part_code == "00988"]
    assert len(split) == 2 and split.partly_merged.all() and split.share_approximate.all()
    assert split.set_index("commune_code").loc["00700", "area_share"] == pytest.approx(0.5)  # whole old commune
    assert not lin.parts[lin.parts.part_code == "01009"].share_approximate.any()
    assert lin.counts["needs_reassessment"] == 2


def test_codes_with_and_without_leading_zeros_match():
    with_zeros = carry(assessment({"00700": "dat", "00988": "khong_dat", "00994": "dat", "01009": "dat"}))
    without = carry(assessment({"700": "dat", "988": "khong_dat", "994": "dat", "1009": "dat"}))
    pd.testing.assert_frame_equal(with_zeros.rows, without.rows)
    assert set(without.parts.part_code) == {"00700", "00988", "00994", "01009"} and not without.unmatched
    assert carried(without, "00700") == "khong_dat" and carried(without, "00994") == "khong_dat"
    assert without.parts.in_assessment.all()


def test_a_2024_code_with_another_meaning_in_2025():
    # 24781 is Phường 2 in 2024 and Phường Xuân Hương – Đà Lạt in 2025 (= Phường 1, 2, 3, 4, 10).
    lin = carry(assessment({"24784": "dat"}))  # Phường 1 only
    row = commune(lin, "24781")
    assert row.commune_name.startswith("Phường Xuân Hương")
    parts = lin.parts.set_index("part_code")
    assert parts.loc["24781", "part_name"] == "Phường 2" and not parts.loc["24781", "in_assessment"]
    assert carried(lin, "24781") == "thieu_du_lieu" and row.needs_reassessment
    # the old 24781 (Phường 2) failing makes the new 24781 fail; it is never taken as the new commune itself
    lin = carry(assessment({"24781": "khong_dat"}))
    assert list(lin.communes.commune_code) == ["24781"] and carried(lin, "24781") == "khong_dat"
    assert commune(lin, "24781").n_parts == 5 and commune(lin, "24781").n_not_assessed == 4


def test_unmatched_codes_are_listed_and_nothing_to_carry_is_an_error():
    lin = carry(assessment({"22963": "dat", "99999": "dat"}))
    assert lin.unmatched == ["99999"]
    with pytest.raises(InputError) as err:
        carry(assessment({"99999": "dat"}))
    assert err.value.problems[0].code == "lineage_no_2024_codes"


# --- the demo, through the CLI ------------------------------------------------------------------

def _independent_counts(results_csv) -> tuple[set, dict, int]:
    """From the shipped conversion CSV and results.csv, with pandas only (not tc8.engine.lineage)."""
    with files("tc8.data").joinpath("admin_units", "ward_conversion_2024_to_2025.csv").open(encoding="utf-8") as f:
        cv = pd.read_csv(f, dtype=str)
    cv["old"], cv["new"] = cv.ward_code_2024.str.zfill(5), cv.ward_code_2025.str.zfill(5)
    cv["split"] = cv.partly_merged.str.lower() == "true"
    res = pd.read_csv(results_csv, dtype=str)
    tc8 = res[res.indicator == "TC8"].assign(old=lambda f: f.commune_code.str.zfill(5)).set_index("old")["status"]
    new = set(cv.loc[cv.old.isin(tc8.index), "new"])
    parts = cv[cv.new.isin(new)].drop_duplicates(["new", "old"]).copy()
    parts["status"] = parts.old.map(tc8).fillna("absent")
    parts["fail"], parts["gap"] = parts.status == "khong_dat", parts.status.isin(["thieu_du_lieu", "absent"])
    per = parts.groupby("new").agg(fail=("fail", "any"), gap=("gap", "any"), split=("split", "any"),
                                   absent=("status", lambda s: (s == "absent").any()))
    status = per.fail.map({True: "khong_dat"}).fillna(per.gap.map({True: "thieu_du_lieu", False: "dat"}))
    return new, status.value_counts().to_dict(), int((per.split | per.absent).sum())


def test_demo_lineage_counts_match_an_independent_computation(tmp_path):
    from tc8.io.demo import demo_input_path

    runner = CliRunner()
    out = runner.invoke(cli, ["-q", "assess", str(demo_input_path()), "--rules", "ntm-2021-2025",
                              "-o", str(tmp_path / "a")])
    assert out.exit_code == 0, out.output
    got = runner.invoke(cli, ["lineage", str(tmp_path / "a"), "-o", str(tmp_path / "l"), "--lang", "en"])
    assert got.exit_code == 0, got.output
    rows = pd.read_csv(tmp_path / "l" / "lineage.csv", dtype=str)
    new, counts, needs = _independent_counts(tmp_path / "a" / "results.csv")
    assert set(rows.commune_code) == new and len(new) > 10
    tc8 = rows[rows.indicator == "TC8"]
    assert len(tc8) == len(new) and tc8.status.value_counts().to_dict() == counts
    assert int((tc8.needs_reassessment == "True").sum()) == needs
    assert len(rows) == len(new) * 5 and set(rows.basis) == {"practice"}
    assert f"{len(new)} new (2025) communes" in got.output and "practice" in got.output
    # every output: parts table, GeoPackage layers, workbook; the basis said in each
    import openpyxl
    import pyogrio

    parts = pd.read_csv(tmp_path / "l" / "lineage_parts.csv", dtype=str)
    assert set(parts.commune_code) == new and set(parts.basis) == {"practice"}
    layers = dict(pyogrio.list_layers(tmp_path / "l" / "lineage.gpkg"))
    assert {"communes", "lineage", "parts", "run_info"} <= set(layers)
    geo = pyogrio.read_dataframe(tmp_path / "l" / "lineage.gpkg", layer="communes")
    assert len(geo) == len(new) and geo.geometry.notna().all()
    info = pyogrio.read_dataframe(tmp_path / "l" / "lineage.gpkg", layer="run_info").set_index("key")["value"]
    assert info["basis"] == "practice"
    wb = openpyxl.load_workbook(tmp_path / "l" / "lineage.xlsx")
    assert wb.sheetnames == ["New communes", "Old parts", "Note"]
    assert wb["New communes"].max_row == len(new) + 1
    # existing outputs are refused (exit 1), kept with --overwrite
    again = runner.invoke(cli, ["lineage", str(tmp_path / "a"), "-o", str(tmp_path / "l")])
    assert again.exit_code == 1 and "--overwrite" in again.output and "Traceback" not in again.output
    assert runner.invoke(cli, ["lineage", str(tmp_path / "a"), "-o", str(tmp_path / "l"), "--overwrite"]).exit_code == 0


def test_cli_refuses_a_folder_without_results(tmp_path):
    got = CliRunner().invoke(cli, ["lineage", str(tmp_path / "nothing"), "-o", str(tmp_path / "l")])
    assert got.exit_code == 1 and "results.gpkg" in got.output and "Traceback" not in got.output
    assert not (tmp_path / "l").exists()
