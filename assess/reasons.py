"""Reason texts (Vietnamese and English) for villages, records and indicators.

Only the rows that need a reason (not covered, not passing) are formatted, so the cost is
bounded by the number of failures. Wording lives in ``templates/messages.yaml`` under
``reason.*``; numbers use the language's decimal mark (``6,2 km`` / ``6.2 km``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .messages import LANGS, fmt_number, text

SERVICE_PARTS = {  # service -> (mobile part name, fixed part name)
    "phone": ("mobile_voice", "fixed_phone"),
    "internet": ("mobile_broadband", "fixed_broadband"),
}


def _km(metres: float, lang: str) -> str:
    return fmt_number(metres / 1000.0, 1, lang)


def _mobile_part(lang, service, ok, has_polys, near, has_emitters, available, reported, share, need, techs):
    if ok is True:
        return ""
    head = text(f"reason.no_{service}_mobile", lang)
    bits = []
    if share is not None and 0 < share < need:
        bits.append(text("reason.partial_share", lang, share=fmt_number(share * 100, 0, lang),
                         need=fmt_number(need * 100, 0, lang)))
    if has_polys:
        bits.append(text("reason.outside_declared", lang, techs=has_polys))
    if has_emitters:
        if np.isnan(near["distance_m"]):
            bits.append(text("reason.no_active_site", lang, techs="/".join(techs)))
        elif near["distance_m"] > near["reach_m"]:
            bits.append(text("reason.nearest_site", lang, tech=near["label"],
                             dist=_km(near["distance_m"], lang), radius=_km(near["reach_m"], lang)))
    elif available:
        bits.append(text("reason.no_active_site", lang, techs="/".join(techs)))
    if reported is False:
        bits.append(text("reason.reported_no", lang))
    if not available and reported is not False:
        bits.append(text("reason.missing_mobile_data", lang))
    return head + " — " + "; ".join(bits) if bits else head


def _fixed_part(lang, service, ok, near, available, reported):
    if ok is True:
        return ""
    head = text(f"reason.no_{service}_fixed", lang)
    bits = []
    if available:
        if np.isnan(near["distance_m"]):
            bits.append(text("reason.no_fixed_node", lang))
        elif near["distance_m"] > near["reach_m"]:
            bits.append(text("reason.nearest_fixed", lang, tech=near["label"],
                             dist=_km(near["distance_m"], lang), radius=_km(near["reach_m"], lang)))
    if reported is False:
        bits.append(text("reason.reported_no", lang))
    if not available and reported is not False:
        bits.append(text("reason.missing_fixed_data", lang))
    return head + " — " + "; ".join(bits) if bits else head


def _maybe_bool(value):
    return None if pd.isna(value) else bool(value)


def telecom_reasons(service, rows, near_a, near_b, sa, sb, lists, villages, need):
    """Reason per not-covered village for ``service`` ("phone" | "internet"): (vi, en) arrays."""
    a, b = SERVICE_PARTS[service]
    techs = lists["phone_technologies"] if service == "phone" else lists["internet_technologies"]
    out = {lang: [] for lang in LANGS}
    polygon = rows["polygon"].to_numpy()
    declared_techs = "/".join(sorted(set(sa.polygon_label))) if len(sa.polygons) else ""
    for i in range(len(rows)):
        a_ok, b_ok = _maybe_bool(rows[f"{a}_ok"].iat[i]), _maybe_bool(rows[f"{b}_ok"].iat[i])
        a_rep = _maybe_bool(sa.reported.loc[villages.index[i]])
        b_rep = _maybe_bool(sb.reported.loc[villages.index[i]])
        share = rows[f"{a}_share"].iat[i] if polygon[i] else None
        for lang in LANGS:
            parts = [_mobile_part(lang, service, a_ok, declared_techs, near_a.iloc[i],
                                  len(sa.emitters) > 0, sa.layer_available, a_rep, share, need[i], techs),
                     _fixed_part(lang, service, b_ok, near_b.iloc[i], sb.layer_available, b_rep)]
            out[lang].append("; ".join(p for p in parts if p))
    return np.array(out["vi"], dtype=object), np.array(out["en"], dtype=object)


def speaker_missing(n: int):
    return (np.full(n, text("reason.missing_speakers", "vi"), dtype=object),
            np.full(n, text("reason.missing_speakers", "en"), dtype=object))


def speaker_reasons(frame: pd.DataFrame, broken: np.ndarray, reach: np.ndarray):
    """Reason per village without an operating cluster: none within reach, or all broken."""
    total = frame["speakers_total"].to_numpy(dtype=int)
    bad = frame["speakers_operating"].to_numpy(dtype=int) == 0
    out = {}
    for lang in LANGS:
        col = np.full(len(frame), "", dtype=object)
        for i in np.flatnonzero(bad):
            if total[i] == 0:
                col[i] = text("reason.no_speaker", lang, reach=fmt_number(reach[i], 0, lang))
            else:
                col[i] = text("reason.speakers_broken", lang, ids=broken[i])
        out[lang] = col
    return out["vi"], out["en"]


def join_limited(items: list[str], lang: str, limit: int = 10) -> str:
    """Join reasons with '; ', listing at most ``limit`` and saying how many more."""
    if len(items) <= limit:
        return "; ".join(items)
    return "; ".join(items[:limit]) + "; " + text("reason.and_more", lang, n=len(items) - limit)
