"""Property tests (hypothesis) of the value readers (issue 7): a yes/no word or a number, however
it is spelt, is read exactly or refused with a message naming row and field; never read as
something else. At the level of ``type_layer`` with a Collector, and end to end through
``tc8 validate`` on a CSV input folder.
"""
from __future__ import annotations

import json
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import A, B, make_valid_input
from tc8.cli.main import cli
from tc8.io.read import read_inputs
from tc8.model.schema import BARE_AMBIGUOUS, FALSE_WORDS, LAYERS, TRUE_WORDS
from tc8.validate.run import validate_inputs
from tc8.validate.columns import fold_word, type_layer
from tc8.validate.report import Collector

BOOL_COLUMNS = [(lay.name, c.name) for lay in LAYERS.values() for c in lay.columns if c.kind == "bool"]
INT_COLUMNS = [(lay.name, c.name) for lay in LAYERS.values() for c in lay.columns
               if c.kind == "int" and c.minimum == 0 and c.maximum is None]
FLOAT_COLUMNS = [(lay.name, c.name) for lay in LAYERS.values() for c in lay.columns
                 if c.kind == "float" and c.minimum == 0 and c.maximum is None]
SPACES = [" ", "\t", "\u00a0", "  "]
GROUP_SPACES = [" ", "\u00a0", "\u202f", "\u2009"]
FOLDED_TRUE = {fold_word(w) for w in TRUE_WORDS}
FOLDED_FALSE = {fold_word(w) for w in FALSE_WORDS}


def read_column(layer: str, column: str, values: list) -> list:
    """[(typed value, problems about that row and ``column``)] for cells in rows R1, R2, ..."""
    lay = LAYERS[layer]
    rows = [f"R{i + 1}" for i in range(len(values))]
    frame = pd.DataFrame({lay.id_column: rows, column: pd.Series(values, dtype=object)})
    report = Collector()
    table, _ = type_layer(frame, lay, f"{layer}.csv", report)
    problems = [p for p in report.finish() if p.field == column]  # not: other required columns
    assert all(p.row in rows for p in problems), problems
    out = []
    for row, value in zip(rows, table[column].tolist()):
        value = value.item() if hasattr(value, "item") else value  # numpy scalar -> Python
        out.append((value, [p for p in problems if p.row == row]))
    return out


def refused_as_typed(problems, row, column, text, codes):
    """Exactly one problem, an error in ``codes`` naming ``row`` and ``column``, quoting ``text``."""
    assert len(problems) == 1, problems
    p = problems[0]
    assert (p.severity, p.row, p.field, p.params.get("value")) == ("error", row, column, text), p
    assert p.code in codes, p


def each(layer, column, values):
    """(row name, text, typed value, problems) per value, typed together as one column."""
    for i, (text, (value, problems)) in enumerate(zip(values, read_column(layer, column, values))):
        yield f"R{i + 1}", text, value, problems


# --- yes/no words -----------------------------------------------------------------------------

@st.composite
def spelt_word(draw):
    """(spelling, meaning) of a listed yes/no word: any case, spaces around and between the
    words, NFC or NFD, and without accents where the bare form is unambiguous."""
    meaning = draw(st.booleans())
    word = draw(st.sampled_from(sorted(w for w in (TRUE_WORDS if meaning else FALSE_WORDS) if w)))
    bare = fold_word(word)
    if draw(st.booleans()) and bare not in BARE_AMBIGUOUS:
        word = bare
    word = "".join(c.upper() if draw(st.booleans()) else c for c in word)
    word = word.replace(" ", draw(st.sampled_from(SPACES)))
    word = draw(st.sampled_from(SPACES + [""])) + word + draw(st.sampled_from(SPACES + [""]))
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), word), meaning


@settings(max_examples=60, deadline=None)
@given(spelt=st.lists(spelt_word(), min_size=1, max_size=25), where=st.sampled_from(BOOL_COLUMNS))
def test_listed_words_are_read_exactly(spelt, where):
    for (row, text, value, problems), (_, meaning) in zip(each(*where, [t for t, _ in spelt]), spelt):
        assert problems == [] and value is meaning, (row, text)


ODD_WORDS = ["dừng", "dung", "có thể", "không rõ", "none", "null", "N/A", "-", "2", "1.0", "yes no", "cóx",
             "chưa rõ", "đã", "khôngg"]


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.one_of(st.text(max_size=12), st.sampled_from(ODD_WORDS)), min_size=1, max_size=25),
       where=st.sampled_from(BOOL_COLUMNS))
