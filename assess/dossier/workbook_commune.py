"""The commune evidence workbook (hồ sơ minh chứng Tiêu chí số 8), rendered from Results.

Sheets: "Tổng hợp" (commune, rule set and instruments, one row per indicator with verdict,
measured value against threshold, basis, evidence class, reasons; overall verdict; the
confirmation block), one sheet per indicator (conditions checked, then the records that
decided it: postal points with every point condition, villages × telephone/Internet with
evidence class and source, station and loudspeaker clusters per village, IT figures), "Cần
bổ sung" (every indicator with a ``thieu_du_lieu`` condition or missing item — also under an
indicator that fails anyway — what to collect and from whom), "Nguồn dữ
liệu" (input files with SHA-256 and rows per layer, CRS, tool version, rule set hash,
parameters) and "Bản đồ" when a map picture is given. Layout and labels:
``templates/workbook_commune.yaml``. Nothing here decides a verdict.
"""
from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.utils import get_column_letter

from tc8.outputs.excluded import exclusion_note
from tc8.outputs.provisional import is_provisional
from tc8.text.messages import text as msg
from tc8.model.errors import Problem
from tc8.text.problems import problem_dict
from tc8.model.results import CRITERION
from tc8.text.size import bounded
from .view import CommuneView, Context
from .xlsx import STATUS_FILLS, SheetWriter, make_cell, new_workbook, save_or_discard, sheet_title

FREEZE_LIMIT = 16  # freeze at a record table's header only when it sits this high or higher
MAP_WIDTH_PX = 700


def _source(ctx, key: str, row: dict) -> str:
    """Which sub-service decided a village's telephone/Internet, where that evidence comes from,
    and the ids of the records (coverage areas, cell sites, access nodes) that decided it."""
    parts = []
    for part in ctx.spec["telecom_sources"][key]:
        evidence = row.get(part["evidence"])
        if not evidence:
            continue
        where = ctx.spec["source_of"][part["kind"]].get(evidence, {})
        where = where.get(ctx.lang) or where.get("vi") or evidence
        records = row.get(part.get("record", ""))
        where = f"{where} [{records.replace(';', ', ')}]" if isinstance(records, str) and records else where
        parts.append(f"{part.get(ctx.lang) or part['vi']}: {ctx.labels.yesno(row.get(part['ok']))} — {where}")
    return "; ".join(parts)


def _value(ctx, col: dict, row: dict):
    key, fmt, lang = col["key"], col.get("fmt"), ctx.lang
    if key == "status_code":
        return row.get("status")
    if key in ctx.spec["telecom_sources"]:
        return _source(ctx, key, row)
    value = bounded(row.get(f"{key}_{lang}", row.get(key)), key)  # names and free text cut (tc8.text.size)
    if fmt == "status":
        return ctx.labels.get("status", value)
    if fmt == "basis":
        return ctx.labels.get("basis", value)
    if fmt == "evidence":
        return ctx.labels.get("evidence", value)
    if fmt == "bool":
        return ctx.labels.yesno(value)
    if fmt == "unit":
        return ctx.labels.get("unit", value)
    return value


def _columns(ctx, name: str) -> list[dict]:
    """A table's columns; the postal table gets one column per point condition of the rule set."""
    cols = ctx.spec["tables"][name]
    if name != "postal_points":
        return cols
    extra = [{"key": f"cond_{cid}", "vi": label_vi, "en": label_en, "width": 10, "fmt": "bool"}
             for cid, label_vi, label_en in ctx.point_conditions]
    at = next((i for i, c in enumerate(cols) if c["key"] == "kind_ok"), len(cols))
    return cols[:at] + extra + cols[at:]


def _table(sw: SheetWriter, ctx, spec_name: str, rows: list[dict]) -> None:
    cols = _columns(ctx, spec_name)
    sw.header(cols, ctx.lang)
    if not rows:
        sw.add([ctx.labels.t("no_records")], font="italic")
    for row in rows:
        sw.record(cols, [_value(ctx, c, row) for c in cols], status_fill_key=row.get("status"))


