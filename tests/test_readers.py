"""Readers of typed values (issue 7, classes 1, 2 and 15): yes/no words, web addresses, numbers
with thousands separators or decimal commas, CSV separators and encodings, template suffix.

Each test was written against the code before the fix and failed there.
"""
from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from builders import A, B, make_valid_input
from tc8.cli.main import cli
from tc8.io.read import read_inputs
from tc8.measures.it import it_measures
from tc8.text.messages import render_problem
from tc8.model.schema import FALSE_WORDS, LAYERS, TRUE_WORDS
from tc8.validate.run import validate_inputs
from tc8.validate.columns import type_layer
from tc8.validate.report import Collector

BOOL_COLUMNS = [(layer.name, col.name) for layer in LAYERS.values() for col in layer.columns if col.kind == "bool"]
INT_COLUMNS = [(layer.name, col.name) for layer in LAYERS.values() for col in layer.columns if col.kind == "int"]
FLOAT_COLUMNS = [(layer.name, col.name) for layer in LAYERS.values() for col in layer.columns
                 if col.kind == "float"]


def typed(layer: str, column: str, values: list):
    """Type ``values`` as ``layer.column`` (rows named R1, R2, ...); (typed column, problems)."""
    lay = LAYERS[layer]
    frame = pd.DataFrame({lay.id_column: [f"R{i + 1}" for i in range(len(values))]})
    frame[column] = pd.Series(values, dtype=object)
    report = Collector()
    table, _ = type_layer(frame, lay, f"{layer}.csv", report)
    return table[column], [p for p in report.finish() if p.field == column]


# --- class 1: yes/no facts ------------------------------------------------------------------

NEGATIVE = ["không", "no", "0", "chưa có", "False", "KHÔNG CÓ", "ko", "K", "chưa", "khong co", "  Không  ",
            "không\u00a0có", "absent", "chưa đạt", "sai"]
POSITIVE = ["có", "Có", "CO", "yes", "True", "1", "x", "đã có", "đúng", "Đạt", " co ", "present"]


@pytest.mark.parametrize("layer,column", BOOL_COLUMNS)
def test_every_bool_column_reads_vietnamese_and_english_words(layer, column):
    values, problems = typed(layer, column, NEGATIVE + POSITIVE + ["", None])
    assert problems == []
    assert values.tolist() == [False] * len(NEGATIVE) + [True] * len(POSITIVE) + [pd.NA, pd.NA]


@pytest.mark.parametrize("layer,column", BOOL_COLUMNS)
def test_unclear_yes_no_is_an_error_quoting_the_value(layer, column):
    values, problems = typed(layer, column, ["có", " có thể ", "??", "none"])
    assert values.tolist() == [True, pd.NA, pd.NA, pd.NA]
    assert [(p.code, p.row, p.field, p.params["value"]) for p in problems] == [
        ("bad_bool", "R2", column, " có thể "), ("bad_bool", "R3", column, "??"), ("bad_bool", "R4", column, "none")]
    what, fix = render_problem(problems[0], "en")
    assert "' có thể '" in what and "không" in fix and "chưa có" in fix


def test_no_word_is_both_yes_and_no():
    from tc8.validate.columns import fold_word

    assert not TRUE_WORDS & FALSE_WORDS
    folded_true = {fold_word(w) for w in TRUE_WORDS}
    folded_false = {fold_word(w) for w in FALSE_WORDS}
    assert not folded_true & folded_false


def _website(values):
    lay = LAYERS["commune_it"]
    codes = [f"{i:05d}" for i in range(len(values))]
    frame = pd.DataFrame({"commune_code": codes, "website": pd.Series(values, dtype=object)})
    report = Collector()
    table, _ = type_layer(frame, lay, "commune_it.csv", report)
    measure = it_measures(table, pd.Index(codes))["it_website"]
    return measure, report.finish()


def test_website_no_words_mean_no_website():
    values = ["không", "no", "0", "chưa có", "False", "https://xa.lamdong.gov.vn", "xaabc.gov.vn",
              "http://www.xa-abc.vn/trang-chu", "có", "Yes", "facebook.com/xaabc", ""]
    measure, problems = _website(values)
    assert problems == []
    assert measure.low.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0]
    assert measure.high.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]  # empty: unknown


