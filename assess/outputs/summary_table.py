"""``tong-hop.xlsx`` (``summary.xlsx`` under ``--lang en``): one row per commune, for Excel.

Columns: commune code, name, district (or, for 2025 units built by ``tc8 units build``, the
former 2024 communes), the status of each indicator and of criterion 8 in words, the one-line
reason (:func:`tc8.text.reason_line.commune_reason_line`), the gap to pass (numbers from
:func:`tc8.engine.gaps.condition_gaps`, put into words here), then the measured value of each
indicator. The header row is frozen and filtered, status cells are coloured by conditional
formats with the palette of the maps (:data:`tc8.model.palette.STATUS_COLORS`), columns have widths, the page is A4 landscape, one page wide.

Rounding: numeric cells keep the exact value (``33.333333333333336``) and are *shown* rounded
by their number format (``0.0`` for %, ``#,##0`` for counts), so Excel sums and filters on the
exact figure while the eye reads 33.3. Text cells are always string cells (a name starting
with ``=`` is never a formula). Reads verdicts; decides nothing.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from tc8.engine.gaps import condition_gaps
from tc8.io.atomic import atomic_path
from tc8.io.inert import looks_like_formula
from tc8.model.palette import STATUS_COLORS
from tc8.model.results import CRITERION, Results
from tc8.model.vocab import STATUSES
from tc8.text.messages import fmt_number, text
from tc8.text.reason_line import commune_reason_line

#: file name by language
SUMMARY_NAMES = {"vi": "tong-hop.xlsx", "en": "summary.xlsx"}
#: number formats: exact values, shown rounded
NUMBER_FORMATS = {"%": "0.0", "count": "#,##0", "bool": "0"}
WIDTHS = {"code": 10, "name": 24, "district": 22, "status": 14, "reason": 70, "gap": 40, "measured": 13}
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


def summary_name(lang: str) -> str:
    return SUMMARY_NAMES.get(lang, SUMMARY_NAMES["vi"])


def _gap_words(results: Results, lang: str) -> pd.Series:
    """"8.2: còn 2 thôn; 8.4: +4 cán bộ dùng VPĐT" per commune code ("" when nothing is short)."""
    gaps = condition_gaps(results)
    if not len(gaps):
        return pd.Series(dtype=object)
    labels = results.conditions.drop_duplicates(["indicator", "condition_id"]).set_index(
        ["indicator", "condition_id"])[f"label_{lang}"]
    words = []
    for row in gaps.itertuples(index=False):
        n = fmt_number(row.need, 1 if row.kind == "pp" else 0, lang) if row.need == row.need else ""
        label = labels.get((row.indicator, row.condition_id), row.measure)
        words.append(text(f"xlsx_summary.gap.{row.kind}", lang, n=n, label=label))
    gaps = gaps.assign(words=words)
    per_indicator = gaps.groupby(["commune_code", "indicator"], sort=False)["words"].agg(_joiner(gaps, lang))
    joined = (per_indicator.index.get_level_values("indicator") + ": " + per_indicator.to_numpy())
    return pd.Series(joined, index=per_indicator.index.get_level_values("commune_code")).groupby(
        level=0, sort=False).agg("; ".join)


def _joiner(gaps: pd.DataFrame, lang: str):
    """Join the gaps of one indicator: "or" between alternatives of an ``any`` group, else ", "."""
    alternative = gaps["alternative"]

    def join(words: pd.Series) -> str:
        sep = text("xlsx_summary.or", lang) if bool(alternative.loc[words.index].all()) else ", "
        return sep.join(words)
    return join


def summary_frame(results: Results, lang: str) -> tuple[pd.DataFrame, list[tuple[str, str, str]]]:
    """The table (one row per commune, in ``Results.communes`` order) and its columns as
    (column, header, kind) with kind in :data:`WIDTHS`."""
    communes = results.communes
    codes = communes["commune_code"].astype(str)
    ind = results.indicators.assign(commune_code=results.indicators["commune_code"].astype(str))
    ids = [i.id for i in results.rule_set.indicators]
    table = pd.DataFrame({"code": codes.to_numpy(), "name": communes["commune_name"].to_numpy()})
    cols = [("code", text("xlsx_summary.col.code", lang), "code"),
            ("name", text("xlsx_summary.col.name", lang), "name")]
    if "parts_2024" in communes.columns and communes["parts_2024"].notna().any():
        table["district"] = communes["parts_2024"].to_numpy()
        cols.append(("district", text("xlsx_summary.col.parts_2024", lang), "district"))
    elif "district_name" in communes.columns:
        table["district"] = communes["district_name"].to_numpy()
        cols.append(("district", text("xlsx_summary.col.district", lang), "district"))
    status = ind.pivot_table(index="commune_code", columns="indicator", values="status", aggfunc="first")
    words = {s: text(f"status.{s}", lang) for s in STATUSES}
    for i in ids + [CRITERION]:
        table[f"s_{i}"] = codes.map(status[i] if i in status else pd.Series(dtype=object)).map(words).to_numpy()
        head = text("xlsx_summary.col.tc8", lang) if i == CRITERION else text("xlsx_summary.col.indicator", lang, id=i)
        cols.append((f"s_{i}", head, "status"))
    table["reason"] = codes.map(commune_reason_line(ind, lang)).fillna("").to_numpy()
    table["gap"] = codes.map(_gap_words(results, lang)).fillna("").to_numpy()
    cols += [("reason", text("xlsx_summary.col.reason", lang), "reason"),
             ("gap", text("xlsx_summary.col.gap", lang), "gap")]
    measured = ind.pivot_table(index="commune_code", columns="indicator", values="measured", aggfunc="first",
                               dropna=False)
    units = ind.drop_duplicates("indicator").set_index("indicator")["unit"]
    for i in ids:
        if i in measured:
            table[f"m_{i}"] = pd.to_numeric(codes.map(measured[i]), errors="coerce").to_numpy()
            unit = str(units.get(i, ""))
            head = text("xlsx_summary.col.measured", lang, id=i, unit=text(f"xlsx_summary.unit.{unit}", lang))
            cols.append((f"m_{i}", head, "measured:" + unit))
    return table, cols


def _cell(ws, value, fmt: str | None = None, *, style=None):
    cell = WriteOnlyCell(ws)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell._value, cell.data_type = value, "s"  # text, never a formula
        cell.quotePrefix = looks_like_formula(value)
    elif value is not None and not pd.isna(value):
        cell.value = value.item() if hasattr(value, "item") else value
    if fmt:
        cell.number_format = fmt
    if style == "header":
        cell.font, cell.fill, cell.alignment = Font(bold=True), _HEADER_FILL, _WRAP
    elif style == "wrap":
        cell.alignment = _WRAP
    return cell


def _format_sheet(ws, cols, n: int) -> None:
    """Widths, frozen header, filter, colours per status, A4 landscape one page wide."""
    for j, (_, _, kind) in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS[kind.split(":")[0]]
    ws.freeze_panes = "A2"
    last = get_column_letter(len(cols))
    ws.auto_filter.ref = f"A1:{last}{n + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.paperSize = "9"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _colour_statuses(ws, cols, n: int, lang: str) -> None:
    status_cols = [get_column_letter(j) for j, c in enumerate(cols, start=1) if c[2] == "status"]
    if not status_cols or not n:
        return
    area = " ".join(f"{c}2:{c}{n + 1}" for c in status_cols)
    for status, colour in STATUS_COLORS.items():
        word = text(f"status.{status}", lang).replace('"', '""')
        fill = PatternFill("solid", fgColor=colour.lstrip("#").upper(), bgColor=colour.lstrip("#").upper())
        ws.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill,
                                                       font=Font(color="FFFFFF", bold=True)))


def write_summary_table(results: Results, outdir, *, lang: str = "vi") -> dict[str, Path]:
    """Write the workbook into ``outdir`` (atomically; replaces an older one, as the result
    files it accompanies were allowed to be written); return {file name: path}."""
    table, cols = summary_frame(results, lang)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(text("xlsx_summary.sheet", lang))
    _format_sheet(ws, cols, len(table))
    _colour_statuses(ws, cols, len(table), lang)
    ws.append([_cell(ws, head, style="header") for _, head, _ in cols])
    kinds = [kind for _, _, kind in cols]
    for values in table[[c for c, _, _ in cols]].itertuples(index=False):
        ws.append([_cell(ws, v, NUMBER_FORMATS.get(k.split(":", 1)[1]) if k.startswith("measured") else None,
                         style="wrap" if k in ("reason", "gap") else None) for v, k in zip(values, kinds)])
    path = Path(outdir) / summary_name(lang)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return {path.name: path}
