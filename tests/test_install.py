"""The package, installed the way a user installs it (not editable), runs from any folder.

Builds and installs the project into a temporary target with pip (no dependencies: they
are already in this environment), then runs ``tc8`` from an unrelated working directory
with only that target on the path. Catches package data missing from setup.cfg and any
path resolved relative to the repository or the current directory.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("src") / "tc8"
    # a copy of what a release holds, so no stale build/ folder of the working tree leaks in
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("assess", "maps", "data", "templates"):
        shutil.copytree(REPO / folder, source / folder, ignore=ignore)
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(source)], check=True, cwd=source.parent,
                   env={**os.environ, "PIP_NO_INDEX": "1"})
    return target


def _tc8(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    code = "import sys; from tc8.cli.main import main; sys.argv[0] = 'tc8'; main()"
    env = {**os.environ, "PYTHONPATH": str(installed)}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_installed_package_runs_from_another_folder(installed, tmp_path):
    where = _tc8(installed, tmp_path, "demo", "--path")
    assert where.returncode == 0, where.stderr
    demo = Path(where.stdout.strip())
    assert str(demo).startswith(str(installed)), "demo data must come from the installed package"
    assert (demo / "communes.geojson").exists()

    rules = _tc8(installed, tmp_path, "rules", "list")
    assert rules.returncode == 0, rules.stderr
    for rule_id in ("ntm-2010-2015", "ntm-2016-2020", "ntm-2021-2025", "ntm-nang-cao-2021-2025"):
        assert rule_id in rules.stdout

    out = tmp_path / "out"
    run = _tc8(installed, tmp_path, "assess", str(demo), "--rules", "ntm-2021-2025", "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert "xã đạt" in run.stdout
    for name in ("results.gpkg", "results.csv", "results.json"):
        assert (out / name).stat().st_size > 0
    assert "Traceback" not in run.stderr
