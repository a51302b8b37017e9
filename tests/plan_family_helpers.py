"""Helpers of the family-planner tests (tests/test_plan_postal.py, tests/test_plan_radio.py):
run a family planner on an assessment, apply its edits to the validated input, write that
input to a GeoPackage and assess it again (the plan must prove itself)."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from tc8.model.schema import LAYERS
from tc8.model.vocab import MEASURES
from tc8.pipeline import run_assessment
from tc8.plan.costs import load_costs
from tc8.plan.model import NEW_RECORD, PlanContext


_RANK = {"khong_dat": 0, "thieu_du_lieu": 1, "dat": 2}


def _needed(node, status: dict, out: set) -> int:
    """Status rank of ``node``; adds to ``out`` the failing leaves that keep it from passing
    (a leaf inside an ``any`` that passes is not needed)."""
    kids = getattr(node, "children", None)
    if kids is None:
        rank = _RANK[status.get(node.id, "dat")]
        if rank == 0:
            out.add(node.id)
        return rank
    found = [set() for _ in kids]
    ranks = [_needed(k, status, f) for k, f in zip(kids, found)]
    rank = min(ranks) if node.kind == "all" else max(ranks)
    if rank < 2:
        out.update(*found)
    return rank


def failing_of(results, family: str) -> pd.DataFrame:
    """The failing conditions of ``results`` whose measure belongs to ``family`` and that keep
    their indicator from passing (the orchestrator's choice, simplified for tests)."""
    c = results.conditions
    keep = np.zeros(len(c), dtype=bool)
    for (code, indicator), rows in c.groupby(["commune_code", "indicator"]):
        tree = results.rule_set.indicator(indicator).enabled_condition
        needed: set = set()
        _needed(tree, dict(zip(rows["condition_id"], rows["status"])), needed)
        keep[c.index.get_indexer(rows.index[rows["condition_id"].isin(needed)])] = True
    return c[keep & (c["status"] == "khong_dat").to_numpy()
             & c["measure"].map(lambda m: MEASURES[m].family == family).to_numpy()]


def plan_of(module, results, costs=None, lang: str = "vi"):
    """``module.plan_family`` on every failing condition of its family."""
    family = module.__name__.rsplit(".", 1)[-1]
    return module.plan_family(PlanContext(results, costs or load_costs(), lang), failing_of(results, family))


def apply_edits(results, interventions) -> dict:
    """The validated input layers of ``results`` with every edit of ``interventions`` applied."""
    layers = {name: frame.copy() for name, frame in results.inputs.layers.items()}
    for iv in interventions:
        for edit in iv.edits:
            frame = layers[edit.layer]
            id_col = LAYERS[edit.layer].id_column
            if edit.record_id is NEW_RECORD:
                row = {c: pd.NA for c in frame.columns if c != frame.geometry.name}
                row.update(edit.values)
                new = gpd.GeoDataFrame([row], geometry=[edit.geometry], crs=frame.crs)
                layers[edit.layer] = pd.concat([frame, new.astype({c: frame[c].dtype for c in row if c in frame})],
                                               ignore_index=True)
            else:
                hit = frame[id_col] == edit.record_id
                assert hit.sum() == 1, f"{edit.layer}:{edit.record_id} not found"
                for column, value in edit.values.items():
                    frame.loc[hit, column] = value
    return layers


def reassess(results, interventions, rules: str, folder: Path):
    """Assess again the input of ``results`` with the edits applied (written to a GeoPackage in
    the metric CRS and validated again like any input)."""
    layers = apply_edits(results, interventions)
    path = Path(folder) / "applied.gpkg"
    for name, frame in layers.items():
        frame = frame.drop(columns=[c for c in ("code_provisional",) if c in frame.columns])
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    return run_assessment(path, rules)


def statuses(results, indicator: str) -> dict:
    """commune code -> status of ``indicator``."""
    ind = results.indicators
    ind = ind[ind["indicator"] == indicator]
    return dict(zip(ind["commune_code"], ind["status"]))
