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

import numpy as np
import pandas as pd

from tc8.model.vocab import STATUS_FAIL, STATUS_MISSING, STATUS_PASS

from .messages import shorten, text

LIMIT = 200
"""Longest line (characters); details are cut with "…" to fit."""

CRITERION_ROW = "TC8"
_MIN_DETAIL = 12  # below this a detail says nothing: the piece keeps only its head


def _first_sentence(values: pd.Series) -> pd.Series:
    """First ``"; "``-part of each text, without a leading ``"label: "`` when text remains."""
    first = values.fillna("").astype(str).str.partition("; ")[0].str.strip()
    tail = first.str.partition(": ")[2].str.strip()
    return tail.where(tail != "", first)


def _pieces(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per indicator that does not pass: commune_code, order, head key, detail."""
    failing = rows["status"] == STATUS_FAIL
    source = np.where(failing, rows[f"reasons_{lang}"].fillna(""), rows[f"missing_{lang}"].fillna(""))
    detail = _first_sentence(pd.Series(source, index=rows.index))
    return pd.DataFrame({
        "commune_code": rows["commune_code"].astype(str),
        "rank": np.where(failing, 0, 1),
        "order": np.arange(len(rows)),
        "id": rows["indicator"].astype(str),
        "kind": np.where(failing, "fail", "missing"),
        "detail": detail,
    }, index=rows.index)


def _piece_text(pieces: pd.DataFrame, lang: str) -> pd.Series:
    """The text of each piece, its detail cut to the commune's share of :data:`LIMIT`."""
    n = pieces.groupby("commune_code")["id"].transform("size")
    heads = [text(f"qgis.reason.{k}_bare", lang, id=i) for k, i in zip(pieces["kind"], pieces["id"])]
    head_len = pd.Series([len(h) for h in heads], index=pieces.index)
    room = (LIMIT - head_len.groupby(pieces["commune_code"]).transform("sum") - 2 * n) // n
    out = []
    for head, kind, ident, detail, budget in zip(heads, pieces["kind"], pieces["id"], pieces["detail"], room):
        budget = int(budget) - 2  # ": "
        if not detail or budget < _MIN_DETAIL:
            out.append(head)
        else:
            out.append(text(f"qgis.reason.{kind}", lang, id=ident, detail=shorten(detail, budget)))
    return pd.Series(out, index=pieces.index, dtype=object)


def commune_reason_line(indicators: pd.DataFrame, lang: str) -> pd.Series:
    """One-line reason per commune (index ``commune_code``, in first-seen order) from
    ``Results.indicators`` (columns ``commune_code, indicator, status, reasons_<lang>,
    missing_<lang>``; the ``TC8`` row gives the commune's verdict)."""
    codes = pd.unique(indicators["commune_code"].astype(str))
    if not len(codes):
        return pd.Series(dtype=object, index=pd.Index([], name="commune_code"), name="reason")
    is_tc8 = indicators["indicator"].astype(str) == CRITERION_ROW
    parts = indicators[~is_tc8]
    n_ind = parts.groupby(parts["commune_code"].astype(str))["indicator"].size()
    line = pd.Series([text("qgis.reason.pass_all", lang, n=int(n_ind.get(c, 0))) for c in codes],
                     index=pd.Index(codes, name="commune_code"), dtype=object, name="reason")
    bad = parts[parts["status"].isin([STATUS_FAIL, STATUS_MISSING])]
    if len(bad):
        pieces = _pieces(bad, lang).sort_values(["commune_code", "rank", "order"], kind="stable")
        pieces["text"] = _piece_text(pieces, lang)
        joined = pieces.groupby("commune_code", sort=False)["text"].agg("; ".join)
        joined = joined.str[:1].str.upper() + joined.str[1:]
        line.loc[joined.index] = joined.map(lambda s: shorten(s, LIMIT))
    tc8 = indicators[is_tc8].set_index(indicators.loc[is_tc8, "commune_code"].astype(str))
    passed = line.index.intersection(tc8.index[tc8["status"] == STATUS_PASS])
    line.loc[passed] = [text("qgis.reason.pass_all", lang, n=int(n_ind.get(c, 0))) for c in passed]
    # not passing yet no indicator row says why: the criterion row's own sentence
    silent = tc8.index[(tc8["status"] != STATUS_PASS)].difference(bad["commune_code"].astype(str))
    silent = line.index.intersection(silent)
    if len(silent):
        own = _first_sentence(tc8.loc[silent, f"reasons_{lang}"].where(
            tc8.loc[silent, f"reasons_{lang}"].fillna("") != "", tc8.loc[silent, f"missing_{lang}"]))
        line.loc[silent] = own.map(lambda s: shorten(s, LIMIT)).to_numpy()
    return line
