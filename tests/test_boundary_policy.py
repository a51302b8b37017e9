"""The boundary policy (issue 9, item 1; tc8.validate.boundary): a given commune code is
authoritative (a position off its commune is a warning, an error only beyond ``code_far_m``),
a point without a code outside every commune is snapped to the nearest commune within the
snap distance (warning) and an error beyond it, naming distance and nearest commune; cell
sites and fixed access nodes outside every commune are said once, with their count."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod
from shapely.geometry import Point

from builders import A, B, make_valid_input, replace_geometry, valid_layers, write_layers
from tc8.cli.main import cli
from tc8.io.read import read_inputs
from tc8.model.inputs import DEFAULT_CODE_FAR_M, DEFAULT_SNAP_DISTANCE_M, InputPolicy
from tc8.pipeline import run_assessment
from tc8.text.problems import problem_dict
from tc8.validate.boundary import fmt_distance
from tc8.validate.run import validate_inputs

GEOD = Geod(ellps="WGS84")
REPO = Path(__file__).resolve().parents[1]
#: the real national files, copied into the repository (tests/real_data/README.md)
REAL_DIR = REPO / "tests" / "real_data"


def offset(lon: float, lat: float, azimuth: float, metres: float) -> Point:
    """The point ``metres`` (geodesic) from (lon, lat) towards ``azimuth`` (degrees)."""
    x, y, _ = GEOD.fwd(lon, lat, azimuth, metres)
    return Point(x, y)


def south_of_a(metres: float) -> Point:
    return offset(108.02, 12.0, 180.0, metres)  # below commune A's southern edge (B is east of A)


def east_of_b(metres: float) -> Point:
    return offset(108.10, 12.02, 90.0, metres)  # beyond commune B's eastern edge (no commune there)


def validate(tmp_path, policy=None, **overrides):
    raw, read_problems = read_inputs(make_valid_input(tmp_path, **overrides))
    return validate_inputs(raw, read_problems, policy=policy)


def of(problems, code):
    return [p for p in problems if p.code == code]


def uncoded_p2(geom):
    """postal_points with P2 moved to ``geom`` and without a commune code."""
    return lambda p: replace_geometry(1, geom)(p).assign(commune_code=[A, None])


def qualifying_p2(geom):
    """postal_points whose P2 is a qualifying BĐVHX (a copy of P1) without code, at ``geom``."""
    def change(frame):
        rows = pd.concat([frame.iloc[[0]], frame.iloc[[0]]], ignore_index=True)
        rows["point_id"] = ["P1", "P2"]
        rows["commune_code"] = [A, None]
        return gpd.GeoDataFrame(rows, geometry=[frame.geometry.iloc[0], geom], crs=frame.crs)
    return change


# --- distances in words ----------------------------------------------------------------------

def test_distance_text():
    assert [fmt_distance(m, "en") for m in (5.917, 11.3, 55.04, 999.4, 2001.8, 8007.0, 35210.0, 384420.0)] == [
        "5.9 m", "11 m", "55 m", "999 m", "2 km", "8 km", "35.2 km", "384 km"]
    assert fmt_distance(5.917, "vi") == "5,9 m" and fmt_distance(35210.0, "vi") == "35,2 km"
    assert fmt_distance(float("nan"), "vi") == "—"


# --- a commune code given: authoritative -------------------------------------------------------

def test_code_given_55_m_outside_is_a_warning_and_keeps_its_commune(tmp_path):
    inputs, problems = validate(tmp_path, villages=replace_geometry(0, south_of_a(55)))
    assert inputs is not None and not [p for p in problems if p.severity == "error"]
    [p] = of(problems, "commune_code_off")
    assert (p.severity, p.layer, p.row, p.field, p.params["given"]) == ("warning", "villages", "V1", "commune_code", A)
    assert p.params["distance_en"] == "55 m" and p.params["distance_vi"] == "55 m"
    message = problem_dict(p, "en")["message"]
    assert "55 m" in message and A in message and "Xã Hòa Bình" in message
    assert "55 m" in problem_dict(p, "vi")["message"]
    assert inputs.layers["villages"]["commune_code"].iloc[0] == A
    results = run_assessment(make_valid_input(tmp_path / "run", villages=replace_geometry(0, south_of_a(55))),
                             "ntm-2016-2020")  # the assessment runs, the village counts for A
    assert results.communes.set_index("commune_code").loc[A, "n_villages"] == 2


def test_code_given_8_km_away_is_an_error_naming_distance_and_nearest(tmp_path):
    inputs, problems = validate(tmp_path, villages=replace_geometry(0, south_of_a(8000)))
    assert inputs is None
    [p] = of(problems, "commune_code_far")
    assert (p.severity, p.layer, p.row, p.field) == ("error", "villages", "V1", "commune_code")
    assert p.params["distance_en"] == "8 km" and p.params["nearest"] == A
    message = problem_dict(p, "en")["message"]
    assert "8 km" in message and "5 km" in message and "Xã Hòa Bình" in message
    assert not of(problems, "outside_communes") and not of(problems, "commune_code_off")


def test_code_given_far_inside_another_commune_names_where_it_lies(tmp_path):
    """V3 (code B) moved 3 km into A: within the default 5 km a warning; with a 2 km tolerance
    the error ``commune_mismatch`` names the distance and the commune at the position."""
    moved = replace_geometry(2, offset(108.05, 12.02, 270.0, 3000))
    _, problems = validate(tmp_path, villages=moved)
    assert [p.severity for p in of(problems, "commune_code_off")] == ["warning"]
    inputs, problems = validate(tmp_path / "strict", policy=InputPolicy(code_far_m=2000.0), villages=moved)
    assert inputs is None
    [p] = of(problems, "commune_mismatch")
    assert (p.row, p.params["given"], p.params["spatial"], p.params["spatial_name"]) == ("V3", B, A, "Xã Hòa Bình")
    assert p.params["distance_en"] == "3 km" and p.params["limit_en"] == "2 km"


# --- no code: snapped within the snap distance -------------------------------------------------

def test_no_code_30_m_outside_is_assigned_to_the_nearest_commune(tmp_path):
    inputs, problems = validate(tmp_path, postal_points=uncoded_p2(east_of_b(30)))
    assert inputs is not None
    [p] = problems
    assert (p.code, p.severity, p.layer, p.row, p.field) == ("snapped_to_commune", "warning", "postal_points",
                                                              "P2", "geometry")
    assert (p.params["nearest"], p.params["nearest_name"], p.params["distance_en"]) == (B, "Xã Ea Tiêu", "30 m")
    message = problem_dict(p, "vi")["message"]
    assert B in message and "Xã Ea Tiêu" in message and "30 m" in message
    assert inputs.layers["postal_points"]["commune_code"].tolist() == [A, B]


def test_speaker_without_code_is_snapped_too(tmp_path):
    inputs, problems = validate(tmp_path, speakers=replace_geometry(1, east_of_b(40)))
    assert [p.code for p in problems] == ["snapped_to_commune"]
    assert inputs.layers["speakers"]["commune_code"].iloc[1] == B


def test_no_code_2_km_outside_is_an_error_naming_distance_and_nearest(tmp_path):
    inputs, problems = validate(tmp_path, postal_points=uncoded_p2(east_of_b(2000)))
    assert inputs is None
    [p] = of(problems, "outside_communes")
    assert (p.severity, p.row, p.field, p.params["nearest"], p.params["distance_en"]) == (
        "error", "P2", "geometry", B, "2 km")
    message = problem_dict(p, "en")["message"]
    assert "2 km" in message and B in message and "Xã Ea Tiêu" in message and "100 m" in message


def test_snap_distance_policy_changes_the_outcome(tmp_path):
    _, problems = validate(tmp_path, policy=InputPolicy(snap_distance_m=10.0), postal_points=uncoded_p2(east_of_b(30)))
    assert [p.code for p in problems] == ["outside_communes"]
    inputs, problems = validate(tmp_path / "wide", policy=InputPolicy(snap_distance_m=2500.0),
                                postal_points=uncoded_p2(east_of_b(2000)))
    assert inputs is not None and [p.code for p in problems] == ["snapped_to_commune"]


def test_snap_distance_override_on_the_command_line(tmp_path):
    path = make_valid_input(tmp_path, postal_points=uncoded_p2(east_of_b(150)))
    runner = CliRunner()
    refused = runner.invoke(cli, ["validate", str(path), "--lang", "en"])
    assert refused.exit_code == 1, refused.output
    assert any(line.strip().startswith("ERROR | postal_points | row P2 | field geometry") and "150 m" in line
               and "24787 (Xã Ea Tiêu)" in line for line in refused.output.splitlines()), refused.output
    accepted = runner.invoke(cli, ["validate", str(path), "--lang", "en", "--snap-distance", "200"])
    assert accepted.exit_code == 0, accepted.output
    assert any(line.strip().startswith("WARNING | postal_points | row P2 | field geometry") and "150 m" in line
               and "assigned to commune 24787" in line for line in accepted.output.splitlines()), accepted.output


def test_default_snap_distance_and_code_tolerance():
    assert DEFAULT_SNAP_DISTANCE_M == 100.0 and DEFAULT_CODE_FAR_M == 5000.0
    assert InputPolicy().snap_distance_m == DEFAULT_SNAP_DISTANCE_M


def test_a_snapped_point_counts_for_its_commune_in_a_one_commune_run(tmp_path):
    """``--commune 24787``: the BĐVHX 30 m outside B (no code) is B's and decides 8.1 there."""
    snapped = run_assessment(make_valid_input(tmp_path / "in", postal_points=qualifying_p2(east_of_b(30))),
                             "ntm-2010-2015", communes=[B])
    assert snapped.communes["commune_code"].tolist() == [B]
    assert snapped.communes["status_8_1"].tolist() == ["dat"]
    assert snapped.layers["postal_points"].set_index("point_id").loc["P2", "commune_code"] == B
    without = run_assessment(make_valid_input(tmp_path / "out", postal_points=lambda p: p.iloc[[0]]),
                             "ntm-2010-2015", communes=[B])
    assert without.communes["status_8_1"].tolist() == ["khong_dat"]
    cli_run = CliRunner().invoke(cli, ["assess", str(tmp_path / "in" / "input"), "--commune", B, "--rules",
                                       "ntm-2010-2015", "-o", str(tmp_path / "o"), "--lang", "en"])
    assert cli_run.exit_code == 0, cli_run.output


