"""``lineage.xlsx``: the carried assessment for the province office (``tc8 lineage``).

Sheet 1, one row per new (2025) commune: code, name, its old parts with each part's TC8 status,
the carried status per indicator and for the criterion, whether it must be re-assessed and
what (parts not in the assessment, split parts), and why (TC8). Sheet 2, one row per new
commune × old part: partly merged, in the assessment, shares, status per indicator. Sheet 3:
the note — basis ``practice`` (the 2023 precedent), a planning aid, not a recognition.
Statuses and words come from the message catalogue; cells are made safe by
:mod:`tc8.dossier.xlsx` (text never runs as a formula).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tc8.model.results import CRITERION, status_column
from tc8.text.messages import text
from .xlsx import CENTER, HEADER_FILL, STATUS_FILLS, TOP, WRAP, SheetWriter, discard, make_cell, new_workbook, sheet_title

if TYPE_CHECKING:
    from tc8.engine.lineage import Lineage


def _status_word(status, lang: str) -> str:
    if not isinstance(status, str) or not status:
        return ""
    key = f"lineage.status.{status}" if status == "chua_danh_gia" else f"status.{status}"
    return text(key, lang)


def _yes(value, lang: str) -> str:
    return text("word.yes" if bool(value) else "word.no", lang)


def _cells(sw: SheetWriter, values: list, statuses: set[int], wrap: set[int]) -> int:
    """One bordered row; columns in ``statuses`` coloured by their status key ``(word, key)``."""
    cells = []
    for i, value in enumerate(values):
        if i in statuses:
            word, key = value
            cells.append(make_cell(sw.ws, word, fill=STATUS_FILLS.get(key), align=TOP, border=True))
        else:
            cells.append(make_cell(sw.ws, value, align=WRAP if i in wrap else TOP, border=True,
                                   fmt="number" if isinstance(value, float) else None))
    return sw.add(cells)


def _header(sw: SheetWriter, keys: list[str], lang: str, indicators: list[str], after: list[str] = ()) -> None:
    """Header row: the ``lineage.col.*`` words of ``keys``, the indicator ids, then ``after``."""
    words = ([text(f"lineage.col.{k}", lang) for k in keys] + list(indicators)
             + [text(f"lineage.col.{k}", lang) for k in after])
    sw.add([make_cell(sw.ws, w, font="header", fill=HEADER_FILL, align=CENTER, border=True) for w in words])


def _communes_sheet(wb, lineage: Lineage, lang: str, used: set) -> None:
    indicators = lineage.indicators
    sw = SheetWriter(wb, sheet_title(text("lineage.sheet.communes", lang), used),
                     [10, 28, 48] + [12] * len(indicators) + [12, 40, 60], freeze_row=2, landscape=True)
    _header(sw, ["code", "name", "parts"], lang, indicators, ["needs_reassessment", "todo", "reasons"])
    parts = lineage.parts
    tc8_col = status_column(CRITERION)
    part_text = (parts["part_code"] + " " + parts["part_name"] + " (" +
                 parts[tc8_col].map(lambda s: _status_word(s, lang)) + ")")
    by_commune = part_text.groupby(parts["commune_code"]).agg("\n".join)
    reasons = lineage.rows[lineage.rows["indicator"] == CRITERION].set_index("commune_code")[f"reasons_{lang}"]
    first = 3
    for _, row in lineage.communes.iterrows():
        todo = [text("lineage.todo_not_assessed", lang, parts=row["parts_not_assessed"])
                if row["parts_not_assessed"] else "",
                text("lineage.todo_split", lang, parts=row["parts_partly_merged"])
                if row["parts_partly_merged"] else ""]
        statuses = [(_status_word(row[status_column(i)], lang), row[status_column(i)]) for i in indicators]
        values = [row["commune_code"], row["commune_name"], by_commune.get(row["commune_code"], ""), *statuses,
                  _yes(row["needs_reassessment"], lang), "\n".join(t for t in todo if t),
                  reasons.get(row["commune_code"], "")]
        _cells(sw, values, set(range(first, first + len(indicators))), {2, first + len(indicators) + 1,
                                                                        first + len(indicators) + 2})


def _parts_sheet(wb, lineage: Lineage, lang: str, used: set) -> None:
    indicators = lineage.indicators
    sw = SheetWriter(wb, sheet_title(text("lineage.sheet.parts", lang), used),
                     [10, 28, 10, 24, 10, 10, 10, 10, 10] + [12] * len(indicators), freeze_row=2, landscape=True)
    _header(sw, ["code", "name", "part_code", "part_name", "partly_merged", "in_assessment", "area_share",
                 "population_share", "share_approximate"], lang, indicators)
    first = 9
    for _, row in lineage.parts.iterrows():
        shares = [None if pd.isna(row[k]) else float(row[k]) for k in ("area_share", "population_share")]
        statuses = [(_status_word(row[status_column(i)], lang), row[status_column(i)]) for i in indicators]
        values = [row["commune_code"], row["commune_name"], row["part_code"], row["part_name"],
                  _yes(row["partly_merged"], lang), _yes(row["in_assessment"], lang), *shares,
                  _yes(row["share_approximate"], lang), *statuses]
        _cells(sw, values, set(range(first, first + len(indicators))), set())


def _note_sheet(wb, lineage: Lineage, lang: str, used: set, source: str) -> None:
    sw = SheetWriter(wb, sheet_title(text("lineage.sheet.note", lang), used), [30, 100])
    counts = lineage.counts
    rows = [("basis", text("rules.basis.practice", lang)), ("note", text("lineage.note", lang)),
            ("rule_set", lineage.rule_set), ("source", source),
            ("summary", text("lineage.summary", lang, **counts))]
    if lineage.unmatched:
        rows.append(("unmatched", text("lineage.unmatched", lang, n=len(lineage.unmatched),
                                       codes=", ".join(lineage.unmatched))))
    for key, value in rows:
        sw.add([make_cell(sw.ws, text(f"lineage.col.{key}", lang), font="bold", align=TOP),
                make_cell(sw.ws, value, align=WRAP)])


def write_lineage_workbook(lineage: Lineage, path, *, lang: str = "vi", source: str = "") -> Path:
    """Write the workbook to ``path`` (the caller makes it atomic); nothing is left on failure."""
    wb = new_workbook()
    used: set = set()
    try:
        _communes_sheet(wb, lineage, lang, used)
        _parts_sheet(wb, lineage, lang, used)
        _note_sheet(wb, lineage, lang, used, source)
        wb.save(path)
    except BaseException:
        discard(wb)
        raise
    return Path(path)
