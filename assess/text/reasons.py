"""Reason texts (Vietnamese and English) for villages, records and indicators.

Only the rows that need a reason (not covered, not passing) are formatted, so the cost is
bounded by the number of failures. Wording lives in ``templates/messages.yaml`` under
``reason.*``; numbers use the language's decimal mark (``6,2 km`` / ``6.2 km``).
"""
from __future__ import annotations

import string

import numpy as np
import pandas as pd

from tc8.model.vocab import SERVICE_PARTS  # service -> (mobile part, fixed part)

from .messages import LANGS, catalogue, fmt_number, text
from .join import join_pair


def text_rows(key: str, lang: str, **columns) -> np.ndarray:
    """``text(key, lang, **row)`` for every row of ``columns`` (equal-length arrays or scalars),
    as an object array. The template is split once and its pieces are concatenated column by
    column, so 10^5 rows cost milliseconds instead of a format call each. Values are turned
    into text with ``str`` (as ``str.format`` does without a format spec)."""
    n = max((len(v) for v in columns.values() if np.ndim(v)), default=1)
    entry = catalogue().get(key)
    template = key if entry is None else (entry.get(lang) or entry.get("vi") or key)
    out = np.full(n, "", dtype=object)
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            out = out + literal
        if name is None:
            continue
        if spec or conversion or name not in columns:
            if name in columns:  # rare: fall back to the formatter row by row
                rows = [dict(zip(columns, vals)) for vals in zip(*(np.broadcast_to(
                    np.asarray(v, dtype=object), (n,)) for v in columns.values()))]
                return np.array([text(key, lang, **r) for r in rows], dtype=object)
            out = out + "{" + name + "}"
            continue
        value = columns[name]
        if np.ndim(value):
            out = out + np.array([v if type(v) is str else str(v) for v in value], dtype=object)
        else:
            out = out + str(value)
    return out


def fmt_numbers(values, decimals: int, lang: str) -> np.ndarray:
    """:func:`~tc8.text.messages.fmt_number` of every value, formatting each distinct value once."""
    values = np.asarray(values, dtype=float)
    if not values.size:
        return np.empty(0, dtype=object)
    uniq, inverse = np.unique(values, return_inverse=True)
    return np.array([fmt_number(u, decimals, lang) for u in uniq.tolist()], dtype=object)[inverse.ravel()]


def _plain(values) -> list:
    """Nullable values as Python True/False/None."""
    return [None if v is pd.NA or v is None or (isinstance(v, float) and np.isnan(v)) else bool(v)
            for v in values]


def _bits(n: int, pieces) -> np.ndarray:
    """``"; "``-join, per row, the texts of ``pieces`` ((mask, text array or str), ...) whose mask holds."""
    acc = np.full(n, "", dtype=object)
    for mask, piece in pieces:
        mask = np.broadcast_to(np.asarray(mask, dtype=bool), (n,))
        if not mask.any():
            continue
        piece = np.broadcast_to(np.asarray(piece, dtype=object), (n,))
        acc = np.where(mask, np.where(acc == "", piece, acc + "; " + piece), acc)
    return acc