def _widths(ctx, *tables: str) -> list[float]:
    widths: list[float] = []
    for name in tables:
        for i, col in enumerate(_columns(ctx, name)):
            if i >= len(widths):
                widths.append(col.get("width", 12))
            else:
                widths[i] = max(widths[i], col.get("width", 12))
    return widths


def _commune_line(ctx, view) -> str:
    name = bounded(view.info.get("commune_name") or "", "commune_name")
    return f"{ctx.labels.t('commune')}: {name} ({view.code})"


def _instruments(ctx) -> str:
    rs = ctx.info["rule_set"]
    return "; ".join(ctx.labels.t("instrument_item", number=i["number"], date=i["date"]) if i["date"] else i["number"]
                     for i in rs["instruments"])


def _summary(wb, ctx, view, used: set) -> None:
    L, rs = ctx.labels, ctx.info["rule_set"]
    title = rs.get(f"title_{ctx.lang}") or rs["title_vi"]
    top = [[L.t("title")], [],
           [L.t("commune"), f"{bounded(view.info.get('commune_name') or '', 'commune_name')} ({view.code})"],
           *([[L.t("provisional_code")]] if is_provisional(view.info) else []),  # no official code
           [L.t("district"), bounded(view.info.get("district_name"), "district_name")],
           [L.t("province"), bounded(view.info.get("province_name"), "province_name") or view.info.get("province_code")],
           [L.t("rule_set"), f"{rs['id']} — {title}"],
           [L.t("instruments"), _instruments(ctx)]]
    if not rs["official"]:
        top.append([L.t("not_official")])
    if ctx.info["synthetic_layers"]:
        top.append([L.t("synthetic_warning", layers=", ".join(ctx.info["synthetic_layers"]))])
    excluded = exclusion_note(ctx.results, view.code, ctx.lang)  # --skip-invalid
    if excluded:
        top.append([excluded])
    freeze = len(top) + 5
    sw = SheetWriter(wb, sheet_title(ctx.spec["sheets"]["summary"][ctx.lang], used),
                     _widths(ctx, "indicators"), freeze_row=freeze, landscape=True)
    for i, row in enumerate(top):
        if not row:
            sw.blank()
        elif i == 0 or len(row) == 1:
            sw.add(row, font="title" if i == 0 else "warn")
        else:
            sw.add([make_cell(sw.ws, row[0], font="bold"), row[1]])
    status = view.indicator(CRITERION).get("status")
    sw.add([make_cell(sw.ws, L.t("overall"), font="bold"),
            make_cell(sw.ws, L.get("status", status), font="bold", fill=STATUS_FILLS.get(status))])
    sw.blank()
    sw.add([L.t("indicators")], font="bold")
    _table(sw, ctx, "indicators", [r for r in view.indicators if r["indicator"] != CRITERION])
    sw.blank()
    sw.add([None, None, None, None, None, None, None, None, L.t("place_date")], font="italic")
    sw.add([None, L.t("preparer"), None, None, None, None, None, None, L.t("confirm")], font="bold")
    sw.add([None, L.t("sign_hint"), None, None, None, None, None, None, L.t("seal_hint")], font="italic")
    sw.ws.print_title_rows = f"{freeze - 1}:{freeze - 1}"


