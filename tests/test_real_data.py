"""The real national scenario (issue 9, item 5): inputs built from the open data copied in
``tests/real_data/`` by ``scripts/build_real_inputs.py``, validated and assessed end to end.

The expected verdicts are derived here independently of tc8: with geopandas, which commune
polygon holds an OpenStreetMap post office of a kind the rule set counts. OSM holds what
volunteers mapped, so the postal layer is incomplete: a commune without a mapped post office is
``thieu_du_lieu`` for 8.1, never ``khong_dat``; a commune with one is ``thieu_du_lieu`` too,
because nothing is known of its staff, hours or collections. Declared complete (the ``source``
column removed, no ``--incomplete``), the same input gives ``khong_dat`` where no such point
lies in the commune.

Nothing here reads ``../shared``: the source files are in the repository.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from tc8.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "real_data"
SOURCE_FILES = ("communes_2009_lowres.gpkg", "osm_postal_telecom_points.gpkg",
                "admin_units_2024_legacy.csv", "census2019_commune_population.csv")
COUNTED_KINDS = ("buu_cuc", "bdvhx", "dai_ly", "ki_ot")   # ntm-2010-2015 postal_point_kinds
METRIC = "EPSG:32648"


def _builder():
    spec = importlib.util.spec_from_file_location("build_real_inputs", ROOT / "scripts" / "build_real_inputs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = _builder()


@pytest.fixture(scope="module")
def lam_dong(tmp_path_factory) -> Path:
    return builder.build("lam_dong", tmp_path_factory.mktemp("real") / "lam_dong.gpkg")


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    return builder.build("national", tmp_path_factory.mktemp("real") / "national.gpkg")


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result, result.output


def communes_with_post_office(path: Path, kinds=None) -> pd.DataFrame:
    """Per commune row: ``commune_code``; ``has`` — True where an OSM post office (of one of
    ``kinds``, default any) lies in the polygon or within 100 m of it; ``sure`` — the same
    without the points that touch two polygons (on a shared edge or in an overlap of the
    low-resolution polygons: either commune may get them). Computed with geopandas,
    independently of tc8."""
    com = gpd.read_file(path, layer="communes").to_crs(METRIC)
    post = gpd.read_file(path, layer="postal_points").to_crs(METRIC)
    if kinds is not None:
        post = post[post["kind"].isin(kinds)]
    near = gpd.sjoin_nearest(post, com[["geometry"]], max_distance=100.0, distance_col="d")
    single = near[~near.index.duplicated(keep=False)]
    frame = pd.DataFrame({"commune_code": com["commune_code"], "has": False, "sure": False})
    frame.loc[near["index_right"].unique(), "has"] = True
    frame.loc[single["index_right"].unique(), "sure"] = True
    return frame


def communes_with_counted_post_office(path: Path) -> pd.Series:
    return communes_with_post_office(path, COUNTED_KINDS)["has"]


def check_evidence(out: Path, expected: pd.DataFrame) -> None:
    """The communes whose 8.1 row names a post office are those that hold one: every commune
    that surely holds one, and otherwise only communes touched by a point on a shared edge
    (official codes compared; provisional ids are tc8's own, so those are only counted)."""
    table = pd.read_csv(out / "results.csv", dtype=str)
    rows = table[table["indicator"] == "8.1"]
    named = rows.loc[rows["evidence_ids"].fillna("").str.contains("osm-"), "commune_code"]
    assert int(expected["sure"].sum()) <= len(named) <= int(expected["has"].sum())
    coded = expected.dropna(subset=["commune_code"])
    named_coded = set(named[named.isin(coded["commune_code"])])
    assert set(coded.loc[coded["sure"], "commune_code"]) <= named_coded <= set(coded.loc[coded["has"], "commune_code"])


def statuses(out: Path, indicator: str) -> pd.Series:
    table = pd.read_csv(out / "results.csv", dtype=str)
    return table.loc[table["indicator"] == indicator, "status"]


# --- the copied files ------------------------------------------------------------------------

def test_real_files_are_in_the_repository_with_their_attribution():
    sizes = {name: (REAL / name).stat().st_size for name in SOURCE_FILES}
    assert sum(sizes.values()) < 10_000_000
    attribution = (REAL / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for name in SOURCE_FILES:
        assert name in attribution
    for licence in ("MIT", "ODbL", "GSO", "GPL-3.0"):
        assert licence in attribution
    assert "/shared" not in (ROOT / "scripts" / "build_real_inputs.py").read_text(encoding="utf-8")


# --- the builder -----------------------------------------------------------------------------

def test_lam_dong_codes_match_the_published_pilot_bundle(lam_dong):
    """The published Lâm Đồng bundle (``lam_dong/README.md`` of the shared data) matched 138 of
    148 polygons (120 by district+type+name, 18 by type+name in the province) and joined 2019
    population to 137 of them, 1,259,757 in all; the builder's name matching gives the same."""
    com = gpd.read_file(lam_dong, layer="communes")
    assert len(com) == 148
    assert com["commune_code"].notna().sum() == 138
    assert com["code_match"].value_counts().to_dict() == {"district+type+name": 120, "type+name_in_province": 18}
    assert com["commune_code"].dropna().is_unique
    assert com["commune_code"].dropna().str.fullmatch(r"\d{5}").all()
    assert com["population"].notna().sum() == 137
    assert int(com["population"].sum()) == 1_259_757
    assert set(com["province_code"]) == {"68"}
    unmatched = set(com.loc[com["commune_code"].isna(), "commune_name"])
    assert {"Xã Pró", "Xã Hà Đông", "Thị trấn Đồng Nai", "Xã Phước Cát 1"} <= unmatched
    assert "villages" not in pyogrio.list_layers(lam_dong)[:, 0]


def test_postal_points_are_the_osm_post_offices_with_a_kind_from_the_name(lam_dong):
    post = gpd.read_file(lam_dong, layer="postal_points")
    assert len(post) == 12
    assert (post["source"] == "OpenStreetMap").all()
    assert post["commune_code"].isna().all()
    assert post.dropna(subset=["name"]).set_index("name")["kind"].to_dict() == {
        "Bưu Điện Trung Tâm Thành Phố Đà Lạt": "buu_cuc", "Vietnam Post": "buu_cuc", "Phan Chu Trinh": "other",
        "V. thông Lấm Đồng": "other", "Cơm tấm Minh Phát": "other", "Viettel Post": "other"}
    assert (post["kind"] == "other").sum() == 7


def test_postal_kind_rule():
    names = pd.Series(["Bưu điện văn hoá xã Tà Nung", "Điểm BĐVHX Lộc An", "Bưu cục Di Linh", "BƯU ĐIỆN Đà Lạt",
                       "buu dien Lac Duong", "VNPost Bảo Lộc", "Viettel Post", "DHL", None, "Đại lý Bưu điện", "Bưu Điện VHX Bến Tràm", "BĐVH xã Vĩnh Gia"])
    assert builder.postal_kind(names).tolist() == ["bdvhx", "bdvhx", "buu_cuc", "buu_cuc", "buu_cuc", "buu_cuc",
                                                   "other", "other", "other", "dai_ly", "bdvhx", "bdvhx"]


def test_osm_layers_are_declared_incomplete(lam_dong):
    meta = pyogrio.read_dataframe(lam_dong, layer="tc8_layers")
    assert meta.set_index("layer")["complete"].to_dict() == {"postal_points": "no", "cell_sites": "no"}


def test_cell_sites_claim_nothing(lam_dong):
    sites = gpd.read_file(lam_dong, layer="cell_sites")
    assert len(sites) and sites["active"].isna().all()
    assert (sites["technology"] == "2G").all() and not sites["technology_known"].any()
    assert "Tháp bút Lycée Yersin" not in set(sites["name"].dropna())


def test_the_build_is_deterministic(lam_dong, tmp_path):
    again = builder.build("lam_dong", tmp_path / "again.gpkg")
    assert again.read_bytes() == lam_dong.read_bytes()


def test_name_key_folds_spelling_variants():
    key = builder.name_key
    assert key("Đạ M'Rông") == key("Đạ M' Rong")
    assert key("Hòa Bắc") == key("Hoà Bắc")
    assert key("07") == key("7") != key("17")


# --- end to end: Lâm Đồng --------------------------------------------------------------------

def test_lam_dong_validates(lam_dong):
    result, out = invoke("validate", lam_dong)
    assert result.exit_code == 0, out


def test_lam_dong_postal_only_incomplete_layer_gives_missing_data_not_fail(lam_dong, tmp_path):
    result, out = invoke("assess", lam_dong, "--rules", "ntm-2010-2015", "--incomplete", "postal_points",
                         "-o", tmp_path / "out")
    assert result.exit_code == 0, out
    s81 = statuses(tmp_path / "out", "8.1")
    assert len(s81) == 148
    assert s81.value_counts().to_dict() == {"thieu_du_lieu": 148}
    assert statuses(tmp_path / "out", "8.2").value_counts().to_dict() == {"thieu_du_lieu": 148}
    check_evidence(tmp_path / "out", communes_with_post_office(lam_dong))


def test_lam_dong_osm_source_makes_the_layer_incomplete_by_default(lam_dong, tmp_path):
    result, out = invoke("assess", lam_dong, "--rules", "ntm-2010-2015", "-o", tmp_path / "out")
    assert result.exit_code == 0, out
    assert "khong_dat" not in set(statuses(tmp_path / "out", "8.1"))


def test_lam_dong_declared_complete_fails_only_communes_without_a_post_office(lam_dong, tmp_path):
    """Declared complete in ``tc8_layers`` (the user vouches for the layer), a commune with no
    counted post office fails 8.1; one with a post office of unknown service stays undecided."""
    complete = tmp_path / "complete.gpkg"
    complete.write_bytes(lam_dong.read_bytes())
    meta = pyogrio.read_dataframe(complete, layer="tc8_layers")
    meta.loc[meta["layer"] == "postal_points", "complete"] = "yes"
    pyogrio.write_dataframe(meta, complete, layer="tc8_layers", driver="GPKG")
    has = communes_with_counted_post_office(complete)
    assert has.sum() == 5
    result, out = invoke("assess", complete, "--rules", "ntm-2010-2015", "-o", tmp_path / "out")
    assert result.exit_code == 0, out
    counts = statuses(tmp_path / "out", "8.1").value_counts().to_dict()
    assert counts == {"khong_dat": int((~has).sum()), "thieu_du_lieu": int(has.sum())}


def test_lam_dong_2021_2025_decides_nothing_it_cannot_know(lam_dong, tmp_path):
    result, out = invoke("assess", lam_dong, "--rules", "ntm-2021-2025", "--incomplete", "postal_points",
                         "--incomplete", "cell_sites", "-o", tmp_path / "out")
    assert result.exit_code == 0, out
    table = pd.read_csv(tmp_path / "out" / "results.csv", dtype=str)
    assert table["commune_code"].nunique() == 148
    assert set(table["status"]) == {"thieu_du_lieu"}


# --- end to end: the whole country -----------------------------------------------------------

@pytest.mark.slow
def test_national_validates_with_warnings_for_near_boundary_points(national):
    """Four OSM post offices lie 5.9, 11.3, 17.8 and 78.7 m outside the low-resolution polygons:
    each is assigned to its nearest commune with a warning naming the distance."""
    result, out = invoke("validate", "--lang", "en", national)
    assert result.exit_code == 0, out
    for point in ("osm-1756260806", "osm-7856211553", "osm-4930664012", "osm-4710985991"):
        line = next((ln for ln in out.splitlines() if point in ln), "")
        assert re.search(r"\b(6|5[.,]9|11|11[.,]3|18|17[.,]8|79|78[.,]7) ?m\b", line), (point, out[-3000:])


@pytest.mark.slow
def test_national_assess_postal_only(national, tmp_path):
    result, out = invoke("assess", national, "--rules", "ntm-2010-2015", "--incomplete", "postal_points",
                         "-o", tmp_path / "out")
    assert result.exit_code == 0, out[-3000:]
    assert statuses(tmp_path / "out", "8.1").value_counts().to_dict() == {"thieu_du_lieu": 11_163}
    check_evidence(tmp_path / "out", communes_with_post_office(national))
    assert len(out.splitlines()) < 200    # a summary, not 11,163 lines
