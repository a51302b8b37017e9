"""Issue 12 item 2: Excel-ready tables. ``tong-hop.xlsx`` (``summary.xlsx`` in English) written by
``tc8 assess``: one row per commune, frozen filtered header, status colours of the maps, the
reason line and the gap to pass (hand-computed below), numbers exact but shown rounded, A4
landscape; and every CSV tc8 writes starts with a UTF-8 BOM (Excel on Windows reads it as UTF-8)."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from shapely.geometry import Point

from builders import B, make_valid_input
from tc8.cli.main import cli

BOM = b"\xef\xbb\xbf"


def _it(frame):
    return frame.assign(officials_using_eoffice=[22, 12])  # B: 12 of 20 officials use e-office


def _villages(frame):  # B gets three villages, one of them (V4) with a working speaker cluster
    extra = gpd.GeoDataFrame(
        [{"village_id": "V4", "commune_code": B, "village_name": "Thôn 4", "population": 100, "households": 20},
         {"village_id": "V5", "commune_code": B, "village_name": "Thôn 5", "population": 100, "households": 20}],
        geometry=[Point(108.06, 12.04), Point(108.08, 12.04)], crs="EPSG:4326")
    return pd.concat([frame, extra], ignore_index=True)


def _speakers(frame):
    extra = gpd.GeoDataFrame([{"cluster_id": "K4", "type": "fm", "operating": True, "village_id": "V4"}],
                             geometry=[Point(108.06, 12.04)], crs="EPSG:4326")
    return pd.concat([frame, extra], ignore_index=True)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    base = tmp_path_factory.mktemp("summary")
    src = make_valid_input(base, commune_it=_it, villages=_villages, speakers=_speakers)
    out = {}
    for lang in ("vi", "en"):
        res = CliRunner().invoke(cli, ["assess", str(src), "--rules", "ntm-2021-2025", "-o", str(base / lang),
                                       "--lang", lang], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        out[lang] = base / lang
    return out


def _sheet(path):
    wb = load_workbook(path)
    return wb.worksheets[0]


def _rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}


def test_one_row_per_commune_with_words_reason_and_gap(outputs):
    ws = _sheet(outputs["vi"] / "tong-hop.xlsx")
    header, rows = _rows(ws)
    assert header[:3] == ("Mã xã", "Tên xã", "Huyện")
    assert {"Chỉ tiêu 8.1", "Chỉ tiêu 8.4", "Tiêu chí 8", "Lý do", "Còn thiếu để đạt"} <= set(header)
    assert sorted(rows) == ["24784", "24787"]
    b = rows["24787"]
    assert b["Tiêu chí 8"] == "Không đạt" and b["Chỉ tiêu 8.2"] == "Không đạt"
    assert b["Lý do"].startswith("Không đạt 8.1")
    # by hand: 8.2 none of 3 villages -> 3; 8.3 1 of 3 villages has speakers, 100 % needs 3 -> 2;
    # 8.4 60 % of 80 dossiers = 48, 20 online -> 28; 80 % of 20 officials = 16, 12 use e-office -> 4
    gap = b["Còn thiếu để đạt"]
    assert "8.2: còn 3 thôn" in gap and "8.3: còn 2 thôn" in gap
    assert "8.4: +28 hồ sơ trực tuyến, +4 cán bộ dùng VPĐT" in gap
    assert rows["24784"]["Còn thiếu để đạt"] == "8.3: còn 1 thôn"  # 1 of 2 villages


def test_header_frozen_filtered_coloured_and_printable(outputs):
    ws = _sheet(outputs["vi"] / "tong-hop.xlsx")
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}3"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.column_dimensions["A"].width == 10 and ws.column_dimensions["I"].width > 40
    rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
    assert {tuple(r.formula) for r in rules} == {('"Đạt"',), ('"Không đạt"',), ('"Thiếu dữ liệu"',)}
    fills = {r.formula[0]: r.dxf.fill.fgColor.rgb[-6:] for r in rules}
    assert fills['"Không đạt"'] == "D95F02"


def test_palette_is_the_maps_palette():
    from tc8.maps.style import STATUS_COLORS as MAPS
    from tc8.outputs.summary_table import STATUS_COLORS
    assert STATUS_COLORS == MAPS


def test_numbers_exact_but_shown_rounded(outputs):
    ws = _sheet(outputs["vi"] / "tong-hop.xlsx")
    header = [c.value for c in ws[1]]
    col = header.index("8.3 đo được (%)") + 1
    cell = next(c for c in ws.iter_cols(min_col=col, max_col=col, min_row=2) for c in c if c.row == 3)
    assert ws.cell(3, 1).value == "24787"
    assert cell.value == pytest.approx(100 / 3, abs=1e-12) and cell.number_format == "0.0"


def test_english_headers_and_file_name(outputs):
    assert not (outputs["en"] / "tong-hop.xlsx").exists()
    header, rows = _rows(_sheet(outputs["en"] / "summary.xlsx"))
    assert header[:3] == ("Commune code", "Commune", "District")
    assert rows["24787"]["Criterion 8"] == "Fail"
    assert "8.3: 2 more villages" in rows["24787"]["Gap to pass"]


def test_every_csv_has_a_bom_and_lineage_reads_it(outputs, tmp_path):
    csvs = list(outputs["vi"].rglob("*.csv"))
    assert csvs
    for path in csvs:
        assert path.read_bytes().startswith(BOM), path
    table = pd.read_csv(outputs["vi"] / "results.csv", dtype=str, encoding="utf-8-sig")
    assert table.columns[0] == "rule_set"
    assert table.loc[table["indicator"] == "8.3", "measured"].iloc[1] == "33.333333333333336"  # exact in the CSV
    res = CliRunner().invoke(cli, ["lineage", str(outputs["vi"]), "-o", str(tmp_path / "l")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    for path in (tmp_path / "l").glob("*.csv"):
        assert path.read_bytes().startswith(BOM), path
