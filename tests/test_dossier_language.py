"""Dossier file and sheet names in the language of the run (issue 12 item 6): English names
under --lang en, and 'tc8 verify' of a folder written in English passes."""
from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from builders import make_valid_input
from tc8.cli.main import cli
from tests.test_cli_language import vietnamese_letters


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("dossier_lang")
    input_dir = make_valid_input(root)
    out = {}
    for lang in ("en", "vi"):
        out[lang] = root / f"out-{lang}"
        done = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2021-2025", "-o", str(out[lang]),
                                        "--lang", lang])
        assert done.exit_code == 0, done.output
    return out


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_english_file_and_sheet_names(written):
    files = _files(written["en"])
    assert "province-summary.xlsx" in files, files
    workbooks = [f for f in files if f.endswith(".xlsx")]
    assert any(f.split("/")[-1].startswith("tc8-dossier-") for f in workbooks), files
    assert not [f for f in files if "ho-so" in f or "tong-hop" in f or "ban-do" in f], files
    for name in workbooks:
        sheets = openpyxl.load_workbook(written["en"] / name, read_only=True).sheetnames
        assert not vietnamese_letters(" ".join(sheets)), (name, sheets)


def test_vietnamese_names_stay(written):
    files = _files(written["vi"])
    assert "tong-hop-tinh.xlsx" in files
    assert any(f.split("/")[-1].startswith("ho-so-tc8-") for f in files), files


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_verify_a_folder_written_in_each_language(written, lang):
    done = CliRunner().invoke(cli, ["verify", str(written[lang]), "--lang", lang])
    assert done.exit_code == 0, done.output
    assert not vietnamese_letters(done.output) if lang == "en" else True


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_dossier_refusals_in_one_language(written, tmp_path, lang):
    """An existing dossier and an unknown commune: exit 1, the message in --lang only."""
    input_dir = next(p for p in written["en"].parent.iterdir() if p.name not in ("out-en", "out-vi"))
    again = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2021-2025", "-o", str(written[lang]),
                                     "--lang", lang])
    unknown = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2021-2025", "-o",
                                       str(tmp_path / "x"), "--commune", "99999", "--lang", lang])
    for done in (again, unknown):
        assert done.exit_code == 1, done.output
        message = done.output.replace(str(tmp_path), "").replace(str(written[lang]), "")
        assert " / " not in message and "(" + "dossier" not in message, message
        assert bool(vietnamese_letters(message)) == (lang == "vi"), message
