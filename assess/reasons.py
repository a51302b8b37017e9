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


def _mobile_part(lang, service, ok, declared, near, has_emitters, available, reported, share, need, techs):
    """``near`` is (distance_m, reach_m, label) of the nearest active site, NaN when none."""
    if ok is True:
        return ""
    head = text(f"reason.no_{service}_mobile", lang)
    bits = []
    if share is not None and 0 < share < need:
        bits.append(text("reason.partial_share", lang, share=fmt_number(share * 100, 0, lang),
                         need=fmt_number(need * 100, 0, lang)))
    if declared:
        bits.append(text("reason.outside_declared", lang, techs=declared))
    dist, reach, label = near
    if has_emitters:
        if np.isnan(dist):
            bits.append(text("reason.no_active_site", lang, techs="/".join(techs)))
        elif dist > reach:
            bits.append(text("reason.nearest_site", lang, tech=label, dist=_km(dist, lang), radius=_km(reach, lang)))
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
    dist, reach, label = near
    if available:
        if np.isnan(dist):
            bits.append(text("reason.no_fixed_node", lang))
        elif dist > reach:
            bits.append(text("reason.nearest_fixed", lang, tech=label, dist=_km(dist, lang), radius=_km(reach, lang)))
    if reported is False:
        bits.append(text("reason.reported_no", lang))
    if not available and reported is not False:
        bits.append(text("reason.missing_fixed_data", lang))
    return head + " — " + "; ".join(bits) if bits else head


def _plain(values) -> list:
    """Nullable values as Python True/False/None."""
    return [None if v is pd.NA or v is None or (isinstance(v, float) and np.isnan(v)) else bool(v)
            for v in values]


def _near(frame: pd.DataFrame) -> list:
    return list(zip(frame["distance_m"].to_numpy(dtype=float), frame["reach_m"].to_numpy(dtype=float),
                    frame["label"].to_numpy(dtype=object)))


def telecom_reasons(service, rows, near_a, near_b, sa, sb, lists, villages, need):
    """Reason per not-covered village for ``service`` ("phone" | "internet"): (vi, en) arrays.

    Values are pulled out of pandas once; the loop runs over plain Python values only.
    """
    a, b = SERVICE_PARTS[service]
    techs = lists["phone_technologies"] if service == "phone" else lists["internet_technologies"]
    declared = "/".join(sorted(set(sa.polygon_label))) if len(sa.polygons) else ""
    a_ok, b_ok = _plain(rows[f"{a}_ok"].to_numpy(dtype=object)), _plain(rows[f"{b}_ok"].to_numpy(dtype=object))
    a_rep = _plain(sa.reported.loc[villages.index].to_numpy(dtype=object))
    b_rep = _plain(sb.reported.loc[villages.index].to_numpy(dtype=object))
    polygon = rows["polygon"].to_numpy(dtype=bool)
    share = rows[f"{a}_share"].to_numpy(dtype=float)
    na, nb = _near(near_a), _near(near_b)
    has_emitters = len(sa.emitters) > 0
    out = {}
    for lang in LANGS:
        col = []
        for i in range(len(a_ok)):
            parts = (_mobile_part(lang, service, a_ok[i], declared, na[i], has_emitters, sa.layer_available,
                                  a_rep[i], share[i] if polygon[i] else None, need[i], techs),
                     _fixed_part(lang, service, b_ok[i], nb[i], sb.layer_available, b_rep[i]))
            col.append("; ".join(p for p in parts if p))
        out[lang] = np.array(col, dtype=object)
    return out["vi"], out["en"]


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
