"""Issue 7, class 13: rule files are data and must be cheap to read.

A "billion laughs" YAML (nested aliases), a huge file and a deeply nested file are refused in
well under a second, by the loader and by every command that takes ``--rules FILE``, with a
message naming the file (and the line for aliases), exit 1, no traceback.
"""
from __future__ import annotations

import time
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import make_valid_input
from tc8.cli.main import cli
from tc8.model.errors import RuleSetError
from tc8.rules.load import load_rule_set

CRITERIA = Path(str(files("tc8.data").joinpath("criteria")))
FAST = 5.0  # seconds: generous (loaded CI machines); before the fix the billion laughs took about 98 s

LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _laughs(tmp_path: Path, name: str = "laughs.yaml") -> Path:
    path = tmp_path / name
    path.write_text(LAUGHS, encoding="utf-8")
    return path


def _timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def _load_error(path) -> tuple[str, float]:
    start = time.perf_counter()
    with pytest.raises(RuleSetError) as info:
        load_rule_set(path)
    return str(info.value), time.perf_counter() - start


def test_billion_laughs_refused_fast_by_the_loader(tmp_path):
    path = _laughs(tmp_path)
    message, elapsed = _load_error(path)
    assert elapsed < FAST
    assert "laughs.yaml:1" in message  # file and line of the first anchor
    assert "alias" in message and "anchor" in message


def test_any_alias_is_refused_even_a_small_one(tmp_path):
    """Rule files need no anchors: a shipped file with one merge key is refused at its line."""
    text = (CRITERIA / "ntm-2016-2020.yaml").read_text(encoding="utf-8")
    assert "&" not in text.replace("TT&TT", "")
    path = tmp_path / "anchored.yaml"
    path.write_text(text + "\nx_base: &base {a: 1}\nx_copy: *base\n", encoding="utf-8")
    line = len(text.splitlines()) + 2
    message, elapsed = _load_error(path)
    assert elapsed < FAST and f"anchored.yaml:{line}" in message


def test_extended_base_file_with_aliases_refused_naming_it(tmp_path):
    _laughs(tmp_path, "base.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("id: child\nextends: base.yaml\ntitle_vi: Con\ntitle_en: Child\n", encoding="utf-8")
    message, elapsed = _load_error(child)
    assert elapsed < FAST and "base.yaml:1" in message and "alias" in message


def test_huge_file_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("id: x\ntitle_vi: '" + "a" * 3_000_000 + "'\n", encoding="utf-8")
    message, elapsed = _load_error(path)
    assert elapsed < FAST and "huge.yaml" in message and "1 MB" in message


@pytest.mark.parametrize("depth", [500, 100_000])
def test_deep_nesting_refused(tmp_path, depth):
    path = tmp_path / "deep.yaml"
    path.write_text("id: x\nindicators: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    message, elapsed = _load_error(path)
    assert elapsed < FAST and "deep.yaml:2" in message and "nest" in message


def test_over_long_id_and_texts_refused_with_their_length(tmp_path):
    """A 100,000-character rule-set id once made a PNG map too large to embed in the dossier."""
    path = tmp_path / "long.yaml"
    path.write_text(f"id: {'r' * 100_000}\nextends: ntm-2021-2025\ntitle_vi: '{'T' * 5_000}'\ntitle_en: Long\n",
                    encoding="utf-8")
    message, elapsed = _load_error(path)
    assert elapsed < FAST and len(message) < 2_000
    assert "long.yaml:1: id: 'rrrr" in message and "100,000 characters, at most 64 allowed" in message
    assert "long.yaml:3: title_vi:" in message and "5,000 characters, at most 1000 allowed" in message


def test_shipped_files_stay_within_the_bounds():
    for rule_id in ("ntm-2010-2015", "ntm-2016-2020", "ntm-2021-2025", "ntm-nang-cao-2021-2025"):
        assert load_rule_set(rule_id).id == rule_id


def _assert_clean_refusal(result, elapsed, name):
    assert elapsed < FAST
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert f"{name}:1" in result.output and "alias" in result.output


def test_cli_rules_show_refuses_billion_laughs_fast(tmp_path):
    path = _laughs(tmp_path)
    result, elapsed = _timed(CliRunner().invoke, cli, ["rules", "show", str(path)])
    _assert_clean_refusal(result, elapsed, "laughs.yaml")


def test_cli_assess_refuses_billion_laughs_fast(tmp_path):
    path = _laughs(tmp_path)
    data = make_valid_input(tmp_path / "in")
    out = tmp_path / "out"
    result, elapsed = _timed(CliRunner().invoke, cli,
                             ["assess", str(data), "--rules", str(path), "-o", str(out)])
    _assert_clean_refusal(result, elapsed, "laughs.yaml")
    assert not (out / "results.csv").exists()
