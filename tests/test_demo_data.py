"""The bundled demo province (data/demo/lam_dong), found as package data.

Checks the folder against the input model (tc8.model.schema): every layer present with its
columns, synthetic/source labels, commune codes, villages inside their commune, speakers'
village ids, and the size budget. Built by scripts/build_demo.py (seed 2026).
"""
from __future__ import annotations

from importlib.resources import as_file, files

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tc8.model.schema import LAYERS

GEO_LAYERS = [name for name, layer in LAYERS.items() if layer.geometry is not None]
MAX_BYTES = 3_000_000


@pytest.fixture(scope="module")
def demo():
    with as_file(files("tc8.data") / "demo" / "lam_dong") as path:
        yield path


@pytest.fixture(scope="module")
def frames(demo):
    out = {name: gpd.read_file(demo / f"{name}.geojson") for name in GEO_LAYERS}
    out["commune_it"] = pd.read_csv(demo / "commune_it.csv", dtype=str, keep_default_na=False)
    return out


def test_every_layer_and_the_raster_are_there(demo):
    names = {p.name for p in demo.iterdir()}
    expected = {f"{n}.geojson" for n in GEO_LAYERS} | {"commune_it.csv", "population.tif"}
    assert expected <= names
    assert (demo.parent / "README.md").is_file() and (demo.parent / "ATTRIBUTION.md").is_file()


def test_folder_is_small(demo):
    total = sum(p.stat().st_size for p in demo.iterdir())
    assert total < MAX_BYTES, f"demo folder is {total / 1e6:.2f} MB"


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_has_schema_columns_and_labels(frames, name):
    frame = frames[name]
    assert len(frame) > 0
    missing = {c.name for c in LAYERS[name].columns} - set(frame.columns)
    assert not missing, f"{name}: missing columns {missing}"
    assert "source" in frame.columns and frame["source"].astype(str).str.len().gt(0).all()
    ids = frame[LAYERS[name].id_column]
    assert ids.notna().all() and ids.is_unique
    if LAYERS[name].geometry is not None:
        assert frame.crs.to_epsg() == 4326
        assert set(frame.geom_type) <= set(LAYERS[name].geometry)


def test_synthetic_flags(frames):
    assert not frames["communes"]["synthetic"].any()          # real polygons, codes, population
    assert frames["communes"]["source"].str.contains("giả lập").all()   # invented attributes named
    for name in LAYERS:
        if name != "communes":
            assert frames[name]["synthetic"].astype(str).str.lower().isin({"true", "1"}).all(), name
    osm = frames["cell_sites"]["site_id"].str.startswith("osm-")
    assert osm.any() and frames["cell_sites"]["source"][osm].str.contains("ODbL").all()


def test_commune_codes(frames):
    com = frames["communes"]
    codes = com["commune_code"]
    assert codes.str.fullmatch(r"\d{5}").all() and codes.is_unique
    assert (com["province_code"] == "68").all()
    assert com["commune_name"].str.startswith("Xã ").all()       # rural communes only
    assert set(com["terrain"]) == {"flat", "hilly", "mountainous"}
    assert 0.10 <= com["difficult"].mean() <= 0.20
    known = set(codes)
    for name in ("villages", "postal_points", "radio_stations", "commune_it"):
        assert set(frames[name]["commune_code"].dropna()) <= known, name


def test_villages_inside_their_commune(frames):
    vil, com = frames["villages"], frames["communes"].set_index("commune_code")
    poly = com.geometry.reindex(vil["commune_code"]).values
    geoms = vil.geometry.values
    points = vil.geom_type.eq("Point").to_numpy()
    assert shapely.contains(poly[points], geoms[points]).all()
    # polygon villages: clipped to the commune (coordinates rounded to 6 decimals)
    outside = shapely.area(shapely.difference(geoms[~points], poly[~points]))
    assert (outside <= 1e-4 * shapely.area(geoms[~points])).all()
    assert (~points).sum() >= 20 and vil.loc[~points, "commune_code"].nunique() >= 5
    counts = vil.groupby("commune_code").size()
    assert counts.min() >= 4 and counts.max() <= 14 and len(counts) == len(com)


def test_points_lie_in_their_commune(frames):
    com = frames["communes"][["commune_code", "geometry"]].rename(columns={"commune_code": "spatial"})
    poly = frames["communes"].set_index("commune_code").geometry
    for name in ("postal_points", "radio_stations", "speakers", "fixed_access"):
        joined = gpd.sjoin(frames[name], com, how="left", predicate="within")
        assert joined["spatial"].notna().all(), f"{name}: point outside every commune"
        if "commune_code" in frames[name]:
            # the source polygons overlap slightly, so test containment in the coded commune
            frame = frames[name]
            assert shapely.contains(poly.reindex(frame["commune_code"]).values, frame.geometry.values).all(), name


def test_speakers_village_ids_exist(frames):
    vid = frames["speakers"]["village_id"].dropna()
    assert 0.3 < len(vid) / len(frames["speakers"]) < 0.7
    assert set(vid) <= set(frames["villages"]["village_id"])


def test_demo_has_failures_to_show(frames):
    """The generator must leave a visible minority of problems, not an all-pass province."""
    post = frames["postal_points"]
    assert (post["kind"] == "bdvhx").sum() >= 0.75 * len(frames["communes"])
    assert (post["hours_per_day"] < 4).any() and (post["signboard"] == False).any()  # noqa: E712
    sites = frames["cell_sites"]
    assert 0.02 < (~sites["active"].astype(bool)).mean() < 0.10
    assert set(sites["technology"]) == {"2G", "3G", "4G", "5G"}
    assert set(frames["coverage"]["evidence"]) == {"declared", "measured"}
    radio = frames["radio_stations"]
    assert len(radio) < len(frames["communes"]) and (radio["operating"] == False).any()  # noqa: E712
    assert len(frames["commune_it"]) < len(frames["communes"])