# --- infrastructure outside every commune: said once -------------------------------------------

def test_cell_sites_and_fixed_access_outside_are_said_once_with_their_count(tmp_path):
    def sites(frame):
        frame = frame.set_geometry(gpd.GeoSeries([east_of_b(3000), east_of_b(6000)], crs=frame.crs))
        return frame
    inputs, problems = validate(tmp_path, cell_sites=sites, fixed_access=replace_geometry(0, south_of_a(500)))
    assert inputs is not None and len(inputs.layers["cell_sites"]) == 2
    [p] = problems
    assert (p.code, p.severity, p.layer, p.row) == ("serving_outside_communes", "warning", "", "")
    assert (p.params["count_en"], p.params["layers"]) == ("3", "cell_sites: 2, fixed_access: 1")
    assert "3" in problem_dict(p, "vi")["message"] and "border" in problem_dict(p, "en")["message"]
    out = CliRunner().invoke(cli, ["validate", str(tmp_path / "input"), "--lang", "en"]).output
    assert sum("lie outside every commune" in line for line in out.splitlines()) == 1, out


def test_nothing_said_when_every_site_is_inside(tmp_path):
    _, problems = validate(tmp_path)
    assert problems == []


# --- real data: the OSM post offices outside the low-resolution 2009 polygons -------------------

