"""Province roll-up figures as text, each with its count of unknowns (issue 7, class 7).

The figures themselves are computed by :func:`tc8.engine.rollup.province_rollup`; this module
only words them, for every consumer (terminal summary, map panel, province workbook):
``46,0% (12 thôn chưa rõ)``, ``chưa rõ (3 xã thiếu dân số)``, ``—`` for a figure that is
undefined with nothing unknown. Wording lives in ``templates/messages.yaml`` (``rollup.*``).
"""
from __future__ import annotations

import math

from .messages import fmt_number, text

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


def _count(key: str, n: int, lang: str) -> str:
    """``key`` with ``n`` filled, in its singular form (``key_one``) for one."""
    return text(f"{key}_one" if n == 1 else key, lang, n=n)


def is_unknown(value) -> bool:
    """None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def unknown_note(rollup: dict, key: str, lang: str) -> str:
    """Why/how much of figure ``key`` is unknown ("12 thôn chưa rõ", "no postal_points layer"); "" if nothing."""
    if key in POSTAL_FIGURES and rollup.get("postal_points_layer") is False:
        return text("rollup.no_postal_layer", lang)
    count_key, message = UNKNOWN_COUNTS.get(key, (None, None))
    n = int(rollup.get(count_key) or 0) if count_key else 0
    note = _count(message, n, lang) if n else ""
    if key == "postal_points" and rollup.get("postal_points_incomplete"):
        # said once, on the count the other postal figures derive from
        note = "; ".join(x for x in (note, text("rollup.postal_incomplete", lang)) if x)
    return note


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


def communes_passing_text(passing: int, n_communes: int, lang: str) -> str:
    """``12/40 xã đạt`` / ``12/40 communes pass``."""
    return text("rollup.communes_passing", lang, passing=passing, n=n_communes)
