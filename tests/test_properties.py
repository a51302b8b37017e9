"""Property tests (hypothesis): verdicts do not depend on feature order or on the input CRS,
and adding evidence (a coverage polygon, a qualifying postal point, an operating loudspeaker
cluster) never turns a pass into a fail or into missing data.

Random inputs start from ``builders.valid_layers()`` (two communes near 108°E 12°N) and
replace the point layers with a few randomly placed, randomly attributed features. Each
example assesses one randomly drawn shipped rule set, so the suite stays fast.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from builders import valid_layers, write_layers
from tc8.engine.assess import assess
from tc8.rules.load import list_rule_sets
from tc8.validate.run import load_and_validate

RULE_SETS = {rs.id: rs for rs in list_rule_sets()}
SIZE = 0.05
CORNERS = {"24784": (108.00, 12.00), "24787": (108.05, 12.00)}  # as in builders.valid_layers()
MAYBE = st.sampled_from([True] * 10 + [False, None])
SETTINGS = settings(max_examples=20, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GOOD_POINT = dict(kind="bdvhx", staffed=True, premises=True, hours_per_day=8.0, signboard=True,
                  posted_hours=True, letters_2kg=True, parcels_5kg=True, collections_per_day=1.0,
                  telecom_service=True, online_public_services=True)


@st.composite
def inside(draw, code: str, margin: float = 0.002) -> Point:
    x0, y0 = CORNERS[code]
    fx = draw(st.floats(margin, SIZE - margin))
    fy = draw(st.floats(margin, SIZE - margin))
    return Point(round(x0 + fx, 7), round(y0 + fy, 7))


def _frame(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


@st.composite
def province(draw) -> dict:
    """All layers, valid, with random features (WGS 84)."""
    layers = valid_layers()
    communes = layers["communes"].copy()
    communes["terrain"] = [draw(st.sampled_from(["flat", "hilly", "mountainous", None])) for _ in range(2)]
    communes["difficult"] = [draw(st.booleans()) for _ in range(2)]
    layers["communes"] = communes

    v_rows, v_geom = [], []
    for code in CORNERS:
        for k in range(draw(st.integers(1, 3))):
            v_rows.append({"village_id": f"V{code}{k}", "commune_code": code, "village_name": f"Thôn {k}",
                           "population": 500, "households": 100,
                           "mobile_broadband": draw(st.sampled_from([None, True, True, False])),
                           "fixed_phone": draw(st.sampled_from([None, True, True, False]))})
            v_geom.append(draw(inside(code)))
    layers["villages"] = _frame(v_rows, v_geom)

    p_rows, p_geom = [], []
    for code in CORNERS:
        for k in range(draw(st.integers(0, 3))):
            p_rows.append({"point_id": f"P{code}{k}", "commune_code": code,
                           "kind": draw(st.sampled_from(["bdvhx", "bdvhx", "buu_cuc", "dai_ly", "thung_thu", "other"])),
                           "staffed": draw(MAYBE), "premises": draw(MAYBE), "signboard": draw(MAYBE),
                           "posted_hours": draw(MAYBE), "letters_2kg": draw(MAYBE), "parcels_5kg": draw(MAYBE),
                           "telecom_service": draw(MAYBE), "online_public_services": draw(MAYBE),
                           "hours_per_day": draw(st.sampled_from([8.0, 8.0, 4.0, 3.0, None])),
                           "collections_per_day": draw(st.sampled_from([1.0, 2.0, 1.0, 0.5, None]))})
            p_geom.append(draw(inside(code)))
    layers["postal_points"] = _frame(p_rows, p_geom) if p_rows else None

    s_rows, s_geom = [], []
    for k in range(draw(st.integers(0, 5))):
        s_rows.append({"site_id": f"S{k}", "operator": "Viettel",
                       "technology": draw(st.sampled_from(["2G", "3G", "4G", "5G"])),
                       "active": draw(st.sampled_from([True, True, False])),
                       "radius_m": draw(st.sampled_from([None, None, 800.0, 2500.0]))})
        s_geom.append(draw(inside(draw(st.sampled_from(list(CORNERS))))))
    layers["cell_sites"] = _frame(s_rows, s_geom) if s_rows else None

    layers["coverage"] = _coverage(draw, draw(st.integers(0, 2)), "C")

    f_rows, f_geom = [], []
    for k in range(draw(st.integers(0, 2))):
        f_rows.append({"node_id": f"N{k}", "operator": "VNPT", "technology": "ftth",
                       "reach_m": draw(st.sampled_from([500.0, 1500.0, 3000.0])), "voice": draw(st.booleans())})
        f_geom.append(draw(inside(draw(st.sampled_from(list(CORNERS))))))
    layers["fixed_access"] = _frame(f_rows, f_geom) if f_rows else None

    r_rows, r_geom = [], []
    for code in CORNERS:
        for k in range(draw(st.integers(0, 2))):
            r_rows.append({"station_id": f"R{code}{k}", "commune_code": code,
                           "type": draw(st.sampled_from(["wired", "fm", "ip"])),
                           "operating": draw(st.sampled_from([True, True, False])),
                           "compliant": draw(MAYBE), "licensed": draw(MAYBE)})
            r_geom.append(draw(inside(code)))
    layers["radio_stations"] = _frame(r_rows, r_geom) if r_rows else None

    layers["speakers"] = _speakers(draw, layers["villages"], draw(st.integers(0, 8)), "K")

    it_rows = []
    for code in CORNERS:
        if draw(st.booleans()) or draw(st.booleans()):
            officials = 20
            it_rows.append({"commune_code": code, "officials": officials,
                            "officials_with_computer": draw(st.sampled_from([None, 10, 16, 20, 20])),
                            "officials_using_eoffice": draw(st.sampled_from([None, 10, 16, 20, 20])),
                            "eoffice_system": draw(MAYBE),
                            "website": draw(st.sampled_from([None, "https://xa.example.vn", "https://xa.example.vn"])),
                            "dossiers_total": 100, "dossiers_online": draw(st.sampled_from([None, 40, 60, 90, 90])),
                            "smartphone_subscriptions": draw(st.sampled_from([None, 300, 600, 600])),
                            "working_age_population": 1000, "mobile_subscriptions": 900})
    layers["commune_it"] = pd.DataFrame(it_rows) if it_rows else None
    return {k: v for k, v in layers.items() if v is not None}


def _coverage(draw, n: int, prefix: str) -> gpd.GeoDataFrame | None:
    rows, geoms = [], []
    for k in range(n):
        x0 = draw(st.floats(108.0, 108.09))
        y0 = draw(st.floats(12.0, 12.04))
        w = draw(st.floats(0.005, 0.06))
        h = draw(st.floats(0.005, 0.05))
        rows.append({"coverage_id": f"{prefix}{k}", "operator": "Viettel",
                     "technology": draw(st.sampled_from(["2G", "3G", "4G", "5G"])),
                     "evidence": draw(st.sampled_from(["declared", "measured"]))})
        geoms.append(box(round(x0, 6), round(y0, 6), round(min(x0 + w, 108.1), 6), round(min(y0 + h, 12.05), 6)))
    return _frame(rows, geoms) if rows else None


def _speakers(draw, villages: gpd.GeoDataFrame, n: int, prefix: str, operating=None) -> gpd.GeoDataFrame | None:
    rows, geoms = [], []
    for k in range(n):
        i = draw(st.integers(0, len(villages) - 1))
        village = villages.iloc[i]
        code = village["commune_code"]
        x0, y0 = CORNERS[code]
        dx = draw(st.floats(-0.004, 0.004))
        dy = draw(st.floats(-0.004, 0.004))
        x = min(max(village.geometry.x + dx, x0 + 0.001), x0 + SIZE - 0.001)
        y = min(max(village.geometry.y + dy, y0 + 0.001), y0 + SIZE - 0.001)
        rows.append({"cluster_id": f"{prefix}{k}", "type": "wired",
                     "operating": draw(st.sampled_from([True, True, False])) if operating is None else operating,
                     "village_id": village["village_id"] if draw(st.booleans()) else None})
        geoms.append(Point(round(x, 7), round(y, 7)))
    return _frame(rows, geoms) if rows else None


def verdicts(layers: dict, rule_set_id: str, fmt: str = "geojson", crs: str | None = None) -> dict:
    """(commune_code, indicator) -> status after writing ``layers`` (optionally reprojected)."""
    if crs is not None:
        layers = {k: (v.to_crs(crs) if isinstance(v, gpd.GeoDataFrame) else v) for k, v in layers.items()}
    with tempfile.TemporaryDirectory() as tmp:
        path = write_layers(layers, Path(tmp) / ("in.gpkg" if fmt == "gpkg" else "in"), fmt)
        inputs = load_and_validate(path)
        results = assess(inputs, RULE_SETS[rule_set_id])
    ind = results.indicators
    return dict(zip(zip(ind["commune_code"].astype(str), ind["indicator"]), ind["status"]))


rule_set_ids = st.sampled_from(sorted(RULE_SETS))


@SETTINGS
@given(layers=province(), rule_set_id=rule_set_ids, seed=st.randoms(use_true_random=False))
def test_feature_order_does_not_change_verdicts(layers, rule_set_id, seed):
    shuffled = {}
    for name, frame in layers.items():
        order = list(range(len(frame)))
        seed.shuffle(order)
        shuffled[name] = frame.iloc[order].reset_index(drop=True)
    assert verdicts(shuffled, rule_set_id) == verdicts(layers, rule_set_id)


@SETTINGS
@given(layers=province(), rule_set_id=rule_set_ids,
       crs=st.sampled_from(["EPSG:3405", "EPSG:32648", "EPSG:3857", "EPSG:32649"]))
def test_input_crs_does_not_change_verdicts(layers, rule_set_id, crs):
    assert verdicts(layers, rule_set_id, fmt="gpkg", crs=crs) == verdicts(layers, rule_set_id, fmt="gpkg")


@pytest.mark.parametrize("crs", ["EPSG:3405", "EPSG:32648", "EPSG:3857"])
def test_projected_inputs_are_accepted(tmp_path, crs):
    layers = {k: (v.to_crs(crs) if isinstance(v, gpd.GeoDataFrame) else v) for k, v in valid_layers().items()}
    inputs = load_and_validate(write_layers(layers, tmp_path / "in.gpkg", "gpkg"))
    assert inputs.source_crs["communes"] == crs


def _never_worse(before: dict, after: dict) -> list:
    return [(key, "dat", after[key]) for key, status in before.items() if status == "dat" and after[key] != "dat"]


@st.composite
def addition(draw, layers: dict):
    """(kind, layers with one or two features of evidence added)."""
    kind = draw(st.sampled_from(["coverage", "postal_point", "speaker"]))
    out = dict(layers)
    n = draw(st.integers(1, 2))
    if kind == "coverage":
        extra = _coverage(draw, n, "ADD")
    elif kind == "postal_point":
        rows, geoms = [], []
        for k in range(n):
            code = draw(st.sampled_from(list(CORNERS)))
            rows.append({"point_id": f"PADD{k}", "commune_code": code, **GOOD_POINT})
            geoms.append(draw(inside(code)))
        extra = _frame(rows, geoms)
    else:
        extra = _speakers(draw, layers["villages"], n, "KADD", operating=True)
    base = layers.get(extra_layer := {"coverage": "coverage", "postal_point": "postal_points",
                                      "speaker": "speakers"}[kind])
    out[extra_layer] = extra if base is None else pd.concat([base, extra], ignore_index=True)
    return kind, out


@SETTINGS
@given(data=st.data(), layers=province(), rule_set_id=rule_set_ids)
def test_adding_evidence_never_turns_a_pass_into_a_fail(data, layers, rule_set_id):
    kind, more = data.draw(addition(layers))
    before = verdicts(layers, rule_set_id)
    after = verdicts(more, rule_set_id)
    assert set(after) == set(before)
    assert not _never_worse(before, after), (kind, _never_worse(before, after))