def test_website_neither_yes_no_nor_address_is_an_error():
    _, problems = _website(["đang xây dựng", "??", "https://", "1.200", "https://xa.lamdong.gov.vn"])
    assert [(p.code, p.row, p.field, p.params["value"]) for p in problems] == [
        ("bad_website", "00000", "website", "đang xây dựng"), ("bad_website", "00001", "website", "??"),
        ("bad_website", "00002", "website", "https://"), ("bad_website", "00003", "website", "1.200")]
    for lang in ("vi", "en"):
        what, fix = render_problem(problems[0], lang)
        assert "đang xây dựng" in what and "https://" in fix and "{" not in what + fix


def test_website_no_word_fails_indicator_end_to_end(tmp_path):
    path = make_valid_input(tmp_path, commune_it=lambda t: t.assign(website=["chưa có", "https://eatieu.gov.vn"]))
    raw, read = read_inputs(path)
    inputs, problems = validate_inputs(raw, read)
    assert inputs is not None, problems
    measure = it_measures(inputs.layers["commune_it"], pd.Index([A, B]))["it_website"]
    assert measure.low.tolist() == [0.0, 1.0] and measure.high.tolist() == [0.0, 1.0]


# --- class 2: numbers -----------------------------------------------------------------------

@pytest.mark.parametrize("layer,column", INT_COLUMNS)
def test_counts_read_thousands_separators(layer, column):
    values, problems = typed(layer, column, ["2.000", "2,000", "2 000", "12.345.678", "1.234.567,0", "900",
                                             "+7", "2\u00a0000", "3.0", 2.0, "1,234,567"])
    assert problems == []
    assert values.tolist() == [2000, 2000, 2000, 12345678, 1234567, 900, 7, 2000, 3, 2, 1234567]


@pytest.mark.parametrize("layer,column", INT_COLUMNS)
def test_counts_refuse_unclear_spellings_quoting_them(layer, column):
    bad = ["1.20.000", "12,34,567", "0.500", "1,5", "2.000,000.5", "2.000 người", "1.2345"]
    values, problems = typed(layer, column, bad)
    assert values.isna().all()
    assert [(p.row, p.field, p.params["value"]) for p in problems] == [
        (f"R{i + 1}", column, v) for i, v in enumerate(bad)]
    assert {p.code for p in problems} == {"bad_number"}
    _, fix = render_problem(problems[0], "en")
    assert "2.000" in fix and "2000" in fix


@pytest.mark.parametrize("layer,column", FLOAT_COLUMNS)
def test_decimals_read_comma_or_point(layer, column):
    values, problems = typed(layer, column, ["8,5", "8.5", "0,500", "12", "1.234,5", "1,234.5", "1 234,5", 8.5])
    col = LAYERS[layer].column(column)
    in_range = [col.maximum is None or v <= col.maximum for v in (8.5, 8.5, 0.5, 12, 1234.5, 1234.5, 1234.5, 8.5)]
    assert [p.code for p in problems] == ["out_of_range"] * in_range.count(False)
    got = values.tolist()
    for value, expected, ok in zip(got, [8.5, 8.5, 0.5, 12.0, 1234.5, 1234.5, 1234.5, 8.5], in_range):
        assert (value == expected) if ok else value is pd.NA or value == expected


@pytest.mark.parametrize("layer,column", FLOAT_COLUMNS)
def test_decimals_refuse_thousands_or_decimal(layer, column):
    values, problems = typed(layer, column, ["1.200", "1,200", "8.000", "8.5"])
    assert values.isna().tolist() == [True, True, True, False] and values[3] == 8.5
    assert [(p.code, p.row, p.params["value"]) for p in problems] == [
        ("ambiguous_number", "R1", "1.200"), ("ambiguous_number", "R2", "1,200"),
        ("ambiguous_number", "R3", "8.000")]
    for lang in ("vi", "en"):
        what, fix = render_problem(problems[0], lang)
        assert "'1.200'" in what and "1200" in fix and "{" not in what + fix


def test_messages_quote_numbers_as_typed():
    _, problems = typed("postal_points", "hours_per_day", ["25,0", "-1"])
    assert [(p.code, p.params["value"]) for p in problems] == [("out_of_range", "25,0"), ("out_of_range", "-1")]
    _, problems = typed("villages", "population", ["-1.000"])
    assert [(p.code, p.params["value"]) for p in problems] == [("out_of_range", "-1.000")]


