"""results.gpkg and the template ready for QGIS, read back with sqlite3 and pyogrio (no QGIS):
layer_styles, status words, reason, geometry types, value lists (gpkg_data_column_constraints)."""
from __future__ import annotations

import re
import sqlite3
from contextlib import closing

import pyogrio
import pytest
from shapely.geometry import box

from builders import make_valid_input, replace_geometry
from tc8.model.palette import STATUS_COLORS
from tc8.model.schema import LAYERS

RULES = "ntm-2021-2025"


def _rgba(hex_color):
    h = hex_color.lstrip("#")
    return ",".join(str(int(h[i:i + 2], 16)) for i in (0, 2, 4))


def _styles(path):
    with closing(sqlite3.connect(path)) as con:
        rows = con.execute("SELECT f_table_name, f_geometry_column, styleName, styleQML, useAsDefault "
                           "FROM layer_styles").fetchall()
        registered = con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchall()
        columns = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
    return {r[0]: r for r in rows}, registered, columns


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory):
    from tc8.outputs.files import write_results
    from tc8.pipeline import run_assessment

    base = tmp_path_factory.mktemp("gpkg")
    results = run_assessment(make_valid_input(base / "in"), RULES)
    out = {}
    for lang in ("vi", "en"):
        write_results(results, base / lang, lang=lang)
        out[lang] = base / lang / "results.gpkg"
    mixed_in = make_valid_input(base / "mixed_in", villages=replace_geometry(1, box(108.035, 12.035, 108.045, 12.045)))
    write_results(run_assessment(mixed_in, RULES), base / "mixed")
    out["mixed"] = base / "mixed" / "results.gpkg"
    return out


def test_layer_styles_table_as_qgis_writes_it(results_dir):
    styles, registered, columns = _styles(results_dir["vi"])
    assert columns == ["id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
                       "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"]
    assert registered == [("attributes",)]
    layers = {name for name, _ in pyogrio.list_layers(results_dir["vi"])} - {"layer_styles"}
    assert set(styles) == layers
    assert all(row[4] == 1 for row in styles.values())
    assert styles["communes"][1] == "geom" and styles["indicators"][1] == ""


@pytest.mark.parametrize("layer", ["communes", "villages"])
def test_communes_and_villages_categorized_by_status_with_the_map_palette(results_dir, layer):
    qml = _styles(results_dir["vi"])[0][layer][3]
    assert 'type="categorizedSymbol" attr="status_tc8"' in qml
    cats = re.findall(r'<category symbol="\d+" value="([^"]*)" label="([^"]*)"', qml)
    assert cats == [("dat", "Đạt"), ("khong_dat", "Không đạt"), ("thieu_du_lieu", "Thiếu dữ liệu")]
    for status, color in STATUS_COLORS.items():
        assert _rgba(color) in qml
    assert ('<labeling type="simple">' in qml) == (layer == "communes")
    assert 'fieldName="commune_name"' in qml or layer == "villages"


def test_aliases_in_the_chosen_language(results_dir):
    vi = _styles(results_dir["vi"])[0]["communes"][3]
    en = _styles(results_dir["en"])[0]["communes"][3]
    assert '<alias field="commune_name" index="1" name="Tên xã"/>' in vi
    assert 'name="Commune name"/>' in en
    assert 'field="status_tc8_text"' in vi and 'name="TC8: kết quả"' in vi and 'name="TC8: result"' in en
    assert 'field="reason"' in vi and 'name="Lý do (tóm tắt)"' in vi
    assert 'label="Pass"' in en


def test_status_words_beside_codes_and_reason_on_communes(results_dir):
    for lang, words in (("vi", {"Đạt", "Không đạt", "Thiếu dữ liệu"}), ("en", {"Pass", "Fail", "Missing data"})):
        frame = pyogrio.read_dataframe(results_dir[lang], layer="communes", read_geometry=False)
        cols = list(frame.columns)
        for col in ("status_tc8", "status_8_1", "status_8_2", "status_8_3", "status_8_4"):
            assert cols[cols.index(col) + 1] == col + "_text"
            assert set(frame[col + "_text"]) <= words
        assert cols[cols.index("status_tc8_text") + 1] == "reason"
        assert frame["reason"].str.len().between(1, 200).all()
        villages = pyogrio.read_dataframe(results_dir[lang], layer="villages", read_geometry=False)
        assert {"status_tc8", "status_tc8_text", "status_8_2", "status_8_2_text"} <= set(villages.columns)


