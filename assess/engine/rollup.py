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

:func:`figure_text` renders a figure with its unknown count for every consumer (terminal,
map panel, province workbook).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tc8.text.messages import fmt_number, text
from tc8.model.results import CRITERION, STATUSES


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


def _count(key: str, n: int, lang: str) -> str:
    """``key`` with ``n`` filled, in its singular form (``key_one``) for one."""
    return text(f"{key}_one" if n == 1 else key, lang, n=n)


#: roll-up figure -> (key of its unknown count, message key of that count)
UNKNOWN_COUNTS = {
    "share_villages_fixed_broadband_pct": ("villages_fixed_broadband_unknown", "rollup.villages_unknown"),
    "share_villages_mobile_broadband_pct": ("villages_mobile_broadband_unknown", "rollup.villages_unknown"),
    "population": ("communes_population_unknown", "rollup.communes_no_population"),
    "population_per_postal_point": ("communes_population_unknown", "rollup.communes_no_population"),
}
#: figures that are unknown when the postal layer is absent
POSTAL_FIGURES = ("postal_points", "postal_service_radius_km", "population_per_postal_point",
                  "communes_with_bdvhx", "share_communes_with_bdvhx_pct")


def is_unknown(value) -> bool:
    """None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def unknown_note(rollup: dict, key: str, lang: str) -> str:
    """Why/how much of figure ``key`` is unknown ("12 thôn chưa rõ", "no postal_points layer"); "" if nothing."""
    if key in POSTAL_FIGURES and rollup.get("postal_points_layer") is False:
        return text("rollup.no_postal_layer", lang)
    count_key, message = UNKNOWN_COUNTS.get(key, (None, None))
    n = int(rollup.get(count_key) or 0) if count_key else 0
    return _count(message, n, lang) if n else ""


def figure_text(rollup: dict, key: str, lang: str, decimals: int = 1, unit: str = "") -> str:
    """Figure ``key`` as text with its unknown count: ``46,0% (12 thôn chưa rõ)``,
    ``chưa rõ (3 thôn chưa rõ)``; the number alone when everything is known; "—" for a figure
    that is undefined with nothing unknown (a radius without any postal point)."""
    value = rollup.get(key)
    note = unknown_note(rollup, key, lang)
    if is_unknown(value):
        shown = text("word.unknown", lang) if note else fmt_number(None)
    else:
        shown = fmt_number(value, decimals, lang) + unit
    return f"{shown} ({note})" if note else shown


def province_rollup(results) -> dict:
    """Counts of communes per status and indicator, postal figures, village coverage shares
    (see the module docstring for unknowns)."""
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
    pop = communes["population"].astype("float64")
    pop_known = pop.notna().to_numpy()
    n_pop_unknown = int((~pop_known).sum())
    population = float(pop[pop_known].sum()) if pop_known.any() else None
    postal = results.layers.get("postal_points")
    if postal is not None:
        postal = postal[postal["commune_code"].astype(str).isin(codes)]
        n_points = int(len(postal))
        with_bdvhx = int(postal.loc[postal["kind"] == "bdvhx", "commune_code"].nunique())
        known_codes = set(communes.loc[pop_known, "commune_code"].astype(str))
        points_known = int(postal["commune_code"].astype(str).isin(known_codes).sum())
        complete = n_pop_unknown == 0 and population is not None
        per_point = population_per_point(population, n_points) if complete else float("nan")
        per_point_partial = population_per_point(population, points_known) if population is not None \
            else float("nan")
        bdvhx_share = _share(with_bdvhx, n)
    else:
        n_points = with_bdvhx = None
        per_point = per_point_partial = bdvhx_share = float("nan")
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
        "population": None if population is None else int(population),
        "communes_population_unknown": n_pop_unknown,
        "postal_points_layer": postal is not None,
        "postal_points": n_points,
        "postal_service_radius_km": service_radius_km(area_km2, n_points),
        "population_per_postal_point": per_point,
        "population_per_postal_point_partial": per_point_partial if n_pop_unknown else per_point,
        "communes_with_bdvhx": with_bdvhx,
        "share_communes_with_bdvhx_pct": bdvhx_share,
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
