"""Issue 7, class 8: no output text carries an unfilled ``{placeholder}`` or a doubled label.

Before: without a ``commune_it`` layer the note read
``Số liệu CNTT của xã: Số liệu CNTT của xã: {what}`` (and ``Commune IT figures: Commune IT
figures: {what}``) in results.csv, results.gpkg and the dossier's "Cần bổ sung" sheet.
Each input variant is assessed and written through the Python API (results, dossier with
workbooks and, for some variants, maps), then every text read back is checked.
"""
from __future__ import annotations

import json
import re

import openpyxl
import pandas as pd
import pyogrio
import pytest

from builders import make_valid_input
from tc8.dossier.write import write_dossiers
from tc8.pipeline import run_assessment
from tc8.outputs.files import write_results

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
#: "X: X:" — a label repeated right after itself
DOUBLED = re.compile(r"(?<![^\s;(])(?P<label>[^\s:;(][^:;\n]{2,80}?): (?P=label):")
#: URLs (the map's tile template holds {z}/{x}/{y} on purpose)
URL = re.compile(r"https?://[^\s\"'<>]+")

# variant -> (layers to drop, language, draw maps)
VARIANTS = {
    "all_layers": ((), "vi", False),
    "no_commune_it": (("commune_it",), "vi", True),
    "no_commune_it_en": (("commune_it",), "en", False),
    "no_postal_points": (("postal_points",), "vi", False),
    "no_speakers": (("speakers",), "en", False),
    "only_required": (("postal_points", "cell_sites", "coverage", "fixed_access", "radio_stations", "speakers",
                       "commune_it"), "vi", True),
}


def _repeated_parts(text: str) -> list[str]:
    """Parts of a '; '-joined text said twice (a note reached through several conditions)."""
    parts = [p for p in text.split("; ") if len(p) > 20]
    return sorted({p for p in parts if parts.count(p) > 1})


def _bad(text: str) -> list[str]:
    text = URL.sub("", text)
    return PLACEHOLDER.findall(text) + [m.group(0) for m in DOUBLED.finditer(text)]


def _check(where: str, texts) -> list[str]:
    found = []
    for value in texts:
        if isinstance(value, str):
            found += [f"{where}: {b!r} in {value[:200]!r}" for b in _bad(value)]
    return found


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(k)
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


def test_patterns_catch_the_reported_bug():
    """The checks themselves: the text of the bug report is caught, ordinary notes are not."""
    assert _bad("Số liệu CNTT của xã: Số liệu CNTT của xã: {what} (nguồn: UBND xã)")
    assert _bad("Commune IT figures: Commune IT figures: officials")
    assert _bad("x; Postal point details: Postal point details: P1")
    assert not _bad("Thông tin điểm phục vụ bưu chính: P1: premises (nguồn: doanh nghiệp bưu chính)")
    assert not _bad("8.1: Thiếu dữ liệu; 8.4: Thiếu dữ liệu")
    assert not _bad("https://tile.example/{z}/{x}/{y}.png")
    note = "Thông tin điểm phục vụ bưu chính: BDVHX-24940: hours_per_day (nguồn: doanh nghiệp bưu chính)"
    assert _repeated_parts(f"{note}; {note}") and not _repeated_parts(f"{note}; Số liệu CNTT của xã: officials")


def test_demo_notes_are_said_once(tmp_path):
    """What to collect is said once per item: the nâng cao rule set reaches one postal note
    through two conditions (it was said twice in the demo's results.csv before)."""
    from tc8.io.demo import demo_input_path
    from tc8.pipeline import run_assessment

    res = run_assessment(demo_input_path(), "ntm-nang-cao-2021-2025")
    notes = res.indicators["missing_vi"].tolist() + res.indicators["missing_en"].tolist()
    repeated = [(n[:120], _repeated_parts(n)) for n in notes if _repeated_parts(n)]
    assert not repeated, repeated[:3]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_no_unfilled_placeholder_or_doubled_label_anywhere(tmp_path, variant):
    drop, lang, maps = VARIANTS[variant]
    source = make_valid_input(tmp_path, **{name: None for name in drop})
    results = run_assessment(source, "ntm-2021-2025")
    res = tmp_path / "res"
    write_results(results, res)
    dossier = tmp_path / "dossier"
    write_dossiers(results, dossier, lang=lang, with_maps=maps)

    found = []
    csv = pd.read_csv(res / "results.csv", dtype=str, keep_default_na=False)
    found += _check("results.csv", csv.to_numpy().ravel())
    doc = json.loads((res / "results.json").read_text(encoding="utf-8"))
    found += _check("results.json", _json_strings(doc))
    for layer, _ in pyogrio.list_layers(res / "results.gpkg"):
        frame = pyogrio.read_dataframe(res / "results.gpkg", layer=layer, read_geometry=False)
        for col in frame.columns:
            if frame[col].dtype == object or str(frame[col].dtype).startswith("string"):
                found += _check(f"results.gpkg/{layer}.{col}", frame[col].dropna().to_numpy())
    workbooks = sorted(dossier.rglob("*.xlsx"))
    assert len(workbooks) == 3  # two communes and the province roll-up
    for book in workbooks:
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            cells = (c for row in ws.iter_rows(values_only=True) for c in row)
            found += _check(f"{book.name}/{ws.title}", (c for c in cells if isinstance(c, str)
                                                          and not c.startswith("=")))
    pages = sorted(dossier.rglob("*.html"))
    assert len(pages) == (2 if maps else 0)
    for page in pages:
        found += _check(page.name, [page.read_text(encoding="utf-8")])
    assert found == [], "\n".join(found[:20])
