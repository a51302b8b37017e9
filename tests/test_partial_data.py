"""Partial data (issue 9, item 2): an input without villages, and layers declared incomplete.

* Without a ``villages`` layer the indicators that need villages are ``thieu_du_lieu`` with a
  note naming the layer; the others are assessed (8.1 postal, 8.4 IT...), and maps and
  dossiers are still written.
* A layer is incomplete by ``--incomplete LAYER`` (``InputPolicy.incomplete``), by
  ``complete`` = no in the metadata table ``tc8_layers``, or by a ``source`` naming
  OpenStreetMap (unless the table says ``complete`` = yes). In an incomplete layer, not
  finding a qualifying record gives ``thieu_du_lieu`` (never ``khong_dat``), and a qualifying
  record still gives ``dat``; the note names the layer.

Inputs: copies of the bundled demo (its ``tc8_layers.csv`` declares every layer complete),
tiny builders inputs, and the real Lâm Đồng communes with the 12 OSM post offices.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from builders import A, B, make_valid_input
from tc8.engine.assess import assess
from tc8.io.demo import demo_input_path
from tc8.io.read import read_inputs
from tc8.io.template import write_template
from tc8.model.inputs import InputPolicy
from tc8.model.schema import INCOMPLETE_CAPABLE, METADATA
from tc8.pipeline import run_job
from tc8.rules.load import load_rule_set
from tc8.validate.run import load_and_validate, validate_inputs

REPO = Path(__file__).resolve().parents[1]
NEW, OLD = "ntm-2021-2025", "ntm-2010-2015"


def _status(results, indicator: str) -> pd.Series:
    rows = results.indicators[results.indicators["indicator"] == indicator]
    return rows.set_index("commune_code")["status"]


def _missing(results, indicator: str, lang: str = "en") -> pd.Series:
    rows = results.indicators[results.indicators["indicator"] == indicator]
    return rows.set_index("commune_code")[f"missing_{lang}"]


#: A demo commune whose postal points the tests remove (every demo commune has one).
NO_POINT = "24805"


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory) -> Path:
    """The demo folder, copied, without the postal points of commune ``NO_POINT`` (tests
    change files in their own copies of it)."""
    out = tmp_path_factory.mktemp("demo") / "lam_dong"
    shutil.copytree(demo_input_path(), out)
    postal = gpd.read_file(out / "postal_points.geojson")
    assert (postal["commune_code"] == NO_POINT).any()
    (out / "postal_points.geojson").unlink()
    postal[postal["commune_code"] != NO_POINT].to_file(out / "postal_points.geojson", driver="GeoJSON")
    return out


def _variant(demo_copy: Path, tmp_path: Path, *, drop=(), metadata: pd.DataFrame | None = None) -> Path:
    out = tmp_path / "in"
    shutil.copytree(demo_copy, out)
    for name in drop:
        (out / name).unlink()
    if metadata is not None:
        metadata.to_csv(out / "tc8_layers.csv", index=False)
    return out


@pytest.fixture(scope="module")
def baseline(demo_copy):
    inputs = load_and_validate(demo_copy)
    return inputs, assess(inputs, load_rule_set(NEW))


# --- incomplete postal layer ----------------------------------------------------------------

def _postal_checks(base, results):
    """Communes that failed 8.1 are now missing data; the passing ones still pass; the note names the layer."""
    before, after = _status(base, "8.1"), _status(results, "8.1")
    failing = before.index[before == "khong_dat"]
    assert len(failing) > 0
    assert (after[failing] == "thieu_du_lieu").all()
    assert (after[before == "dat"] == "dat").all()
    assert (after != "khong_dat").all()
    assert _missing(results, "8.1")[failing].str.contains("not found in an incomplete layer, postal_points").all()
    assert _missing(results, "8.1", "vi")[failing].str.contains("không tìm thấy trong lớp chưa đầy đủ postal_points").all()
    # a commune without any postal point at all: missing data, never "fails"
    inputs = results.inputs
    has_point = set(inputs.get("postal_points")["commune_code"].dropna())
    without = [c for c in after.index if c not in has_point]
    assert NO_POINT in without and (after[without] == "thieu_du_lieu").all()
    assert (before[without] == "khong_dat").all()
    return failing


def test_incomplete_postal_by_flag(baseline, demo_copy):
    inputs = load_and_validate(demo_copy, policy=InputPolicy(incomplete=frozenset({"postal_points"})))
    assert inputs.incomplete_layers == {"postal_points"}
    _postal_checks(baseline[1], assess(inputs, load_rule_set(NEW)))


def test_incomplete_postal_by_metadata_table(baseline, demo_copy, tmp_path):
    meta = pd.read_csv(demo_copy / "tc8_layers.csv", dtype=str)
    meta.loc[meta["layer"] == "postal_points", "complete"] = "không"
    inputs = load_and_validate(_variant(demo_copy, tmp_path, metadata=meta))
    assert inputs.incomplete_layers == {"postal_points"}
    _postal_checks(baseline[1], assess(inputs, load_rule_set(NEW)))


def test_osm_source_makes_a_layer_incomplete_unless_declared_complete(baseline, demo_copy, tmp_path):
    """The demo's postal_points and cell_sites hold a few OSM rows: without the metadata table
    they are taken as incomplete (a warning says so); ``complete: yes`` keeps them complete."""
    assert baseline[0].incomplete_layers == frozenset()
    assert not [p for p in baseline[0].warnings if p.code == "layer_osm_incomplete"]
    inputs = load_and_validate(_variant(demo_copy, tmp_path, drop=["tc8_layers.csv"]))
    assert inputs.incomplete_layers == {"postal_points", "cell_sites"}
    warned = {p.layer: p for p in inputs.warnings if p.code == "layer_osm_incomplete"}
    assert set(warned) == {"postal_points", "cell_sites"}
    assert "OSM node" in warned["postal_points"].params["source"]
    results = assess(inputs, load_rule_set(NEW))
    _postal_checks(baseline[1], results)
    # cell sites incomplete: a village the sites and coverage do not reach is unknown, not
    # "not covered" (only its own report can say no); its reason names the layer
    villages = results.villages
    reported_no = (villages["mobile_phone"] == False).fillna(False).to_numpy()  # noqa: E712
    assert not (villages["mobile_voice_ok"].eq(False).fillna(False).to_numpy() & ~reported_no).any()
    base_ok = baseline[1].villages.set_index("village_id").loc[villages["village_id"], "phone_ok"]
    newly_unknown = villages["phone_ok"].isna().to_numpy() & base_ok.eq(False).fillna(False).to_numpy()
    assert newly_unknown.any()
    assert villages.loc[newly_unknown, "reason_phone_en"].str.contains("incomplete layer (cell_sites",
                                                                         regex=False).all()


def test_osm_source_in_the_metadata_table(demo_copy, tmp_path):
    meta = pd.read_csv(demo_copy / "tc8_layers.csv", dtype=str).fillna("")
    meta.loc[meta["layer"] == "radio_stations", ["complete", "source"]] = ["", "OpenStreetMap export 2024"]
    inputs = load_and_validate(_variant(demo_copy, tmp_path, metadata=meta))
    assert inputs.incomplete_layers == {"radio_stations"}
    assert [p.layer for p in inputs.warnings if p.code == "layer_osm_incomplete"] == ["radio_stations"]


def test_metadata_table_is_typed_and_unknown_layers_warned(tmp_path):
    root = make_valid_input(tmp_path / "a")
    pd.DataFrame({"layer": ["postal_points", "bưu cục"], "complete": ["maybe", "no"]}).to_csv(
        root / "tc8_layers.csv", index=False)
    raw, rp = read_inputs(root)
    inputs, problems = validate_inputs(raw, rp)
    assert inputs is None
    bad = [p for p in problems if p.severity == "error"]
    assert [(p.layer, p.row, p.field) for p in bad] == [("tc8_layers", "postal_points", "complete")]
    assert bad[0].file.endswith("tc8_layers.csv")
    unknown = [p for p in problems if p.code == "metadata_unknown_layer"]
    assert len(unknown) == 1 and unknown[0].params["value"] == "bưu cục" and unknown[0].severity == "warning"
    assert not [p for p in problems if p.code in ("unknown_file", "unknown_file_similar")]
    # not a row of an input layer: --skip-invalid cannot skip it, the declaration must be fixed
    raw, rp = read_inputs(root)
    inputs, problems = validate_inputs(raw, rp, policy=InputPolicy(skip_invalid=True))
    assert inputs is None and [p.field for p in problems if p.severity == "error"] == ["complete"]


def test_incomplete_stations_and_speakers(tmp_path):
    """Builders input: commune B's station R2 is ip and operating but ``compliant`` is empty;
    drop it and declare the stations incomplete: B is missing data for the station, A (R1 ok)
    passes. Speakers incomplete: a village without an operating cluster is unknown."""
    root = make_valid_input(tmp_path / "a", radio_stations=lambda s: s[s["station_id"] == "R1"])
    complete = load_and_validate(root)
    rs = load_rule_set("ntm-2016-2020")
    base = assess(complete, rs).conditions.set_index(["commune_code", "condition_id"])
    inputs = load_and_validate(root, policy=InputPolicy(incomplete=frozenset({"radio_stations", "speakers"})))
    res = assess(inputs, rs)
    cond = res.conditions.set_index(["commune_code", "condition_id"])
    station = next(c for c in cond.index.get_level_values(1).unique() if "station" in c)
    assert base.loc[(B, station), "status"] == "khong_dat" and cond.loc[(B, station), "status"] == "thieu_du_lieu"
    assert cond.loc[(A, station), "status"] == "dat"
    v = res.villages.set_index("village_id")
    assert v.loc["V1", "speaker_ok"] == True  # noqa: E712 - K1 operating
    assert pd.isna(v.loc["V3", "speaker_ok"])  # K2 broken: another cluster may exist
    assert "incomplete layer (speakers)" in v.loc["V3", "reason_speaker_en"]
    assert (res.indicators["status"] != "khong_dat").any()


# --- no villages --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def no_villages(demo_copy, tmp_path_factory) -> Path:
    return _variant(demo_copy, tmp_path_factory.mktemp("nov"), drop=["villages.geojson"])


def test_without_villages_the_postal_only_rule_set_is_assessed(no_villages, demo_copy):
    inputs = load_and_validate(no_villages)
    assert "villages" not in inputs.layers
    full = assess(load_and_validate(demo_copy), load_rule_set(OLD))
    res = assess(inputs, load_rule_set(OLD))
    pd.testing.assert_series_equal(_status(res, "8.1"), _status(full, "8.1"))
    assert set(_status(res, "8.1")) >= {"dat", "khong_dat"}
    assert (_status(res, "8.2") == "thieu_du_lieu").all()
    assert _missing(res, "8.2").str.contains("no villages layer").all()
    assert res.villages.empty and (res.communes["n_villages"] == 0).all()


def test_without_villages_2021_2025(no_villages, baseline):
    """8.2 and 8.3 need villages: never "dat"; "khong_dat" only where another condition (the
    station, smartphones) fails, else "thieu_du_lieu" with the note naming the villages layer."""
    res = assess(load_and_validate(no_villages), load_rule_set(NEW))
    cond = res.conditions
    shares = cond[cond["measure"].str.startswith("share_villages")]
    assert set(shares["indicator"]) == {"8.2", "8.3"} and (shares["status"] == "thieu_du_lieu").all()
    others_fail = cond[~cond["measure"].str.startswith("share_villages") & (cond["status"] == "khong_dat")]
    for ind in ("8.2", "8.3"):
        status = _status(res, ind)
        failed = set(others_fail.loc[others_fail["indicator"] == ind, "commune_code"])
        assert (status[[c for c in status.index if c in failed]] == "khong_dat").all()
        rest = status[[c for c in status.index if c not in failed]]
        assert len(rest) and (rest == "thieu_du_lieu").all()
        assert _missing(res, ind, "vi")[rest.index].str.contains("chưa có lớp villages").all()
    pd.testing.assert_series_equal(_status(res, "8.1"), _status(baseline[1], "8.1"))
    pd.testing.assert_series_equal(_status(res, "8.4"), _status(baseline[1], "8.4"))


def test_without_villages_maps_and_dossiers_are_written(no_villages, baseline, tmp_path):
    codes = list(baseline[1].communes["commune_code"][:2])
    job = run_job(no_villages, NEW, output=tmp_path / "out", communes=codes,
                  policy=InputPolicy(incomplete=frozenset({"postal_points"})))
    assert job.province_map.is_file() and set(job.commune_maps) == set(codes)
    assert set(job.commune_dossiers) == set(codes)
    from openpyxl import load_workbook

    book = next(job.commune_dossiers[codes[0]].glob("*.xlsx"))
    sheet = load_workbook(book)["Cần bổ sung"]
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "chưa có lớp villages" in cells
    assert codes[0] == NO_POINT and "không tìm thấy trong lớp chưa đầy đủ postal_points" in cells


# --- template ------------------------------------------------------------------------------

def test_template_writes_the_metadata_table_and_it_round_trips(tmp_path):
    out = write_template(tmp_path / "t.gpkg")
    table = pyogrio.read_dataframe(out, layer=METADATA.name)
    assert list(table.columns) == [c.name for c in METADATA.columns]
    assert tuple(table["layer"]) == ("communes",) + INCOMPLETE_CAPABLE and table["complete"].isna().all()  # communes: code_year
    raw, rp = read_inputs(out)
    assert raw.metadata is not None and len(raw.metadata) == len(INCOMPLETE_CAPABLE) + 1
    inputs, problems = validate_inputs(raw, rp)
    assert problems == [] and inputs.incomplete_layers == frozenset()
    # the user marks postal_points incomplete and cell_sites as OSM but complete
    table.loc[table["layer"] == "postal_points", "complete"] = 0
    table.loc[table["layer"] == "cell_sites", ["complete", "source"]] = [1, "OSM"]
    pyogrio.write_dataframe(table, out, layer=METADATA.name, driver="GPKG")
    raw, rp = read_inputs(out)
    inputs, problems = validate_inputs(raw, rp)
    assert problems == [] and inputs.incomplete_layers == {"postal_points"}


# --- real data: Lâm Đồng communes + the 12 OSM post offices, no villages --------------------

def _real_input(root: Path) -> Path:
    """Lâm Đồng as ``scripts/build_real_inputs.py`` builds it from the repository's real files
    (tests/real_data): the communes with a 2024 code (138) and the 12 OSM post offices as postal
    points (their attributes unknown, source OpenStreetMap); no villages, no metadata table.
    One office, the central post office of Đà Lạt (Phường 1), gets its 2010-2015 service
    attributes filled in to show that a qualifying point still passes in an incomplete layer."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_real_inputs", REPO / "scripts" / "build_real_inputs.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    built = root.parent / "built"
    builder.main(["lam_dong", str(built)])
    gpkg = next(built.glob("*.gpkg"))
    com = pyogrio.read_dataframe(gpkg, layer="communes")
    com = com[com["commune_code"].notna()]
    communes = com[["commune_code", "commune_name", "geometry"]]
    po = pyogrio.read_dataframe(gpkg, layer="postal_points")
    central = (po["point_id"] == "osm-1150960699").to_numpy()
    postal = po[["point_id", "name", "geometry"]].assign(
        kind="buu_cuc", staffed=np.where(central, True, None), hours_per_day=np.where(central, 8.0, np.nan),
        collections_per_day=np.where(central, 1.0, np.nan), telecom_service=np.where(central, True, None),
        source="OpenStreetMap (ODbL)")
    root.mkdir()
    communes.to_file(root / "communes.gpkg")
    postal.to_file(root / "postal_points.gpkg")
    return root


