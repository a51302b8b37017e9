"""Progress of long commands on stderr: phases of a long or national-size ``tc8 assess`` /
``tc8 demo`` job, per commune for ``tc8 dossier``; small runs stay silent, ``-q`` silences,
stdout is unchanged."""
from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

import tc8.dossier.write as dossier_write
import tc8.io.progress as progress
from builders import make_valid_input
from tc8.cli.main import cli
from tc8.io.progress import Phases


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _phases(**kw):
    out, clock = io.StringIO(), Clock()
    names = {"read": "read and validate", "assess": "assess", "write": "write result files"}
    return Phases("tc8", 3, names=names, stream=out, clock=clock, after_s=10, many=1000, **kw), out, clock


def test_a_short_small_run_says_nothing():
    phases, out, clock = _phases()
    for key in ("read", "assess", "write"):
        clock.now += 2
        phases.end(key)
    phases.size(150)
    assert out.getvalue() == ""


def test_a_long_run_reports_every_phase_from_when_it_became_long():
    phases, out, clock = _phases()
    clock.now = 4.0
    phases.end("read")
    assert out.getvalue() == ""
    clock.now = 11.5
    phases.end("assess")  # now long: the earlier phase is reported too
    clock.now = 12.0
    phases.end("write")
    assert out.getvalue().splitlines() == ["tc8 1/3: read and validate, 4.0 s (4.0 s)",
                                           "tc8 2/3: assess, 7.5 s (11.5 s)",
                                           "tc8 3/3: write result files, 0.5 s (12.0 s)"]


def test_a_national_size_run_reports_at_once_and_quiet_never():
    phases, out, clock = _phases()
    clock.now = 1.0
    phases.end("read")
    phases.size(2621)
    assert out.getvalue() == "tc8 1/3: read and validate, 1.0 s (1.0 s)\n"
    quiet, out, clock = _phases(quiet=True)
    clock.now = 100
    quiet.end("read")
    quiet.size(5000)
    assert out.getvalue() == ""


@pytest.fixture(scope="module")
def input_dir(tmp_path_factory):
    return make_valid_input(tmp_path_factory.mktemp("progress"))


def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_assess_small_run_is_silent_on_stderr(input_dir, tmp_path):
    res = _run("assess", input_dir, "--rules", "ntm-2021-2025", "-o", tmp_path)
    assert res.exit_code == 0, res.output
    assert "tc8 1/3" not in res.stderr


def test_assess_national_size_reports_phases_on_stderr_only(input_dir, tmp_path, monkeypatch):
    small = _run("assess", input_dir, "--rules", "ntm-2021-2025", "-o", tmp_path / "a")
    monkeypatch.setattr(progress, "PHASE_MANY", 2)  # the 2 communes of the fixture count as national size
    big = _run("assess", input_dir, "--rules", "ntm-2021-2025", "-o", tmp_path / "b", "--lang", "en")
    assert big.exit_code == 0, big.output
    lines = [line for line in big.stderr.splitlines() if line.startswith("tc8 ")]
    assert [line.split(",")[0] for line in lines] == ["tc8 1/3: read and validate", "tc8 2/3: assess",
                                                      "tc8 3/3: write result files"]
    assert "tc8 1/3" not in big.stdout
    assert len(big.stdout.splitlines()) == len(small.stdout.splitlines())
    vi = _run("assess", input_dir, "--rules", "ntm-2021-2025", "-o", tmp_path / "c")
    assert "tc8 1/3: đọc và kiểm tra dữ liệu" in vi.stderr
    quiet = _run("assess", input_dir, "--rules", "ntm-2021-2025", "-o", tmp_path / "d", "-q")
    assert "tc8 1/3" not in quiet.stderr


def test_dossier_reports_communes_unless_quiet(input_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(dossier_write, "PROGRESS_MIN", 1)
    res = _run("dossier", input_dir, "--rules", "ntm-2021-2025", "-o", tmp_path / "a", "--no-maps", "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "Writing dossiers: 2/2 (100 %)" in res.stderr and "Writing dossiers" not in res.stdout
    quiet = _run("dossier", input_dir, "--rules", "ntm-2021-2025", "-o", tmp_path / "b", "--no-maps", "-q")
    assert "Lập hồ sơ" not in quiet.stderr
    monkeypatch.setattr(dossier_write, "PROGRESS_MIN", 50)
    small = _run("dossier", input_dir, "--rules", "ntm-2021-2025", "-o", tmp_path / "c", "--no-maps")
    assert "Lập hồ sơ" not in small.stderr
