"""Issue 9, "Done means": the policies working together, through the CLI, in every output.

* a point beyond the snap distance is an error naming the distance and the nearest commune;
  with ``--skip-invalid`` the run completes, the record is listed and its commune marked, in
  the results, the commune map and the dossier;
* an incomplete layer is visible in the commune map and in the dossier ("Cần bổ sung"), and a
  ``--commune`` run gives that commune the verdict of the full run.
"""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pyogrio
from click.testing import CliRunner
from shapely.geometry import Point

from builders import A, B, make_valid_input
from tc8.cli.main import cli

RULES = "ntm-2021-2025"
OLD = "ntm-2010-2015"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _far_post_office(points):
    """P2 (commune 24787) without its code, moved ~1.1 km east of the communes (108.11°E)."""
    points = points.copy()
    points.loc[1, "commune_code"] = None
    points.loc[1, "geometry"] = Point(108.11, 12.03)
    return points


def test_beyond_the_snap_distance_error_then_skip_invalid(tmp_path):
    source = make_valid_input(tmp_path, postal_points=_far_post_office)
    refused = run("validate", source, "--lang", "en")
    assert refused.exit_code == 1
    line = next(l for l in refused.output.splitlines() if "P2" in l)
    assert "km" in line and B in line  # the distance and the nearest commune

    out = tmp_path / "job"
    res = run("dossier", source, "--rules", RULES, "-o", out, "--skip-invalid")
    assert res.exit_code == 0, res.output
    res = run("assess", source, "--rules", RULES, "-o", tmp_path / "a", "--skip-invalid", "--maps")
    assert res.exit_code == 0, res.output
    excluded = pyogrio.read_dataframe(tmp_path / "a" / "results.gpkg", layer="excluded_records")
    assert list(excluded["row"]) == ["P2"] and list(excluded["code"]) == ["outside_communes"]
    communes = pyogrio.read_dataframe(tmp_path / "a" / "results.gpkg", layer="communes")
    assert dict(zip(communes["commune_code"], communes["affected_by_exclusion"]))[B] == 1
    html = (tmp_path / "a" / "maps" / "communes" / f"{B}.html").read_text(encoding="utf-8")
    assert "Kết quả có thể thay đổi" in html
    wb = openpyxl.load_workbook(next((out / B).glob("*.xlsx")), read_only=True)
    todo = " ".join(str(v) for row in wb["Cần bổ sung"].iter_rows(values_only=True) for v in row if v)
    assert "P2" in todo


def test_incomplete_layer_in_maps_dossiers_and_one_commune_runs(tmp_path):
    """Commune 24787's only postal point is a letter box (P2, not counted under 2010-2015): with
    the postal layer incomplete its 8.1 is thieu_du_lieu, said in the map and the dossier; a
    one-commune run agrees with the full run."""
    source = make_valid_input(tmp_path)
    full = tmp_path / "full"
    assert run("assess", source, "--rules", OLD, "-o", full, "--incomplete", "postal_points",
               "--maps").exit_code == 0
    rows = pd.read_csv(full / "results.csv", dtype=str, keep_default_na=False)
    b81 = rows[(rows["commune_code"] == B) & (rows["indicator"] == "8.1")].iloc[0]
    assert b81["status"] == "thieu_du_lieu" and "postal_points" in b81["missing_vi"]
    assert "chưa đầy đủ" in b81["missing_vi"]
    assert rows[(rows["commune_code"] == A) & (rows["indicator"] == "8.1")].iloc[0]["status"] == "dat"
    doc = json.loads((full / "results.json").read_text(encoding="utf-8"))
    assert doc["incomplete_layers"] == ["postal_points"]
    html = (full / "maps" / "communes" / f"{B}.html").read_text(encoding="utf-8")
    assert "chưa đầy đủ" in html

    one = tmp_path / "one"
    assert run("assess", source, "--rules", OLD, "-o", one, "--incomplete", "postal_points",
               "--commune", B).exit_code == 0
    single = pd.read_csv(one / "results.csv", dtype=str, keep_default_na=False)
    got = single.set_index("indicator")["status"].to_dict()
    want = rows[rows["commune_code"] == B].set_index("indicator")["status"].to_dict()
    assert got == want

    dossier = tmp_path / "hoso"
    assert run("dossier", source, "--rules", OLD, "-o", dossier, "--incomplete", "postal_points",
               "--commune", B).exit_code == 0
    wb = openpyxl.load_workbook(next((dossier / B).glob("*.xlsx")), read_only=True)
    todo = " ".join(str(v) for row in wb["Cần bổ sung"].iter_rows(values_only=True)
                    for v in row if v)
    assert "chưa đầy đủ" in todo and "postal_points" in todo
    manifest = json.loads((dossier / B / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["incomplete_layers"] == ["postal_points"]
