"""The 8.3 planner: the commune radio station to repair, license or build, and the loudspeaker
clusters to repair or add per village.

Stations (``radio_station_ok``, ``radio_station_it_based``), read as
:mod:`tc8.measures.radio` reads them: a station is ok when operating, compliant and, for FM,
licensed; IT-based when an operating ``ip`` station. Per station of the commune
(``Results.layers["radio_stations"]``): ``radio_station_repair`` when it is not operating or
not compliant (the repair brings it into service and to the standard), and
``radio_station_license`` for an FM station without its frequency licence. A station with an
unknown value it would still need after the fix is no candidate (missing data: collect first).
The cheapest way is chosen among: one station fixed for every failing station condition, a
pair (one fixed for each), or ``radio_station_new`` (type ``ip``, operating, compliant; at
:func:`tc8.plan.place.best_position`), ties to the existing station.

Loudspeakers (``share_villages_speakers``): the commune's villages without an operating
cluster (``Results.villages.speaker_ok`` false; an unknown village is missing data, never
planned) are fixed until the share passes, cheapest village first, then the most populous,
then by id. Per village: ``speaker_repair`` of a non-operating cluster the engine matched to it
(``village_id_used``: tagged to it within reach, or its nearest village within
``speaker_reach_m``) when cheaper, else ``speaker_new`` (type ``ip``, operating, ``village_id``
set, at the village's position). One intervention per village (quantity 1 cluster).

An intervention that also satisfies a second failing condition is repeated for it with
quantity 0 and cost 0 (``same_as``: :func:`tc8.plan.postal.companion`); ``detail`` holds the
parameters of the sentence ``plan.action.<action>``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tc8.rules.compare import OPS

from .lookup import commune_rows, derived, grouped_records
from .model import NEW_RECORD, Edit, FamilyPlan, Intervention, Unfixable
from .place import VILLAGE_COLUMNS, best_position, commune_polygon, inside, village_position
from .postal import companion
from .words import where

STATIONS, SPEAKERS = "radio_stations", "speakers"
STATION_OK, IT_BASED, SHARE = "radio_station_ok", "radio_station_it_based", "share_villages_speakers"
STATION_MEASURES = (STATION_OK, IT_BASED)
#: the measures this planner plans (read by :mod:`tc8.plan.targets`)
MEASURES = (STATION_OK, IT_BASED, SHARE)


@dataclass
class _Way:
    """One way to satisfy the station conditions: a list of (action, station id or None for a
    new one, values to set, measures served)."""

    steps: list = field(default_factory=list)
    total: float = 0.0
    unpriced: int = 0
    new: bool = False

    def key(self):
        return (self.unpriced, self.total, self.new)


def plan_family(ctx, failing: pd.DataFrame) -> FamilyPlan:
    """Interventions for the failing radio conditions of ``failing`` (rows of
    ``Results.conditions``), per commune and indicator."""
    plan = FamilyPlan()
    if failing is None or not len(failing):
        return plan
    for (code, indicator), rows in grouped_records(failing, ("commune_code", "indicator")):
        code, indicator = str(code), str(indicator)
        by_measure = {r.measure: r for r in rows}
        stations = {m: r for m, r in by_measure.items() if m in STATION_MEASURES and _wants_true(r)}
        if stations:
            _plan_stations(ctx, code, indicator, stations, plan)
        if SHARE in by_measure:
            _plan_speakers(ctx, code, indicator, by_measure[SHARE], plan)
        for m, r in by_measure.items():
            if m != SHARE and m not in stations:
                plan.unfixable.append(Unfixable(code, indicator, r.condition_id, "radio_condition",
                                                {"measure": m, "op": r.op}))
    return plan


def _wants_true(row) -> bool:
    """A yes/no station condition that asks for yes (``== true`` or ``>= 1``)."""
    threshold = row.threshold
    if isinstance(threshold, str):
        threshold = threshold.strip().lower() in ("true", "1", "yes")
    return (row.op in ("==", ">=") and bool(threshold)) or (row.op == ">" and not bool(threshold))


def _tri(value) -> bool | None:
    return None if value is None or pd.isna(value) else bool(value)


# --- stations -----------------------------------------------------------------------------

def _station_steps(station: pd.Series, needs) -> list | None:
    """The fixes that make ``station`` meet every measure of ``needs``: [(action, values)];
    None when it cannot (unknown value it still needs, or not ``ip`` for the IT-based one)."""
    operating, compliant = _tri(station["operating"]), _tri(station["compliant"])
    fm, ip = station["type"] == "fm", station["type"] == "ip"
    steps = []
    if IT_BASED in needs and not ip:
        return None
    if (STATION_OK in needs and (operating is False or compliant is False)) or (IT_BASED in needs and operating is False):
        steps.append(("radio_station_repair", {"operating": True, "compliant": True}))
        operating = compliant = True
    if operating is None or (STATION_OK in needs and compliant is None):
        return None
    if STATION_OK in needs and fm:
        licensed = _tri(station["licensed"])
        if licensed is None:
            return None
        if not licensed:
            steps.append(("radio_station_license", {"licensed": True}))
    return steps


def _way(ctx, steps: list, terrain: str, new: bool = False) -> _Way:
    way = _Way(steps=steps, new=new)
    for action, _, _, _ in steps:
        _, total = ctx.costs.cost(action, 1.0, terrain)
        if total is None:
            way.unpriced += 1
        else:
            way.total += total
    return way


def _station_ways(ctx, code: str, needs: tuple, terrain: str) -> list:
    """Every way considered for ``needs``, each a :class:`_Way`."""
    layer = ctx.results.layers.get(STATIONS)
    sub = commune_rows(layer, code) if layer is not None else layer
    ways, best_single = [], {}
    for _, station in (sub.iterrows() if sub is not None else ()):
        sid = str(station["station_id"])
        steps = _station_steps(station, needs)
        if steps:
            ways.append(_way(ctx, [(a, sid, v, needs) for a, v in steps], terrain))
        for need in needs if len(needs) > 1 else ():
            one = _station_steps(station, (need,))
            if one:
                w = _way(ctx, [(a, sid, v, (need,)) for a, v in one], terrain)
                if need not in best_single or w.key() < best_single[need].key():
                    best_single[need] = w
    if len(best_single) == len(needs) > 1:
        a, b = best_single[needs[0]], best_single[needs[1]]
        ways.append(_way(ctx, a.steps + b.steps, terrain))
    values = {"station_id": f"KH-{code}-DT1", "commune_code": code, "type": "ip", "operating": True,
              "compliant": True}
    ways.append(_way(ctx, [("radio_station_new", None, values, needs)], terrain, new=True))
    return ways


def _plan_stations(ctx, code: str, indicator: str, rows: dict, plan: FamilyPlan) -> None:
    terrain = ctx.terrain(code)
    needs = tuple(m for m in STATION_MEASURES if m in rows)
    best = min(_station_ways(ctx, code, needs, terrain), key=_Way.key)
    layer = ctx.results.layers.get(STATIONS)
    done = set()
    for action, sid, values, served in best.steps:
        unit_cost, total = ctx.costs.cost(action, 1.0, terrain)
        main, *others = served
        detail = {}
        if sid is None:
            geometry, placement = best_position(ctx.results, code)
            detail.update(placement, **where(placement), station=values["station_id"])
            edits, target = (Edit(STATIONS, NEW_RECORD, dict(values), geometry),), ""
        else:
            geometry = commune_rows(layer, sid, "station_id").geometry.iloc[0]
            detail["station"] = sid
            edits, target = (Edit(STATIONS, sid, dict(values)),), f"{STATIONS}:{sid}"
        first = Intervention(code, indicator, rows[main].condition_id, action, 1.0, ctx.costs.unit(action),
                             unit_cost, total, target=target, detail=detail, edits=edits, geometry=geometry)
        plan.interventions.append(first)
        done.add(first.condition_id)
        for m in others:
            if rows[m].condition_id not in done:
                done.add(rows[m].condition_id)
                plan.interventions.append(companion(first, rows[m].condition_id))


# --- loudspeakers -------------------------------------------------------------------------

def _villages_needed(row, n: int, yes: int, candidates: int) -> int | None:
    """Fewest villages to fix so that ``100 * (yes + k) / n op threshold`` holds (the share as
    :func:`tc8.measures.common.village_share` computes it); None when even all candidates
    are not enough or the operator cannot be reached by fixing villages."""
    if row.op not in (">=", ">", "==") or pd.isna(row.threshold) or n == 0:
        return None
    for k in range(0, candidates + 1):
        if OPS[row.op](100.0 * (yes + k) / n, float(row.threshold)):
            return k
    return None


def _broken(speakers: pd.DataFrame) -> pd.Series:
    """Village id -> the first (by id) non-operating cluster the engine matched to it."""
    off = speakers.loc[~speakers["operating"].fillna(True).astype(bool) & speakers["village_id_used"].notna()]
    off = off.sort_values("cluster_id")
    return off.groupby(off["village_id_used"].astype(object))["cluster_id"].first().astype(object)


def _village_options(ctx, code: str, villages: pd.DataFrame) -> pd.DataFrame:
    """Per village without an operating cluster: the cheapest action (``speaker_repair`` of a
    cluster matched to it, else ``speaker_new``), its cluster, unit cost and total."""
    terrain = ctx.terrain(code)
    speakers = ctx.results.layers.get(SPEAKERS)
    broken = derived(speakers, "radio_broken", _broken) if speakers is not None and len(speakers) \
        else pd.Series(dtype=object)
    rows = []
    for _, v in villages.iterrows():
        cluster = broken.get(v["village_id"]) if len(broken) else None
        choices = [("speaker_new", None)] + ([("speaker_repair", str(cluster))] if cluster is not None else [])
        priced = [(a, c, *ctx.costs.cost(a, 1.0, terrain)) for a, c in choices]
        action, cid, unit_cost, total = min(priced, key=lambda p: (p[3] is None, p[3] or 0, p[0] == "speaker_new"))
        population = v.get("population")
        rows.append({"village_id": str(v["village_id"]), "village_name": str(v["village_name"]),
                     "population": 0 if pd.isna(population) else int(population), "action": action,
                     "cluster": cid, "unit_cost": unit_cost, "cost": total, "geometry": v.geometry,
                     "rank_cost": np.inf if total is None else total})
    return pd.DataFrame(rows)


def _plan_speakers(ctx, code: str, indicator: str, row, plan: FamilyPlan) -> None:
    villages = ctx.results.villages
    sub = commune_rows(villages, code, columns=("speaker_ok", *VILLAGE_COLUMNS))
    ok = sub["speaker_ok"]
    yes, todo = int(ok.fillna(False).sum()), sub.loc[ok.notna() & ~ok.fillna(True).astype(bool)]
    k = _villages_needed(row, len(sub), yes, len(todo))
    if k is None:
        plan.unfixable.append(Unfixable(code, indicator, row.condition_id, "radio_speakers",
                                        {"unknown": int(ok.isna().sum()), "villages": len(sub)}))
        if not len(todo):
            return
        k = len(todo)  # fix every village that can be fixed; the rest is missing data
    options = _village_options(ctx, code, todo)
    chosen = options.sort_values(["rank_cost", "population", "village_id"], ascending=[True, False, True]).head(k)
    polygon = commune_polygon(ctx.results, code)
    layer = ctx.results.layers.get(SPEAKERS)
    for j, v in enumerate(chosen.itertuples(), start=1):
        detail = {"village_id": v.village_id, "village_name": v.village_name, "population": v.population}
        if v.action == "speaker_repair":
            geometry = commune_rows(layer, v.cluster, "cluster_id").geometry.iloc[0]
            detail["cluster"] = v.cluster
            edits, target = (Edit(SPEAKERS, v.cluster, {"operating": True}),), f"{SPEAKERS}:{v.cluster}"
        else:
            geometry = inside(village_position(v.geometry), polygon)
            cid = f"KH-{code}-L{j}"
            detail["cluster"] = cid
            values = {"cluster_id": cid, "type": "ip", "operating": True, "village_id": v.village_id}
            edits, target = (Edit(SPEAKERS, NEW_RECORD, values, geometry),), ""
        plan.interventions.append(Intervention(code, indicator, row.condition_id, v.action, 1.0,
                                               ctx.costs.unit(v.action), v.unit_cost, v.cost, target=target,
                                               detail=detail, edits=edits, geometry=geometry, covers=(v.village_id,)))
