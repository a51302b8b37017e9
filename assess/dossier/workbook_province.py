"""The province roll-up workbook (``tong-hop-tinh.xlsx``), rendered from Results.

"Danh sách xã": one row per commune with each indicator's status label and measured value
and the criterion; an autofilter over the table and, above it, formula totals per status
column: COUNTIF over every commune (right after any re-sort) and SUBTOTAL rows ("đang hiển
thị") that count, sum and average only the rows the official's filter leaves visible. "Theo chỉ
tiêu": communes per status and indicator (from ``Results.rollup``). "Chỉ tiêu tỉnh": the
province indicators computed by :mod:`tc8.engine.rollup` (values, not formulas). "Nguồn dữ liệu":
as in the commune workbook. Layout: ``templates/workbook_province.yaml``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from tc8.model.results import CRITERION, STATUSES
from tc8.text.figures import figure_text, is_unknown, unknown_note
from tc8.text.size import bounded_values
from .view import Context
from .workbook_commune import write_sources_sheet
from .xlsx import (STATUS_FILLS, TOP, Formula, Labels, SheetWriter,
                        layout, make_cell, new_workbook, save_or_discard, sheet_title)


def _commune_table(ctx, labels: Labels, spec: dict):
    """Columns (spec dicts) and row value lists, vectorised over the indicators table."""
    res, lang = ctx.results, ctx.lang
    communes = pd.DataFrame(res.communes.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    codes = communes["commune_code"].astype(str)
    ind = res.indicators.assign(commune_code=res.indicators["commune_code"].astype(str))
    status = ind.pivot(index="commune_code", columns="indicator", values="status").reindex(codes)
    measured = ind.pivot(index="commune_code", columns="indicator", values="measured").reindex(codes)
    units = ind.drop_duplicates("indicator").set_index("indicator")["unit"].fillna("")
    cols = [c for c in spec["columns"]]
    data = [pd.Series(bounded_values(communes[c["key"]], c["key"])) if c["key"] in communes  # names cut, tc8.text.size
            else pd.Series([None] * len(codes)) for c in cols]
    widths = spec["indicator_columns"]
    status_cols = []
    for ind_id in ctx.indicator_ids + [CRITERION]:
        name = labels.t("criterion") if ind_id == CRITERION else ind_id
        status_cols.append(len(cols))
        cols.append({"key": f"status:{ind_id}", "vi": f"{name}", "en": f"{name}",
                     "width": widths["status_width"], "fmt": "status"})
        data.append(status[ind_id].map(lambda s: ctx.labels.get("status", s)).astype(object))
        unit = units.get(ind_id, "")
        head = labels.t("n_pass") if ind_id == CRITERION else f"{ind_id} {labels.t('measured')}" + (
            f" ({unit})" if unit and unit not in ("bool", "yes/no") else "")
        cols.append({"key": f"measured:{ind_id}", "vi": head, "en": head,
                     "width": widths["measured_width"], "fmt": "number"})
        data.append(measured[ind_id].astype(object))
    raw_status = status.reset_index(drop=True)
    rows = list(zip(*[list(s) for s in data]))
    return cols, rows, status_cols, raw_status


def _visible_rows(sw, ctx, labels: Labels, cols: list, status_cols: list, first: int, last: int) -> None:
    """Totals of the rows an official's filter leaves visible (SUBTOTAL ignores hidden rows)."""
    pass_label = ctx.labels.get("status", "dat")
    ranges = {c: f"{get_column_letter(c + 1)}{first}:{get_column_letter(c + 1)}{last}" for c in range(len(cols))}
    passing, count, mean = ([None] * len(cols) for _ in range(3))
    passing[1] = make_cell(sw.ws, labels.t("visible_pass"), font="bold")
    count[1] = make_cell(sw.ws, labels.t("visible_count"), font="bold")
    mean[1] = make_cell(sw.ws, labels.t("visible_mean"), font="bold")
    for c in status_cols:
        top = f"{get_column_letter(c + 1)}{first}"
        passing[c] = make_cell(sw.ws, Formula(
            f'=SUMPRODUCT(SUBTOTAL(103,OFFSET({top},ROW({ranges[c]})-ROW({top}),0,1)),'
            f'--({ranges[c]}="{pass_label}"))'), fill=STATUS_FILLS["dat"], fmt="thousands", border=True)
        count[c] = make_cell(sw.ws, Formula(f"=SUBTOTAL(103,{ranges[c]})"), fmt="thousands", border=True)
    for c, col in enumerate(cols):
        if col["key"] in ("population", "n_villages"):
            count[c] = make_cell(sw.ws, Formula(f"=SUBTOTAL(109,{ranges[c]})"), fmt="thousands", border=True)
        elif col["key"].startswith("measured:"):
            mean[c] = make_cell(sw.ws, Formula(f'=IFERROR(SUBTOTAL(101,{ranges[c]}),"")'), fmt="number", border=True)
    for values in (passing, count, mean):
        sw.add(values)


