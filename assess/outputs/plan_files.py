"""Write a plan: ``plan.csv`` (one row per intervention, collect-first item and unfixable
condition) and ``plan.gpkg`` (layers ``plan`` — points: new, upgraded or changed sites and new
points —, ``plan_lines`` — lines: fibre extensions —, and ``plan_communes`` — the commune
polygons that do not pass with ``cost_total``, ``fixable``, ``verified``, ``status_after``).

``plan.csv`` is UTF-8 with a BOM; text cells a spreadsheet would run are made inert. Columns:
:data:`CSV_COLUMNS`. ``kind`` is ``intervention`` / ``collect_first`` / ``unfixable``;
``action_text`` the cost file's label of the action (else the catalogue sentence); ``note`` the
sentence of the intervention (quantities), the missing-data note or the reason it cannot be
fixed; ``lon``/``lat`` in WGS 84 (empty without a location); ``verified`` the commune's
verification (re-assessed with the plan applied); ``example_prices`` true while the cost file's
prices are examples. Geometries of the GeoPackage are in WGS 84. Written atomically.
"""
from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from tc8.io.atomic import atomic_path
from tc8.io.inert import inert_text_columns
from tc8.plan.model import Plan
from tc8.text.messages import catalogue, text

from .files import check_outputs

PLAN_FILES = ("plan.csv", "plan.gpkg")
CSV_COLUMNS = ("commune_code", "commune_name", "district_name", "indicator", "condition_id", "kind", "action",
               "action_text", "quantity", "unit", "unit_cost", "cost", "currency", "target", "lon", "lat",
               "note", "verified", "example_prices")
WGS84 = "EPSG:4326"


def _say(key: str, lang: str, **params) -> str:
    """The catalogue sentence ``key``, or "" when the catalogue has none."""
    return text(key, lang, **params) if key in catalogue() else ""


def action_text(plan: Plan, action: str, lang: str) -> str:
    """The label of ``action``: from the cost file, else the catalogue, else the action key."""
    entry = plan.costs.actions.get(action) if plan.costs is not None else None
    label = getattr(entry, f"label_{lang}", "") if entry else ""
    return label or _say(f"plan.action.{action}", lang) or action


def _lonlat(geoms: list) -> tuple[np.ndarray, np.ndarray, list]:
    """WGS 84 lon/lat of each geometry's representative point (NaN without one)."""
    lon = np.full(len(geoms), np.nan)
    lat = np.full(len(geoms), np.nan)
    idx = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    return lon, lat, idx


def _intervention_rows(plan: Plan, lang: str, crs: str) -> pd.DataFrame:
    items = plan.interventions
    geoms = [i.geometry for i in items]
    lon, lat, idx = _lonlat(geoms)
    if idx:
        pts = gpd.GeoSeries([geoms[i].representative_point() for i in idx], crs=crs).to_crs(WGS84)
        lon[idx], lat[idx] = pts.x.to_numpy(), pts.y.to_numpy()
    return pd.DataFrame({
        "commune_code": [i.commune_code for i in items], "indicator": [i.indicator for i in items],
        "condition_id": [i.condition_id for i in items], "kind": "intervention",
        "action": [i.action for i in items], "action_text": [action_text(plan, i.action, lang) for i in items],
        "quantity": [i.quantity for i in items], "unit": [i.unit for i in items],
        "unit_cost": [i.unit_cost for i in items], "cost": [i.cost for i in items], "currency": plan.currency,
        "target": [i.target for i in items], "lon": lon.round(6), "lat": lat.round(6),
        "note": [_say(f"plan.action.{i.action}", lang, quantity=f"{i.quantity:g}", **i.detail) for i in items],
    })


