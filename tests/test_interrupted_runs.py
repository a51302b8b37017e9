"""Interrupted dossier runs (issue 7, class 12).

``tc8 dossier`` runs in a subprocess on the small valid input. A wrapper holds the run inside
the second commune (its workbook already written in the hidden temporary folder) and tells
the test, which then sends the signal: SIGTERM and SIGHUP must clean up like Ctrl-C; only a
finished run has ``run-manifest.json``; ``tc8 verify`` fails, naming what is missing, on an
interrupted or partly deleted dossier folder; an ``--overwrite`` rerun removes what a killed
run left behind.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import make_valid_input
from tc8.cli.main import cli
from tc8.dossier.write import PROVINCE_FILE

RUN_MANIFEST = "run-manifest.json"

#: runs the real ``tc8`` entry point; on the 2nd commune the workbook is written into the
#: temporary folder, then the run announces itself (file READY) and waits to be signalled
WRAPPER = r"""
import sys, time
from pathlib import Path
import tc8.dossier.write as dossier
from tc8.cli.main import main

ready = Path(sys.argv[1])
real = dossier.write_commune_workbook
calls = []

def slow(ctx, view, path, **kwargs):
    calls.append(view.code)
    real(ctx, view, path, **kwargs)
    if len(calls) == 2:
        ready.write_text(str(path))
        time.sleep(60)

dossier.write_commune_workbook = slow
sys.argv = ["tc8"] + sys.argv[2:]
main()
"""


def _start(tmp_path: Path, input_dir: Path, out: Path, *extra: str):
    ready = tmp_path / "ready"
    ready.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER, str(ready), "dossier", str(input_dir),
                             "--rules", "ntm-2016-2020", "-o", str(out), "--no-maps", "--jobs", "1", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out_, err = proc.communicate()
            pytest.fail(f"the run did not reach the second commune: {out_}\n{err}")
        time.sleep(0.05)
    return proc, Path(ready.read_text())


def _interrupt(tmp_path, input_dir, out, sig, *extra):
    proc, half_written = _start(tmp_path, input_dir, out, *extra)
    assert half_written.is_file()  # mid-run: a finished workbook in a hidden temporary folder
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, err


def _hidden(folder: Path) -> list:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith("."))


def verify(folder, lang="en"):
    return CliRunner().invoke(cli, ["verify", str(folder), "--lang", lang])


@pytest.fixture
def input_dir(tmp_path):
    return make_valid_input(tmp_path)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_term_and_hup_clean_up_like_ctrl_c(tmp_path, input_dir, sig):
    out = tmp_path / "out"
    code, err = _interrupt(tmp_path, input_dir, out, sig)
    assert code != 0
    assert "Traceback" not in err, err
    assert _hidden(out) == []  # no .tmp folder, no half file
    assert sorted(p.name for p in out.iterdir()) == ["24784"]  # the finished commune only
    assert not (out / RUN_MANIFEST).exists()


def test_interrupted_run_is_not_reported_complete_then_rerun(tmp_path, input_dir):
    out = tmp_path / "out"
    code, err = _interrupt(tmp_path, input_dir, out, signal.SIGINT)
    assert code != 0 and "Traceback" not in err, err
    assert (out / "24784" / "manifest.json").is_file() and not (out / RUN_MANIFEST).exists()
    res = verify(out)
    assert res.exit_code == 1, res.output
    assert RUN_MANIFEST in res.output and "All 1 dossiers match" not in res.output
    rerun = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(out),
                                     "--no-maps", "--overwrite"])
    assert rerun.exit_code == 0, rerun.output
    assert (out / RUN_MANIFEST).is_file()
    res = verify(out)
    assert res.exit_code == 0, res.output
    assert "All 2 dossiers match" in res.output


def test_overwrite_rerun_removes_what_a_killed_run_left(tmp_path, input_dir):
    """SIGKILL cannot be caught: the temporary folder stays. An --overwrite rerun removes it
    (only tc8's own temporary names: a user's hidden file is kept)."""
    out = tmp_path / "out"
    code, _ = _interrupt(tmp_path, input_dir, out, signal.SIGKILL)
    assert code == -signal.SIGKILL
    left = _hidden(out)
    assert any(".tmp." in name for name in left), left
    (out / ".keep-me").write_text("user's own file", encoding="utf-8")
    rerun = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(out),
                                     "--no-maps", "--overwrite"])
    assert rerun.exit_code == 0, rerun.output
    assert _hidden(out) == [".keep-me"]
    assert verify(out).exit_code == 0


@pytest.fixture
def finished(tmp_path, input_dir):
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(out),
                                   "--no-maps"])
    assert res.exit_code == 0, res.output
    return out


def test_run_manifest_lists_every_dossier_and_the_rollup(finished):
    import json

    run = json.loads((finished / RUN_MANIFEST).read_text(encoding="utf-8"))
    assert sorted(run["communes"]) == ["24784", "24787"]
    assert run["rollup"]["file"] == PROVINCE_FILE and len(run["rollup"]["sha256"]) == 64
    assert all(len(h) == 64 for c in run["communes"].values() for h in c["files"].values())
    assert "manifest.json" in run["communes"]["24784"]["files"]


def test_verify_names_a_deleted_commune_folder(finished):
    shutil.rmtree(finished / "24787")
    res = verify(finished)
    assert res.exit_code == 1, res.output
    assert "24787" in res.output and "missing" in res.output


def test_verify_names_a_missing_rollup(finished):
    (finished / PROVINCE_FILE).unlink()
    res = verify(finished, "vi")
    assert res.exit_code == 1, res.output
    assert PROVINCE_FILE in res.output


def test_verify_names_a_changed_or_missing_file(finished):
    workbook = next((finished / "24784").glob("*.xlsx"))
    workbook.write_bytes(workbook.read_bytes() + b"\0")
    (finished / "24787" / "manifest.json").unlink()
    res = verify(finished)
    assert res.exit_code == 1, res.output
    assert workbook.name in res.output and "changed" in res.output
    assert "24787" in res.output


def test_verify_names_a_folder_that_is_not_part_of_the_run(finished):
    shutil.copytree(finished / "24784", finished / "99999")
    res = verify(finished)
    assert res.exit_code == 1 and "99999" in res.output


def test_partial_rerun_keeps_the_run_complete(finished, input_dir):
    """A --commune rerun replaces that commune and records it in the run manifest."""
    res = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2016-2020", "-o", str(finished),
                                   "--no-maps", "--overwrite", "--commune", "24787"])
    assert res.exit_code == 0, res.output
    res = verify(finished)
    assert res.exit_code == 0, res.output


def test_demo_dossiers_verify(tmp_path, input_dir, monkeypatch):
    """``tc8 demo`` writes its dossiers through the same writer: the folder is complete and
    verifies (run on the small input instead of the bundled province, for speed)."""
    import tc8.cli.demo as demo

    monkeypatch.setattr(demo, "demo_input_path", lambda: input_dir)
    out = tmp_path / "demo"
    res = CliRunner().invoke(cli, ["demo", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "dossiers" / RUN_MANIFEST).is_file()
    res = verify(out / "dossiers")
    assert res.exit_code == 0, res.output
    assert "All 2 dossiers match" in res.output
