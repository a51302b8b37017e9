"""Output paths built from data stay inside the output folder (issue 7, class 10).

A commune code becomes a folder or file name in ``tc8 map`` and ``tc8 dossier``. A code that
is not a safe file name is an error at validation (naming layer, row and field, quoting the
value), never a file written elsewhere and never a crash while writing.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import B, make_valid_input
from tc8.cli.main import cli
from tc8.io.paths import UnsafeNameError, output_path

CODED_LAYERS = ("communes", "villages", "postal_points", "radio_stations", "commune_it")


def _with_code(tmp_path: Path, code: str) -> Path:
    """The valid input with commune B renamed ``code`` in every layer that names it."""
    def rename(frame):
        frame["commune_code"] = frame["commune_code"].replace({B: code})
        return frame
    return make_valid_input(tmp_path, **{name: rename for name in CODED_LAYERS})


def _files(folder: Path) -> set:
    return {p for p in folder.rglob("*")}


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("bad", ["../../x", "..", ".", "a/b", "a\\b", "/abs/x", "C:x", "a\x00b", "CON", "nul",
                                 "Com1", "LPT9", "1" * 300, "", " ", "xã1", "a b", "24784;rm", ".hidden"])
def test_output_path_refuses_unsafe_names(tmp_path, bad):
    with pytest.raises(UnsafeNameError):
        output_path(tmp_path, bad, "{code}.html", folder="communes")


def test_output_path_stays_inside(tmp_path):
    path = output_path(tmp_path / "o", "24784", "ban-do-tc8-{code}.html")
    assert path == (tmp_path / "o" / "ban-do-tc8-24784.html")
    assert output_path(tmp_path, "X-1_a", folder="communes") == tmp_path / "communes" / "X-1_a"


def test_output_path_refuses_a_subfolder_that_leads_outside(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "communes").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafeNameError):
        output_path(tmp_path / "o", "24784", "{code}.html", folder="communes")


@pytest.mark.parametrize("code", ["../../victim", "ABSOLUTE"])
def test_map_never_writes_outside_output(tmp_path, code):
    """The reported attack: ``tc8 map`` with a code ``../../x`` or an absolute path replaced an
    unrelated file with ``--overwrite``. Now validation refuses the code, names it, writes nothing."""
    work = tmp_path / "work"
    work.mkdir()
    victim = tmp_path / "victim.html"
    victim.write_text("precious", encoding="utf-8")
    if code == "ABSOLUTE":
        code = str(tmp_path / "victim")
    input_dir = _with_code(work / "in", code)
    out = work / "a" / "b" / "out"
    before = _files(tmp_path)
    res = invoke("map", input_dir, "--rules", "ntm-2016-2020", "-o", out, "--overwrite", "--lang", "en")
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert victim.read_text(encoding="utf-8") == "precious"
    assert _files(tmp_path) == before  # nothing written anywhere
    line = next(x for x in res.output.splitlines() if "unsafe_commune_code" in x or "file name" in x)
    assert "communes" in line and "commune_code" in line and f"'{code[:40]}" in line  # long values shortened


def test_validate_names_row_field_and_value(tmp_path):
    input_dir = _with_code(tmp_path, "../x")
    res = invoke("validate", input_dir, "--lang", "en")
    assert res.exit_code == 1, res.output
    line = next(x for x in res.output.splitlines() if "'../x'" in x and "file" in x.lower())
    assert "communes" in line and "row ../x" in line and "commune_code" in line
    assert "error" in line.lower()


def test_overlong_code_is_a_validation_error_not_a_crash(tmp_path):
    """A 300-digit code gave ``File name too long`` and left an empty folder."""
    code = "1" * 300
    input_dir = _with_code(tmp_path, code)
    out = tmp_path / "out"
    res = invoke("dossier", input_dir, "--rules", "ntm-2016-2020", "-o", out, "--no-maps", "--lang", "en")
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output and "too long" not in res.output.lower().replace("64 characters", "")
    assert code in res.output and "commune_code" in res.output
    assert not out.exists() or not any(out.iterdir())


def test_safe_codes_still_work_and_maps_link_inside(tmp_path):
    input_dir = _with_code(tmp_path, "X-2_b")
    out = tmp_path / "out"
    res = invoke("map", input_dir, "--rules", "ntm-2016-2020", "-o", out)
    assert res.exit_code == 0, res.output
    assert (out / "communes" / "X-2_b.html").is_file()
    assert 'communes/X-2_b.html' in (out / "index.html").read_text(encoding="utf-8")


def test_save_maps_refuses_an_unsafe_code_before_writing(tmp_path):
    """Library use without validation: the shared path builder still refuses, before any file."""
    from tc8.maps import save_maps
    from tc8.pipeline import run_assessment

    results = run_assessment(make_valid_input(tmp_path), "ntm-2016-2020")
    results.communes["commune_code"] = results.communes["commune_code"].replace({B: "../evil"})
    out = tmp_path / "out"
    with pytest.raises(UnsafeNameError):
        save_maps(results, out)
    assert not out.exists() or not list(out.rglob("*.html"))
    assert not (tmp_path / "evil.html").exists()


def test_dossier_uses_the_shared_check():
    """The dossier has no copy of its own: its names come from the shared path builder."""
    import tc8.dossier.write as dossier

    assert not hasattr(dossier, "check_code")
    with pytest.raises(UnsafeNameError):
        dossier.workbook_name("../x")