def _other_rows(plan: Plan, lang: str) -> pd.DataFrame:
    collect = [{"commune_code": c.commune_code, "indicator": c.indicator, "condition_id": c.condition_id,
                "kind": "collect_first", "action_text": text("plan.kind.collect_first", lang), "note": c.missing_note}
               for c in plan.collect_first]
    unfix = [{"commune_code": u.commune_code, "indicator": u.indicator, "condition_id": u.condition_id,
              "kind": "unfixable", "action": u.reason, "action_text": text("plan.kind.unfixable", lang),
              "note": _say(f"plan.unfixable.{u.reason}", lang, **u.detail) or u.reason} for u in plan.unfixable]
    return pd.DataFrame(collect + unfix, columns=["commune_code", "indicator", "condition_id", "kind", "action",
                                                  "action_text", "note"])


def plan_table(plan: Plan, *, lang: str = "vi") -> pd.DataFrame:
    """The rows of ``plan.csv`` (columns :data:`CSV_COLUMNS`), interventions first, by commune."""
    rows = pd.concat([_intervention_rows(plan, lang, plan.results.metric_crs), _other_rows(plan, lang)],
                     ignore_index=True)
    communes = plan.communes.set_index("commune_code") if plan.communes is not None else pd.DataFrame()
    names = plan.results.communes.drop_duplicates("commune_code").set_index("commune_code")
    rows["commune_name"] = rows["commune_code"].map(names["commune_name"])
    rows["district_name"] = rows["commune_code"].map(names["district_name"]) if "district_name" in names else ""
    checked = communes[communes["status_after"] != ""] if "status_after" in communes else communes.iloc[0:0]
    said = checked["verified"].map(lambda v: text("plan.csv.verified_yes" if v else "plan.csv.verified_no", lang)) \
        if len(checked) else pd.Series(dtype=object)
    rows["verified"] = rows["commune_code"].map(said).fillna("")
    rows["example_prices"] = bool(plan.example_costs)
    rows["currency"] = rows["currency"].fillna(plan.currency)
    order = {"intervention": 0, "collect_first": 1, "unfixable": 2}
    rows = rows.assign(_k=rows["kind"].map(order)).sort_values(["commune_code", "_k", "indicator"], kind="stable")
    return rows.reindex(columns=list(CSV_COLUMNS)).reset_index(drop=True)


def plan_layers(plan: Plan) -> dict[str, gpd.GeoDataFrame]:
    """``plan`` (points), ``plan_lines`` (lines) and ``plan_communes`` (polygons), WGS 84."""
    crs = plan.results.metric_crs
    items = [i for i in plan.interventions if i.geometry is not None and not i.geometry.is_empty]
    frame = gpd.GeoDataFrame({
        "commune_code": [i.commune_code for i in items], "indicator": [i.indicator for i in items],
        "condition_id": [i.condition_id for i in items], "action": [i.action for i in items],
        "quantity": [i.quantity for i in items], "cost": [i.cost for i in items],
        "target": [i.target for i in items], "covers": [";".join(i.covers) for i in items]},
        geometry=[i.geometry for i in items], crs=crs).to_crs(WGS84)
    kind = frame.geometry.geom_type.fillna("")
    communes = plan.results.communes[["commune_code", "geometry"]].merge(plan.communes, on="commune_code")
    communes = gpd.GeoDataFrame(communes, geometry="geometry", crs=crs).to_crs(WGS84)
    return {"plan": frame[kind.str.contains("Point")], "plan_lines": frame[kind.str.contains("LineString")],
            "plan_communes": communes}


def write_plan_files(plan: Plan, outdir: str | os.PathLike, *, overwrite: bool = False,
                     lang: str = "vi") -> dict[str, Path]:
    """Write ``plan.csv`` and ``plan.gpkg`` into ``outdir``; name -> path."""
    outdir = Path(outdir)
    check_outputs(outdir, PLAN_FILES, overwrite=overwrite)
    table = inert_text_columns(plan_table(plan, lang=lang))
    with atomic_path(outdir / "plan.csv") as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig")
    with atomic_path(outdir / "plan.gpkg", placeholder=False) as tmp:
        for name, frame in plan_layers(plan).items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
    return {"plan.csv": outdir / "plan.csv", "plan.gpkg": outdir / "plan.gpkg"}