def test_real_lam_dong_osm_post_offices(tmp_path):
    root = _real_input(tmp_path / "real")
    inputs = load_and_validate(root)
    assert "villages" not in inputs.layers and inputs.incomplete_layers == {"postal_points"}
    res = assess(inputs, load_rule_set(OLD))
    s81 = _status(res, "8.1")
    with_office = set(inputs.get("postal_points")["commune_code"])
    assert len(s81) == 138 and len(with_office) == 9
    assert (s81[[c for c in s81.index if c not in with_office]] == "thieu_du_lieu").all()
    assert s81["24784"] == "dat"  # Phường 1: the office with its attributes filled in
    assert (s81 != "khong_dat").all()
    assert (_status(res, "8.2") == "thieu_du_lieu").all()
    # the same input taken as complete: the communes without an office fail (what issue 9 reported)
    meta = pd.DataFrame({"layer": ["postal_points"], "complete": ["yes"]})
    meta.to_csv(root.parent / "meta.csv", index=False)
    shutil.copy(root.parent / "meta.csv", root / "tc8_layers.csv")
    as_complete = _status(assess(load_and_validate(root), load_rule_set(OLD)), "8.1")
    assert (as_complete[[c for c in s81.index if c not in with_office]] == "khong_dat").all()


def test_rollup_says_the_postal_layer_is_incomplete(tmp_path):
    """The province roll-up counts only the points in the data; with an incomplete postal layer
    it says so beside the count (terminal, workbook), and results.json records the layers."""
    from tc8.outputs.terminal import summary_table
    from tc8.text.figures import figure_text

    root = make_valid_input(tmp_path)
    res = assess(load_and_validate(root, policy=InputPolicy(incomplete=frozenset({"postal_points"}))),
                 load_rule_set(OLD))
    assert res.rollup["postal_points_incomplete"] is True
    assert "chưa đầy đủ" in figure_text(res.rollup, "postal_points", "vi", 0)
    assert "incomplete" in figure_text(res.rollup, "postal_points", "en", 0)
    assert "postal_points" in summary_table(res, lang="en")
    complete = assess(load_and_validate(root), load_rule_set(OLD))
    assert complete.rollup["postal_points_incomplete"] is False
    assert "chưa đầy đủ" not in figure_text(complete.rollup, "postal_points", "vi", 0)
