"""One language at a time (issue 12 item 6): every command's and option's help in the catalogue
(templates/messages_help.yaml) in Vietnamese and English, shown in the language of ``--lang``,
else ``TC8_LANG``, else Vietnamese."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata

import click
import pytest
from click.testing import CliRunner

from tc8.cli.help_text import command_key, option_key
from tc8.cli.main import cli
from tc8.text.messages import catalogue


def _walk(command: click.Command, path: tuple, ctx: click.Context):
    yield path, command
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from _walk(sub, (*path, name), click.Context(sub, info_name=name, parent=ctx))


def _commands():
    return list(_walk(cli, (), click.Context(cli, info_name="tc8")))


def _options(command: click.Command, path: tuple):
    ctx = click.Context(command, info_name=path[-1] if path else "tc8")
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            yield option_key(path, param, command, ctx), param


def _yaml_line(key: str, en: str | None) -> str:
    return f'{key}: {{vi: "<tiếng Việt>", en: {json.dumps(en or "<English>", ensure_ascii=False)}}}'


VIET = re.compile("[đĐ]")


def vietnamese_letters(text: str) -> list[str]:
    """Letters carrying Vietnamese diacritics (â ă ê ô ơ ư đ and the five tone marks)."""
    found = set(VIET.findall(text))
    for ch in text:
        if ch.isalpha() and ord(ch) > 127 and unicodedata.normalize("NFD", ch)[0].isascii():
            found.add(ch)
    return sorted(found)


def test_every_command_and_option_has_help_in_both_languages():
    texts = catalogue()
    missing = []
    for path, command in _commands():
        key = command_key(path)
        if not all((texts.get(key) or {}).get(lang) for lang in ("vi", "en")):
            missing.append(_yaml_line(key, (command.help or "").split("\f")[0]))
        for key, param in _options(command, path):
            if not all((texts.get(key) or {}).get(lang) for lang in ("vi", "en")):
                missing.append(_yaml_line(key, param.help))
    assert not missing, ("help text missing in templates/messages_help.yaml; add (with the Vietnamese text):\n"
                         + "\n".join(dict.fromkeys(missing)))


def test_every_help_key_in_the_catalogue_is_vietnamese_and_english():
    """vi texts carry Vietnamese letters, en texts none (a copy of the other language fails)."""
    wrong = []
    for key, entry in catalogue().items():
        if key.startswith("help.") and key not in ("help.extra.required",):
            if not vietnamese_letters(entry["vi"]) and key.split(".")[-1] not in ("usage",):
                wrong.append(f"{key}: vi is not Vietnamese: {entry['vi']!r}")
            if vietnamese_letters(entry["en"]):
                wrong.append(f"{key}: en has Vietnamese letters {vietnamese_letters(entry['en'])}: {entry['en']!r}")
    assert not wrong, "\n".join(wrong)


def _help(path: tuple, lang: str, *, flag: bool) -> str:
    args = [*path, "--lang", lang, "--help"] if flag else [*path, "--help"]
    result = CliRunner().invoke(cli, args, env={"TC8_LANG": None if flag else lang}, prog_name="tc8")
    assert result.exit_code == 0, result.output
    return result.output


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _has_lang(command: click.Command) -> bool:
    return any(p.name == "lang" for p in command.params)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_help_of_every_command_is_in_the_language(lang):
    texts = catalogue()
    problems = []
    for path, command in _commands():
        out = _help(path, lang, flag=_has_lang(command))
        expected = [texts[command_key(path)][lang]] + [texts[k][lang] for k, p in _options(command, path)
                                                       if k in texts and not p.hidden]
        for body in expected:  # each paragraph, whatever the wrapping
            for part in body.split("\n\n"):
                if _squash(part) not in _squash(out):
                    problems.append(f"tc8 {' '.join(path)} --help ({lang}) lacks: {part}")
        if lang == "en" and vietnamese_letters(out):
            problems.append(f"tc8 {' '.join(path)} --lang en --help has Vietnamese {vietnamese_letters(out)}:\n{out}")
        if lang == "vi" and not out.startswith("Cách dùng:"):
            problems.append(f"tc8 {' '.join(path)} --help (vi) does not start with 'Cách dùng:'")
    assert not problems, "\n".join(problems)


def test_lang_flag_wins_over_the_environment():
    out = CliRunner().invoke(cli, ["assess", "--lang", "en", "--help"], env={"TC8_LANG": "vi"}).output
    assert "Assess communes against a rule set" in out and not vietnamese_letters(out)
    out = CliRunner().invoke(cli, ["assess", "--lang=vi", "--help"], env={"TC8_LANG": "en"}).output
    assert "Đánh giá các xã theo bộ tiêu chí" in out


def test_environment_then_vietnamese():
    assert "Commands:" in CliRunner().invoke(cli, ["--help"], env={"TC8_LANG": "en"}).output
    assert "Lệnh:" in CliRunner().invoke(cli, ["--help"], env={"TC8_LANG": None}).output
    assert "Lệnh:" in CliRunner().invoke(cli, ["--help"], env={"TC8_LANG": "fr"}).output  # unknown: vi


def test_group_help_imports_no_command_module():
    """``tc8 --help`` reads the summaries from the catalogue: no command module, no pandas."""
    code = ("import sys; from click.testing import CliRunner; from tc8.cli.main import cli;"
            "out = CliRunner().invoke(cli, ['--help'], env={'TC8_LANG': 'en'}).output;"
            "assert 'Assess communes against a rule set' in out, out;"
            "print(sorted(m for m in sys.modules if m.startswith('tc8.cli.') or m == 'pandas'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['tc8.cli.common', 'tc8.cli.help_text', 'tc8.cli.main']" or \
        done.stdout.strip() == "['tc8.cli.help_text', 'tc8.cli.main']", done.stdout
