"""Communes without a code (issue 9, item 3): assessed under a stable provisional id, flagged
in every output (results.gpkg/.csv/.json, the terminal, the maps and the dossier)."""
from __future__ import annotations

import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from builders import A, B, make_valid_input, valid_layers, write_layers
from tc8.cli.main import cli
from tc8.io.paths import is_safe_name
from tc8.io.read import read_inputs
from tc8.model.inputs import PROVISIONAL_COLUMN
from tc8.pipeline import run_job
from tc8.validate.provisional import PREFIX, provisional_id
from tc8.validate.run import validate_inputs

LABEL_VI = "Mã tạm (chưa có mã chính thức)"
LABEL_EN = "Provisional id (no official code)"


def _no_code_for_b(layers: dict) -> dict:
    """Commune B loses its code; the records that named B name no commune (found by position)."""
    layers["communes"] = layers["communes"].assign(commune_code=[A, None], district_name="Huyện Krông Pắc")
    for name in ("villages", "postal_points", "radio_stations"):
        layers[name] = layers[name].assign(commune_code=layers[name]["commune_code"].where(
            layers[name]["commune_code"] != B, None))
    layers["commune_it"] = layers["commune_it"][layers["commune_it"]["commune_code"] != B]
    return layers


def _write(tmp_path, name: str, *, reverse: bool = False, fmt: str = "geojson"):
    layers = _no_code_for_b(valid_layers())
    if reverse:  # the same data, rows in the other order
        layers = {n: f.iloc[::-1].reset_index(drop=True) for n, f in layers.items()}
    return write_layers(layers, tmp_path / (f"{name}.gpkg" if fmt == "gpkg" else name), fmt)


def _validate(path):
    inputs, problems = validate_inputs(*read_inputs(path))
    assert inputs is not None, [p for p in problems if p.severity == "error"]
    return inputs, problems


def _provisional(inputs) -> dict:
    communes = inputs.layers["communes"]
    flagged = communes[communes[PROVISIONAL_COLUMN]]
    return dict(zip(flagged["commune_name"], flagged["commune_code"]))


def test_commune_without_code_is_assessed_with_a_warning_naming_row_and_id(tmp_path):
    inputs, problems = _validate(_write(tmp_path, "in"))
    ids = _provisional(inputs)
    assert list(ids) == ["Xã Ea Tiêu"]
    code = ids["Xã Ea Tiêu"]
    assert code.startswith(PREFIX) and is_safe_name(code)
    warning = [p for p in problems if p.code == "provisional_commune_code"]
    assert len(warning) == 1 and warning[0].severity == "warning"
    assert warning[0].row == "#2" and warning[0].params["value"] == code
    assert code in warning[0].as_dict("vi")["message"] and code in warning[0].as_dict("en")["message"]
    # a provisional id is not also reported as "not an official 5-digit code"
    assert not [p for p in problems if p.code == "commune_code_format"]
    # villages and points that name no commune find it by position
    for layer in ("villages", "postal_points", "radio_stations"):
        frame = inputs.layers[layer]
        assert code in set(frame["commune_code"]), layer
    assert not inputs.layers["communes"].loc[inputs.layers["communes"]["commune_code"] == A,
                                             PROVISIONAL_COLUMN].any()


def test_provisional_id_is_stable_across_runs_row_order_and_format(tmp_path):
    first = _provisional(_validate(_write(tmp_path, "a"))[0])
    again = _provisional(_validate(_write(tmp_path, "a"))[0])
    shuffled = _provisional(_validate(_write(tmp_path, "b", reverse=True))[0])
    packed = _provisional(_validate(_write(tmp_path, "c", fmt="gpkg"))[0])
    assert first == again == shuffled == packed
    # derived from names and position: case, accents and spacing of the name do not matter
    assert provisional_id("Xã Ea Tiêu", "Huyện Krông Pắc", 108.075, 12.025) == \
        provisional_id("  XA  EA TIEU ", "huyen krong pac", 108.0751, 12.0249)
    assert provisional_id("Xã Ea Tiêu", None, 108.075, 12.025) != provisional_id("Xã Ea Tiêu", None, 108.2, 12.025)


