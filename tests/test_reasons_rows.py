"""The column-wise reason texts say exactly what the per-village functions say.

:func:`tc8.text.reasons.telecom_reasons` and :func:`tc8.text.reasons.text_rows` build texts column by
column for speed; ``_mobile_part`` / ``_fixed_part`` below (one village at a time, plain
``text`` calls) and :func:`tc8.text.messages.text` are the one-row references. Random rows cover every branch
(covered / not / unknown, reported yes / no / empty, polygon shares, no site, site too far,
layers present or absent).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from tc8.text import reasons
from tc8.text.messages import LANGS, fmt_number, text

TRI = np.array([True, False, None], dtype=object)


# --- one-village reference: what a village's telephone / Internet reason must say ------------

def _km(metres: float, lang: str) -> str:
    return fmt_number(metres / 1000.0, 1, lang)


def _mobile_part(lang, service, ok, declared, near, has_emitters, available, reported, share, need, techs):
    """``near`` is (distance_m, reach_m, label, record id) of the nearest active site, NaN when none."""
    if ok is True:
        return ""
    head = text(f"reason.no_{service}_mobile", lang)
    bits = []
    if share is not None and 0 < share < need:
        bits.append(text("reason.partial_share", lang, share=fmt_number(share * 100, 0, lang),
                         need=fmt_number(need * 100, 0, lang)))
    if declared:
        bits.append(text("reason.outside_declared", lang, techs=declared))
    dist, reach, label, record = near
    if has_emitters:
        if np.isnan(dist):
            bits.append(text("reason.no_active_site", lang, techs="/".join(techs)))
        elif dist > reach:
            bits.append(text("reason.nearest_site", lang, tech=label, site=record, dist=_km(dist, lang),
                             radius=_km(reach, lang)))
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
    dist, reach, label, record = near
    if available:
        if np.isnan(dist):
            bits.append(text("reason.no_fixed_node", lang))
        elif dist > reach:
            bits.append(text("reason.nearest_fixed", lang, tech=label, site=record, dist=_km(dist, lang),
                             radius=_km(reach, lang)))
    if reported is False:
        bits.append(text("reason.reported_no", lang))
    if not available and reported is not False:
        bits.append(text("reason.missing_fixed_data", lang))
    return head + " — " + "; ".join(bits) if bits else head



def _sources(rng, n, *, polygons, emitters, available):
    reported = pd.Series(pd.array(rng.choice(TRI, n), dtype="boolean"))
    return SimpleNamespace(polygons=np.empty(2 if polygons else 0), polygon_label=np.array(["4G", "3G"])[:2 if polygons else 0],
                           emitters=np.empty(3 if emitters else 0), layer_available=available, reported=reported)


def _near(rng, n):
    dist = rng.choice([np.nan, 500.0, 1500.0, 2500.0, 3000.0, 6200.0], n)
    reach = rng.choice([1500.0, 3000.0, np.nan], n)
    return pd.DataFrame({"distance_m": dist, "reach_m": reach,
                         "label": rng.choice(np.array(["4G", "FTTH", ""], dtype=object), n),
                         "record": rng.choice(np.array(["S1", "N7", ""], dtype=object), n)})


def _reference(service, rows, near_a, near_b, sa, sb, lists, villages, need):
    a, b = reasons.SERVICE_PARTS[service]
    techs = lists["phone_technologies"] if service == "phone" else lists["internet_technologies"]
    declared = "/".join(sorted(set(sa.polygon_label))) if len(sa.polygons) else ""
    a_ok, b_ok = reasons._plain(rows[f"{a}_ok"].to_numpy(dtype=object)), reasons._plain(rows[f"{b}_ok"].to_numpy(dtype=object))
    a_rep = reasons._plain(sa.reported.loc[villages.index].to_numpy(dtype=object))
    b_rep = reasons._plain(sb.reported.loc[villages.index].to_numpy(dtype=object))
    polygon = rows["polygon"].to_numpy(dtype=bool)
    share = rows[f"{a}_share"].to_numpy(dtype=float)
    na = list(zip(near_a["distance_m"], near_a["reach_m"], near_a["label"], near_a["record"]))
    nb = list(zip(near_b["distance_m"], near_b["reach_m"], near_b["label"], near_b["record"]))
    out = {}
    for lang in LANGS:
        out[lang] = np.array(["; ".join(p for p in (
            _mobile_part(lang, service, a_ok[i], declared, na[i], len(sa.emitters) > 0, sa.layer_available,
                                 a_rep[i], share[i] if polygon[i] else None, need[i], techs),
            _fixed_part(lang, service, b_ok[i], nb[i], sb.layer_available, b_rep[i])) if p)
            for i in range(len(a_ok))], dtype=object)
    return out["vi"], out["en"]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("service", ["phone", "internet"])
def test_telecom_reasons_match_the_per_village_reference(seed, service):
    rng = np.random.default_rng(seed)
    n = 300
    a, b = reasons.SERVICE_PARTS[service]
    rows = pd.DataFrame({f"{a}_ok": pd.array(rng.choice(TRI, n), dtype="boolean"),
                         f"{b}_ok": pd.array(rng.choice(TRI, n), dtype="boolean"),
                         "polygon": rng.random(n) < 0.4,
                         f"{a}_share": rng.choice([0.0, 0.3, 0.75, 1.0, np.nan], n)},
                        index=np.arange(n) * 2)
    villages = pd.DataFrame(index=rows.index)
    flags = rng.random(5) < 0.5
    sa = _sources(rng, 2 * n, polygons=flags[0], emitters=flags[1], available=bool(flags[2]))
    sb = _sources(rng, 2 * n, polygons=False, emitters=flags[3], available=bool(flags[4]))
    near_a, near_b = _near(rng, n), _near(rng, n)
    need = rng.choice([0.5, 0.8, np.nan], n)
    lists = {"phone_technologies": ["2G", "3G", "4G"], "internet_technologies": ["3G", "4G"]}
    got = reasons.telecom_reasons(service, rows, near_a, near_b, sa, sb, lists, villages, need)
    want = _reference(service, rows, near_a, near_b, sa, sb, lists, villages, need)
    for g, w in zip(got, want):
        assert list(g) == list(w)


def test_text_rows_matches_text():
    names = np.array(["Thôn 5", None, pd.NA, "Buôn {x}"], dtype=object)
    got = reasons.text_rows("reason.village", "vi", name=names, id=[1, 2, 3, 4], why="x")
    assert list(got) == [text("reason.village", "vi", name=v, id=i, why="x") for v, i in zip(names, [1, 2, 3, 4])]
    assert list(reasons.text_rows("no.such.key", "en", n=[1, 2])) == ["no.such.key"] * 2
    values = np.array([300.0, np.nan, 1500.0, 300.0, 1234567.891])
    for lang in LANGS:
        assert list(reasons.fmt_numbers(values, 0, lang)) == [fmt_number(v, 0, lang) for v in values]
