"""The benchmark's synthetic generator: every layer, codes agree with positions, seeded."""
from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synth import PRESETS, make_synthetic, synthetic_layers  # noqa: E402

from tc8.model.schema import LAYERS  # noqa: E402
from tc8.validate.run import load_and_validate  # noqa: E402

TINY = PRESETS["tiny"]  # 5 communes, 30 villages, 40 cell sites, 60 speakers


@pytest.fixture(scope="module")
def tiny_gpkg(tmp_path_factory) -> Path:
    return make_synthetic(tmp_path_factory.mktemp("synth") / "tiny.gpkg", seed=3, **TINY)


def _read(path: Path, layer: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(path, layer=layer)


def test_every_layer_with_requested_sizes(tiny_gpkg):
    names = {str(n) for n, _ in pyogrio.list_layers(tiny_gpkg)}
    assert names == set(LAYERS)
    for name, layer in LAYERS.items():
        frame = _read(tiny_gpkg, name)
        assert len(frame) > 0, name
        assert {c.name for c in layer.required_columns} <= set(frame.columns), name
        assert frame[layer.id_column].is_unique, name
    assert len(_read(tiny_gpkg, "communes")) == TINY["communes"]
    assert len(_read(tiny_gpkg, "villages")) == TINY["villages"]
    assert len(_read(tiny_gpkg, "cell_sites")) == TINY["cell_sites"]
    assert len(_read(tiny_gpkg, "speakers")) == TINY["speakers"]
    codes = _read(tiny_gpkg, "communes")["commune_code"]
    assert codes.str.fullmatch(r"\d{5}").all()


@pytest.mark.parametrize("layer", ["villages", "postal_points", "radio_stations"])
def test_codes_agree_with_positions(tiny_gpkg, layer):
    communes = _read(tiny_gpkg, "communes")[["commune_code", "geometry"]]
    points = _read(tiny_gpkg, layer)
    joined = gpd.sjoin(points, communes.rename(columns={"commune_code": "spatial"}), predicate="within")
    assert len(joined) == len(points)  # each inside exactly one commune
    assert (joined["commune_code"] == joined["spatial"]).all()


def test_speakers_near_their_village_and_in_communes(tiny_gpkg):
    speakers = _read(tiny_gpkg, "speakers").to_crs("EPSG:32648")
    villages = _read(tiny_gpkg, "villages").to_crs("EPSG:32648").set_index("village_id")
    tagged = speakers[speakers["village_id"].notna()]
    assert 0 < len(tagged) < len(speakers)  # with and without village_id
    dist = tagged.geometry.distance(villages.geometry.reindex(tagged["village_id"]).set_axis(tagged.index))
    assert (dist < 300).all()
    communes = _read(tiny_gpkg, "communes").to_crs("EPSG:32648")
    assert len(gpd.sjoin(speakers, communes, predicate="within")) == len(speakers)


def test_passes_tc8_validation(tiny_gpkg):
    inputs = load_and_validate(tiny_gpkg)
    assert len(inputs.get("villages")) == TINY["villages"]


def test_same_seed_same_data_other_seed_differs():
    a = synthetic_layers(seed=5, **TINY)
    b = synthetic_layers(seed=5, **TINY)
    c = synthetic_layers(seed=6, **TINY)
    for name in LAYERS:
        pd.testing.assert_frame_equal(pd.DataFrame(a[name]).assign(**_wkb(a[name])),
                                      pd.DataFrame(b[name]).assign(**_wkb(b[name])))
    assert not a["villages"].geometry.geom_equals(c["villages"].geometry).all()


def _wkb(frame) -> dict:
    return {"geometry": frame.geometry.to_wkb()} if isinstance(frame, gpd.GeoDataFrame) else {}


def test_rejects_fewer_villages_than_communes():
    with pytest.raises(ValueError):
        synthetic_layers(communes=5, villages=3, cell_sites=1, speakers=1)
