"""Province roll-up: the figures provincial reports use (criteria.md, "Standard province
indicators"). Computed from the results tables only.

* Average postal service radius R = sqrt(S / (pi * N)) km, S = land area (km²), N = postal
  service points of every kind (post offices, BĐVHX, agents, kiosks, letter boxes).
* Population per point = population / N.

Unknown stays unknown (issue 7, class 7), with the count of unknowns beside the figure:

* village shares (fixed / mobile broadband) are over the villages where it is known
  (``villages_*_unknown`` counts the others); None when it is known in no village;
* ``population`` sums the communes whose population is known (None when none is);
  ``communes_population_unknown`` counts the others. ``population_per_postal_point`` is the
  province figure only when every commune's population is known, else NaN (unknown);
  ``population_per_postal_point_partial`` is then the figure over the communes with a
  population and their points (NaN when there is none);
* without a ``postal_points`` layer the point counts and BĐVHX share are None (not 0).

The figures are numbers; their wording (with the unknown counts) is :mod:`tc8.text.figures`
(:func:`~tc8.text.figures.figure_text`). The two
``communes_passing_text_*`` entries of the roll-up are rendered from the message catalogue.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tc8.model.results import CRITERION, STATUSES, Results
from tc8.text.figures import communes_passing_text


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


def _status_counts(indicators: pd.DataFrame) -> dict:
    """Indicator id -> {status: number of communes}, in the indicators' order."""
    per_indicator = {}
    for ind_id, group in indicators.groupby("indicator", sort=False):
        counts = group["status"].value_counts()
        per_indicator[ind_id] = {s: int(counts.get(s, 0)) for s in STATUSES}
    return per_indicator


def _land_area_km2(communes: pd.DataFrame) -> float:
    """Sum of the communes' land area (km²): the declared ``area_km2``, else the polygon's area."""
    area = communes["area_km2"].astype("float64")
    computed = communes.geometry.area.to_numpy() / 1e6
    return float(np.where(area.isna().to_numpy(), computed, area.to_numpy(dtype=float, na_value=np.nan)).sum())


def _postal_figures(results: Results, *, population: float | None, pop_known: np.ndarray, n_pop_unknown: int) -> dict:
    """Point count, people per point (whole and partial, see the module docstring), communes with
    a BĐVHX; None counts and NaN figures without a ``postal_points`` layer."""
    communes = results.communes
    postal = results.layers.get("postal_points")
    if postal is None:
        nan = float("nan")
        return {"layer": False, "points": None, "per_point": nan, "per_point_partial": nan,
                "with_bdvhx": None, "bdvhx_share": nan}
    postal = postal[postal["commune_code"].astype(str).isin(set(communes["commune_code"].astype(str)))]
    n_points = int(len(postal))
    with_bdvhx = int(postal.loc[postal["kind"] == "bdvhx", "commune_code"].nunique())
    known_codes = set(communes.loc[pop_known, "commune_code"].astype(str))
    points_known = int(postal["commune_code"].astype(str).isin(known_codes).sum())
    complete = n_pop_unknown == 0 and population is not None
    per_point = population_per_point(population, n_points) if complete else float("nan")
    partial = population_per_point(population, points_known) if population is not None else float("nan")
    return {"layer": True, "points": n_points, "per_point": per_point, "per_point_partial": partial,
            "with_bdvhx": with_bdvhx, "bdvhx_share": _share(with_bdvhx, len(communes))}


def province_rollup(results: Results) -> dict:
    """Counts of communes per status and indicator, postal figures, village coverage shares
    (see the module docstring for unknowns)."""
    communes = results.communes
    per_indicator = _status_counts(results.indicators)
    n = len(communes)
    area_km2 = _land_area_km2(communes)
    pop = communes["population"].astype("float64")
    pop_known = pop.notna().to_numpy()
    n_pop_unknown = int((~pop_known).sum())
    population = float(pop[pop_known].sum()) if pop_known.any() else None
    postal = _postal_figures(results, population=population, pop_known=pop_known, n_pop_unknown=n_pop_unknown)
    villages = results.villages
    fixed = villages["fixed_broadband_ok"].astype("boolean")
    mobile = villages["mobile_broadband_ok"].astype("boolean")
    crit = per_indicator.get(CRITERION, {s: 0 for s in STATUSES})
    return {
        "n_communes": n,
        "indicators": per_indicator,
        "communes_passing": crit["dat"],
        "communes_passing_text_vi": communes_passing_text(crit["dat"], n, "vi"),
        "communes_passing_text_en": communes_passing_text(crit["dat"], n, "en"),
        "area_km2": round(area_km2, 3),
        "population": None if population is None else int(population),
        "communes_population_unknown": n_pop_unknown,
        "postal_points_layer": postal["layer"],
        "postal_points_incomplete": "postal_points" in results.incomplete_layers,
        "postal_points": postal["points"],
        "postal_service_radius_km": service_radius_km(area_km2, postal["points"]),
        "population_per_postal_point": postal["per_point"],
        "population_per_postal_point_partial": postal["per_point_partial"] if n_pop_unknown else postal["per_point"],
        "communes_with_bdvhx": postal["with_bdvhx"],
        "share_communes_with_bdvhx_pct": postal["bdvhx_share"],
        "n_villages": int(len(villages)),
        "share_villages_fixed_broadband_pct": _known_share(fixed),
        "villages_fixed_broadband_unknown": int(fixed.isna().sum()),
        "share_villages_mobile_broadband_pct": _known_share(mobile),
        "villages_mobile_broadband_unknown": int(mobile.isna().sum()),
        "villages_broadband_unknown": int((fixed.isna() & mobile.isna()).sum()),
        "metric_crs": results.metric_crs,
    }


def _known_share(flag: pd.Series) -> float:
    """Share (%) of the villages where ``flag`` is known that have it; NaN when none is known."""
    known = flag.dropna()
    return _share(int(known.astype(bool).sum()), len(known))
