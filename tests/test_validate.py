"""Unit tests of tc8.validate.run: one test per check, on tiny inputs built in tmp_path."""
from __future__ import annotations

import json
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from builders import A, B, make_valid_input, replace_geometry, valid_layers, write_layers
from tc8.model.errors import InputError
from tc8.io.read import read_inputs
from tc8.model.schema import LAYERS
from tc8.validate.run import load_and_validate, utm_for_lon, validate_inputs
from tc8.validate.report import CAP


def run(tmp_path, fmt="geojson", metric_crs=None, population=None, **overrides):
    path = make_valid_input(tmp_path, fmt=fmt, **overrides)
    raw, read_problems = read_inputs(path, population=population)
    return validate_inputs(raw, read_problems, metric_crs=metric_crs)


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, f"no {code} in {[(p.code, p.layer, p.row, p.field) for p in problems]}"
    return found


def one(problems, code, layer, row, field):
    found = [p for p in only(problems, code) if (p.layer, p.row, p.field) == (layer, row, field)]
    assert len(found) == 1, [(p.code, p.layer, p.row, p.field) for p in problems]
    return found[0]


def codes(problems):
    return sorted({p.code for p in problems})


def _assign(**cols):
    return lambda frame: frame.assign(**cols)


# --- valid input and the Inputs contract -------------------------------------------------

@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "gpkg-folder"])
def test_valid_input_has_no_problem(tmp_path, fmt):
    inputs, problems = run(tmp_path, fmt=fmt)
    assert problems == []
    assert inputs is not None
    assert set(inputs.layers) == set(LAYERS)


def test_inputs_contract_types_crs_and_codes(tmp_path):
    inputs, _ = run(tmp_path, postal_points=_assign(commune_code=[A, None]))
    dtypes = {"str": "string", "code": "string", "enum": "string", "int": "Int64", "float": "Float64",
              "bool": "boolean"}
    for name, layer in LAYERS.items():
        frame = inputs.layers[name]
        assert isinstance(frame.index, pd.RangeIndex)
        for col in layer.columns:
            assert str(frame[col.name].dtype) == dtypes[col.kind], (name, col.name)
        if layer.geometry:
            assert frame.crs.to_epsg() == 32649  # centre of the communes at 108.05°E -> UTM 49N
            assert inputs.source_crs[name] == "EPSG:4326"
    assert inputs.metric_crs == "EPSG:32649"
    # metres: the communes are 0.05° (~5.4 km) wide
    width = inputs.layers["communes"].geometry.bounds.eval("maxx - minx")
    assert ((width > 5000) & (width < 6000)).all()
    assert inputs.layers["postal_points"]["commune_code"].tolist() == [A, B]  # filled from position
    assert inputs.layers["speakers"]["commune_code"].tolist() == [A, B, A]
    assert inputs.layers["radio_stations"]["commune_code"].tolist() == [A, B]
    assert inputs.layers["cell_sites"]["active"].tolist() == [True, False]
    assert inputs.layers["cell_sites"]["radius_m"].isna().tolist() == [True, False]


def test_optional_layers_absent_is_fine(tmp_path):
    inputs, problems = run(tmp_path, coverage=None, fixed_access=None, speakers=None, commune_it=None,
                           cell_sites=None, radio_stations=None, postal_points=None)
    assert problems == [] and set(inputs.layers) == {"communes", "villages"}


def test_nfc_normalisation(tmp_path):
    nfd = unicodedata.normalize("NFD", "Thôn Đắk Nông")
    assert nfd != unicodedata.normalize("NFC", nfd)
    inputs, problems = run(tmp_path, villages=_assign(village_name=[nfd, "Thôn 2", "x"], note=[nfd, "", "y"]))
    assert problems == []
    name = inputs.layers["villages"]["village_name"].iloc[0]
    assert name == "Thôn Đắk Nông" and unicodedata.is_normalized("NFC", name)
    assert unicodedata.is_normalized("NFC", inputs.layers["villages"]["note"].iloc[0])  # extra column too