def test_colliding_provisional_ids_are_told_apart_whatever_the_row_order(tmp_path):
    def layers(order):
        communes = gpd.GeoDataFrame(
            [{"commune_code": None, "commune_name": "Xã Trùng", "district_name": "Huyện X"},
             {"commune_code": None, "commune_name": "Xã Trùng", "district_name": "Huyện X"},
             {"commune_code": "24784", "commune_name": "Xã Khác"}],
            geometry=[box(108.0, 12.0, 108.05, 12.05), box(108.0001, 12.0, 108.0501, 12.05),
                      box(108.1, 12.0, 108.15, 12.05)], crs="EPSG:4326").iloc[order].reset_index(drop=True)
        village = gpd.GeoDataFrame([{"village_id": "V1", "commune_code": "24784", "village_name": "Thôn 1"}],
                                   geometry=gpd.points_from_xy([108.12], [12.02]), crs="EPSG:4326")
        return {"communes": communes, "villages": village}

    found = []
    for k, order in enumerate(([0, 1, 2], [2, 1, 0])):
        inputs, _ = _validate(write_layers(layers(order), tmp_path / f"in{k}"))
        frame = inputs.layers["communes"]
        found.append(dict(zip(frame.geometry.bounds["minx"].round(4), frame["commune_code"])))
    assert found[0] == found[1]
    ids = sorted(v for v in found[0].values() if v.startswith(PREFIX))
    assert len(set(ids)) == 2 and ids[1] == ids[0] + "-2" and all(is_safe_name(i) for i in ids)


def test_a_code_that_is_not_official_stays_a_warning(tmp_path):
    path = make_valid_input(tmp_path, communes=lambda c: c.assign(commune_code=[A, "XB-1"]),
                            villages=lambda v: v.assign(commune_code=[A, A, "XB-1"]),
                            postal_points=lambda p: p.assign(commune_code=[A, "XB-1"]),
                            radio_stations=lambda r: r.assign(commune_code=[A, "XB-1"]),
                            commune_it=lambda c: c.assign(commune_code=[A, "XB-1"]))
    inputs, problems = _validate(path)
    assert [p.row for p in problems if p.code == "commune_code_format"] == ["XB-1"]
    assert not inputs.layers["communes"][PROVISIONAL_COLUMN].any()


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("provisional")
    path = _write(tmp, "in")
    out = tmp / "out"
    done = run_job(path, "ntm-2021-2025", output=out, online_tiles=False, dossier_maps=False)
    code = _provisional(done.results.inputs)["Xã Ea Tiêu"]
    return done, out, code


def test_flag_in_result_files(job):
    done, out, code = job
    communes = pyogrio.read_dataframe(out / "results.gpkg", layer="communes")
    assert dict(zip(communes["commune_code"], communes[PROVISIONAL_COLUMN])) == {A: False, code: True}
    info = pyogrio.read_info(out / "results.gpkg", layer="communes")
    assert info["dtypes"][list(info["fields"]).index(PROVISIONAL_COLUMN)] == "bool"
    table = pd.read_csv(out / "results.csv", dtype={"commune_code": str})
    assert table.loc[table["commune_code"] == code, PROVISIONAL_COLUMN].all()
    assert not table.loc[table["commune_code"] == A, PROVISIONAL_COLUMN].any()
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["provisional_codes"] == [code]
    flags = {(r["commune_code"], r[PROVISIONAL_COLUMN]) for r in doc["indicators"]}
    assert flags == {(A, False), (code, True)}
    assert any(w["code"] == "provisional_commune_code" for w in doc["warnings"])
    village = done.results.villages.set_index("village_id")
    assert village.loc["V3", "commune_code"] == code  # found by position
    assert int(done.results.communes.set_index("commune_code").loc[code, "n_villages"]) == 1


def test_flag_on_maps_and_dossier(job):
    done, out, code = job
    province = (out / "maps" / "index.html").read_text(encoding="utf-8")
    assert LABEL_VI in province and province.count(LABEL_VI) == 1
    commune_map = (out / "maps" / "communes" / f"{code}.html").read_text(encoding="utf-8")
    assert LABEL_VI in commune_map
    assert LABEL_VI not in (out / "maps" / "communes" / f"{A}.html").read_text(encoding="utf-8")

    def header(c):
        ws = openpyxl.load_workbook(out / "dossiers" / c / f"ho-so-tc8-{c}.xlsx").worksheets[0]
        return [cell.value for row in ws.iter_rows(max_row=8) for cell in row if cell.value]

    assert LABEL_VI in header(code) and f"({code})" in " ".join(map(str, header(code)))
    assert LABEL_VI not in header(A)


def test_flag_in_terminal_and_commune_option(tmp_path):
    path = _write(tmp_path, "in")
    inputs, _ = _validate(path)
    code = _provisional(inputs)["Xã Ea Tiêu"]
    res = CliRunner().invoke(cli, ["assess", str(path), "--rules", "ntm-2021-2025", "-o", str(tmp_path / "o"),
                                   "--lang", "en", "--commune", code], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert f"{code}*" in res.stdout and LABEL_EN in res.stdout
    assert code in res.stderr  # the warning names the id
