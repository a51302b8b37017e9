"""Issue 7, class 14: oversized names and free text.

A commune and a village name of 1,000,000 characters: validation warns (row, field, the first
characters), every command exits 0 without a traceback, the PNG map is written, every workbook
cell holds at most Excel's 32,767 characters, and renderings show a shortened name ending
in '…'. The GeoPackage keeps the full text (it is the record).
"""
from __future__ import annotations

import re

import matplotlib.image
import openpyxl
import pyogrio
import pytest
from click.testing import CliRunner

from builders import A, make_valid_input
from tc8.cli.main import cli
from tc8.text.size import CELL_CHARS, NAME_CHARS, TEXT_CHARS, bounded, limit_for

HUGE = 1_000_000
RULES = "ntm-2021-2025"


@pytest.fixture(scope="module")
def huge_input(tmp_path_factory):
    root = tmp_path_factory.mktemp("huge")
    return make_valid_input(
        root,
        communes=lambda c: c.assign(commune_name=["Xã " + "A" * HUGE, "Xã Ea Tiêu"]),
        villages=lambda v: v.assign(village_name=["Thôn " + "B" * HUGE, "Thôn 2", "Buôn Ea Tiêu"]))


def _run(args):
    result = CliRunner().invoke(cli, args)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_bounds_live_in_one_place():
    assert limit_for("commune_name") == limit_for("village_name") == limit_for("name") == NAME_CHARS
    assert limit_for("operator") == limit_for("website") == TEXT_CHARS
    assert NAME_CHARS < TEXT_CHARS < CELL_CHARS == 32_767
    text = bounded("x" * HUGE, "commune_name")
    assert len(text) == NAME_CHARS and text.endswith("…")
    assert bounded("Xã Hòa Bình", "commune_name") == "Xã Hòa Bình"


def test_validate_warns_per_row_and_field(huge_input):
    result = _run(["validate", str(huge_input), "--lang", "en"])
    assert result.exit_code == 0, result.output[:2000]
    assert len(result.output) < 20_000  # the first characters are quoted, not the name
    warned = [line for line in result.output.splitlines() if "more than 200" in line]
    assert len(warned) == 2, result.output[:3000]
    assert re.search(r"WARNING \| communes \| row 24784 \| field commune_name \| Text of 1000003 characters", warned[0])
    assert re.search(r"WARNING \| villages \| row V1 \| field village_name \| Text of 1000005 characters", warned[1])
    assert "'Xã AAAA" in warned[0] and "'Thôn BBBB" in warned[1] and "…'" in warned[0]


def test_assess_exits_0_with_a_warning_and_keeps_the_record(huge_input, tmp_path):
    out = tmp_path / "out"
    result = _run(["assess", str(huge_input), "--rules", RULES, "-o", str(out)])
    assert result.exit_code == 0, result.output[:2000]
    assert len(result.output) < 20_000 and "…" in result.output
    assert "commune_name" in result.output and "village_name" in result.output  # the warnings
    communes = pyogrio.read_dataframe(out / "results.gpkg", layer="communes")
    assert communes["commune_name"].str.len().max() == HUGE + 3  # the GeoPackage keeps the full name


def test_map_png_written(huge_input, tmp_path):
    out = tmp_path / "maps"
    result = _run(["map", str(huge_input), "--rules", RULES, "-o", str(out), "--commune", A,
                   "--png", "--no-tiles"])
    assert result.exit_code == 0, result.output[:2000]
    png = out / "communes" / f"{A}.png"
    assert png.stat().st_size > 0
    height, width = matplotlib.image.imread(png).shape[:2]
    assert width < 2_000 and height < 2_000  # the title wraps a bounded name
    html = (out / "communes" / f"{A}.html").read_text(encoding="utf-8")
    assert "A" * (NAME_CHARS + 1) not in html and "B" * (NAME_CHARS + 1) not in html
    assert "A" * 50 + "…" in html
    province = (out / "index.html").read_text(encoding="utf-8")
    assert "A" * (NAME_CHARS + 1) not in province and "A" * 50 + "…" in province


def test_dossier_cells_within_excel_limit(huge_input, tmp_path):
    out = tmp_path / "hoso"
    result = _run(["dossier", str(huge_input), "--rules", RULES, "-o", str(out)])
    assert result.exit_code == 0, result.output[:2000]
    books = sorted(out.rglob("*.xlsx"))
    assert books
    longest = 0
    for book in books:
        wb = openpyxl.load_workbook(book, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        longest = max(longest, len(value))
                        assert len(value) <= CELL_CHARS, (book.name, ws.title, len(value))
    assert longest > 0
    summary = openpyxl.load_workbook(out / A / f"ho-so-tc8-{A}.xlsx", read_only=True).worksheets[0]
    cells = [v for row in summary.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any(v.startswith("Xã AAA") and v.endswith(f"… ({A})") and len(v) < NAME_CHARS + 10 for v in cells)


LONG = 5_000
#: column -> (layer, letter repeated LONG times, bound shown)
EVERY_TEXT = {"district_name": ("communes", "D", NAME_CHARS), "province_name": ("communes", "P", NAME_CHARS),
              "name": ("postal_points", "N", NAME_CHARS), "operator": ("cell_sites", "O", TEXT_CHARS),
              "source": ("coverage", "S", TEXT_CHARS)}


@pytest.fixture(scope="module")
def every_text_input(tmp_path_factory):
    root = tmp_path_factory.mktemp("every")
    overrides = {}
    for column, (layer, letter, _) in EVERY_TEXT.items():
        previous = overrides.get(layer)
        overrides[layer] = (lambda f, c=column, l=letter, p=previous: (p(f) if p else f).assign(**{c: l * LONG}))
    return make_valid_input(root, **overrides)


def _longest_run(text: str, letter: str) -> int:
    return max((len(m) for m in re.findall(f"{letter}+", text)), default=0)


def test_every_text_column_is_bounded_in_maps_and_workbooks(every_text_input, tmp_path):
    """Not only the two names: every free-text column of the input model is shown cut."""
    maps, dossier = tmp_path / "maps", tmp_path / "hoso"
    for args in (["map", str(every_text_input), "--rules", RULES, "-o", str(maps), "--no-tiles"],
                 ["dossier", str(every_text_input), "--rules", RULES, "-o", str(dossier), "--no-maps"]):
        result = _run(args)
        assert result.exit_code == 0, result.output[:2000]
    pages = [p.read_text(encoding="utf-8") for p in maps.rglob("*.html")]
    cells = [v for book in dossier.rglob("*.xlsx")
             for ws in openpyxl.load_workbook(book, read_only=True).worksheets
             for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert pages and cells
    for column, (_, letter, bound) in EVERY_TEXT.items():
        longest = max(_longest_run(text, letter) for text in pages + cells)
        assert longest < bound, column
        if column != "source":  # shown somewhere, cut: the bound minus the '…'
            assert longest == bound - 1, column