def test_numeric_codes_become_text(tmp_path):
    inputs, problems = run(tmp_path, commune_it=_assign(commune_code=[24784, 24787]),
                           villages=_assign(commune_code=[24784.0, 24784.0, 24787.0]))
    assert problems == []
    assert inputs.layers["commune_it"]["commune_code"].tolist() == [A, B]
    assert inputs.layers["villages"]["commune_code"].tolist() == [A, A, B]


def test_bool_words_and_enum_case(tmp_path):
    inputs, problems = run(tmp_path, cell_sites=_assign(active=["Có", "không"], technology=["4g", "3G"]),
                           commune_it=_assign(eoffice_system=["x", ""]))
    assert problems == []
    assert inputs.layers["cell_sites"]["active"].tolist() == [True, False]
    assert inputs.layers["cell_sites"]["technology"].tolist() == ["4G", "3G"]
    assert inputs.layers["commune_it"]["eoffice_system"].iloc[0] is np.True_ or \
        inputs.layers["commune_it"]["eoffice_system"].iloc[0] == True  # noqa: E712
    assert pd.isna(inputs.layers["commune_it"]["eoffice_system"].iloc[1])  # empty cell = unknown


def test_projected_input_gives_same_positions(tmp_path):
    base, _ = run(tmp_path / "a")
    inputs, problems = run(tmp_path / "b", fmt="gpkg", villages=lambda v: v.to_crs(32648),
                           communes=lambda c: c.to_crs(3405))  # VN-2000 / UTM 48N
    assert problems == []
    assert inputs.source_crs["villages"] == "EPSG:32648"
    d = inputs.layers["villages"].geometry.distance(base.layers["villages"].geometry)
    assert (d < 0.01).all()


def test_empty_template_like_input_is_valid(tmp_path):
    layers = {name: frame.iloc[0:0] for name, frame in valid_layers().items()}
    raw, rp = read_inputs(write_layers(layers, tmp_path / "empty.gpkg", "gpkg"))
    inputs, problems = validate_inputs(raw, rp)
    assert problems == [] and len(inputs.layers["communes"]) == 0


# --- one test per check -------------------------------------------------------------------

def test_missing_crs_in_gpkg(tmp_path):
    layers = valid_layers()
    layers["communes"] = layers["communes"].set_crs(None, allow_override=True)
    layers["villages"] = layers["villages"].assign(commune_code=[A, A, "99999"])
    raw, rp = read_inputs(write_layers(layers, tmp_path / "in", "gpkg-folder"))
    inputs, problems = validate_inputs(raw, rp)
    assert inputs is None
    p = one(problems, "missing_crs", "communes", "", "geometry")
    assert p.file.endswith("communes.gpkg")
    one(problems, "unknown_commune", "villages", "V3", "commune_code")  # still checked by value
    assert not [p for p in problems if p.code == "outside_communes"]  # no noise from the unusable layer


