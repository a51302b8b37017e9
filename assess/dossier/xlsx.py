"""Safe, streaming openpyxl helpers shared by the commune and province workbooks.

Every cell goes through :func:`make_cell`: text is NFC-normalised, characters XML cannot
hold are dropped, text longer than Excel's 32,767 characters is cut with a final "…"
(:data:`tc8.text.size.CELL_CHARS`), and text is always stored as a string cell (``data_type == "s"``) — a
village called ``=HYPERLINK("http://x","y")`` is shown literally and never evaluated. Text
starting with ``= + - @``, tab or CR (:func:`tc8.io.inert.looks_like_formula`, the rule the CSV
writer shares) also gets Excel's quote prefix, so re-editing the cell keeps it text. Formulas are only written when wrapped in :class:`Formula` (our own COUNTIFs).

Workbooks are ``write_only`` (rows streamed to disk): widths, freeze panes and print titles
must be set before the first row; filters, merges and page setup may follow.
:func:`atomic_save` writes to a temporary file in the target folder and renames it.
"""
from __future__ import annotations

import functools
import os
import re
import unicodedata
from importlib.resources import files
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from tc8.io.atomic import atomic_path
from tc8.io.inert import looks_like_formula
from .stable import stable_xlsx
from tc8.text.messages import catalogue, load_yaml, shorten, text
from tc8.io.paths import check_name as check_code  # noqa: F401 - the shared name check under its old name
from tc8.text.size import CELL_CHARS
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")

NUMBER_FORMATS = {
    "int": "0", "thousands": "#,##0", "number": "#,##0.0#", "pct": '0.0" %"',
    "km": '0.0" km"', "m": '#,##0" m"',
}
#: column kinds of the layouts that are rendered as text, not number formats
LABEL_FORMATS = frozenset({"code", "text", "wrap", "status", "basis", "evidence", "bool", "unit"})
_THIN = Side(style="thin", color="999999")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
FONTS = {"title": Font(bold=True, size=13), "bold": Font(bold=True), "header": Font(bold=True),
         "italic": Font(italic=True), "warn": Font(bold=True, color="C00000")}
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
STATUS_FILLS = {"dat": PatternFill("solid", fgColor="C6EFCE"),
                "khong_dat": PatternFill("solid", fgColor="FFC7CE"),
                "thieu_du_lieu": PatternFill("solid", fgColor="FFEB9C")}


class Formula(str):
    """A formula we wrote ourselves (``=COUNTIF(...)``); the only text stored as a formula."""


def clean_text(value: str) -> str:
    """NFC-normalise and drop characters an .xlsx cannot hold (control characters except tab/LF/CR)."""
    return ILLEGAL_CHARACTERS_RE.sub("", unicodedata.normalize("NFC", value))


def plain(value):
    """Python scalar for a pandas/numpy value: NaN/NA/NaT -> None, numpy numbers -> int/float/bool."""
    if value is None or isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    return value


def _style(ws, font, fill, fmt, align, border, quote):
    """The workbook's StyleArray for this combination, built once per workbook (setting styles
    cell by cell through openpyxl's descriptors hashes every style object and dominates the run)."""
    cache = ws.parent.__dict__.setdefault("_tc8_styles", {})
    key = (id(font), id(fill), fmt, id(align), border, quote)
    style = cache.get(key)
    if style is None:
        probe = WriteOnlyCell(ws)
        if fmt:
            probe.number_format = fmt
        if font is not None:
            probe.font = font
        if fill is not None:
            probe.fill = fill
        if align is not None:
            probe.alignment = align
        if border:
            probe.border = BORDER
        if quote:
            probe.quotePrefix = True
        style = cache[key] = (probe._style, font, fill, align)  # keep the objects alive: ids stay unique
    return style[0]


def make_cell(ws, value, *, font=None, fill=None, fmt=None, align=None, border=False):
    """A write-only cell holding ``value`` safely (see module doc). ``fmt`` is a key of NUMBER_FORMATS or a format."""
    value = plain(value)
    cell = WriteOnlyCell(ws)
    quote = False
    if isinstance(value, Formula):
        cell.value = str(value)
    elif isinstance(value, str):
        text = clean_text(value)
        if len(text) > CELL_CHARS:  # Excel's limit: the cell would not open
            text = shorten(text, CELL_CHARS)
        cell._value = text  # stored as text, never parsed as a formula
        cell.data_type = "s"
        quote = looks_like_formula(text)
    else:
        cell.value = value
    fmt = NUMBER_FORMATS.get(fmt, fmt) if fmt and fmt not in LABEL_FORMATS else None
    if isinstance(font, str):
        font = FONTS[font]
    if fmt or font is not None or fill is not None or align is not None or border or quote:
        cell._style = _style(ws, font, fill, fmt, align, border, quote)  # shared: write-only cells are never restyled
    return cell