def test_specific_geometry_types(results_dir):
    types = dict(pyogrio.list_layers(results_dir["vi"]))
    assert types["communes"] == "MultiPolygon" and types["villages"] == "Point"
    assert types["coverage"] == "MultiPolygon"
    assert all(types[n] == "Point" for n in ("postal_points", "cell_sites", "fixed_access", "radio_stations",
                                             "speakers"))
    assert "village_areas" not in types


def test_villages_mixing_points_and_areas(results_dir):
    types = dict(pyogrio.list_layers(results_dir["mixed"]))
    assert types["villages"] == "Point" and types["village_areas"] == "MultiPolygon"
    points = pyogrio.read_dataframe(results_dir["mixed"], layer="villages")
    areas = pyogrio.read_dataframe(results_dir["mixed"], layer="village_areas")
    assert list(points["village_id"]) == ["V1", "V2", "V3"] and list(areas["village_id"]) == ["V2"]
    assert areas.geometry.iloc[0].contains(points.to_crs(areas.crs).geometry.iloc[1])
    assert 'attr="status_tc8"' in _styles(results_dir["mixed"])[0]["village_areas"][3]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    from tc8.io.template import write_template

    return write_template(tmp_path_factory.mktemp("tpl") / "mau.gpkg")


def test_template_value_lists(template):
    with closing(sqlite3.connect(template)) as con:
        cons = con.execute("SELECT constraint_name, constraint_type, value, description "
                           "FROM gpkg_data_column_constraints").fetchall()
        cols = con.execute("SELECT table_name, column_name, constraint_name FROM gpkg_data_columns").fetchall()
        ext = {r[0] for r in con.execute("SELECT table_name FROM gpkg_extensions WHERE extension_name='gpkg_schema'")}
    enums = [(layer.name, c) for layer in LAYERS.values() for c in layer.columns if c.kind == "enum"]
    assert len(enums) == 8
    assert sorted(cols) == sorted((name, c.name, f"{name}.{c.name}") for name, c in enums)
    for name, col in enums:
        rows = [(v, d) for n, t, v, d in cons if n == f"{name}.{col.name}" and t == "enum"]
        assert [v for v, _ in rows] == list(col.values)
    assert ("postal_points.kind", "enum", "bdvhx", "Điểm Bưu điện - Văn hoá xã (BĐVHX)") in cons
    assert ("communes.terrain", "enum", "mountainous", "Miền núi") in cons
    assert ext == {"gpkg_data_columns", "gpkg_data_column_constraints"}


def test_template_styles_carry_value_maps(template):
    styles, registered, _ = _styles(template)
    assert registered == [("attributes",)]
    assert set(styles) == set(LAYERS)
    qml = styles["postal_points"][3]
    assert '<editWidget type="ValueMap">' in qml
    assert '<Option type="QString" name="Bưu cục" value="buu_cuc"/>' in qml
    assert '<alias field="kind" index="1" name="Loại điểm"/>' in qml


def test_template_still_reads_without_warning(template):
    from tc8.io.read import read_inputs

    raw, problems = read_inputs(template)
    assert not [p for p in problems if p.layer == "layer_styles"]


def test_indicator_table_has_status_words_and_aliases(results_dir):
    frame = pyogrio.read_dataframe(results_dir["en"], layer="indicators", read_geometry=False)
    cols = list(frame.columns)
    assert cols[cols.index("status") + 1] == "status_text"
    assert set(frame["status_text"]) <= {"Pass", "Fail", "Missing data"}
    qml = _styles(results_dir["en"])[0]["indicators"][3]
    assert 'field="status_text"' in qml and 'name="Result"' in qml and 'name="Indicator"' in qml


def test_empty_villages_layer_still_has_a_specific_type(tmp_path):
    from tc8.outputs.files import write_results
    from tc8.pipeline import run_assessment

    results = run_assessment(make_valid_input(tmp_path / "in", villages=None), RULES)
    write_results(results, tmp_path / "out")
    types = dict(pyogrio.list_layers(tmp_path / "out" / "results.gpkg"))
    assert types["villages"] == "Point"