def test_geojson_without_crs_member_is_wgs84(tmp_path):
    path = make_valid_input(tmp_path, cell_sites=None)
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [108.02, 12.02]},
               "properties": {"site_id": "S9", "operator": "Viettel", "technology": "4G", "active": True}}
    (path / "cell_sites.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    inputs, problems = validate_inputs(*read_inputs(path))
    assert problems == [] and inputs.source_crs["cell_sites"] == "EPSG:4326"


def test_geometry_layer_without_geometry(tmp_path):
    sites = pd.DataFrame(valid_layers()["cell_sites"].drop(columns="geometry"))
    inputs, problems = run(tmp_path, cell_sites=sites)  # written as CSV without lon/lat
    assert inputs is None
    assert one(problems, "no_geometry", "cell_sites", "", "geometry").file.endswith("cell_sites.csv")


def test_missing_required_column(tmp_path):
    inputs, problems = run(tmp_path, villages=lambda v: v.drop(columns="village_name"))
    assert inputs is None
    one(problems, "missing_column", "villages", "", "village_name")


def test_non_numeric_text_in_number_column(tmp_path):
    inputs, problems = run(tmp_path, villages=_assign(population=["800", "nhiều", "1,5"]))
    assert inputs is None
    assert one(problems, "bad_number", "villages", "V2", "population").params["value"] == "nhiều"
    assert one(problems, "bad_number", "villages", "V3", "population").params["value"] == "1,5"


def test_fraction_in_integer_column(tmp_path):
    _, problems = run(tmp_path, villages=_assign(households=[200, 150.5, 210]))
    assert one(problems, "not_integer", "villages", "V2", "households").params["value"] == "150.5"


def test_bad_bool(tmp_path):
    _, problems = run(tmp_path, cell_sites=_assign(active=["có", "maybe"]))
    p = one(problems, "bad_bool", "cell_sites", "S2", "active")
    assert p.params["value"] == "maybe" and "có" in p.params["allowed_true"]


def test_null_in_non_nullable_column(tmp_path):
    _, problems = run(tmp_path, villages=_assign(village_name=["Thôn 1", None, "  "]))
    one(problems, "null_value", "villages", "V2", "village_name")
    one(problems, "null_value", "villages", "V3", "village_name")  # blank text counts as empty


def test_duplicate_ids_name_both_rows(tmp_path):
    _, problems = run(tmp_path, villages=_assign(village_id=["V1", "V1", "V3"]),
                      speakers=_assign(village_id=[None, None, None]))
    p = one(problems, "duplicate_id", "villages", "V1", "village_id")
    assert p.params["rows"] == "#1, #2"


def test_missing_id_uses_row_number(tmp_path):
    _, problems = run(tmp_path, villages=_assign(village_id=["V1", None, "V3"], population=[1, "x", 3]),
                      speakers=_assign(village_id=[None, None, None]))
    one(problems, "null_value", "villages", "#2", "village_id")
    one(problems, "bad_number", "villages", "#2", "population")


def test_invalid_geometry(tmp_path):
    bowtie = Polygon([(108.05, 12.0), (108.10, 12.05), (108.10, 12.0), (108.05, 12.05)])
    _, problems = run(tmp_path, communes=replace_geometry(1, bowtie))
    assert "Self-intersection" in one(problems, "invalid_geometry", "communes", B, "geometry").params["reason"]


def test_empty_geometry(tmp_path):
    _, problems = run(tmp_path, villages=replace_geometry(1, None))
    one(problems, "empty_geometry", "villages", "V2", "geometry")


def test_nan_coordinates_in_csv(tmp_path):
    path = make_valid_input(tmp_path, cell_sites=None)
    (path / "cell_sites.csv").write_text("site_id,operator,technology,active,lon,lat\n"
                                         "S1,Viettel,4G,1,108.02,12.02\nS2,VNPT,3G,0,abc,12.01\n")
    inputs, problems = validate_inputs(*read_inputs(path))
    assert inputs is None
    one(problems, "empty_geometry", "cell_sites", "S2", "lon, lat")


def test_wrong_geometry_type(tmp_path):
    _, problems = run(tmp_path, cell_sites=replace_geometry(0, LineString([(108.0, 12.0), (108.01, 12.01)])))
    p = one(problems, "wrong_geometry_type", "cell_sites", "S1", "geometry")
    assert p.params["found"] == "LineString" and p.params["expected"] == "Point"


def test_polygon_villages_are_accepted(tmp_path):
    inputs, problems = run(tmp_path, villages=replace_geometry(2, box(108.06, 12.01, 108.08, 12.03)))
    assert problems == [] and inputs.layers["villages"]["commune_code"].iloc[2] == B


@pytest.mark.parametrize("layer, position, row, code, field", [
    ("villages", 2, "V3", "commune_code_far", "commune_code"),  # coded: far from its commune (boundary policy)
    ("postal_points", 0, "P1", "commune_code_far", "commune_code"),
    ("radio_stations", 1, "R2", "commune_code_far", "commune_code"),
    ("speakers", 0, "K1", "outside_communes", "geometry")])  # no code: beyond the snap distance
def test_point_outside_every_commune(tmp_path, layer, position, row, code, field):
    _, problems = run(tmp_path, **{layer: replace_geometry(position, Point(108.3, 12.3))})
    one(problems, code, layer, row, field)


def test_cell_sites_may_lie_outside_communes(tmp_path):
    inputs, problems = run(tmp_path, cell_sites=replace_geometry(0, Point(108.3, 12.3)),
                           fixed_access=replace_geometry(0, Point(108.4, 12.4)))
    assert inputs is not None and [p.code for p in problems] == ["serving_outside_communes"]


def test_code_column_disagrees_with_position(tmp_path):
    """4.4 km off the commune its code names: a warning (boundary policy), the code is kept."""
    inputs, problems = run(tmp_path, villages=_assign(commune_code=[B, A, B]))
    p = one(problems, "commune_code_off", "villages", "V1", "commune_code")
    assert p.severity == "warning" and p.params["given"] == B
    assert len(only(problems, "commune_code_off")) == 1
    assert inputs.layers["villages"]["commune_code"].iloc[0] == B


def test_point_on_shared_boundary_agrees_with_either_code(tmp_path):
    inputs, problems = run(tmp_path, villages=replace_geometry(2, Point(108.05, 12.02)))
    assert problems == [] and inputs.layers["villages"]["commune_code"].iloc[2] == B


def test_unknown_commune_code(tmp_path):
    _, problems = run(tmp_path, radio_stations=_assign(commune_code=["99999", B]))
    assert one(problems, "unknown_commune", "radio_stations", "R1", "commune_code").params["value"] == "99999"
    assert not [p for p in problems if p.code == "commune_mismatch"]


def test_unknown_village_of_speaker(tmp_path):
    _, problems = run(tmp_path, speakers=_assign(village_id=["V1", "V9", None]))
    assert one(problems, "unknown_village", "speakers", "K2", "village_id").params["value"] == "V9"


def test_outside_vietnam(tmp_path):
    _, problems = run(tmp_path, cell_sites=replace_geometry(0, Point(2.35, 48.85)))
    p = one(problems, "outside_vietnam", "cell_sites", "S1", "geometry")
    assert p.params["lon"] == "2.35"


def test_latlon_swapped(tmp_path):
    _, problems = run(tmp_path, villages=replace_geometry(2, Point(12.02, 108.07)))
    one(problems, "latlon_swapped", "villages", "V3", "geometry")
    assert not [p for p in problems if p.code in ("outside_vietnam", "outside_communes")]


def test_unknown_enum_value_lists_allowed(tmp_path):
    _, problems = run(tmp_path, cell_sites=_assign(technology=["6G", "3G"]))
    p = one(problems, "bad_enum", "cell_sites", "S1", "technology")
    assert p.params["value"] == "6G" and p.params["allowed"] == "2G, 3G, 4G, 5G"


def test_blank_enum_cell_is_empty_not_an_unknown_value(tmp_path):
    """A blank cell (as CSV and GeoJSON files hold empty text) in an enum column is an empty
    value: fine in an optional column (terrain), a missing value in a required one (type)."""
    def speakers_csv(frame):
        return pd.DataFrame({"cluster_id": frame["cluster_id"], "type": ["", *frame["type"][1:]],
                             "operating": frame["operating"], "village_id": frame["village_id"],
                             "lon": frame.geometry.x, "lat": frame.geometry.y})

    inputs, problems = run(tmp_path, communes=_assign(terrain=["", "mountainous"]), speakers=speakers_csv)
    assert not [p for p in problems if p.code == "bad_enum"], [(p.code, p.layer, p.row) for p in problems]
    one(problems, "null_value", "speakers", "K1", "type")
    _, ok = run(tmp_path / "only_terrain", communes=_assign(terrain=["", "mountainous"]))
    assert not [p for p in ok if p.severity == "error"], [(p.code, p.layer, p.row) for p in ok]


def test_number_out_of_range(tmp_path):
    _, problems = run(tmp_path, postal_points=_assign(hours_per_day=[25.0, 0.0]),
                      villages=_assign(population=[-1, 600, 900]))
    assert one(problems, "out_of_range", "postal_points", "P1", "hours_per_day").params["maximum"] == "24"
    one(problems, "out_of_range", "villages", "V1", "population")


def test_commune_code_not_five_digits_is_a_warning(tmp_path):
    def add_commune(c):
        extra = gpd.GeoDataFrame([{"commune_code": "123", "commune_name": "Xã lẻ"}],
                                 geometry=[box(108.2, 12.2, 108.25, 12.25)], crs=c.crs)
        return pd.concat([c, extra], ignore_index=True)
    inputs, problems = run(tmp_path, communes=add_commune)
    p = one(problems, "commune_code_format", "communes", "123", "commune_code")
    assert p.severity == "warning" and inputs is not None and inputs.warnings == [p]


def test_commune_it_for_unknown_commune_is_a_warning(tmp_path):
    inputs, problems = run(tmp_path, commune_it=_assign(commune_code=[A, "99999"]))
    p = one(problems, "commune_it_unknown_commune", "commune_it", "99999", "commune_code")
    assert p.severity == "warning" and inputs is not None


def test_population_raster_checks(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    good, nocrs, broken = tmp_path / "pop.tif", tmp_path / "nocrs.tif", tmp_path / "broken.tif"
    profile = dict(driver="GTiff", width=4, height=4, count=1, dtype="float32",
                   transform=from_origin(108.0, 12.05, 0.025, 0.0125))
    with rasterio.open(good, "w", crs="EPSG:4326", **profile) as dst:
        dst.write(np.ones((1, 4, 4), dtype="float32"))
    with rasterio.open(nocrs, "w", **profile) as dst:
        dst.write(np.ones((1, 4, 4), dtype="float32"))
    broken.write_text("not a raster")
    assert run(tmp_path / "a", population=good)[1] == []
    _, problems = run(tmp_path / "b", population=nocrs)
    assert only(problems, "raster_missing_crs")[0].layer == "population_raster"
    _, problems = run(tmp_path / "c", population=broken)
    assert only(problems, "raster_unreadable")[0].file == str(broken)


def test_metric_crs_override_and_default():
    assert utm_for_lon(105.8) == "EPSG:32648" and utm_for_lon(108.2) == "EPSG:32649"


def test_metric_crs_override(tmp_path):
    inputs, _ = run(tmp_path / "a", metric_crs="EPSG:32648")
    assert inputs.metric_crs == "EPSG:32648" and inputs.layers["villages"].crs.to_epsg() == 32648
    inputs, problems = run(tmp_path / "b", metric_crs="EPSG:4326")
    assert inputs is None and only(problems, "bad_metric_crs")
    inputs, problems = run(tmp_path / "c", metric_crs="not-a-crs")
    assert inputs is None and only(problems, "bad_metric_crs")


# --- reporting ----------------------------------------------------------------------------

def test_all_problems_reported_at_once(tmp_path):
    _, problems = run(tmp_path, villages=_assign(population=["x", 1, 2]), cell_sites=_assign(technology=["6G", "4G"]),
                      speakers=_assign(village_id=["V9", None, None]), communes=replace_geometry(0, None))
    assert {"bad_number", "bad_enum", "unknown_village", "empty_geometry"} <= set(codes(problems))


def test_problem_list_is_capped(tmp_path):
    n = CAP + 70
    rng = np.random.default_rng(1)
    villages = gpd.GeoDataFrame(
        {"village_id": [f"V{i}" for i in range(n)], "commune_code": A, "village_name": "Thôn",
         "population": "?"},
        geometry=gpd.points_from_xy(rng.uniform(108.0, 108.05, n), rng.uniform(12.0, 12.05, n)), crs=4326)
    _, problems = run(tmp_path, villages=villages, speakers=None)
    assert len([p for p in problems if p.code == "bad_number"]) == CAP
    more = only(problems, "more_problems")
    assert more[0].params["count"] == 70 and more[0].params["problem"] == "bad_number"
    assert more[0].severity == "error"


def test_load_and_validate(tmp_path):
    inputs = load_and_validate(make_valid_input(tmp_path / "ok"))
    assert inputs.metric_crs == "EPSG:32649"
    with pytest.raises(InputError) as err:
        load_and_validate(make_valid_input(tmp_path / "bad", villages=_assign(population=["x", 600, 900])))
    assert [p.code for p in err.value.problems] == ["bad_number"]


def test_messages_exist_in_both_languages(tmp_path):
    from tc8.text.messages import catalogue

    _, problems = run(tmp_path, villages=_assign(population=["x", 1, 2], commune_code=[B, A, "99999"]),
                      cell_sites=replace_geometry(0, Point(12.0, 108.0)))
    for p in problems:
        for key in (f"problem.{p.code}", f"fix.{p.code}"):
            assert {"vi", "en"} <= set(catalogue()[key]), key
        d = p.as_dict("en")
        assert "{" not in d["message"] + d["fix"], d