def _indicator_sheet(wb, ctx, view, ind_id: str, used: set) -> None:
    L = ctx.labels
    kinds = ctx.kinds.get(ind_id, [])
    known = ctx.spec["indicator_sheets"].get(ind_id)
    title = known[ctx.lang] if known else f"{ind_id} {ctx.names.get(ind_id, '')}"
    row = view.indicator(ind_id)
    conds = [c for c in view.conditions if c["indicator"] == ind_id]
    tables = {"postal": ["postal_points"], "telecom": ["villages_telecom"],
              "radio": ["stations", "villages_speakers"], "it": ["it_figures"]}
    record_tables = [t for k in kinds for t in tables[k]]
    # rows above the last record table's header: title block 5, conditions 3 + n, then per table 3 + n
    above = 5 + 3 + max(len(conds), 1)
    for name in record_tables[:-1]:
        above += 3 + max(_count(view, name), 1)
    freeze = above + 3 if record_tables and above + 2 <= FREEZE_LIMIT else 5
    sw = SheetWriter(wb, sheet_title(title, used), _widths(ctx, "conditions", *record_tables),
                     freeze_row=freeze, landscape=True)
    sw.add([f"{ind_id} — {ctx.names.get(ind_id, '')}"], font="title")
    sw.add([_commune_line(ctx, view)], font="bold")
    status = row.get("status")
    sw.add([make_cell(sw.ws, L.t("verdict"), font="bold"),
            make_cell(sw.ws, L.get("status", status), font="bold", fill=STATUS_FILLS.get(status)),
            L.t("measured_vs"), row.get("measured"), row.get("op"), row.get("threshold"),
            L.get("unit", row.get("unit"))])
    sw.add([row.get(f"reasons_{ctx.lang}") or row.get(f"missing_{ctx.lang}") or ""])
    sw.blank()
    sw.add([L.t("conditions")], font="bold")
    _table(sw, ctx, "conditions", conds)
    for name in record_tables:
        sw.blank()
        sw.add([L.t(name)], font="bold")
        _table(sw, ctx, name, _record_rows(ctx, view, name))


def _count(view, name: str) -> int:
    frame = {"postal_points": view.postal, "stations": view.stations}.get(name, view.villages)
    return 0 if frame is None else len(frame)


def _record_rows(ctx, view, name: str) -> list[dict]:
    if name == "postal_points":
        return view.postal or []
    if name == "stations":
        return view.stations or []
    if name == "it_figures":
        if not view.it:
            return []
        from tc8.model.schema import LAYERS

        layer = LAYERS["commune_it"]
        return [{"label": getattr(c, f"label_{ctx.lang}") or c.name,
                 "value": ctx.labels.yesno(view.it.get(c.name)) if c.kind == "bool" else view.it.get(c.name)}
                for c in layer.columns if c.name not in ("commune_code", "synthetic")]
    return view.villages or []


def _missing_sheet(wb, ctx, view, used: set) -> None:
    L = ctx.labels
    sw = SheetWriter(wb, sheet_title(ctx.spec["sheets"]["missing"][ctx.lang], used),
                     _widths(ctx, "missing"), freeze_row=4)
    sw.add([ctx.spec["sheets"]["missing"][ctx.lang] + " — " + _commune_line(ctx, view)], font="title")
    excluded = exclusion_note(ctx.results, view.code, ctx.lang)  # --skip-invalid: fix the excluded records
    if excluded:
        sw.add([excluded], font="warn")
    else:
        sw.blank()
    rows = []
    for rec in view.indicators:  # every item still missing, also under an indicator that fails anyway
        ind_id = rec["indicator"]
        if ind_id == CRITERION:
            continue
        labels = [c.get(f"label_{ctx.lang}") or c.get("label_vi") for c in view.conditions
                  if c["indicator"] == ind_id and c["status"] == "thieu_du_lieu"]
        what = rec.get(f"missing_{ctx.lang}") or rec.get("missing_vi")
        if rec["status"] != "thieu_du_lieu" and not labels and not what:
            continue
        sources = [msg(ctx.spec["missing_source"][k], ctx.lang) for k in ctx.kinds.get(ind_id, [])]
        rows.append({"indicator": ind_id, "name": rec.get(f"name_{ctx.lang}") or rec.get("name_vi"),
                     "status": rec["status"], "what": what or "; ".join(str(x) for x in labels if x),
                     "conditions": "; ".join(str(x) for x in labels if x), "source": "; ".join(sources)})
    cols = ctx.spec["tables"]["missing"]
    sw.header(cols, ctx.lang)
    if not rows:
        sw.add([L.t("nothing_missing")], font="italic")
    for rec in rows:
        sw.record(cols, [_value(ctx, c, rec) for c in cols], status_fill_key=rec["status"])
    sw.ws.auto_filter.ref = f"A3:{get_column_letter(len(cols))}{max(sw.row, 4)}"


