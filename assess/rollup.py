"""Province roll-up: the figures provincial reports use (criteria.md, "Standard province
indicators"). Computed from the results tables only.

* Average postal service radius R = sqrt(S / (pi * N)) km, S = land area (km²), N = postal
  service points of every kind (post offices, BĐVHX, agents, kiosks, letter boxes).
* Population per point = population / N.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .results import CRITERION, STATUSES


def service_radius_km(area_km2: float, n_points: int) -> float:
    """Average service radius (km) of ``n_points`` over ``area_km2``; NaN when there is no point."""
    if not n_points or n_points <= 0 or area_km2 is None or area_km2 < 0:
        return float("nan")
    return math.sqrt(area_km2 / (math.pi * n_points))


def population_per_point(population: float, n_points: int) -> float:
    """People per postal service point; NaN when there is no point."""
    if not n_points or n_points <= 0:
        return float("nan")
    return population / n_points


def _share(num: float, den: float) -> float:
    return float(100.0 * num / den) if den else float("nan")


def province_rollup(results) -> dict:
    """Counts of communes per status and indicator, postal figures, village coverage shares."""
    communes = results.communes
    codes = set(communes["commune_code"].astype(str))
    ind = results.indicators
    per_indicator = {}
    for ind_id, group in ind.groupby("indicator", sort=False):
        counts = group["status"].value_counts()
        per_indicator[ind_id] = {s: int(counts.get(s, 0)) for s in STATUSES}
    n = len(communes)
    area = communes["area_km2"].astype("float64")
    computed = communes.geometry.area.to_numpy() / 1e6
    area_km2 = float(np.where(area.isna().to_numpy(), computed, area.to_numpy(dtype=float, na_value=np.nan)).sum())
    population = float(communes["population"].astype("float64").fillna(0).sum())
    postal = results.layers.get("postal_points")
    if postal is not None:
        postal = postal[postal["commune_code"].astype(str).isin(codes)]
        n_points = int(len(postal))
        with_bdvhx = int(postal.loc[postal["kind"] == "bdvhx", "commune_code"].nunique())
    else:
        n_points, with_bdvhx = 0, 0
    villages = results.villages
    fixed = villages["fixed_broadband_ok"].astype("boolean")
    mobile = villages["mobile_broadband_ok"].astype("boolean")
    crit = per_indicator.get(CRITERION, {s: 0 for s in STATUSES})
    return {
        "n_communes": n,
        "indicators": per_indicator,
        "communes_passing": crit["dat"],
        "communes_passing_text_vi": f"{crit['dat']}/{n} xã đạt",
        "communes_passing_text_en": f"{crit['dat']}/{n} communes pass",
        "area_km2": round(area_km2, 3),
        "population": int(population),
        "postal_points": n_points,
        "postal_service_radius_km": service_radius_km(area_km2, n_points),
        "population_per_postal_point": population_per_point(population, n_points),
        "communes_with_bdvhx": with_bdvhx,
        "share_communes_with_bdvhx_pct": _share(with_bdvhx, n),
        "n_villages": int(len(villages)),
        "share_villages_fixed_broadband_pct": _share(int(fixed.fillna(False).sum()), len(villages)),
        "share_villages_mobile_broadband_pct": _share(int(mobile.fillna(False).sum()), len(villages)),
        "villages_broadband_unknown": int((fixed.isna() & mobile.isna()).sum()),
        "metric_crs": results.metric_crs,
    }
