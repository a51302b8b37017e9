"""One line per commune saying why it passes or not, built from ``Results.indicators``.

``"Đạt cả 4 chỉ tiêu"``, or one piece per indicator that does not pass, failures first, then
missing data, in indicator order: ``"Không đạt 8.2: 75,0% — yêu cầu >= 100,0% — 1/4 thôn …;
thiếu dữ liệu 8.4: Cổng/trang thông tin điện tử …"``. Each piece quotes the first sentence
(the first ``"; "``-part) of the indicator's reason (``reasons_<lang>``) or, for missing data,
of what to collect (``missing_<lang>``), without the condition label before its first
``": "``. The detail of every piece is shortened so that the whole line stays within
:data:`LIMIT` characters and names every indicator that does not pass. Words:
``templates/messages_qgis.yaml`` (``qgis.reason.*``). Reads verdicts; decides nothing.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

import pandas as pd

from tc8.model.vocab import STATUS_FAIL, STATUS_MISSING, STATUS_PASS

from .messages import shorten, text

LIMIT = 200
"""Longest line (characters); details are cut with "…" to fit."""

CRITERION_ROW = "TC8"
_MIN_DETAIL = 12  # below this a detail says nothing: the piece keeps only its head


def first_sentence(value) -> str:
    """First ``"; "``-part of a reason, without a leading ``"label: "`` when text remains."""
    first = str(value or "").partition("; ")[0].strip()
    return first.partition(": ")[2].strip() or first


@lru_cache(maxsize=4096)
def _head(kind: str, ident: str, lang: str) -> str:
    return text(f"qgis.reason.{kind}_bare", lang, id=ident)


def _line(pieces: list[tuple[str, str, str]], lang: str) -> str:
    """One commune's line from its (kind, indicator, detail) pieces, failures first."""
    heads = [_head(kind, ident, lang) for kind, ident, _ in pieces]
    budget = (LIMIT - sum(len(h) for h in heads) - 2 * len(pieces)) // len(pieces) - 2  # "; ", ": "
    parts = [head if not detail or budget < _MIN_DETAIL
             else text(f"qgis.reason.{kind}", lang, id=ident, detail=shorten(detail, budget))
             for head, (kind, ident, detail) in zip(heads, pieces)]
    line = "; ".join(parts)
    return shorten(line[:1].upper() + line[1:], LIMIT)


def _collect(indicators: pd.DataFrame, lang: str):
    """Per commune: indicator count, criterion status and sentence, pieces (failures first)."""
    codes = indicators["commune_code"].astype(str)
    is_row = indicators["indicator"].astype(str) != CRITERION_ROW
    count = Counter(codes[is_row].tolist())
    keep = (~is_row | (indicators["status"] != STATUS_PASS)).to_numpy()  # texts of these rows only
    columns = [codes[keep].tolist()] + [indicators.loc[keep, c].fillna("").astype(str).tolist()
                                        for c in ("indicator", "status", f"reasons_{lang}", f"missing_{lang}")]
    verdict, own = {}, {}
    fails, missing = defaultdict(list), defaultdict(list)
    for code, ident, status, reason, need in zip(*columns):
        if ident == CRITERION_ROW:
            verdict[code], own[code] = status, first_sentence(reason or need)
        elif status == STATUS_FAIL:
            fails[code].append(("fail", ident, first_sentence(reason)))
        elif status == STATUS_MISSING:
            missing[code].append(("missing", ident, first_sentence(need)))
    return list(dict.fromkeys(codes.tolist())), count, verdict, own, fails, missing


def commune_reason_line(indicators: pd.DataFrame, lang: str) -> pd.Series:
    """One-line reason per commune (index ``commune_code``, in first-seen order) from
    ``Results.indicators`` (columns ``commune_code, indicator, status, reasons_<lang>,
    missing_<lang>``; the ``TC8`` row gives the commune's verdict)."""
    codes, count, verdict, own, fails, missing = _collect(indicators, lang)
    out = []
    for code in codes:
        pieces = fails.get(code, []) + missing.get(code, [])
        if verdict.get(code) == STATUS_PASS or (not pieces and code not in verdict):
            out.append(text("qgis.reason.pass_all", lang, n=count[code]))
        elif pieces:
            out.append(_line(pieces, lang))
        else:  # not passing, yet no indicator row says why: the criterion row's own sentence
            out.append(shorten(own[code], LIMIT))
    return pd.Series(out, index=pd.Index(codes, name="commune_code"), dtype=object, name="reason")