def test_any_text_is_read_as_its_listed_word_or_refused(texts, where):
    for row, text, value, problems in each(*where, texts):
        if not text.strip():
            assert problems == [] and value is pd.NA
        elif value is pd.NA:
            refused_as_typed(problems, row, where[1], text, {"bad_bool"})
        else:  # read: it must be a listed word of that meaning, and of that meaning only
            assert problems == []
            folded = fold_word(text)
            assert folded in (FOLDED_TRUE if value else FOLDED_FALSE), text
            assert folded not in (FOLDED_FALSE if value else FOLDED_TRUE), text


# --- numbers ---------------------------------------------------------------------------------

def group(digits: str, sep: str) -> str:
    """``1234567`` -> ``1<sep>234<sep>567``."""
    head = len(digits) % 3 or 3
    return sep.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


@st.composite
def spelt_count(draw):
    """(spelling, n, unambiguous-as-a-decimal-too) of a whole number n."""
    n = draw(st.integers(min_value=0, max_value=10**10))
    digits = str(n)
    how = draw(st.sampled_from(["plain", "grouped", "zero_fraction"]))
    single_group = False
    if how == "grouped" and n >= 1000:
        sep = draw(st.sampled_from([".", ","] + GROUP_SPACES))
        text = group(digits, sep)
        single_group = sep in ".," and text.count(sep) == 1
    elif how == "zero_fraction":
        text = digits + draw(st.sampled_from([".", ","])) + "0" * draw(st.integers(1, 2))
    else:
        text = digits
    pad = draw(st.sampled_from(["", " "]))
    return pad + draw(st.sampled_from(["", "+"])) + text + pad, n, single_group


@settings(max_examples=60, deadline=None)
@given(spelt=st.lists(spelt_count(), min_size=1, max_size=25), where=st.sampled_from(INT_COLUMNS))
def test_counts_are_read_exactly(spelt, where):
    for (row, text, value, problems), (_, n, _) in zip(each(*where, [t for t, _, _ in spelt]), spelt):
        assert problems == [] and value == n, (row, text)


@settings(max_examples=60, deadline=None)
@given(spelt=st.lists(spelt_count(), min_size=1, max_size=25), where=st.sampled_from(FLOAT_COLUMNS))
def test_whole_numbers_in_decimal_columns_are_read_or_refused_as_ambiguous(spelt, where):
    for (row, text, value, problems), (_, n, single_group) in zip(each(*where, [t for t, _, _ in spelt]), spelt):
        if single_group:  # 1.200: 1.2 or 1200?
            assert value is pd.NA
            refused_as_typed(problems, row, where[1], text, {"ambiguous_number"})
        else:
            assert problems == [] and value == n, (row, text)


@st.composite
def spelt_decimal(draw):
    """(spelling, integer part, fraction digits, grouped) with a decimal comma or point."""
    whole = draw(st.integers(min_value=0, max_value=10**8))
    fraction = draw(st.text("0123456789", min_size=1, max_size=4))
    mark = draw(st.sampled_from([",", "."]))
    grouped = whole >= 1000 and draw(st.booleans())
    head = group(str(whole), draw(st.sampled_from(GROUP_SPACES + [{",": ".", ".": ","}[mark]]))) if grouped \
        else str(whole)
    return f"{head}{mark}{fraction}", whole, fraction, grouped


@settings(max_examples=60, deadline=None)
@given(spelt=st.lists(spelt_decimal(), min_size=1, max_size=25), where=st.sampled_from(FLOAT_COLUMNS))
def test_decimals_are_read_exactly_or_refused_as_ambiguous(spelt, where):
    for (row, text, value, problems), (_, whole, fraction, grouped) in zip(
            each(*where, [s[0] for s in spelt]), spelt):
        if not grouped and len(fraction) == 3 and 1 <= whole <= 999:
            refused_as_typed(problems, row, where[1], text, {"ambiguous_number"})
        else:
            assert problems == [] and value == float(f"{whole}.{fraction}"), (row, text)


@settings(max_examples=60, deadline=None)
@given(spelt=st.lists(spelt_decimal(), min_size=1, max_size=25), where=st.sampled_from(INT_COLUMNS))
def test_decimals_in_count_columns_are_whole_or_refused(spelt, where):
    for (row, text, value, problems), (_, whole, fraction, grouped) in zip(
            each(*where, [s[0] for s in spelt]), spelt):
        if not grouped and len(fraction) == 3 and 1 <= whole <= 999:
            assert problems == [] and value == whole * 1000 + int(fraction), text  # 1.200 people = 1200
        elif set(fraction) == {"0"}:
            assert problems == [] and value == whole, text
        else:
            refused_as_typed(problems, row, where[1], text, {"bad_number"})


