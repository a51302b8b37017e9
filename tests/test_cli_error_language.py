"""Errors in one language at a time (issue 12 item 6): under --lang en no Vietnamese and no
"vi / en" pair; under vi, Vietnamese."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from tc8.cli.main import cli
from tc8.cli.common import domain_errors
from tc8.plan.costs import load_costs
from tests.test_cli_language import vietnamese_letters

import click


def _cases(tmp_path):
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("id: [unclosed\n", encoding="utf-8")
    a_list = tmp_path / "list.yaml"
    a_list.write_text("- 1\n- 2\n", encoding="utf-8")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("id: x\ntitle_vi: \xe0\n".encode("latin-1"))
    return {
        "unknown rule set": ["rules", "show", "no_such_set"],
        "missing rule file": ["rules", "show", str(tmp_path / "missing.yaml")],
        "YAML syntax": ["rules", "show", str(bad_yaml)],
        "not a mapping": ["rules", "show", str(a_list)],
        "not UTF-8": ["rules", "show", str(latin1)],
        "diff unknown": ["rules", "diff", "no_such_set", "no_such_set_2"],
        "validate unknown rules": ["validate", str(tmp_path), "--rules", "no_such_set"],
    }


CASES = ["unknown rule set", "missing rule file", "YAML syntax", "not a mapping", "not UTF-8",
         "diff unknown", "validate unknown rules"]


@pytest.mark.parametrize("case", CASES)
def test_rule_errors_in_one_language(case, tmp_path):
    args = _cases(tmp_path)[case]
    if args[:2] == ["rules", "diff"] and "diff" not in cli.get_command(click.Context(cli), "rules").commands:
        pytest.skip("tc8 rules diff is not registered yet")
    en = CliRunner().invoke(cli, [*args, "--lang", "en"])
    assert en.exit_code == 1, en.output
    assert not vietnamese_letters(en.output), en.output
    assert " / " not in en.output.replace(str(tmp_path), ""), en.output
    vi = CliRunner().invoke(cli, [*args, "--lang", "vi"])
    assert vi.exit_code == 1, vi.output
    assert vietnamese_letters(vi.output), vi.output


@pytest.mark.parametrize("content, raw", [("actions: [unclosed\n", None), ("- 1\n", None), (None, b"\xff\xfe")])
def test_cost_file_errors_in_one_language(tmp_path, content, raw):
    path = tmp_path / "costs.yaml"
    path.write_bytes(raw if raw is not None else content.encode("utf-8"))
    for lang in ("en", "vi"):
        with pytest.raises(click.ClickException) as caught, domain_errors(lang):
            load_costs(path)
        message = caught.value.message
        assert bool(vietnamese_letters(message)) == (lang == "vi"), message
        assert " / " not in message.replace(str(tmp_path), "")
    with pytest.raises(click.ClickException) as caught, domain_errors("en"):
        load_costs(tmp_path / "missing.yaml")
    assert "cannot read the cost file" in caught.value.message


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_existing_results_refused_in_one_language(tmp_path, lang):
    from builders import make_valid_input

    input_dir = make_valid_input(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.csv").write_text("x\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["assess", str(input_dir), "--rules", "ntm-2021-2025", "-o", str(out),
                                    "--lang", lang])
    assert done.exit_code == 1, done.output
    message = done.output.replace(str(tmp_path), "")
    assert "results.csv" in message and "--overwrite" in message
    assert bool(vietnamese_letters(message)) == (lang == "vi"), message
    assert ("already" in message) == (lang == "en"), message