def _real_dir() -> Path:
    """The repository's real national files; missing files fail (they are part of the repository)."""
    folder = REAL_DIR
    for name in ("communes_2009_lowres.gpkg", "osm_postal_telecom_points.gpkg"):
        assert (folder / name).exists(), f"{folder / name} is missing (see tests/real_data/README.md)"
    return folder


def test_real_osm_post_offices_outside_low_resolution_polygons_are_snapped(tmp_path):
    """The national commune polygons of 2009 (11,163) and the 334 OSM post offices: the 4
    post offices outside every polygon (5.9, 11.3, 17.8 and 78.7 m, issue 9) are assigned to the
    nearest commune with a warning; the OSM masts outside are said once, with their count."""
    folder = _real_dir()
    communes = gpd.read_file(folder / "communes_2009_lowres.gpkg", layer="communes")
    points = gpd.read_file(folder / "osm_postal_telecom_points.gpkg", layer="points")
    communes = gpd.GeoDataFrame({"commune_code": [f"{i:05d}" for i in range(1, len(communes) + 1)],
                                 "commune_name": communes["commune_name"].fillna("?")},
                                geometry=communes.geometry.values,
                                crs=communes.crs)
    posts = points[points["t8_category"] == "post_office"].reset_index(drop=True)
    masts = points[points["t8_category"] == "mast_or_tower"].reset_index(drop=True)
    # independently: which post offices no polygon contains, their nearest polygon and distance (UTM 48N)
    metric = communes.to_crs(32648)
    tree = shapely.STRtree(metric.geometry.values)
    post_m = posts.to_crs(32648).geometry.values
    contained = np.zeros(len(posts), dtype=bool)
    contained[tree.query(post_m, predicate="intersects")[0]] = True
    (q, c), dist = tree.query_nearest(post_m[~contained], return_distance=True, all_matches=False)
    outside = np.flatnonzero(~contained)[q]
    assert sorted(np.round(dist, 1)) == [5.9, 11.3, 17.8, 78.7]
    mast_m = masts.to_crs(32648).geometry.values
    masts_in = np.zeros(len(masts), dtype=bool)
    masts_in[tree.query(mast_m, predicate="dwithin", distance=1.0)[0]] = True

    layers = {
        "communes": communes,
        "villages": gpd.GeoDataFrame({"village_id": [f"V{i}" for i in range(len(communes))],
                                      "commune_code": communes["commune_code"], "village_name": "Thôn"},
                                     geometry=communes.geometry.representative_point().values, crs=communes.crs),
        "postal_points": gpd.GeoDataFrame({"point_id": [f"OSM{i}" for i in posts["osm_id"]], "kind": "buu_cuc"},
                                          geometry=posts.geometry.values, crs=posts.crs),
        "cell_sites": gpd.GeoDataFrame({"site_id": [f"OSM{i}" for i in masts["osm_id"]], "operator": "?",
                                        "technology": "4G", "active": True},
                                       geometry=masts.geometry.values, crs=masts.crs),
    }
    raw, read_problems = read_inputs(write_layers(layers, tmp_path / "national", fmt="gpkg-folder"))
    inputs, problems = validate_inputs(raw, read_problems)
    assert inputs is not None, [problem_dict(p, "en")["message"] for p in problems if p.severity == "error"]
    snapped = of(problems, "snapped_to_commune")
    assert sorted(p.row for p in snapped) == sorted(f"OSM{i}" for i in posts["osm_id"].iloc[outside])
    assert sorted(p.params["distance_en"] for p in snapped) == sorted(["5.9 m", "11 m", "18 m", "79 m"])
    got = inputs.layers["postal_points"].set_index("point_id")["commune_code"]
    expected = communes["commune_code"].iloc[c].tolist()
    assert got.loc[[f"OSM{i}" for i in posts["osm_id"].iloc[outside]]].tolist() == expected
    assert got.notna().all()
    [summary] = of(problems, "serving_outside_communes")
    assert summary.params["layers"] == f"cell_sites: {int((~masts_in).sum())}"
