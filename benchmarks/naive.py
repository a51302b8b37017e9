"""The design tc8 does NOT use, kept as a yardstick: a per-commune, per-village geopandas loop.

For a random sample of communes, in a metric CRS (UTM 48N), this does what a first draft
written "one commune at a time" would do:

* select the commune's villages with ``villages.within(commune)`` (a scan of every village),
  its postal points and radio stations the same way;
* for **each village** (a Python loop): distance to every active 3G/4G/5G cell site against
  the site's radius (its ``radius_m`` or a radius by the commune's terrain), containment in
  every coverage polygon, the number of operating loudspeaker clusters within 300 m (a
  distance to every cluster), the distance to the nearest postal point of the commune;
* count covered villages and villages with a speaker.

It times each commune and extrapolates: ``setup_s + mean(per commune) × communes``. The setup
(reading the layers and projecting them) is timed apart. Answers are not compared with tc8's;
this only measures how the shape of the computation scales.

CLI (prints JSON)::

    python benchmarks/naive.py benchmarks/out/province.gpkg --sample 20
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import geopandas as gpd
import numpy as np

METRIC = "EPSG:32648"
RADIUS_4G = {"flat": 3000.0, "hilly": 2000.0, "mountainous": 1500.0}
SPEAKER_REACH_M = 300.0


def _load(path: str) -> dict[str, gpd.GeoDataFrame]:
    names = ("communes", "villages", "cell_sites", "coverage", "speakers", "postal_points", "radio_stations")
    return {name: gpd.read_file(path, layer=name).to_crs(METRIC) for name in names}


def assess_commune(layers: dict, commune) -> dict:
    """The naive per-commune computation for one commune row (a pandas Series)."""
    poly = commune.geometry
    villages = layers["villages"][layers["villages"].within(poly)]
    postal = layers["postal_points"][layers["postal_points"].within(poly)]
    stations = layers["radio_stations"][layers["radio_stations"].within(poly)]
    sites = layers["cell_sites"]
    sites = sites[sites["active"].astype(bool) & sites["technology"].isin(["3G", "4G", "5G"])]
    site_radius = sites["radius_m"].fillna(RADIUS_4G.get(commune["terrain"], 1500.0))
    speakers = layers["speakers"][layers["speakers"]["operating"].astype(bool)]
    coverage = layers["coverage"]
    covered = with_speaker = 0
    postal_km = []
    for _, village in villages.iterrows():  # the per-row loop this benchmark exists to time
        pt = village.geometry
        near_site = bool((sites.distance(pt) <= site_radius).any())
        in_polygon = bool(coverage.contains(pt).any())
        covered += near_site or in_polygon
        with_speaker += int((speakers.distance(pt) <= SPEAKER_REACH_M).sum()) > 0
        if len(postal):
            postal_km.append(float(postal.distance(pt).min()) / 1000.0)
    return {"villages": len(villages), "covered": covered, "with_speaker": with_speaker,
            "postal_points": len(postal), "stations": len(stations),
            "max_postal_km": max(postal_km) if postal_km else None}


def naive_run(path: str, sample: int = 20, seed: int = 0) -> dict:
    """Time the naive loop on ``sample`` random communes of ``path``; extrapolate to all."""
    t0 = time.perf_counter()
    layers = _load(path)
    setup = time.perf_counter() - t0
    communes = layers["communes"]
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(communes), size=min(sample, len(communes)), replace=False)
    times, villages = [], 0
    for i in picked:
        t = time.perf_counter()
        out = assess_commune(layers, communes.iloc[int(i)])
        times.append(time.perf_counter() - t)
        villages += out["villages"]
    mean = statistics.fmean(times)
    return {"communes": len(communes), "sampled": len(picked), "sampled_villages": villages,
            "setup_s": setup, "per_commune_mean_s": mean, "per_commune_median_s": statistics.median(times),
            "sample_s": sum(times), "extrapolated_s": setup + mean * len(communes)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time a naive per-commune loop and extrapolate.")
    parser.add_argument("path")
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(json.dumps(naive_run(args.path, args.sample, args.seed)))


if __name__ == "__main__":
    main()
