"""``plan.xlsx``: the plan for the province office (``tc8 plan``).

Sheets, in the chosen language:

1. communes ranked by the cost to pass (cheapest first; communes the plan cannot fix, or that
   need data first, after them): code, name, district, the new (2025) commune when the codes
   are of 2024, TC8 before, whether the plan fixes it, whether re-assessing the input with the
   plan applied confirmed it, the cost per indicator and in total;
2. totals per indicator (interventions, communes, cost) and per district and per new commune;
3. every intervention (one row each, as ``plan.csv``), then what to collect first and what
   cannot be fixed;
4. the note: cost file, currency, example-price warning, solver used.

Reads a :class:`tc8.plan.model.Plan`; computes sums and orderings only (no verdict). Words from
the message catalogue (``plan.wb.*``); cells made safe by :mod:`tc8.dossier.xlsx`.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tc8.io.admin_units import conversion
from tc8.text.messages import text
from .xlsx import CENTER, HEADER_FILL, STATUS_FILLS, TOP, WRAP, SheetWriter, discard, make_cell, new_workbook, sheet_title

if TYPE_CHECKING:
    from tc8.plan.model import Plan

ActionLabel = Callable[[str], str]


def _t(key: str, lang: str, **params) -> str:
    return text(f"plan.wb.{key}", lang, **params)


def _header(sw: SheetWriter, words: list[str]) -> None:
    sw.add([make_cell(sw.ws, w, font="header", fill=HEADER_FILL, align=CENTER, border=True) for w in words])


def _row(sw: SheetWriter, values: list, *, money: set[int] = frozenset(), status: dict[int, str] | None = None,
         wrap: set[int] = frozenset()) -> None:
    cells = []
    for i, value in enumerate(values):
        fill = STATUS_FILLS.get((status or {}).get(i))
        fmt = "thousands" if i in money else ("number" if isinstance(value, float) else None)
        cells.append(make_cell(sw.ws, value, fill=fill, fmt=fmt, align=WRAP if i in wrap else TOP, border=True))
    sw.add(cells)


def interventions_frame(plan: Plan) -> pd.DataFrame:
    """One row per intervention: commune_code, indicator, condition_id, action, quantity, unit,
    unit_cost, cost, target (the fields the sheets show)."""
    cols = ["commune_code", "indicator", "condition_id", "action", "quantity", "unit", "unit_cost", "cost", "target"]
    return pd.DataFrame([{c: getattr(i, c) for c in cols} for i in plan.interventions], columns=cols)


def new_commune_names(plan: Plan) -> pd.Series:
    """Commune code -> the name(s) of its 2025 successor(s), when the codes are of 2024
    (``Results.inputs.code_year``); empty otherwise. A split commune lists every successor."""
    inputs = plan.results.inputs
    year = getattr(getattr(inputs, "code_year", None), "year", None)
    if year != 2024:
        return pd.Series(dtype=object)
    conv = conversion()
    conv = conv[conv["code_2024"].isin(plan.results.communes["commune_code"])]
    return conv.groupby("code_2024")["name_2025"].agg(lambda s: "; ".join(dict.fromkeys(s)))


def _ranked(plan: Plan, per_indicator: pd.DataFrame) -> pd.DataFrame:
    communes = plan.communes.copy() if plan.communes is not None else pd.DataFrame(columns=["commune_code"])
    communes = communes.join(per_indicator, on="commune_code")
    communes["_order"] = (~communes.get("fixable", pd.Series(False, index=communes.index)).astype(bool)).astype(int)
    return communes.sort_values(["_order", "cost_total", "commune_code"], na_position="last", kind="stable")


def _communes_sheet(wb, plan: Plan, lang: str, used: set, table: pd.DataFrame) -> None:
    indicators = [ind.id for ind in plan.results.rule_set.indicators]
    per_indicator = (table.pivot_table(index="commune_code", columns="indicator", values="cost", aggfunc="sum")
                     if len(table) else pd.DataFrame())
    ranked = _ranked(plan, per_indicator)
    new_names = new_commune_names(plan)
    sw = SheetWriter(wb, sheet_title(_t("sheet.communes", lang), used),
                     [6, 10, 26, 20, 24, 12, 10, 10, 12] + [14] * len(indicators) + [16], freeze_row=2, landscape=True)
    _header(sw, [_t(f"col.{k}", lang) for k in ("rank", "code", "name", "district", "new_commune", "status_before",
                                                "fixable", "verified", "status_after")]
            + [_t("col.cost_of", lang, indicator=i) for i in indicators] + [_t("col.cost_total", lang)])
    for rank, (_, row) in enumerate(ranked.iterrows(), 1):
        before, after = row.get("status_tc8", ""), row.get("status_after", "")
        costs = [None if pd.isna(row.get(i)) else float(row.get(i)) for i in indicators]
        total = row.get("cost_total")
        _row(sw, [rank, row["commune_code"], row.get("commune_name", ""), row.get("district_name", "") or "",
                  new_names.get(row["commune_code"], ""), text(f"status.{before}", lang) if before else "",
                  _yesno(row.get("fixable"), lang), _yesno(row.get("verified"), lang),
                  text(f"status.{after}", lang) if isinstance(after, str) and after else "",
                  *costs, None if pd.isna(total) else float(total)],
             money=set(range(9, 10 + len(indicators))), status={5: before, 8: after})


def _yesno(value, lang: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return text("word.yes" if bool(value) else "word.no", lang)


def _group_rows(sw: SheetWriter, table: pd.DataFrame, key: pd.Series, title: str) -> None:
    sw.add([make_cell(sw.ws, title, font="bold")])
    grouped = table.assign(_k=key.reindex(table["commune_code"]).to_numpy()).groupby("_k", dropna=True)
    for name, part in grouped:
        _row(sw, [name, len(part), part["commune_code"].nunique(), float(part["cost"].sum(min_count=1) or 0)],
             money={3})
    sw.add([])


def _totals_sheet(wb, plan: Plan, lang: str, used: set, table: pd.DataFrame) -> None:
    sw = SheetWriter(wb, sheet_title(_t("sheet.totals", lang), used), [36, 16, 12, 20])
    _header(sw, [_t(f"col.{k}", lang) for k in ("group", "interventions", "communes", "cost")])
    sw.add([make_cell(sw.ws, _t("by_indicator", lang), font="bold")])
    for indicator, part in table.groupby("indicator"):
        _row(sw, [indicator, len(part), part["commune_code"].nunique(), float(part["cost"].sum(min_count=1) or 0)],
             money={3})
    _row(sw, [_t("all", lang), len(table), table["commune_code"].nunique(),
              float(table["cost"].sum(min_count=1) or 0) if len(table) else 0.0], money={3})
    sw.add([])
    communes = plan.results.communes.set_index("commune_code")
    if "district_name" in communes.columns and communes["district_name"].notna().any():
        _group_rows(sw, table, communes["district_name"], _t("by_district", lang))
    new_names = new_commune_names(plan)
    if len(new_names):
        _group_rows(sw, table, new_names, _t("by_new_commune", lang))


def _interventions_sheet(wb, plan: Plan, lang: str, used: set, table: pd.DataFrame, label: ActionLabel) -> None:
    sw = SheetWriter(wb, sheet_title(_t("sheet.interventions", lang), used),
                     [10, 8, 16, 40, 10, 14, 14, 16, 24], freeze_row=2, landscape=True)
    _header(sw, [_t(f"col.{k}", lang) for k in ("code", "indicator", "condition", "action", "quantity", "unit",
                                                "unit_cost", "cost", "target")])
    for _, row in table.sort_values(["commune_code", "indicator"], kind="stable").iterrows():
        _row(sw, [row["commune_code"], row["indicator"], row["condition_id"], label(row["action"]),
                  float(row["quantity"]), row["unit"],
                  None if pd.isna(row["unit_cost"]) else float(row["unit_cost"]),
                  None if pd.isna(row["cost"]) else float(row["cost"]), row["target"]], money={6, 7}, wrap={3})
    sw.add([])
    for item in plan.collect_first:
        _row(sw, [item.commune_code, item.indicator, item.condition_id,
                  _t("collect_first", lang) + (f": {item.missing_note}" if item.missing_note else "")], wrap={3})
    for item in plan.unfixable:
        _row(sw, [item.commune_code, item.indicator, item.condition_id,
                  _t("unfixable", lang) + ": " + text(f"plan.unfixable.{item.reason}", lang, **item.detail)], wrap={3})


def _note_sheet(wb, plan: Plan, lang: str, used: set, source: str) -> None:
    sw = SheetWriter(wb, sheet_title(_t("sheet.note", lang), used), [30, 100])
    rows = [("rule_set", plan.results.rule_set.id), ("input", source), ("cost_file", plan.cost_source),
            ("currency", plan.currency)]
    if plan.example_costs:
        rows.append(("warning", _t("example_prices", lang)))
    rows.append(("proof", _t("proof", lang)))
    for family, notes in sorted(plan.notes.items()):
        shown = ", ".join(f"{k} = {v}" for k, v in notes.items())
        rows.append((family, shown))
    named = ("rule_set", "input", "cost_file", "currency", "warning", "proof")
    for key, value in rows:
        label = _t(f"note.{key}", lang) if key in named else key
        sw.add([make_cell(sw.ws, label, font="bold", align=TOP),
                make_cell(sw.ws, value, align=WRAP, font="warn" if key == "warning" else None)])


def write_plan_workbook(plan: Plan, path, *, lang: str = "vi", action_label: ActionLabel | None = None,
                        source: str = "") -> Path:
    """Write ``plan.xlsx`` to ``path`` (the caller makes it atomic; nothing is left on failure).
    ``action_label``: action code -> its words (the cost file's label); default the code."""
    label = action_label or (lambda action: action)
    table = interventions_frame(plan)
    wb = new_workbook()
    used: set = set()
    try:
        _communes_sheet(wb, plan, lang, used, table)
        _totals_sheet(wb, plan, lang, used, table)
        _interventions_sheet(wb, plan, lang, used, table, label)
        _note_sheet(wb, plan, lang, used, source)
        wb.save(path)
    except BaseException:
        discard(wb)
        raise
    return Path(path)
