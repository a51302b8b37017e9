"""Reason texts (Vietnamese and English) for villages, records and indicators.

Only the rows that need a reason (not covered, not passing) are formatted, so the cost is
bounded by the number of failures. Wording lives in ``templates/messages.yaml`` under
``reason.*``; numbers use the language's decimal mark (``6,2 km`` / ``6.2 km``).
"""
from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

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


class Nearest(NamedTuple):
    """The nearest active site / access node of every row: distance and reach (m), its
    technology label and record id (NaN distance where there is none)."""

    dist: np.ndarray
    reach: np.ndarray
    label: np.ndarray
    record: np.ndarray


@dataclass(frozen=True)
class PartEvidence:
    """What the reason of one part of a service (mobile or fixed) is built from, one entry per row."""

    ok: np.ndarray
    """True/False/None: the part is available at the village."""
    reported: np.ndarray
    """True/False/None: what the village reported."""
    near: Nearest
    available: bool
    """A layer that could cover villages is present."""


@dataclass(frozen=True)
class MobileEvidence(PartEvidence):
    """The mobile part's evidence: :class:`PartEvidence` plus coverage polygons and cell sites."""

    share: np.ndarray
    """Covered share 0..1 of a polygon village (NaN for other villages)."""
    need: np.ndarray
    """Share 0..1 the village needs."""
    declared: str
    """Technologies of the declared coverage polygons (``3G/4G``), "" without polygons."""
    has_emitters: bool
    """There is at least one active cell site."""
    techs: tuple[str, ...]
    """The technologies that count for the service."""


class Sources(Protocol):
    """What :func:`telecom_reasons` reads of a part's sources (:class:`tc8.measures.coverage.Sources`)."""

    polygons: Sequence
    polygon_label: np.ndarray
    emitters: Sequence
    reported: pd.Series
    layer_available: bool


def _far_text(key: str, lang: str, far: np.ndarray, near: Nearest) -> np.ndarray:
    """``key`` (nearest site / node too far) for the rows of ``far``; "" elsewhere."""
    out = np.full(len(far), "", dtype=object)
    if far.any():
        out[far] = text_rows(key, lang, tech=near.label[far], site=near.record[far],
                             dist=fmt_numbers(near.dist[far] / 1000.0, 1, lang),
                             radius=fmt_numbers(near.reach[far] / 1000.0, 1, lang))
    return out


def _mobile_rows(ev: MobileEvidence, *, lang: str, service: str) -> np.ndarray:
    """Mobile-part reason of every row at once ("" where the part is available)."""
    n = len(ev.ok)
    with np.errstate(invalid="ignore"):
        partial = (ev.share > 0) & (ev.share < ev.need)
        far = ev.has_emitters & ~np.isnan(ev.near.dist) & (ev.near.dist > ev.near.reach)
    partial_text = np.full(n, "", dtype=object)
    if partial.any():
        partial_text[partial] = text_rows("reason.partial_share", lang,
                                          share=fmt_numbers(ev.share[partial] * 100, 0, lang),
                                          need=fmt_numbers(ev.need[partial] * 100, 0, lang))
    no_site = (ev.has_emitters & np.isnan(ev.near.dist)) | (not ev.has_emitters and ev.available)
    rep_no = ev.reported == False  # noqa: E712 - elementwise on True/False/None
    declared = text("reason.outside_declared", lang, techs=ev.declared) if ev.declared else ""
    bits = _bits(n, [(partial, partial_text),
                     (bool(ev.declared), declared),
                     (no_site, text("reason.no_active_site", lang, techs="/".join(ev.techs))),
                     (far, _far_text("reason.nearest_site", lang, far, ev.near)),
                     (rep_no, text("reason.reported_no", lang)),
                     (~rep_no & (not ev.available), text("reason.missing_mobile_data", lang))])
    return _part(text(f"reason.no_{service}_mobile", lang), ev.ok == True, bits)  # noqa: E712


