"""``compare.xlsx``: what changes between two rule sets on the same communes (``tc8 compare``).

Sheet 1 (summary): communes moving each way per indicator (``TC8`` included), then communes
per status under A and under B. Sheet 2 (detail): one row per commune x indicator whose status
differs, with the deciding condition(s), why, thresholds and measured values. Sheet 3: how
the two rule sets differ (:func:`tc8.rules.diff_text.render_rule_diff`). Headers frozen and
filtered; words from the catalogue (``compare.*``); cells made safe by :mod:`tc8.dossier.xlsx`.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tc8.model.vocab import STATUSES
from tc8.rules.diff_text import render_rule_diff
from tc8.text.messages import text
from .xlsx import CENTER, HEADER_FILL, STATUS_FILLS, TOP, WRAP, SheetWriter, discard, make_cell, new_workbook, sheet_title

if TYPE_CHECKING:
    from tc8.engine.compare import Comparison


def _word(status, lang: str) -> str:
    return text(f"status.{status}", lang) if status in STATUSES else text("compare.absent", lang)


def _header(sw: SheetWriter, words: list[str]) -> None:
    sw.add([make_cell(sw.ws, w, font="header", fill=HEADER_FILL, align=CENTER, border=True) for w in words])


def _row(sw: SheetWriter, values: list, statuses: set[int] = frozenset(), wrap: set[int] = frozenset()) -> int:
    cells = []
    for i, value in enumerate(values):
        if isinstance(value, float) and pd.isna(value):
            value = None
        if i in statuses:
            cells.append(make_cell(sw.ws, _word(value, sw.lang), fill=STATUS_FILLS.get(value), align=TOP, border=True))
        else:
            cells.append(make_cell(sw.ws, value, align=WRAP if i in wrap else TOP, border=True,
                                   fmt="number" if isinstance(value, float) else None))
    return sw.add(cells)


def _summary_sheet(wb, comparison: Comparison, lang: str, used: set) -> None:
    sw = SheetWriter(wb, sheet_title(text("compare.sheet.summary", lang), used), [14, 22, 22, 12, 12, 12],
                     freeze_row=2)
    sw.lang = lang
    _header(sw, [text(f"compare.col.{k}", lang) for k in ("indicator", "from", "to", "communes")])
    for r in comparison.moves.itertuples(index=False):
        _row(sw, [r.indicator, r.status_a, r.status_b, int(r.communes)], statuses={1, 2})
    if comparison.moves.empty:
        sw.add([make_cell(sw.ws, text("compare.none", lang), align=TOP)])
    sw.ws.auto_filter.ref = f"A1:D{max(sw.row, 2)}"
    sw.blank()
    words = [text("compare.col.indicator", lang), text("compare.col.communes", lang)] + [
        text("compare.col.count", lang, status=_word(s, lang), side=side) for side in ("A", "B") for s in STATUSES]
    _header(sw, words)
    for r in comparison.counts.itertuples(index=False):
        _row(sw, [r.indicator, int(r.communes)] + [int(getattr(r, f"{s}_{side}")) for side in ("a", "b")
                                                   for s in STATUSES])


def _detail_sheet(wb, comparison: Comparison, lang: str, used: set) -> None:
    sw = SheetWriter(wb, sheet_title(text("compare.sheet.detail", lang), used),
                     [10, 24, 18, 10, 14, 14, 28, 70, 11, 11, 11, 11], freeze_row=2, landscape=True)
    sw.lang = lang
    keys = ("code", "name", "district", "indicator", "from", "to", "deciding", "why", "threshold_a", "threshold_b",
            "measured_a", "measured_b")
    _header(sw, [text(f"compare.col.{k}", lang) for k in keys])
    for r in comparison.rows.itertuples(index=False):
        _row(sw, [r.commune_code, r.commune_name, r.district, r.indicator, r.status_a, r.status_b, r.deciding,
                  getattr(r, f"detail_{lang}"), r.threshold_a, r.threshold_b, r.measured_a, r.measured_b],
             statuses={4, 5}, wrap={7})
    sw.ws.auto_filter.ref = f"A1:L{max(sw.row, 2)}"


def _rules_sheet(wb, comparison: Comparison, lang: str, used: set) -> None:
    sw = SheetWriter(wb, sheet_title(text("compare.sheet.rules", lang), used), [140], freeze_row=2)
    _header(sw, [text("compare.col.line", lang)])
    for line in render_rule_diff(comparison.rule_diff, lang).splitlines():
        sw.add([make_cell(sw.ws, line, align=WRAP)])


def write_compare_workbook(comparison: Comparison, path, *, lang: str = "vi") -> Path:
    """Write the workbook to ``path`` (the caller makes it atomic); nothing is left on failure."""
    wb = new_workbook()
    used: set = set()
    try:
        _summary_sheet(wb, comparison, lang, used)
        _detail_sheet(wb, comparison, lang, used)
        _rules_sheet(wb, comparison, lang, used)
        wb.save(path)
    except BaseException:
        discard(wb)
        raise
    return Path(path)