def _part(head: str, ok_true: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """``head — bits`` (just ``head`` without bits); "" where the service is available."""
    return np.where(ok_true, "", np.where(bits != "", head + " — " + bits, head))


def _mobile_rows(lang, service, ok, declared, near, has_emitters, available, reported, share, need, techs):
    """Mobile-part reason of every row at once (``share`` NaN where not a polygon village)."""
    n = len(ok)
    dist, reach, label, record = near
    with np.errstate(invalid="ignore"):
        partial = (share > 0) & (share < need)
        far = has_emitters & ~np.isnan(dist) & (dist > reach)
    partial_text = np.full(n, "", dtype=object)
    if partial.any():
        partial_text[partial] = text_rows("reason.partial_share", lang, share=fmt_numbers(share[partial] * 100, 0, lang),
                                          need=fmt_numbers(need[partial] * 100, 0, lang))
    far_text = np.full(n, "", dtype=object)
    if far.any():
        far_text[far] = text_rows("reason.nearest_site", lang, tech=label[far], site=record[far],
                                  dist=fmt_numbers(dist[far] / 1000.0, 1, lang),
                                  radius=fmt_numbers(reach[far] / 1000.0, 1, lang))
    no_site = (has_emitters & np.isnan(dist)) | (not has_emitters and available)
    rep_no = reported == False  # noqa: E712 - elementwise on True/False/None
    bits = _bits(n, [(partial, partial_text),
                     (bool(declared), text("reason.outside_declared", lang, techs=declared) if declared else ""),
                     (no_site, text("reason.no_active_site", lang, techs="/".join(techs))),
                     (far, far_text),
                     (rep_no, text("reason.reported_no", lang)),
                     (~rep_no & (not available), text("reason.missing_mobile_data", lang))])
    return _part(text(f"reason.no_{service}_mobile", lang), ok == True, bits)  # noqa: E712


def _fixed_rows(lang, service, ok, near, available, reported):
    """Fixed-part reason of every row at once."""
    n = len(ok)
    dist, reach, label, record = near
    with np.errstate(invalid="ignore"):
        far = available & ~np.isnan(dist) & (dist > reach)
    far_text = np.full(n, "", dtype=object)
    if far.any():
        far_text[far] = text_rows("reason.nearest_fixed", lang, tech=label[far], site=record[far],
                                  dist=fmt_numbers(dist[far] / 1000.0, 1, lang),
                                  radius=fmt_numbers(reach[far] / 1000.0, 1, lang))
    rep_no = reported == False  # noqa: E712 - elementwise on True/False/None
    bits = _bits(n, [(available & np.isnan(dist), text("reason.no_fixed_node", lang)),
                     (far, far_text),
                     (rep_no, text("reason.reported_no", lang)),
                     (~rep_no & (not available), text("reason.missing_fixed_data", lang))])
    return _part(text(f"reason.no_{service}_fixed", lang), ok == True, bits)  # noqa: E712


def _near_arrays(frame: pd.DataFrame) -> tuple:
    return (frame["distance_m"].to_numpy(dtype=float), frame["reach_m"].to_numpy(dtype=float),
            frame["label"].to_numpy(dtype=object), frame["record"].to_numpy(dtype=object))


def telecom_reasons(service, rows, near_a, near_b, sa, sb, lists, villages, need):
    """Reason per not-covered village for ``service`` ("phone" | "internet"): (vi, en) arrays.

    Built column-wise (one mask and one template per clause, see :func:`_mobile_rows`);
    ``tests/test_reasons_rows.py`` keeps a one-village reference that must say the same.
    """
    a, b = SERVICE_PARTS[service]
    techs = lists["phone_technologies"] if service == "phone" else lists["internet_technologies"]
    declared = "/".join(sorted(set(sa.polygon_label))) if len(sa.polygons) else ""
    a_ok = np.array(_plain(rows[f"{a}_ok"].to_numpy(dtype=object)), dtype=object)
    b_ok = np.array(_plain(rows[f"{b}_ok"].to_numpy(dtype=object)), dtype=object)
    a_rep = np.array(_plain(sa.reported.loc[villages.index].to_numpy(dtype=object)), dtype=object)
    b_rep = np.array(_plain(sb.reported.loc[villages.index].to_numpy(dtype=object)), dtype=object)
    polygon = rows["polygon"].to_numpy(dtype=bool)
    share = np.where(polygon, rows[f"{a}_share"].to_numpy(dtype=float), np.nan)
    need = np.asarray(need, dtype=float)
    na, nb = _near_arrays(near_a), _near_arrays(near_b)
    has_emitters = len(sa.emitters) > 0
    out = {}
    for lang in LANGS:
        mobile = _mobile_rows(lang, service, a_ok, declared, na, has_emitters, sa.layer_available, a_rep,
                              share, need, techs)
        fixed = _fixed_rows(lang, service, b_ok, nb, sb.layer_available, b_rep)
        out[lang] = join_pair(mobile, fixed).astype(object)
    return out["vi"], out["en"]


def speaker_missing(n: int):
    return (np.full(n, text("reason.missing_speakers", "vi"), dtype=object),
            np.full(n, text("reason.missing_speakers", "en"), dtype=object))


def speaker_reasons(frame: pd.DataFrame, broken: np.ndarray, reach: np.ndarray):
    """Reason per village without an operating cluster: none within reach, or all broken."""
    total = frame["speakers_total"].to_numpy(dtype=int)
    bad = frame["speakers_operating"].to_numpy(dtype=int) == 0
    none, off = bad & (total == 0), bad & (total != 0)
    out = {}
    for lang in LANGS:
        col = np.full(len(frame), "", dtype=object)
        col[none] = text_rows("reason.no_speaker", lang, reach=fmt_numbers(reach[none], 0, lang))
        col[off] = text_rows("reason.speakers_broken", lang, ids=broken[off])
        out[lang] = col
    return out["vi"], out["en"]