def _communes_sheet(wb, ctx, labels: Labels, spec: dict, used: set) -> None:
    cols, rows, status_cols, raw_status = _commune_table(ctx, labels, spec)
    rs = ctx.info["rule_set"]
    top = [[labels.t("title")], [f"{rs['id']} — {rs.get('title_' + ctx.lang) or rs['title_vi']}"]]
    if not rs["official"]:
        top.append([ctx.labels.t("not_official")])
    if ctx.info["synthetic_layers"]:
        top.append([ctx.labels.t("synthetic_warning", layers=", ".join(ctx.info["synthetic_layers"]))])
    top.append([labels.t("totals_note")])
    n_tot = len(STATUSES) + 1 + 3
    header_row = len(top) + 1 + n_tot + 1 + 1
    first, last = header_row + 1, header_row + max(len(rows), 1)
    sw = SheetWriter(wb, sheet_title(spec["sheets"]["communes"][ctx.lang], used),
                     [c.get("width", 12) for c in cols], landscape=True)
    sw.ws.freeze_panes = f"C{first}"
    for i, row in enumerate(top):
        sw.add(row, font="title" if i == 0 else ("italic" if i == len(top) - 1 else "warn"))
    sw.blank()
    for status in STATUSES:
        label = ctx.labels.get("status", status)
        values = [None] * len(cols)
        values[1] = make_cell(sw.ws, labels.t("count", status=label), font="bold")
        for c in status_cols:
            letter = get_column_letter(c + 1)
            values[c] = make_cell(sw.ws, Formula(f'=COUNTIF({letter}{first}:{letter}{last},"{label}")'),
                                  fill=STATUS_FILLS[status], fmt="thousands", border=True)
        sw.add(values)
    values = [None] * len(cols)
    values[1] = make_cell(sw.ws, labels.t("share_pass"), font="bold")
    pass_label = ctx.labels.get("status", "dat")
    for c in status_cols:
        letter = get_column_letter(c + 1)
        values[c] = make_cell(sw.ws, Formula(
            f'=IF(COUNTA({letter}{first}:{letter}{last})=0,"",'
            f'COUNTIF({letter}{first}:{letter}{last},"{pass_label}")/COUNTA({letter}{first}:{letter}{last}))'),
            fmt="0.0%", border=True)
    sw.add(values)
    _visible_rows(sw, ctx, labels, cols, status_cols, first, last)
    sw.blank()
    sw.header(cols, ctx.lang)
    status_of = {c: raw_status[col["key"].split(":", 1)[1]].tolist()
                 for c, col in enumerate(cols) if col["fmt"] == "status"}
    fmts = [col["fmt"] for col in cols]
    for i, row in enumerate(rows):
        sw.add([make_cell(sw.ws, value, fmt=fmts[j], align=TOP,
                          fill=STATUS_FILLS.get(status_of[j][i]) if j in status_of else None)
                for j, value in enumerate(row)])
    sw.ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(cols))}{last}"
    sw.ws.print_title_rows = f"{header_row}:{header_row}"


def _per_indicator_sheet(wb, ctx, labels: Labels, spec: dict, used: set) -> None:
    cols = spec["per_indicator"]
    sw = SheetWriter(wb, sheet_title(spec["sheets"]["indicators"][ctx.lang], used),
                     [c["width"] for c in cols], freeze_row=4, landscape=True)
    sw.add([spec["sheets"]["indicators"][ctx.lang]], font="title")
    sw.add([labels.t("computed_note")], font="italic")
    sw.header(cols, ctx.lang)
    counts = ctx.results.rollup.get("indicators", {}) or {}
    for ind_id in ctx.indicator_ids + [CRITERION]:
        c = counts.get(ind_id, {})
        total = sum(int(c.get(s, 0)) for s in STATUSES)
        name = labels.t("criterion") if ind_id == CRITERION else ctx.names.get(ind_id, "")
        row = {"indicator": ind_id, "name": name, **{s: int(c.get(s, 0)) for s in STATUSES},
               "share": (100.0 * int(c.get("dat", 0)) / total) if total else None}
        sw.record(cols, [row[k["key"]] for k in cols])


def _province_sheet(wb, ctx, labels: Labels, spec: dict, used: set) -> None:
    cols = spec["rollup_table"]
    sw = SheetWriter(wb, sheet_title(spec["sheets"]["province"][ctx.lang], used),
                     [c["width"] for c in cols], freeze_row=4)
    sw.add([labels.t("province_title")], font="title")
    sw.add([labels.t("computed_note")], font="italic")
    sw.header(cols, ctx.lang)
    other = "en" if ctx.lang == "vi" else "vi"
    rollup = ctx.results.rollup or {}
    for key, value in rollup.items():
        if key == "indicators" or isinstance(value, (dict, list)) or key.endswith(f"_{other}"):
            continue
        base = key[: -len(ctx.lang) - 1] if key.endswith(f"_{ctx.lang}") else key
        meta = spec["rollup"].get(base, {})
        label = meta.get(ctx.lang) or meta.get("vi") or key
        fmt = meta.get("fmt")
        fmt = None if fmt in (None, "text") else fmt
        # unknown stays unknown, with its count: "chưa rõ (3 thôn chưa rõ)" in the value cell,
        # or the count beside the label when the figure is over the known records only
        note = unknown_note(rollup, key, ctx.lang)
        if is_unknown(value):
            value, fmt = figure_text(rollup, key, ctx.lang), None
        elif isinstance(value, bool):
            value = ctx.labels.yesno(value)
        elif note:
            label = f"{label} ({note})"
        sw.add([make_cell(sw.ws, label, align=TOP, border=True),
                make_cell(sw.ws, value, fmt=fmt, align=TOP, border=True),
                make_cell(sw.ws, key, align=TOP, border=True)])


def write_province_workbook(ctx: Context, path: Path) -> None:
    """Write ``tong-hop-tinh.xlsx`` for every commune of the results, atomically."""
    spec = layout("workbook_province")
    labels = Labels(spec, ctx.lang)

    def build(wb) -> None:
        used: set = set()
        _communes_sheet(wb, ctx, labels, spec, used)
        _per_indicator_sheet(wb, ctx, labels, spec, used)
        _province_sheet(wb, ctx, labels, spec, used)
        write_sources_sheet(wb, ctx, used, warnings=list(ctx.results.warnings or []))

    save_or_discard(new_workbook(), path, build, generated_at=ctx.info["generated_at"])