def test_numeric_fields_from_geopackage_still_work(tmp_path):
    path = make_valid_input(tmp_path, fmt="gpkg",
                            villages=lambda v: v.assign(population=[800.0, 600.0, 2000.0]),
                            postal_points=lambda p: p.assign(hours_per_day=[1.234, 8.0]))
    raw, read = read_inputs(path)
    inputs, problems = validate_inputs(raw, read)
    assert inputs is not None, problems
    assert inputs.layers["villages"]["population"].tolist() == [800, 600, 2000]
    assert inputs.layers["postal_points"]["hours_per_day"].tolist() == [1.234, 8.0]


def _csv_input(tmp_path, sep=",", encoding="utf-8", **village_columns):
    """Valid input whose villages layer is a CSV with lon/lat (``village_columns`` override)."""
    path = make_valid_input(tmp_path, villages=None)
    villages = pd.DataFrame({"village_id": ["V1", "V2", "V3"], "commune_code": [A, A, B],
                             "village_name": ["Thôn 1", "Thôn 2", "Buôn Ea Tiêu"],
                             "population": ["800", "600", "900"], "households": ["200", "150", "210"],
                             "lon": [108.01, 108.04, 108.07], "lat": [12.01, 12.04, 12.02]})
    for name, values in village_columns.items():
        villages[name] = values
    villages.to_csv(path / "villages.csv", index=False, sep=sep, encoding=encoding)
    return path


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result, result.output


def test_cli_validate_reads_thousands_and_refuses_ambiguous(tmp_path):
    ok = _csv_input(tmp_path / "ok", population=["2.000", "1 500", "12,345"])
    result, out = invoke("validate", ok, "--format", "json")
    assert result.exit_code == 0, out
    raw, read = read_inputs(ok)
    inputs, _ = validate_inputs(raw, read)
    assert inputs.layers["villages"]["population"].tolist() == [2000, 1500, 12345]
    bad = _csv_input(tmp_path / "bad", population=["2.000", "1,5", "1.20.000"], fixed_phone=["ko", "có", "hmm"])
    result, out = invoke("validate", bad, "--lang", "en")
    assert result.exit_code == 1 and "Traceback" not in out
    assert "| villages | row V2 | field population | Value '1,5'" in out
    assert "| villages | row V3 | field population | Value '1.20.000'" in out
    assert "| villages | row V3 | field fixed_phone | Value 'hmm'" in out
    assert "row V1" not in out


# --- class 15: CSV separators and encodings, template suffix -------------------------------

@pytest.mark.parametrize("sep", [";", "\t"])
def test_csv_with_other_separator_is_read(tmp_path, sep):
    path = _csv_input(tmp_path, sep=sep, population=["2.000", "600", "900"])
    raw, read = read_inputs(path)
    inputs, problems = validate_inputs(raw, read)
    assert inputs is not None, [(p.code, p.field) for p in problems]
    assert inputs.layers["villages"]["population"].tolist() == [2000, 600, 900]


def test_csv_not_utf8_says_save_as_utf8(tmp_path):
    path = _csv_input(tmp_path, encoding="cp1258")
    result, out = invoke("validate", path, "--lang", "en")
    assert result.exit_code == 1 and "Traceback" not in out
    assert str(path / "villages.csv") in out and "UTF-8" in out and "codec" not in out
    raw, read = read_inputs(path)
    problem = [p for p in read if p.layer == "villages"][0]
    assert problem.code == "csv_not_utf8"
    for lang in ("vi", "en"):
        what, fix = render_problem(problem, lang)
        assert "UTF-8" in what + fix and "{" not in what + fix and "villages.csv" in what


def test_template_refuses_a_non_geopackage_name(tmp_path):
    for name in ("x.geojson", "x.csv", "x"):
        result, out = invoke("template", tmp_path / name, "--lang", "en")
        assert result.exit_code == 2, out
        assert ".gpkg" in out and "Traceback" not in out
        assert not (tmp_path / name).exists()
    result, out = invoke("template", tmp_path / "ok.GPKG")
    assert result.exit_code == 0, out


def test_fold_word_is_accent_and_case_insensitive():
    from tc8.validate.columns import fold_word

    assert fold_word("  KHÔNG\u00a0 Có ") == fold_word("khong co")
    assert fold_word(unicodedata.normalize("NFD", "chưa có")) == "chua co"
    assert fold_word("Đạt") == "dat"
    assert np.all([fold_word(w) == fold_word(w.upper()) for w in TRUE_WORDS | FALSE_WORDS])
