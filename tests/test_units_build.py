"""``tc8 units build``: 2024 commune polygons dissolved into the 2025 communes (issue 10, item 3)."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import Point, box

from tc8.cli.main import cli
from tc8.io.admin_units import conversion, pad_code
from tc8.io.demo import demo_input_path
from tc8.io.read import sha256_of
from tc8.io.units_build import build_units

# Hand-built case from the official conversion (Hà Nội): 00808 has two whole parts; 00016 (Ngọc Hà)
# was split between 00004 and 00008; 00006 went whole to 00008, which has further parts.
SPLIT, WHOLE_INTO_8 = "00016", "00006"


def _parts_of(code_2025: str) -> list[str]:
    conv = conversion()
    return conv.loc[conv["code_2025"] == code_2025, "code_2024"].tolist()


@pytest.fixture()
def hand_input(tmp_path):
    a, b = _parts_of("00808")
    communes = gpd.GeoDataFrame({
        "commune_code": [a, b.lstrip("0"), SPLIT, "6", "99999"],  # "6": a code without leading zeros
        "commune_name": ["A", "B", "C", "D", "E"],
        "population": [100, 200, 300, 400, 500],
        "terrain": ["flat", "hilly", "flat", "flat", "flat"],
    }, geometry=[box(105 + x0, 10 + y0, 105 + x1, 10 + y1)
                 for x0, y0, x1, y1 in ((0, 0, 1, 1), (1, 0, 3, 1), (0, 2, 1, 3), (2, 2, 3, 3), (5, 5, 6, 6))],
        crs="EPSG:4326")
    villages = gpd.GeoDataFrame({
        "village_id": ["v1", "v2", "v3", "v4", "v5"],
        "commune_code": [a, SPLIT, a, "99999", SPLIT],
        "village_name": ["1", "2", "3", "4", "5"],
    }, geometry=[Point(105.5, 10.5), Point(105.5, 12.5), Point(107.5, 12.5), Point(110.5, 15.5),
                 Point(109, 19)], crs="EPSG:4326")
    commune_it = pd.DataFrame({"commune_code": [a, b, WHOLE_INTO_8], "officials": [10, 20, 5],
                               "eoffice_system": [True, False, True]})
    path = tmp_path / "old.gpkg"
    communes.to_file(path, layer="communes")
    villages.to_file(path, layer="villages")
    pyogrio.write_dataframe(commune_it, path, layer="commune_it")
    return path, a, b


def test_hand_built_dissolve_flags_and_records(hand_input, tmp_path):
    path, a, b = hand_input
    before = sha256_of(path)
    done = build_units(path, tmp_path / "new.gpkg")
    assert sha256_of(path) == before  # input never modified
    new = done.communes.set_index("commune_code")
    assert sorted(new.index) == ["00004", "00008", "00808"]
    assert new.loc["00808", "parts_2024"] == f"{a};{b}" and new.loc["00808", "n_parts"] == 2
    assert not new.loc["00808", "approximate"] and new.loc["00808", "population"] == 300
    assert new.loc["00808", "terrain"] == "hilly"  # from the largest part (B)
    assert new.loc["00004", "approximate"] and SPLIT in new.loc["00004", "split_parts"]
    assert new.loc["00008", "approximate"] and new.loc["00008", "parts_2024"] == WHOLE_INTO_8
    assert new.loc["00008", "missing_parts"]  # the other official parts of 00008
    assert new.loc["00808", "area_km2"] > 3 * 10_000 * 0.99  # 3 squares of ~109 km x 109 km
    assert done.unconverted == ["99999"]
    villages = done.layers["villages"].set_index("village_id")["commune_code"]
    # v1 by conversion; v2 (split) by position; v3 by conversion though it lies in 00008 (warned);
    # v4 (unconverted commune) left out; v5 (split, outside every polygon) to the split commune's home
    assert villages.to_dict() == {"v1": "00808", "v2": "00004", "v3": "00808", "v5": "00004"}
    codes = {(p.code, p.layer, p.row) for p in done.warnings}
    assert {("units_position_differs", "villages", "3"), ("units_record_dropped", "villages", "4"),
            ("units_unconverted", "communes", "5")} <= codes
    it = done.layers["commune_it"].set_index("commune_code")
    assert it.loc["00808", "officials"] == 30 and not it.loc["00808", "eoffice_system"]
    assert it.loc["00008", "officials"] == 5
    written = gpd.read_file(tmp_path / "new.gpkg", layer="communes")
    assert written["approximate"].sum() == 2


def test_refuses_existing_output_and_bad_name(hand_input, tmp_path):
    path, _, _ = hand_input
    out = tmp_path / "new.gpkg"
    out.write_text("keep")
    runner = CliRunner()
    result = runner.invoke(cli, ["units", "build", str(path), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 1 and "--overwrite" in result.output and out.read_text() == "keep"
    result = runner.invoke(cli, ["units", "build", str(path), "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["units", "build", str(path), "-o", str(out), "--overwrite", "-q"])
    assert result.exit_code == 0, result.output
    assert len(gpd.read_file(out, layer="communes")) == 3


def test_code_column_and_missing_code_column(hand_input, tmp_path):
    path, _, _ = hand_input
    communes = gpd.read_file(path, layer="communes").rename(columns={"commune_code": "ward_code_2024"})
    other = tmp_path / "plain.gpkg"
    communes.to_file(other, layer="communes")
    runner = CliRunner()
    result = runner.invoke(cli, ["units", "build", str(other), "-o", str(tmp_path / "a.gpkg"), "--lang", "en"])
    assert result.exit_code == 1 and "commune_code" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["units", "build", str(other), "-o", str(tmp_path / "b.gpkg"),
                                 "--code-column", "ward_code_2024", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "ward_code_2024" in result.output  # the unconverted code's warning names the user's column


def test_demo_in_2025_units_then_assess(tmp_path):
    """The demo's Lâm Đồng communes carried onto the 2025 communes, then assessed; counts from the
    conversion table, computed here independently."""
    demo = demo_input_path()
    codes = set(pad_code(gpd.read_file(demo / "communes.geojson")["commune_code"]))
    conv = pd.read_csv(__import__("importlib.resources").resources.files("tc8.data") / "admin_units"
                       / "ward_conversion_2024_to_2025.csv", dtype=str)
    conv["old"], conv["new"] = conv["ward_code_2024"].str.zfill(5), conv["ward_code_2025"].str.zfill(5)
    conv["split"] = conv["partly_merged"].str.lower().isin(["true", "1"])
    reached = set(conv.loc[conv["old"].isin(codes), "new"])
    parts = conv[conv["new"].isin(reached)]
    approx = {n for n, g in parts.groupby("new") if g["split"].any() or not g["old"].isin(codes).all()}

    out = tmp_path / "units_2025.gpkg"
    runner = CliRunner()
    result = runner.invoke(cli, ["units", "build", str(demo), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    new = gpd.read_file(out, layer="communes")
    assert len(new) == len(reached) and set(new["commune_code"]) == reached
    assert set(new.loc[new["approximate"], "commune_code"]) == approx
    assert new["commune_name"].notna().all()
    assert set(pyogrio.list_layers(out)[:, 0]) >= {"communes", "villages", "commune_it", "tc8_layers"}
    result = runner.invoke(cli, ["assess", str(out), "--rules", "ntm-2021-2025", "-o", str(tmp_path / "res"), "-q"])
    assert result.exit_code == 0, result.output
    results = pd.read_csv(tmp_path / "res" / "results.csv", dtype=str)
    assert set(results["commune_code"]) == reached


def test_demo_on_the_2025_communes(tmp_path):
    """`tc8 demo --units-2025`: the bundled province built into 2025 units (code year declared
    2025) and assessed, with maps and dossiers."""
    import json

    from click.testing import CliRunner

    from tc8.cli.main import cli

    out = tmp_path / "demo25"
    res = CliRunner().invoke(cli, ["demo", "-o", str(out), "--units-2025", "-q"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    meta = pyogrio.read_dataframe(out / "units_2025.gpkg", layer="tc8_layers")
    assert [str(v) for v in meta.loc[meta["layer"] == "communes", "code_year"]] == ["2025"]
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["code_year"]["year"] == 2025 and doc["code_year"]["basis"] == "declared"
    assert doc["rollup"]["n_communes"] == 48
    assert (out / "dossiers" / "run-manifest.json").is_file()
