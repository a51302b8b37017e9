"""``tc8 dossier --jobs N``: the same bytes for any number of worker processes, and for a run
made later (workbook and map timestamps come from the job's ``generated_at``)."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import make_valid_input
from tc8.cli.main import cli
from tc8.dossier.parallel import resolve_jobs, run_each
from tc8.dossier.stable import stable_html_ids
from tc8.dossier.write import write_dossiers
from tc8.pipeline import run_assessment

STAMP = "2026-01-02T03:04:05Z"


def _hashes(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("jobs")
    return run_assessment(make_valid_input(root), "ntm-2021-2025")


def test_jobs_1_and_2_write_the_same_bytes_maps_on(results, tmp_path):
    one = write_dossiers(results, tmp_path / "one", generated_at=STAMP, jobs=1)
    time.sleep(1.1)  # a zip entry's time has a 2-second resolution; the clock must not leak in
    two = write_dossiers(results, tmp_path / "two", generated_at=STAMP, jobs=2)
    first, second = _hashes(tmp_path / "one"), _hashes(tmp_path / "two")
    assert len(first) == 2 * 4 + 2  # 2 communes × (workbook, html, png, manifest) + roll-up + run manifest
    assert first == second
    assert list(one["communes"]) == list(two["communes"]) == sorted(one["communes"])


def test_workbook_timestamps_are_the_jobs(results, tmp_path):
    write_dossiers(results, tmp_path, generated_at=STAMP, with_maps=False, communes=["24784"])
    with zipfile.ZipFile(tmp_path / "24784" / "ho-so-tc8-24784.xlsx") as wb:
        core = wb.read("docProps/core.xml").decode()
        assert {i.date_time for i in wb.infolist()} == {(2026, 1, 2, 3, 4, 4)}  # zip: even seconds
    assert core.count("2026-01-02T03:04:05Z") == 2  # created and modified


def test_cli_jobs_option(tmp_path):
    input_dir = make_valid_input(tmp_path)
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        res = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2021-2025", "-o", str(out),
                                       "--no-maps", "--jobs", jobs, "-q"])
        assert res.exit_code == 0, res.output
        runs[jobs] = out
    assert sorted(_hashes(runs["1"])) == sorted(_hashes(runs["2"]))  # same files (bytes: above, same stamp)
    bad = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2021-2025", "-o",
                                   str(tmp_path / "x"), "--jobs", "0"])
    assert bad.exit_code == 2


def test_run_each_keeps_the_order_and_raises_a_workers_error():
    assert list(run_each(["b", "a", "c"], str.upper, jobs=2)) == ["b", "a", "c"]
    assert run_each(["b", "a"], str.upper, jobs=2) == {"b": "B", "a": "A"}

    def boom(code):
        if code == "y":
            raise ValueError("bad y")
        return code

    with pytest.raises(ValueError, match="bad y"):
        run_each(["x", "y", "z"], boom, jobs=2)
    assert resolve_jobs(8, 3) == 3 and resolve_jobs(None, 1) == 1 and resolve_jobs(1, 100) == 1


def test_stable_html_ids_are_consistent_and_seeded():
    html = 'var map_0123456789abcdef0123456789abcdef = L.map("map_0123456789abcdef0123456789abcdef");' \
           ' layer_ffffffffffffffffffffffffffffffff.addTo(map_0123456789abcdef0123456789abcdef);'
    other = html.replace("0123456789abcdef0123456789abcdef", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert stable_html_ids(html, "24784") == stable_html_ids(other, "24784")
    out = stable_html_ids(html, "24784")
    assert "0123456789abcdef" not in out and out.count(out.split("map_")[1][:32]) == 3
    assert stable_html_ids(html, "24787") != out
    sha = "a" * 64
    assert stable_html_ids(sha, "x") == sha  # a SHA-256 is not an element id


#: ``tc8 dossier --jobs 2``; the worker writing commune 24787 announces itself (file READY) and waits
WRAPPER = r"""
import sys, time
from pathlib import Path
import tc8.dossier.write as dossier
from tc8.cli.main import main

ready = Path(sys.argv[1])
real = dossier.write_commune_workbook

def slow(ctx, view, path, **kwargs):
    real(ctx, view, path, **kwargs)
    if view.code == "24787":
        ready.write_text(str(path))
        time.sleep(60)

dossier.write_commune_workbook = slow
sys.argv = ["tc8"] + sys.argv[2:]
main()
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["TERM", "INT", "KILL"])
def test_an_interrupted_parallel_run_stops_its_workers_and_cleans_up(tmp_path, sig):
    input_dir, out, ready = make_valid_input(tmp_path), tmp_path / "out", tmp_path / "ready"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER, str(ready), "dossier", str(input_dir), "--rules",
                             "ntm-2021-2025", "-o", str(out), "--no-maps", "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 90
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    half = Path(ready.read_text())
    assert half.is_file() and half.parent.name.startswith(".24787.tmp.")
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 and "Traceback" not in err, err
    for _ in range(100):  # the worker goes with its parent, even a killed one
        if not half.parent.exists() or sig == signal.SIGKILL:
            break
        time.sleep(0.05)
    time.sleep(0.5)
    assert not (out / "run-manifest.json").exists() and not (out / "24787").exists()
    if sig != signal.SIGKILL:
        assert not half.parent.exists()  # the worker removed its temporary folder
    else:  # nothing is written after the parent died; an --overwrite rerun removes what is left
        rerun = CliRunner().invoke(cli, ["dossier", str(input_dir), "--rules", "ntm-2021-2025", "-o", str(out),
                                         "--no-maps", "--overwrite", "--jobs", "2"])
        assert rerun.exit_code == 0, rerun.output
        assert not [p for p in out.iterdir() if p.name.startswith(".")]
