"""CLI tests of ``tc8 validate`` and ``tc8 template`` (click CliRunner)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import LineString, Point, Polygon

from builders import B, make_valid_input, replace_geometry, valid_layers
from tc8.cli.main import cli
from tc8.model.schema import LAYERS, METADATA


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result, result.output


def _drop_crs(frame):
    return frame.set_crs(None, allow_override=True)


# kind of bad input -> (overrides, format, layer, row, field, English words expected in the message)
BAD_INPUTS = {
    "missing_crs": ({"communes": _drop_crs}, "gpkg-folder", "communes", None, "geometry", "CRS"),
    "no_geometry": ({"cell_sites": pd.DataFrame(valid_layers()["cell_sites"].drop(columns="geometry"))},
                    "geojson", "cell_sites", None, "geometry", "no geometry"),
    "missing_column": ({"villages": lambda v: v.drop(columns="village_name")}, "geojson", "villages", None,
                       "village_name", "missing"),
    "bad_number": ({"villages": lambda v: v.assign(population=["800", "nhiều", "900"])}, "geojson", "villages",
                   "V2", "population", "not a number"),
    "not_integer": ({"villages": lambda v: v.assign(households=[1, 2.5, 3])}, "geojson", "villages", "V2",
                    "households", "whole number"),
    "bad_bool": ({"cell_sites": lambda s: s.assign(active=["có", "maybe"])}, "geojson", "cell_sites", "S2",
                 "active", "yes/no"),
    "null_value": ({"villages": lambda v: v.assign(village_name=["a", None, "c"])}, "gpkg", "villages", "V2",
                   "village_name", "empty"),
    "duplicate_id": ({"postal_points": lambda p: p.assign(point_id=["P1", "P1"])}, "geojson", "postal_points",
                     "P1", "point_id", "duplicated"),
    "invalid_geometry": ({"communes": replace_geometry(1, Polygon([(108.05, 12.0), (108.1, 12.05), (108.1, 12.0),
                                                        (108.05, 12.05)]))}, "gpkg", "communes", B, "geometry",
                         "Self-intersection"),
    "empty_geometry": ({"villages": replace_geometry(0, None)}, "geojson", "villages", "V1", "geometry", "no geometry"),
    "wrong_geometry_type": ({"speakers": replace_geometry(2, LineString([(108.0, 12.0), (108.01, 12.01)]))}, "geojson",
                            "speakers", "K3", "geometry", "LineString"),
    "outside_communes": ({"postal_points": lambda p: replace_geometry(1, Point(108.3, 12.3))(p).assign(
                             commune_code=["24784", None])}, "geojson", "postal_points", "P2",
                         "geometry", "outside every commune"),
    "commune_mismatch": ({"villages": lambda v: replace_geometry(0, Point(108.001, 12.01))(v).assign(
                             commune_code=["24787", "24784", "24787"])}, "geojson",
                         "villages", "V1", "commune_code", "differs"),
    "unknown_commune": ({"radio_stations": lambda r: r.assign(commune_code=["24784", "11111"])}, "geojson",
                        "radio_stations", "R2", "commune_code", "not in the communes layer"),
    "unknown_village": ({"speakers": lambda s: s.assign(village_id=["V1", "V7", None])}, "geojson", "speakers",
                        "K2", "village_id", "not in the villages layer"),
    "outside_vietnam": ({"cell_sites": replace_geometry(1, Point(100.5, 13.75))}, "geojson", "cell_sites", "S2", "geometry",
                        "outside Vietnam"),
    "latlon_swapped": ({"villages": replace_geometry(0, Point(12.01, 108.01))}, "geojson", "villages", "V1", "geometry",
                       "swapped"),
    "bad_enum": ({"postal_points": lambda p: p.assign(kind=["bdvhx", "kiosk"])}, "geojson", "postal_points", "P2",
                 "kind", "buu_cuc, bdvhx, dai_ly, ki_ot, thung_thu, other"),
    "out_of_range": ({"fixed_access": lambda f: f.assign(reach_m=[-5.0])}, "geojson", "fixed_access", "N1",
                     "reach_m", "outside the allowed range"),
    "missing_layer": ({"communes": None}, "gpkg", "communes", None, None, "missing"),  # villages are optional
}


def _tree_hash(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file()):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_each_bad_input_exits_1_with_located_message(tmp_path, kind):
    overrides, fmt, layer, row, field, words = BAD_INPUTS[kind]
    path = make_valid_input(tmp_path, fmt=fmt, **overrides)
    result, out = invoke("validate", path, "--lang", "en")
    assert result.exit_code == 1, out
    assert "Traceback" not in out
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in out.splitlines() if line.strip().startswith("ERROR") and f"| {layer} |" in line]
    assert lines, out
    if row:
        lines = [line for line in lines if f"| row {row} |" in line]
    if field:
        lines = [line for line in lines if f"| field {field} |" in line]
    assert any(words in line for line in lines), out
    expected_file = path if fmt == "gpkg" else path / f"{layer}.{ {'geojson': 'geojson', 'gpkg-folder': 'gpkg'}[fmt]}"
    if kind == "no_geometry":
        expected_file = path / "cell_sites.csv"
    assert str(expected_file) in out, out


def test_valid_input_exits_0_with_summary(tmp_path):
    path = make_valid_input(tmp_path)
    result, out = invoke("validate", path)
    assert result.exit_code == 0, out
    assert "EPSG:32649" in out and "villages: 3 dòng" in out


def test_warnings_only_exit_0(tmp_path):
    path = make_valid_input(tmp_path, commune_it=lambda t: t.assign(commune_code=["24784", "99999"]))
    result, out = invoke("validate", path, "--lang", "en")
    assert result.exit_code == 0, out
    assert "WARNING | commune_it | row 99999 | field commune_code" in out


def test_json_format(tmp_path):
    path = make_valid_input(tmp_path, villages=lambda v: v.assign(population=["x", 600, 900]))
    result, out = invoke("validate", path, "--format", "json", "--lang", "en")
    assert result.exit_code == 1
    report = json.loads(out)
    assert report["valid"] is False
    assert [(p["code"], p["layer"], p["row"], p["field"]) for p in report["problems"]] == [
        ("bad_number", "villages", "V1", "population")]
    ok = json.loads(invoke("validate", make_valid_input(tmp_path / "ok"), "--format", "json")[1])
    assert ok["valid"] and ok["metric_crs"] == "EPSG:32649" and ok["layers"]["speakers"] == 3


def test_validate_does_not_modify_input(tmp_path):
    for fmt in ("geojson", "gpkg"):
        path = make_valid_input(tmp_path / fmt, fmt=fmt, villages=lambda v: v.assign(population=["x", 1, 2]))
        before = _tree_hash(path.parent)
        invoke("validate", path)
        invoke("validate", path, "--format", "json")
        assert _tree_hash(path.parent) == before


def test_bad_flags_exit_2(tmp_path):
    path = make_valid_input(tmp_path)
    assert invoke("validate", path, "--format", "xml")[0].exit_code == 2
    assert invoke("validate", path, "--lang", "fr")[0].exit_code == 2


def test_bad_metric_crs_exit_1(tmp_path):
    result, out = invoke("validate", make_valid_input(tmp_path), "--crs", "EPSG:4326", "--lang", "en")
    assert result.exit_code == 1 and "projected" in out


def test_missing_input_path(tmp_path):
    result, out = invoke("validate", tmp_path / "nothing", "--lang", "en")
    assert result.exit_code == 1 and "not found" in out and "Traceback" not in out


def test_unexpected_failure_is_a_clean_message(tmp_path, monkeypatch):
    import tc8.validate.run

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(tc8.validate.run, "validate_inputs", boom)
    result, out = invoke("validate", make_valid_input(tmp_path), "--lang", "en")
    assert result.exit_code == 1
    assert "kaboom" in out and "Traceback" not in out and "Unexpected" in out


def test_many_problems_are_summarised(tmp_path):
    n = 80
    villages = gpd.GeoDataFrame(
        {"village_id": [f"V{i}" for i in range(n)], "commune_code": "24784", "village_name": "Thôn",
         "population": "?"}, geometry=gpd.points_from_xy([108.01] * n, [12.01] * n), crs=4326)
    result, out = invoke("validate", make_valid_input(tmp_path, villages=villages, speakers=None), "--lang", "en")
    assert result.exit_code == 1
    assert out.count("is not a number") == 50 and "and 30 more rows with problem 'bad_number'" in out


# --- template -------------------------------------------------------------------------------

def test_template_round_trip(tmp_path):
    out = tmp_path / "sub" / "input.gpkg"
    result, text = invoke("template", out, "--lang", "en")
    assert result.exit_code == 0, text
    assert out.exists() and [p.name for p in out.parent.iterdir()] == ["input.gpkg"]  # no temp file left
    listed = {str(name): geom for name, geom in pyogrio.list_layers(out)}
    # + the layer metadata table (tc8_layers) and the QGIS styles (layer_styles, issue 12)
    assert set(listed) == set(LAYERS) | {METADATA.name, "layer_styles"}
    assert listed["communes"] == "MultiPolygon" and listed["speakers"] == "Point" and listed["commune_it"] is None
    assert listed["villages"] == "Point"  # villages are drawn as points in QGIS (polygons also accepted)
    info = pyogrio.read_info(out, layer="postal_points")
    assert info["crs"] == "EPSG:4326" and info["features"] == 0
    types = dict(zip(info["fields"], zip(info["ogr_types"], info["ogr_subtypes"])))
    assert types["staffed"] == ("OFTInteger", "OFSTBoolean")
    assert types["hours_per_day"][0] == "OFTReal" and types["kind"][0] == "OFTString"
    assert pyogrio.read_info(out, layer="commune_it")["ogr_types"][1].startswith("OFTInteger")
    assert list(info["fields"]) == [c.name for c in LAYERS["postal_points"].columns]
    result, text = invoke("validate", out, "--lang", "en")
    assert result.exit_code == 0, text
    assert "communes: 0 rows" in text


def test_template_refuses_to_overwrite(tmp_path):
    out = tmp_path / "t.gpkg"
    out.write_text("keep me")
    result, text = invoke("template", out, "--lang", "en")
    assert result.exit_code == 1 and "--overwrite" in text and out.read_text() == "keep me"
    result, text = invoke("template", out, "--overwrite")
    assert result.exit_code == 0 and len(pyogrio.list_layers(out)) == len(LAYERS) + 2  # + tc8_layers, layer_styles


def test_template_filled_in_validates(tmp_path):
    """A template with rows appended (as a QGIS user would) validates like the builder's input."""
    out = tmp_path / "t.gpkg"
    invoke("template", out)
    layers = valid_layers()
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, out, layer=name, append=True)
    result, text = invoke("validate", out)
    assert result.exit_code == 0, text
    assert "villages: 3 dòng" in text