def readings(text: str) -> set:
    """Every value ``text`` spells in the Vietnamese (``1.234,5``) or the English (``1,234.5``)
    convention, strict groups of three; an independent oracle for the reader."""
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    text = text[1:] if text[:1] in "+-" else text
    out = set()
    if re.fullmatch(r"[0-9]+(\.[0-9]*)?[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+", text):
        out.add(sign * float(text))
    for groups, mark in ((".", ","), (",", ".")):
        head, _, tail = text.partition(mark)
        if mark in tail or (_ and not re.fullmatch(r"[0-9]+", tail)):
            continue
        for sep in (groups, *GROUP_SPACES):
            if re.fullmatch(rf"[0-9]+", head) or (_ and head == "") or \
                    re.fullmatch(rf"[1-9][0-9]{{0,2}}({re.escape(sep)}[0-9]{{3}})+", head):
                out.add(sign * float(f"{head.replace(sep, '') or 0}.{tail or 0}"))
    return out


NUMBER_TEXT = st.text(st.sampled_from("0123456789.,  +-e\u00a0x"), min_size=1, max_size=14)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(NUMBER_TEXT.filter(str.strip), min_size=1, max_size=25),
       where=st.sampled_from(INT_COLUMNS + FLOAT_COLUMNS))
def test_any_text_is_one_of_its_readings_or_refused(texts, where):
    kind = LAYERS[where[0]].column(where[1]).kind
    for row, text, value, problems in each(*where, texts):
        if value is pd.NA or problems:
            assert value is pd.NA or [p.code for p in problems] == ["out_of_range"]
            refused_as_typed(problems, row, where[1], text, {"bad_number", "ambiguous_number", "out_of_range"})
            continue
        spelt = readings(text)
        assert value in spelt, (text, value, spelt)
        if kind == "float":  # a decimal column takes a value only when both conventions agree
            assert len(spelt) == 1, (text, value, spelt)
        else:
            assert float(value).is_integer() and abs(value) <= 2**53, (text, value)


# --- end to end: tc8 validate on a CSV folder -----------------------------------------------

@pytest.fixture(scope="module")
def csv_base(tmp_path_factory):
    """A valid input folder without villages (each example writes its villages.csv)."""
    return make_valid_input(tmp_path_factory.mktemp("readers"), villages=None)


def _villages(population: str, fixed_phone: str, sep: str) -> str:
    frame = pd.DataFrame({"village_id": ["V1", "V2", "V3"], "commune_code": [A, A, B],
                          "village_name": ["Thôn 1", "Thôn 2", "Buôn Ea Tiêu"],
                          "population": [population, "600", "900"], "households": ["", "", ""],
                          "fixed_phone": [fixed_phone, "", ""],
                          "lon": ["108.01", "108.04", "108.07"], "lat": ["12.01", "12.04", "12.02"]})
    return frame.to_csv(index=False, sep=sep)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=spelt_count(), word=spelt_word(), sep=st.sampled_from([",", ";", "\t"]))
def test_cli_validate_reads_or_refuses_with_row_and_field(csv_base, tmp_path, count, word, sep):
    (text, n, _), (spelling, meaning) = count, word
    folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "in"
    shutil.copytree(csv_base, folder)
    (folder / "villages.csv").write_text(_villages(text, spelling, sep), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(folder), "--format", "json", "--lang", "en"])
    report = json.loads(result.output)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert result.exit_code == 0 and errors == [], (text, spelling, errors)
    raw, read = read_inputs(folder)
    inputs, _ = validate_inputs(raw, read)
    villages = inputs.layers["villages"]
    assert villages["population"].iloc[0] == n and bool(villages["fixed_phone"].iloc[0]) is meaning
    bad = folder.parent / (folder.name + "_bad")
    shutil.copytree(csv_base, bad)
    (bad / "villages.csv").write_text(_villages(text + "?", spelling + "?", sep), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(bad), "--format", "json", "--lang", "en"])
    report = json.loads(result.output)
    assert result.exit_code == 1
    located = {(p["code"], p["layer"], p["row"], p["field"]) for p in report["problems"]}
    assert located == {("bad_number", "villages", "V1", "population"), ("bad_bool", "villages", "V1", "fixed_phone")}
    messages = " ".join(p["message"] for p in report["problems"])
    assert f"'{text}?'" in messages and f"'{spelling}?'" in messages
