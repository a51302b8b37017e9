"""Issue 7, classes 4, 5 and 9: positions, rasters and CRSs that disagree with the data.

4. A loudspeaker cluster tagged to a village it cannot reach does not count for it (warning
   naming the distance; a rule-set parameter ``speaker_tag_tolerance_m`` says how far a tag is
   trusted).
5. A population raster that covers none of the villages is refused; a polygon village without
   population weights is decided by area share, says so, and is not flagged population-weighted.
9. A metric CRS whose area of use does not contain the data (or that distorts areas there,
   e.g. Web Mercator) is refused.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
from click.testing import CliRunner
from shapely.geometry import Point, box

from builders import make_valid_input, valid_layers, write_layers
from tc8.cli.main import cli
from tc8.model.errors import InputError
from tc8.io.read import read_inputs
from tc8.pipeline import run_assessment
from tc8.validate.run import validate_inputs

RULES = "ntm-2021-2025"


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _codes(problems, severity=None):
    return [p.code for p in problems if severity is None or p.severity == severity]


def _village(results, vid):
    v = results.villages
    return v[v["village_id"] == vid].iloc[0]


# --- 4. loudspeaker clusters far from the village they are tagged to --------------------------

def _far_k1(frame):
    """K1 (operating, tagged V1 at 108.01 12.01) moved into the other commune, ~8.3 km from V1."""
    geoms = list(frame.geometry)
    geoms[0] = Point(108.08, 12.04)
    return frame.set_geometry(gpd.GeoSeries(geoms, crs=frame.crs))


def test_far_tagged_cluster_does_not_count_and_is_warned(tmp_path):
    results = run_assessment(make_valid_input(tmp_path, speakers=_far_k1), RULES)
    v1 = _village(results, "V1")
    assert not bool(v1["speaker_ok"]) and v1["speakers_total"] == 0
    assert "K1" not in v1["speaker_ids"]
    # the reason of the village names the cluster, the village, the distance and the reach
    assert "K1" in v1["reason_speaker_vi"] and "V1" in v1["reason_speaker_vi"]
    assert "km" in v1["reason_speaker_vi"] and "300 m" in v1["reason_speaker_vi"]
    assert "not counted" in v1["reason_speaker_en"]
    far = [p for p in results.warnings if p.code == "speaker_tag_far"]
    assert len(far) == 1 and far[0].severity == "warning"
    assert far[0].row == "K1" and far[0].layer == "speakers" and far[0].field == "village_id"
    msg = far[0].as_dict("vi")["message"]
    assert "V1" in msg and "km" in msg and "300 m" in msg
    assert "8,3 km" in msg and "8.3 km" in far[0].as_dict("en")["message"]
    # the cluster is not attributed to any village
    assert results.layers["speakers"]["village_id_used"].isna().iloc[0]


def test_near_tagged_cluster_still_counts(tmp_path):
    results = run_assessment(make_valid_input(tmp_path), RULES)
    assert bool(_village(results, "V1")["speaker_ok"])
    assert "speaker_tag_far" not in _codes(results.warnings)


def test_cluster_inside_a_polygon_village_counts_at_distance_zero(tmp_path):
    def polygon_v1(frame):
        geoms = list(frame.geometry)
        geoms[0] = box(108.001, 12.001, 108.03, 12.03)  # ~3 km across; K1 at 108.011 12.011 is inside
        return frame.set_geometry(gpd.GeoSeries(geoms, crs=frame.crs))

    def k1_far_from_centre(frame):
        geoms = list(frame.geometry)
        geoms[0] = Point(108.028, 12.028)  # inside V1, >2 km from its centre
        return frame.set_geometry(gpd.GeoSeries(geoms, crs=frame.crs))

    results = run_assessment(make_valid_input(tmp_path, villages=polygon_v1, speakers=k1_far_from_centre), RULES)
    assert bool(_village(results, "V1")["speaker_ok"])
    assert "speaker_tag_far" not in _codes(results.warnings)


def test_tolerance_parameter_lets_the_user_trust_tags(tmp_path):
    rules = tmp_path / "province.yaml"
    rules.write_text(
        "id: test-trust-tags\nextends: ntm-2021-2025\nofficial: false\n"
        "title_vi: Thử\ntitle_en: Test\n"
        "parameters:\n  speaker_tag_tolerance_m:\n    value: 10000\n    unit: m\n    basis: provisional\n"
        "    label_vi: Khoảng cách tối đa giữa cụm loa và thôn được gắn\n"
        "    label_en: Largest distance between a cluster and its tagged village\n",
        encoding="utf-8")
    results = run_assessment(make_valid_input(tmp_path, speakers=_far_k1), str(rules))
    assert bool(_village(results, "V1")["speaker_ok"])
    assert "speaker_tag_far" not in _codes(results.warnings)


def test_far_tag_warning_reaches_results_json_and_stderr(tmp_path):
    out = tmp_path / "out"
    res = _invoke("assess", make_valid_input(tmp_path, speakers=_far_k1), "--rules", RULES, "-o", out,
                  "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "K1" in res.output and "8.3 km" in res.output
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert any(w["code"] == "speaker_tag_far" and w["row"] == "K1" for w in doc["warnings"])


# --- 5. population raster that does not cover the data ----------------------------------------

def _raster(path, west, north, *, values=None, nodata=None, cols=40, rows=20, res=0.0025):
    import rasterio
    from rasterio.transform import from_origin

    data = np.full((rows, cols), 10.0, dtype="float32") if values is None else values
    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="float32",
                       crs="EPSG:4326", transform=from_origin(west, north, res, res), nodata=nodata) as dst:
        dst.write(data[None, :, :])
    return path


def _polygon_layers():
    """Polygon villages (V1, V2 in 24784; V3 in 24787); coverage: C1 over 24784 and C2, a small
    square in the middle of V3 (17 % of its area, containing its representative point)."""
    layers = valid_layers()
    v = layers["villages"]
    layers["villages"] = v.set_geometry(gpd.GeoSeries(
        [box(108.005, 12.005, 108.02, 12.02), box(108.03, 12.03, 108.045, 12.045),
         box(108.06, 12.01, 108.09, 12.04)], crs=v.crs))
    side = 0.03 * np.sqrt(0.17) / 2
    cov = layers["coverage"]
    layers["coverage"] = gpd.GeoDataFrame(
        [{"coverage_id": "C1", "operator": "Viettel", "technology": "4G", "evidence": "declared"},
         {"coverage_id": "C2", "operator": "Viettel", "technology": "4G", "evidence": "declared"}],
        geometry=[box(108.0, 12.0, 108.05, 12.05),
                  box(108.075 - side, 12.025 - side, 108.075 + side, 12.025 + side)], crs=cov.crs)
    del layers["cell_sites"]
    return layers


def test_raster_covering_half_the_villages_falls_back_to_area_share(tmp_path):
    path = write_layers(_polygon_layers(), tmp_path / "in")
    raster = _raster(tmp_path / "west.tif", 108.0, 12.05, cols=20)  # 108.00-108.05: commune 24784 only
    results = run_assessment(path, RULES, population=raster)
    v1, v3 = _village(results, "V1"), _village(results, "V3")
    assert bool(v1["population_weighted"]) and bool(v1["mobile_voice_ok"])
    # V3 has no population cell: area share (17 %) decides it, not its one representative point
    assert not bool(v3["population_weighted"])
    assert v3["mobile_voice_share"] == pytest.approx(0.17, abs=0.03)
    assert not bool(v3["mobile_voice_ok"])
    missing = [p for p in results.warnings if p.code == "population_weights_missing"]
    assert [p.row for p in missing] == ["V3"]
    assert missing[0].file == str(raster) and missing[0].layer == "villages"
    assert "diện tích" in missing[0].as_dict("vi")["message"] and "area" in missing[0].as_dict("en")["message"]


def test_raster_with_zero_cells_over_a_village_falls_back(tmp_path):
    path = write_layers(_polygon_layers(), tmp_path / "in")
    values = np.full((20, 40), 10.0, dtype="float32")
    values[:, 20:] = 0.0  # east half (commune 24787) unpopulated
    raster = _raster(tmp_path / "zero.tif", 108.0, 12.05, values=values)
    results = run_assessment(path, RULES, population=raster)
    assert not bool(_village(results, "V3")["population_weighted"])
    assert bool(_village(results, "V2")["population_weighted"])
    assert [p.row for p in results.warnings if p.code == "population_weights_missing"] == ["V3"]


@pytest.mark.parametrize("kind", ["nodata", "far"])
def test_raster_covering_no_village_is_refused(tmp_path, kind):
    path = write_layers(_polygon_layers(), tmp_path / "in")
    if kind == "nodata":
        raster = _raster(tmp_path / "empty.tif", 108.0, 12.05, values=np.full((20, 40), -9999.0, dtype="float32"),
                         nodata=-9999.0)
        code = "raster_no_population"
    else:
        raster = _raster(tmp_path / "far.tif", 105.0, 21.05)  # near Hà Nội, nowhere near the villages
        code = "raster_outside_villages"
    raw, read_problems = read_inputs(path, population=raster)
    inputs, problems = validate_inputs(raw, read_problems)
    assert inputs is None
    errors = [p for p in problems if p.severity == "error"]
    assert _codes(errors) == [code]
    assert errors[0].file == str(raster)
    res = _invoke("assess", path, "--rules", RULES, "-o", tmp_path / "out", "--population", raster)
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert str(raster) in res.output


def test_raster_refused_for_point_villages_too(tmp_path):
    path = make_valid_input(tmp_path)
    raster = _raster(tmp_path / "far.tif", 105.0, 21.05)
    with pytest.raises(InputError) as err:
        run_assessment(path, RULES, population=raster)
    assert _codes(err.value.problems, "error") == ["raster_outside_villages"]


def test_raster_over_the_villages_is_accepted(tmp_path):
    path = write_layers(_polygon_layers(), tmp_path / "in")
    raster = _raster(tmp_path / "all.tif", 108.0, 12.05, cols=40, values=np.full((20, 40), 5.0, dtype="float32"))
    results = run_assessment(path, RULES, population=raster)
    assert results.villages["population_weighted"].all()
    assert "population_weights_missing" not in _codes(results.warnings)


# --- 9. a metric CRS that does not fit the data ----------------------------------------------

def _validate(tmp_path, crs):
    raw, read_problems = read_inputs(make_valid_input(tmp_path))
    return validate_inputs(raw, read_problems, metric_crs=crs)


@pytest.mark.parametrize("crs", ["EPSG:32648", "EPSG:3405", "EPSG:32649"])
def test_metric_crs_for_vietnam_is_accepted(tmp_path, crs):
    inputs, problems = _validate(tmp_path, crs)
    assert inputs is not None and inputs.metric_crs == crs
    assert not [p for p in problems if "crs" in p.code]


def test_utm_zone_far_from_vietnam_is_refused(tmp_path):
    inputs, problems = _validate(tmp_path, "EPSG:32601")
    assert inputs is None
    (p,) = [p for p in problems if p.severity == "error"]
    assert p.code == "metric_crs_area" and p.field == "metric_crs"
    for lang in ("vi", "en"):
        msg = p.as_dict(lang)["message"]
        assert "EPSG:32601" in msg and "-180" in msg and "-174" in msg  # the CRS and its area of use
        assert "108" in msg  # the data's extent


def test_web_mercator_is_refused_for_areas(tmp_path):
    inputs, problems = _validate(tmp_path, "EPSG:3857")
    assert inputs is None
    (p,) = [p for p in problems if p.severity == "error"]
    assert p.code == "metric_crs_distorted" and "EPSG:3857" in p.as_dict("en")["message"]
    assert "%" in p.as_dict("en")["message"]


def test_crs_without_area_of_use_is_a_warning(tmp_path):
    crs = "+proj=utm +zone=49 +datum=WGS84 +units=m +no_defs"
    inputs, problems = _validate(tmp_path, crs)
    assert inputs is not None
    assert _codes(problems) == ["metric_crs_no_area"] and problems[0].severity == "warning"
    assert crs in problems[0].as_dict("en")["message"]


def test_cli_refuses_a_far_utm_zone(tmp_path):
    res = _invoke("assess", make_valid_input(tmp_path), "--rules", RULES, "-o", tmp_path / "out",
                  "--crs", "EPSG:32601", "--lang", "en")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "EPSG:32601" in res.output and not (tmp_path / "out" / "results.csv").exists()
