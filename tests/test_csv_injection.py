"""Formula injection (issue 7, class 11): text cells a spreadsheet would run are made inert in
every CSV tc8 writes (a single quote ``'`` before the text, the OWASP convention), numbers are
left alone, and the GeoPackage and JSON keep the text exactly as given."""
from __future__ import annotations

import csv
import json

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from builders import A, make_valid_input
from tc8.cli.main import cli

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+1", "-1+1", "@SUM(A1)", "=cmd|' /C calc'!A0", "-"]


def _csv_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("name", DANGEROUS)
def test_results_csv_text_is_inert_but_gpkg_and_json_keep_it(tmp_path, name):
    input_dir = make_valid_input(tmp_path, communes=lambda c: c.assign(commune_name=[name, "Xã Ea Tiêu"]))
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["assess", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(out)])
    assert res.exit_code == 0, res.output
    gpkg = pyogrio.read_dataframe(out / "results.gpkg", layer="indicators")
    (stored,) = set(gpkg.loc[gpkg["commune_code"] == A, "commune_name"])  # as read (outer blanks trimmed)
    assert stored == name.strip()
    rows = _csv_rows(out / "results.csv")
    names = {r["commune_code"]: r["commune_name"] for r in rows}
    assert names[A] == "'" + stored  # inert: Excel shows the text, never runs it
    assert names["24787"] == "Xã Ea Tiêu"  # ordinary text untouched
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {r["commune_name"] for r in doc["indicators"] if r["commune_code"] == A} == {stored}


def test_numbers_are_not_altered(tmp_path):
    """Numeric cells (measured, threshold) read back exactly as the table holds them."""
    from tc8.pipeline import run_assessment
    from tc8.outputs.files import write_results

    input_dir = make_valid_input(tmp_path, communes=lambda c: c.assign(commune_name=["-Xã", "Xã Ea Tiêu"]))
    results = run_assessment(input_dir, "ntm-2016-2020")
    write_results(results, tmp_path / "out")
    back = pd.read_csv(tmp_path / "out" / "results.csv", dtype={"commune_code": str})
    for col in ("measured", "threshold"):
        pd.testing.assert_series_equal(back[col], results.indicators[col].astype(float), check_names=False)
    assert set(back.loc[back["commune_code"] == A, "commune_name"]) == {"'-Xã"}


def test_inert_rule_on_mixed_columns():
    """Only text cells change: negative numbers stored as numbers (also inside a mixed column),
    missing values and ordinary text are kept; every trigger is covered."""
    from tc8.io.inert import inert_text_columns

    frame = pd.DataFrame({
        "n": [-1.5, 2.0, None, -3.0],
        "i": pd.array([-1, 2, None, 4], dtype="Int64"),
        "mixed": pd.Series([-2, "-2", None, "a-b"], dtype=object),
        "s": pd.array(["=1+1", "thôn", None, "@x"], dtype="string"),
        "ws": ["\tx", "\rx", "x=1", "+84 912"],
    })
    out = inert_text_columns(frame)
    pd.testing.assert_series_equal(out["n"], frame["n"])
    pd.testing.assert_series_equal(out["i"], frame["i"])
    assert out["mixed"].tolist()[:2] == [-2, "'-2"] and out["mixed"].tolist()[3] == "a-b"
    assert out["s"].tolist()[:2] == ["'=1+1", "thôn"] and out["s"].tolist()[3] == "'@x"
    assert pd.isna(out["s"].tolist()[2]) and pd.isna(out["mixed"].tolist()[2])
    assert out["ws"].tolist() == ["'\tx", "'\rx", "x=1", "'+84 912"]
    assert frame["s"].tolist()[0] == "=1+1"  # the input frame is not modified


def test_workbooks_and_csv_share_one_rule():
    """The workbook's quote prefix and the CSV prefix come from the same function."""
    import tc8.io.inert as inert
    import tc8.dossier.xlsx as xlsx_util

    assert xlsx_util.looks_like_formula is inert.looks_like_formula
    assert not hasattr(xlsx_util, "FORMULA_TRIGGERS") or xlsx_util.FORMULA_TRIGGERS is inert.FORMULA_TRIGGERS
