"""Big runs in the terminal (issue 9, item 4): more than a screenful of communes prints the
counts, the first communes that fail or lack data and where the full table is; ``-q`` prints
counts only; every warning is printed once, identical ones grouped."""
from __future__ import annotations

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point, box

from builders import make_valid_input, write_layers
from tc8.cli.common import problem_lines
from tc8.cli.main import cli
from tc8.model.errors import Problem
from tc8.outputs.terminal import FIRST_NOT_PASSING, SCREENFUL

N = 200


@pytest.fixture(scope="module")
def big_input(tmp_path_factory):
    """200 square communes in a grid, one village each (all valid, no warning)."""
    rows, geoms, villages, points = [], [], [], []
    for i in range(N):
        x, y = 108.0 + (i % 20) * 0.02, 12.0 + (i // 20) * 0.02
        code = f"{30000 + i}"
        rows.append({"commune_code": code, "commune_name": f"Xã Số {i}", "district_name": "Huyện A"})
        geoms.append(box(x, y, x + 0.02, y + 0.02))
        villages.append({"village_id": f"V{i}", "commune_code": code, "village_name": f"Thôn {i}", "population": 100})
        points.append(Point(x + 0.01, y + 0.01))
    layers = {"communes": gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326"),
              "villages": gpd.GeoDataFrame(villages, geometry=points, crs="EPSG:4326")}
    return write_layers(layers, tmp_path_factory.mktemp("big") / "input")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_big_run_prints_counts_first_failures_and_where_the_table_is(big_input, tmp_path):
    out = tmp_path / "out"
    res = run("assess", big_input, "--rules", "ntm-2021-2025", "-o", out)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert len(lines) < 60, res.output
    assert str(out / "results.csv") in res.output
    assert f"0/{N} xã đạt" in res.output and "8.1:" in res.output  # counts per status and indicator
    listed = [line for line in lines if line.startswith("30")]
    assert len(listed) == FIRST_NOT_PASSING and listed[0].startswith("30000 ")
    assert N > SCREENFUL


def test_details_prints_every_commune(big_input, tmp_path):
    res = run("assess", big_input, "--rules", "ntm-2021-2025", "-o", tmp_path / "out", "--details", "--lang", "en")
    assert res.exit_code == 0
    assert len([line for line in res.stdout.splitlines() if line.startswith("30") and " Xã Số " in line]) == N


@pytest.mark.parametrize("where", ["command", "group"])
def test_quiet_prints_counts_and_no_table(big_input, tmp_path, where):
    args = ["assess", big_input, "--rules", "ntm-2021-2025", "-o", tmp_path / "out", "--lang", "en"]
    res = run(*(args + ["-q"] if where == "command" else ["-q"] + args))
    assert res.exit_code == 0, res.output
    assert f"0/{N} communes pass" in res.output or f"0/{N}" in res.output
    assert "30000" not in res.output and "Commune" not in res.output.split("\n")[0]
    assert len(res.output.splitlines()) < 20


def test_small_run_still_prints_its_table(tmp_path):
    res = run("assess", make_valid_input(tmp_path), "--rules", "ntm-2021-2025", "-o", tmp_path / "out")
    assert res.exit_code == 0
    assert "Xã Hòa Bình" in res.stdout and "Xã Ea Tiêu" in res.stdout


@pytest.fixture
def warned_input(tmp_path):
    """The small valid input with one warning (a code that is not an official 5-digit code)."""
    bad = "2478X"
    return make_valid_input(tmp_path, communes=lambda c: c.assign(commune_code=["24784", bad]),
                            villages=lambda v: v.assign(commune_code=["24784", "24784", bad]),
                            postal_points=lambda p: p.assign(commune_code=["24784", bad]),
                            radio_stations=lambda r: r.assign(commune_code=["24784", bad]),
                            commune_it=lambda c: c.assign(commune_code=["24784", bad]))


@pytest.mark.parametrize("command", [["assess"], ["assess", "--maps", "--details"], ["map", "--no-tiles"],
                                     ["dossier", "--no-maps"]])
def test_a_warning_is_printed_once(warned_input, tmp_path, command):
    res = run(command[0], warned_input, "--rules", "ntm-2021-2025", "-o", tmp_path / "out", *command[1:])
    assert res.exit_code == 0, res.output
    assert res.output.count("'2478X'") == 1, res.output
    if "--details" in command:
        return  # --details prints everything, -q or not
    quiet = run(command[0], warned_input, "--rules", "ntm-2021-2025", "-o", tmp_path / "out", "--overwrite",
                "-q", *command[1:])
    assert quiet.exit_code == 0, quiet.output
    assert "'2478X'" not in quiet.output and "1 cảnh báo" in quiet.stderr


def test_identical_warnings_are_grouped_and_repeats_dropped():
    def warn(row, value="x"):
        return Problem("warning", "commune_code_format", "c.geojson", "communes", row, "commune_code",
                       {"value": value})

    problems = [warn(f"#{i}") for i in range(1, 52)] + [warn("#1"), warn("#60", "y")]
    lines = problem_lines(problems, "en")
    assert len(lines) == 2
    assert lines[0].startswith("51 × [warning] c.geojson › communes › commune_code:")
    assert "#1, #2, #3, #4, #5, …" in lines[0] and "row #" not in lines[0]
    assert "row #60" in lines[1] and "'y'" in lines[1]
