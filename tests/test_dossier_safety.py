"""Safety of the dossier writers: inert text, safe names, overwrite refusal, atomic writes."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from builders import make_valid_input
from tc8.cli.main import cli
from tc8.dossier.write import PROVINCE_FILE, workbook_name, write_dossiers
from tc8.model.errors import OutputExistsError
from tc8.pipeline import run_assessment
from tc8.dossier.xlsx import Formula, atomic_save, check_code, make_cell, new_workbook, sheet_title

DANGEROUS = ['=HYPERLINK("http://x","y")', "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1",
             "=cmd|' /C calc'!A0", "bình thường"]


def test_make_cell_stores_text_literally(tmp_path):
    wb = new_workbook()
    ws = wb.create_sheet("s")
    ws.append([make_cell(ws, v) for v in DANGEROUS] + [make_cell(ws, Formula("=1+1")), make_cell(ws, 3.5)])
    path = tmp_path / "t.xlsx"
    atomic_save(wb, path)
    back = openpyxl.load_workbook(path)["s"]
    cells = list(next(back.iter_rows()))
    for value, cell in zip(DANGEROUS, cells):
        assert cell.data_type == "s" and cell.value == value
        assert cell.quotePrefix == value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cells[len(DANGEROUS)].data_type == "f"  # only our own Formula objects are formulas
    assert cells[-1].value == 3.5
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<f>") == 1


def test_make_cell_drops_control_characters_and_normalises(tmp_path):
    wb = new_workbook()
    ws = wb.create_sheet("s")
    ws.append([make_cell(ws, "a\x00b\x07c"), make_cell(ws, "Tho\u0302n")])
    atomic_save(wb, tmp_path / "t.xlsx")
    row = [c.value for c in next(openpyxl.load_workbook(tmp_path / "t.xlsx")["s"].iter_rows())]
    assert row == ["abc", "Thôn"]


@pytest.mark.parametrize("bad", ["../x", "a b", "xã1", "", "a/b", "..", "24784;rm"])
def test_unsafe_codes_rejected(bad):
    with pytest.raises(ValueError):
        check_code(bad)


def test_sheet_title_sanitised_and_unique():
    used: set = set()
    assert sheet_title("8.5 Wi-Fi [công cộng]: a/b?*", used) == "8.5 Wi-Fi  công cộng   a b"
    assert len(sheet_title("x" * 50, used)) == 31
    assert sheet_title("x" * 50, used).endswith("(2)")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return run_assessment(make_valid_input(tmp_path_factory.mktemp("safety")), "ntm-2016-2020")


def _leftovers(folder):
    return [p for p in folder.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


def test_overwrite_refused_then_allowed(results, tmp_path):
    out = tmp_path / "out"
    write_dossiers(results, out, with_maps=False)
    before = (out / "24784" / "manifest.json").read_text(encoding="utf-8")
    with pytest.raises(OutputExistsError):
        write_dossiers(results, out, with_maps=False)
    with pytest.raises(OutputExistsError):
        write_dossiers(results, out, with_maps=False, communes=["24787"])  # the province file exists
    assert (out / "24784" / "manifest.json").read_text(encoding="utf-8") == before
    write_dossiers(results, out, with_maps=False, overwrite=True, generated_at="2030-01-01T00:00:00Z")
    assert "2030-01-01T00:00:00Z" in (out / "24784" / "manifest.json").read_text(encoding="utf-8")
    assert not _leftovers(out)


def test_failed_save_leaves_no_partial_file(results, tmp_path, monkeypatch):
    out = tmp_path / "out"

    def boom(self, filename):
        with open(filename, "wb") as handle:  # a half-written file under the temporary name
            handle.write(b"PK\x03\x04partial")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises(OSError):
        write_dossiers(results, out, with_maps=False)
    assert not list(out.rglob("*.xlsx"))
    assert not _leftovers(out)
    assert not (out / "24784").exists()


def test_failed_overwrite_keeps_the_old_dossier(results, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_dossiers(results, out, with_maps=False)
    old = (out / "24784" / workbook_name("24784")).read_bytes()

    def boom(self, filename):
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises(OSError):
        write_dossiers(results, out, with_maps=False, overwrite=True)
    assert (out / "24784" / workbook_name("24784")).read_bytes() == old
    assert (out / PROVINCE_FILE).exists() and not _leftovers(out)


def test_cli_dossier_refuses_existing_output(results, tmp_path):
    input_dir = make_valid_input(tmp_path)
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["dossier", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(out), "--no-maps"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert (out / "24784" / workbook_name("24784")).is_file()
    second = runner.invoke(cli, args)
    assert second.exit_code == 1 and "--overwrite" in second.output
    assert "Traceback" not in second.output
    rollup = (out / PROVINCE_FILE).read_bytes()
    third = runner.invoke(cli, args + ["--overwrite", "--commune", "24787"])
    assert third.exit_code == 0, third.output
    # a run limited to one commune keeps the whole province's roll-up as it was
    assert (out / PROVINCE_FILE).read_bytes() == rollup
    assert "không lập" in third.output


def test_cli_dossier_one_commune_beside_an_existing_rollup(tmp_path):
    """A --commune run into a folder that already has the province roll-up (but not that commune)
    writes the commune and leaves the roll-up alone; no --overwrite is needed for a file it keeps."""
    input_dir = make_valid_input(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / PROVINCE_FILE).write_bytes(b"province roll-up")
    res = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(out),
                                   "--no-maps", "--commune", "24787"])
    assert res.exit_code == 0, res.output
    assert (out / "24787" / workbook_name("24787")).is_file()
    assert (out / PROVINCE_FILE).read_bytes() == b"province roll-up"


def test_cli_dossier_unknown_commune_is_clean_error(tmp_path):
    input_dir = make_valid_input(tmp_path)
    res = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2016-2020", "-o",
                                   str(tmp_path / "o"), "--commune", "99999", "--no-maps"])
    assert res.exit_code == 1 and "99999" in res.output and "Traceback" not in res.output


def test_interrupted_mid_workbook_leaves_finished_folders_only(results, tmp_path, monkeypatch):
    """Ctrl-C while the second commune's workbook is half streamed: the first folder is whole,
    the second does not exist (no half-written workbook, no temp files), no roll-up yet."""
    import tc8.dossier.workbook_commune as wc

    out = tmp_path / "out"
    real = wc._missing_sheet
    calls = []

    def interrupt(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the summary and indicator sheets of commune 2 are already streamed
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(wc, "_missing_sheet", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_dossiers(results, out, with_maps=False)
    done = sorted(p.name for p in out.iterdir())
    assert done == ["24784"]
    assert sorted(p.name for p in (out / "24784").iterdir()) == [workbook_name("24784"), "manifest.json"]
    assert openpyxl.load_workbook(out / "24784" / workbook_name("24784"))["Cần bổ sung"]["A1"].value
    assert not _leftovers(out)


def test_interrupted_overwrite_keeps_old_folder(results, tmp_path, monkeypatch):
    import tc8.dossier.workbook_commune as wc

    out = tmp_path / "out"
    write_dossiers(results, out, with_maps=False, generated_at="2020-01-01T00:00:00Z")
    old = {p.name: p.read_bytes() for p in (out / "24787").iterdir()}

    def interrupt(wb, ctx, view, *args, **kwargs):
        if view.code == "24787":
            raise KeyboardInterrupt
        return real(wb, ctx, view, *args, **kwargs)

    real = wc._missing_sheet
    monkeypatch.setattr(wc, "_missing_sheet", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_dossiers(results, out, with_maps=False, overwrite=True, generated_at="2030-01-01T00:00:00Z")
    assert {p.name: p.read_bytes() for p in (out / "24787").iterdir()} == old  # untouched
    assert "2030-01-01" in (out / "24784" / "manifest.json").read_text(encoding="utf-8")  # finished one replaced
    assert not _leftovers(out)


def test_unsafe_code_is_a_clean_tc8_error():
    from tc8.model.errors import Tc8Error

    with pytest.raises(Tc8Error, match="unsafe code"):
        check_code("../../etc")