def sheet_title(text: str, used: set) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, no ``[]:*?/\\``) made from ``text``."""
    base = _SHEET_BAD.sub(" ", clean_text(text)).strip().strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


@functools.lru_cache(maxsize=None)
def layout(name: str) -> dict:
    """The workbook layout ``templates/<name>.yaml``."""
    return load_yaml(files("tc8.templates").joinpath(f"{name}.yaml").read_text(encoding="utf-8"))


class Labels:
    """Label lookup in one language over a layout's ``text``/``basis``/``unit``/... maps.

    Statuses and evidence classes, and yes/no, use the message catalogue's words
    (``status.*``, ``evidence.*``, ``word.*``), the same ones the maps and terminal show.
    """

    CATALOGUE_GROUPS = ("status", "evidence")

    def __init__(self, spec: dict, lang: str):
        self.spec, self.lang = spec, lang

    def get(self, group: str, key, **params) -> str:
        entry = (self.spec.get(group) or {}).get(key)
        if entry is None and group in self.CATALOGUE_GROUPS and key not in (None, ""):
            entry = catalogue().get(f"{group}.{key}")
        if entry is None:
            return "" if key in (None, "") else str(key)
        out = entry.get(self.lang) or entry.get("vi") or str(key)
        return out.format(**params) if params else out

    def t(self, key: str, **params) -> str:
        return self.get("text", key, **params)

    def yesno(self, value) -> str:
        value = plain(value)
        return text("word.unknown" if value is None else "word.yes" if bool(value) else "word.no", self.lang)


class SheetWriter:
    """Streams rows into one write-only sheet and keeps the row counter (1-based, last written)."""

    def __init__(self, wb: Workbook, title: str, widths: list[float], *, freeze_row: int | None = None,
                 landscape: bool = False):
        self.ws = wb.create_sheet(title)
        self.ws._values_to_row = self._cells_to_row  # rows are ready cells: skip openpyxl's per-cell probing
        self.row = 0
        for i, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        if freeze_row:
            self.ws.freeze_panes = f"A{freeze_row}"
        setup_print(self.ws, landscape=landscape)

    def _cells_to_row(self, values, row_idx):
        """Replaces ``WriteOnlyWorksheet._values_to_row`` (which tries ``cell.value = <Cell>`` and
        catches a ValueError for every styled cell): place our ready cells, skip empty ones."""
        for col_idx, cell in enumerate(values, 1):
            if cell is None:
                continue
            if not isinstance(cell, Cell):
                cell = make_cell(self.ws, cell)
            cell.column = col_idx
            cell.row = row_idx
            yield cell

    def add(self, values=(), **style) -> int:
        """Write one row (values are plain values or ready cells); return its row number."""
        cells = [v if isinstance(v, Cell) else (None if v is None and not style else make_cell(self.ws, v, **style))
                 for v in values]
        self.ws.append(cells)
        self.row += 1
        return self.row

    def blank(self) -> int:
        return self.add([])

    def header(self, columns: list[dict], lang: str) -> int:
        return self.add([make_cell(self.ws, c.get(lang) or c["vi"], font="header", fill=HEADER_FILL,
                                   align=CENTER, border=True) for c in columns])

    def record(self, columns: list[dict], values: list, status_fill_key: str | None = None) -> int:
        """One table row; ``values`` already rendered in column order (numbers stay numbers)."""
        cells = []
        for col, value in zip(columns, values):
            fmt = col.get("fmt")
            align = WRAP if col.get("fmt") == "wrap" else TOP
            fill = STATUS_FILLS.get(status_fill_key) if col.get("fmt") == "status" else None
            cells.append(make_cell(self.ws, value, fmt=fmt, align=align, fill=fill, border=True))
        return self.add(cells)


def setup_print(ws, *, landscape: bool = False) -> None:
    """A4, fit all columns to one page width, any number of pages tall."""
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.print_options.horizontalCentered = True


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def discard(wb: Workbook) -> None:
    """Close a write-only workbook that will not be saved: stop its row streams, remove their temp files."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        for gen in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
            if gen is None:
                continue
            try:
                gen.close()
            except Exception:  # noqa: BLE001 - the half-written stream is thrown away anyway
                pass
        ws._rows = None
        out = getattr(writer, "out", None)
        if isinstance(out, str) and os.path.exists(out):
            os.unlink(out)


def save_or_discard(wb: Workbook, path: Path, build, *, generated_at: str | None = None) -> None:
    """Run ``build(wb)`` then save atomically; on any failure discard the streams and re-raise.
    ``generated_at``: the job's timestamp, written as every timestamp of the file (same bytes
    for the same workbook, :func:`tc8.dossier.stable.stable_xlsx`)."""
    try:
        build(wb)
        atomic_save(wb, path, generated_at=generated_at)
    except BaseException:
        discard(wb)
        raise


def atomic_save(wb: Workbook, path: Path, *, generated_at: str | None = None) -> None:
    """Save ``wb`` to ``path`` through a temporary file in the same folder; nothing is left on failure.
    ``generated_at``: see :func:`save_or_discard`."""
    with atomic_path(path) as tmp:
        wb.save(tmp)
        if generated_at:
            stable_xlsx(tmp, generated_at)