def write_sources_sheet(wb: Workbook, ctx: Context, used: set[str], *, parameters: dict | None = None,
                        warnings: list | None = None) -> None:
    """'Nguồn dữ liệu': run facts, input files × layers with SHA-256, parameters (also used by the roll-up)."""
    L, info = ctx.labels, ctx.info
    rs = info["rule_set"]
    sw = SheetWriter(wb, sheet_title(ctx.spec["sheets"]["sources"][ctx.lang], used),
                     _widths(ctx, "files", "parameters"), landscape=True)
    sw.add([ctx.spec["sheets"]["sources"][ctx.lang]], font="title")
    sw.add([L.t("run")], font="bold")
    facts = [("tool_version", info["tool"]["version"]), ("rule_set_id", rs["id"]),
             ("rule_set", rs.get(f"title_{ctx.lang}") or rs["title_vi"]), ("instruments", _instruments(ctx)),
             ("official", L.yesno(rs["official"])), ("rule_set_sha", rs["sha256"]),
             ("rule_set_files", "; ".join(rs["source_files"])), ("metric_crs", info["metric_crs"]),
             ("generated_at", info["generated_at"])]
    if info["synthetic_layers"]:
        facts.append(("synthetic_warning", ", ".join(info["synthetic_layers"])))
    if info.get("policy"):
        facts.append(("policy", json.dumps(info["policy"], ensure_ascii=False, sort_keys=True)))
    for key, value in facts:
        sw.add([make_cell(sw.ws, L.t(key, layers=""), font="bold"), value])
    sw.blank()
    sw.add([L.t("files")], font="bold")
    synthetic = set(info["synthetic_layers"])
    rows = [{"file": f["path"], "layer": layer, "rows": n, "synthetic": layer in synthetic, "crs": f["crs"],
             "size_bytes": f["size_bytes"], "sha256": f["sha256"]}
            for f in info["inputs"] for layer, n in (f["layers"] or {"": None}).items()]
    _table(sw, ctx, "files", rows)
    if parameters is not None:
        sw.blank()
        sw.add([L.t("parameters")], font="bold")
        prows = []
        for name, value in parameters.items():
            meta = ctx.param_meta.get(name, {})
            shown = ", ".join(str(v) for v in value) if isinstance(value, list) else value
            prows.append({"name": name, "label": meta.get(f"label_{ctx.lang}") or meta.get("label_vi", ""),
                          "value": shown, "unit": meta.get("unit", ""), "basis": meta.get("basis", "")})
        _table(sw, ctx, "parameters", prows)
    if warnings:
        sw.blank()
        sw.add([f"{L.t('warnings')} ({len(warnings)})"], font="bold")
        for problem in warnings[:20]:
            d = problem_dict(problem, ctx.lang) if isinstance(problem, Problem) else {"message": str(problem)}
            sw.add([d.get("file", ""), d.get("layer", ""), d.get("row", ""), d.get("message", "")])
        if len(warnings) > 20:
            sw.add([msg("reason.and_more", ctx.lang, n=len(warnings) - 20)])


def _map_sheet(wb, ctx, view, map_png: Path, used: set) -> None:
    sw = SheetWriter(wb, sheet_title(ctx.spec["sheets"]["map"][ctx.lang], used), [100])
    sw.add([ctx.labels.t("map_title") + " — " + _commune_line(ctx, view)], font="title")
    image = Image(str(map_png))
    if image.width > MAP_WIDTH_PX:
        image.height = int(image.height * MAP_WIDTH_PX / image.width)
        image.width = MAP_WIDTH_PX
    image.anchor = "A3"
    sw.ws.add_image(image)


def write_commune_workbook(ctx: Context, view: CommuneView, path: Path, *, map_png: Path | None = None) -> None:
    """Write the commune workbook to ``path`` atomically (temp file + rename)."""

    def build(wb) -> None:
        used: set = set()
        _summary(wb, ctx, view, used)
        for ind_id in ctx.indicator_ids:
            _indicator_sheet(wb, ctx, view, ind_id, used)
        _missing_sheet(wb, ctx, view, used)
        write_sources_sheet(wb, ctx, used, parameters=view.parameters)
        if map_png is not None and Path(map_png).exists():
            _map_sheet(wb, ctx, view, Path(map_png), used)

    save_or_discard(new_workbook(), path, build, generated_at=ctx.info["generated_at"])