def _fixed_rows(ev: PartEvidence, *, lang: str, service: str) -> np.ndarray:
    """Fixed-part reason of every row at once ("" where the part is available)."""
    n = len(ev.ok)
    with np.errstate(invalid="ignore"):
        far = ev.available & ~np.isnan(ev.near.dist) & (ev.near.dist > ev.near.reach)
    rep_no = ev.reported == False  # noqa: E712 - elementwise on True/False/None
    bits = _bits(n, [(ev.available & np.isnan(ev.near.dist), text("reason.no_fixed_node", lang)),
                     (far, _far_text("reason.nearest_fixed", lang, far, ev.near)),
                     (rep_no, text("reason.reported_no", lang)),
                     (~rep_no & (not ev.available), text("reason.missing_fixed_data", lang))])
    return _part(text(f"reason.no_{service}_fixed", lang), ev.ok == True, bits)  # noqa: E712


def _nearest(frame: pd.DataFrame) -> Nearest:
    return Nearest(frame["distance_m"].to_numpy(dtype=float), frame["reach_m"].to_numpy(dtype=float),
                   frame["label"].to_numpy(dtype=object), frame["record"].to_numpy(dtype=object))


def _tri(values) -> np.ndarray:
    """Nullable values as an object array of True/False/None."""
    return np.array(_plain(values.to_numpy(dtype=object)), dtype=object)


def telecom_reasons(service: str, rows: pd.DataFrame, near_a: pd.DataFrame, near_b: pd.DataFrame, sa: Sources,
                    sb: Sources, lists: Mapping[str, Sequence[str]], villages: pd.DataFrame,
                    need) -> tuple[np.ndarray, np.ndarray]:
    """Reason per not-covered village for ``service`` ("phone" | "internet"): (vi, en) arrays.

    ``rows``: the villages' ``<part>_ok`` columns, ``polygon`` and the mobile ``<part>_share``
    (0..1); ``near_a``/``near_b``: nearest site / node of the mobile / fixed part (metres);
    ``sa``/``sb``: their sources; ``lists``: the rule set's technology lists; ``need``: the
    share each village needs (0..1). Built column-wise (one mask and one template per clause);
    ``tests/test_reasons_rows.py`` keeps a one-village reference that must say the same.
    """
    a, b = SERVICE_PARTS[service]
    polygon = rows["polygon"].to_numpy(dtype=bool)
    mobile = MobileEvidence(
        ok=_tri(rows[f"{a}_ok"]), reported=_tri(sa.reported.loc[villages.index]), near=_nearest(near_a),
        available=sa.layer_available, share=np.where(polygon, rows[f"{a}_share"].to_numpy(dtype=float), np.nan),
        need=np.asarray(need, dtype=float),
        declared="/".join(sorted(set(sa.polygon_label))) if len(sa.polygons) else "",
        has_emitters=len(sa.emitters) > 0, techs=tuple(lists[f"{service}_technologies"]))
    fixed = PartEvidence(ok=_tri(rows[f"{b}_ok"]), reported=_tri(sb.reported.loc[villages.index]),
                         near=_nearest(near_b), available=sb.layer_available)
    out = {lang: join_pair(_mobile_rows(mobile, lang=lang, service=service),
                           _fixed_rows(fixed, lang=lang, service=service)).astype(object) for lang in LANGS}
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


def not_found_incomplete(mask, vi, en, layers) -> tuple[np.ndarray, np.ndarray]:
    """The village reasons ``vi``/``en`` with "not found in an incomplete layer (<layers>)"
    added on the rows of ``mask`` (villages unknown, not failing, because those layers are incomplete)."""
    mask = np.asarray(mask, dtype=bool)
    out = []
    for lang, col in (("vi", vi), ("en", en)):
        col = np.asarray(col, dtype=object).copy()
        note = np.full(int(mask.sum()), text("reason.incomplete_layer", lang, layers=", ".join(layers)), dtype=object)
        col[mask] = join_pair(col[mask], note)
        out.append(col)
    return out[0], out[1]
