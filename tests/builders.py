"""Tiny valid tc8 inputs built in code, for tests of any module.

Two square communes side by side near 108°E 12°N (each 0.05° ≈ 5.4 km wide, WGS 84):

* ``24784`` "Xã Hòa Bình" (108.00–108.05°E) and ``24787`` "Xã Ea Tiêu" (108.05–108.10°E),
  both 12.00–12.05°N;
* villages V1, V2 in 24784, V3 in 24787; postal points P1 (bdvhx, 24784), P2 (thung_thu,
  24787); cell sites S1 (4G), S2 (3G, inactive); one declared 4G coverage polygon over 24784;
  fixed access node N1; radio stations R1 (24784), R2 (24787); speakers K1 (V1), K2 (V3), K3
  (no village); ``commune_it`` rows for both communes.

Use :func:`valid_layers` for the frames, :func:`make_valid_input` to write them. Each layer can
be overridden by keyword: a (Geo)DataFrame replaces it, ``None`` drops it, a callable receives
the default frame (a copy) and returns the frame to write::

    make_valid_input(tmp_path, villages=lambda v: v.assign(population=-1), coverage=None)
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import Point, box

A, B = "24784", "24787"


def _pts(rows: list[dict], xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=[Point(x, y) for x, y in xy], crs="EPSG:4326")


def valid_layers() -> dict[str, pd.DataFrame]:
    """Every layer of the input model, valid, as (Geo)DataFrames in WGS 84."""
    communes = gpd.GeoDataFrame(
        [{"commune_code": A, "commune_name": "Xã Hòa Bình", "province_code": "66", "region": "tay_nguyen",
          "terrain": "hilly", "population": 5200, "area_km2": 30.0, "island": False, "difficult": True},
         {"commune_code": B, "commune_name": "Xã Ea Tiêu", "province_code": "66", "region": "tay_nguyen",
          "terrain": "flat", "population": 4100, "area_km2": 30.0, "island": False, "difficult": False}],
        geometry=[box(108.00, 12.00, 108.05, 12.05), box(108.05, 12.00, 108.10, 12.05)], crs="EPSG:4326")
    villages = _pts(
        [{"village_id": "V1", "commune_code": A, "village_name": "Thôn 1", "population": 800, "households": 200},
         {"village_id": "V2", "commune_code": A, "village_name": "Thôn 2", "population": 600, "households": 150},
         {"village_id": "V3", "commune_code": B, "village_name": "Buôn Ea Tiêu", "population": 900,
          "households": 210}],
        [(108.01, 12.01), (108.04, 12.04), (108.07, 12.02)])
    postal = _pts(
        [{"point_id": "P1", "kind": "bdvhx", "name": "BĐVHX Hòa Bình", "commune_code": A, "staffed": True,
          "hours_per_day": 8.0, "signboard": True, "posted_hours": True, "letters_2kg": True,
          "parcels_5kg": True, "collections_per_day": 1.0, "telecom_service": True},
         {"point_id": "P2", "kind": "thung_thu", "name": "Thùng thư Ea Tiêu", "commune_code": B, "staffed": False,
          "hours_per_day": 0.0, "signboard": False, "posted_hours": False, "letters_2kg": True,
          "parcels_5kg": False, "collections_per_day": 1.0, "telecom_service": False}],
        [(108.02, 12.02), (108.08, 12.03)])
    sites = _pts(
        [{"site_id": "S1", "operator": "Viettel", "technology": "4G", "active": True},
         {"site_id": "S2", "operator": "VNPT", "technology": "3G", "active": False, "radius_m": 1500.0}],
        [(108.02, 12.025), (108.09, 12.01)])
    coverage = gpd.GeoDataFrame(
        [{"coverage_id": "C1", "operator": "Viettel", "technology": "4G", "evidence": "declared"}],
        geometry=[box(108.0, 12.0, 108.05, 12.05)], crs="EPSG:4326")
    fixed = _pts([{"node_id": "N1", "operator": "VNPT", "technology": "ftth", "reach_m": 3000.0, "voice": True}],
                 [(108.03, 12.03)])
    stations = _pts(
        [{"station_id": "R1", "commune_code": A, "type": "fm", "operating": True, "compliant": True,
          "licensed": True},
         {"station_id": "R2", "commune_code": B, "type": "ip", "operating": True}],
        [(108.025, 12.025), (108.075, 12.025)])
    speakers = _pts(
        [{"cluster_id": "K1", "type": "fm", "operating": True, "village_id": "V1"},
         {"cluster_id": "K2", "type": "ip", "operating": False, "village_id": "V3"},
         {"cluster_id": "K3", "type": "fm", "operating": True, "village_id": None}],
        [(108.011, 12.011), (108.071, 12.021), (108.03, 12.01)])
    commune_it = pd.DataFrame(
        [{"commune_code": A, "officials": 22, "officials_with_computer": 20, "eoffice_system": True,
          "website": "https://hoabinh.example.vn", "dossiers_total": 100, "dossiers_online": 70},
         {"commune_code": B, "officials": 20, "officials_with_computer": 12, "eoffice_system": False,
          "dossiers_total": 80, "dossiers_online": 20}])
    return {"communes": communes, "villages": villages, "postal_points": postal, "cell_sites": sites,
            "coverage": coverage, "fixed_access": fixed, "radio_stations": stations, "speakers": speakers,
            "commune_it": commune_it}


def write_layers(layers: dict, path: Path, fmt: str = "geojson") -> Path:
    """Write ``layers`` as a folder (``fmt="geojson"``: GeoJSON + CSV for tables; ``"gpkg-folder"``:
    one GeoPackage per layer) or as one GeoPackage (``fmt="gpkg"``, ``path`` is the file)."""
    path = Path(path)
    if fmt == "gpkg":
        path.parent.mkdir(parents=True, exist_ok=True)
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
        return path
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in layers.items():
        if fmt == "gpkg-folder":
            pyogrio.write_dataframe(frame, path / f"{name}.gpkg", layer=name, driver="GPKG")
        elif isinstance(frame, gpd.GeoDataFrame):
            pyogrio.write_dataframe(frame, path / f"{name}.geojson", driver="GeoJSON")
        else:
            frame.to_csv(path / f"{name}.csv", index=False)
    return path


def make_valid_input(tmp_path: Path, fmt: str = "geojson", name: str = "input", **overrides) -> Path:
    """Write the valid input (with per-layer ``overrides``) under ``tmp_path``; return its path.

    ``fmt``: ``"geojson"`` (folder, default), ``"gpkg-folder"`` or ``"gpkg"`` (one file
    ``<name>.gpkg``).
    """
    layers = valid_layers()
    for layer, override in overrides.items():
        if layer not in layers:
            raise KeyError(f"unknown layer {layer!r}")
        if override is None:
            del layers[layer]
        elif callable(override):
            layers[layer] = override(layers[layer].copy())
        else:
            layers[layer] = override
    target = Path(tmp_path) / (f"{name}.gpkg" if fmt == "gpkg" else name)
    return write_layers(layers, target, fmt)


def replace_geometry(position: int, geom):
    """A ``make_valid_input`` override: put ``geom`` (may be None) at row ``position`` of a layer."""
    def change(frame):
        geoms = list(frame.geometry)
        geoms[position] = geom
        return frame.set_geometry(gpd.GeoSeries(geoms, crs=frame.crs))
    return change
