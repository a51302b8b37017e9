"""Planner of indicator 8.2 (telephone and Internet in every village): the cheapest set of
interventions that makes enough villages served to meet each failing condition's threshold.

Candidates (each covering a set of villages, at a price from the cost file):

* ``cell_reactivate`` — an inactive cell site back in service, with the radius the engine
  already gives it (its own ``radius_m``, else ``radius_m_<tech>_<terrain>``);
* ``cell_upgrade`` — an active site's technology raised to ``upgrade_to`` (4G) with the rule
  set's radius for it (its own ``radius_m`` cleared); offered only where that radius is at
  least the site's current one, so no village loses the coverage it has;
* ``cell_new_site`` — a new ``upgrade_to`` site at an existing site's position, at a village
  (its representative point) or on a grid inside the commune (``grid_spacing_m``, widened
  until at most ``max_grid_candidates`` points);
* ``fibre_extend`` — a new voice-capable FTTH node at a village, fed from the nearest fixed
  access node: ``quantity`` = metres beyond that node's reach.

Coverage of a candidate is decided exactly as the engine decides it: the village samples of
:func:`tc8.measures.sampling.village_samples` (same call, same villages), the radii of
:func:`tc8.measures.telecom.modeled_radius`, the existing coverage per sample of
:func:`tc8.measures.coverage.samples_covered`, and a polygon village counted when its covered
share reaches ``polygon_covered_share``. The engine's evidence classes only ever *add*
coverage (a village is served when the share covered by any class reaches the need; a
stronger class never vetoes a weaker one, and a village's own "no" is overridden by a site
covering it), so every planned candidate changes the verdict of the villages it claims. A
candidate is credited only with what it covers on its own on top of the existing coverage;
coverage only grows, so the chosen set covers at least what it claims.

The choice is a weighted partial set cover solved by :mod:`tc8.plan.cover` (milp, else greedy).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from tc8.rules.compare import OPS

from .cover import CoverProblem, solve_many
from .model import FamilyPlan, PlanContext, Unfixable
from .telecom_candidates import World, candidates, coverage_after, intervention, prepare, service_ok

#: measure -> services a village needs for it (the measures this planner handles: MEASURES)
SERVICES = {"share_villages_phone": ("phone",), "share_villages_internet": ("internet",),
            "share_villages_phone_and_internet": ("phone", "internet")}
MEASURES = tuple(SERVICES)


def needed_count(n: int, op: str, threshold: float) -> int | None:
    """Fewest served villages of ``n`` for ``100 * k / n <op> threshold`` (None: none works)."""
    if n <= 0 or op not in OPS:
        return None
    share = 100.0 * np.arange(n + 1) / n
    good = np.flatnonzero(OPS[op](share, float(threshold)))
    return int(good[0]) if good.size and op in (">=", ">") else None


def plan_family(ctx: PlanContext, failing: pd.DataFrame) -> FamilyPlan:
    """Interventions for every failing telecom condition of ``failing`` (rows of
    ``Results.conditions``); notes: solver, solver_seconds, gap/bound, counts."""
    out = FamilyPlan()
    if failing is None or failing.empty or ctx.results.inputs is None:
        return out
    t0 = time.perf_counter()
    world = prepare(ctx)
    targets = _targets(world, failing, out)
    if not targets:
        out.notes.update(solver="none", solver_seconds=0.0)
        return out
    cands = candidates(world, sorted({t["commune_code"] for t in targets}), targets)
    after = coverage_after(world, cands, targets)
    t1 = time.perf_counter()
    by_commune = _by_commune(targets)
    rows = pd.Series(np.arange(len(cands))).groupby(cands["commune_code"].to_numpy(dtype=object)).indices
    weight = cands["weight"].to_numpy(dtype=float)
    built = [_problem(code, group, rows.get(code, np.empty(0, dtype=int)), weight, after)
             for code, group in by_commune.items()]
    t2 = time.perf_counter()
    solutions = solve_many([b[0] for b in built], float(ctx.costs.setting("solver_time_limit_s")))
    t3 = time.perf_counter()
    stats = _Stats()
    columns = {name: cands[name].to_numpy() for name in cands.columns}
    for (code, group), (problem, cand_pos, elements), sol in zip(by_commune.items(), built, solutions):
        stats.add(sol)
        _emit(world, code, group, problem, cand_pos, elements, sol, columns, out)
    out.notes.update(stats.notes(), candidates=int(len(cands)), communes=len(by_commune),
                     seconds_candidates=round(t1 - t0, 3), seconds_problems=round(t2 - t1, 3),
                     seconds_solve=round(t3 - t2, 3), seconds=round(time.perf_counter() - t0, 3))
    return out


def _targets(world: World, failing: pd.DataFrame, out: FamilyPlan) -> list[dict]:
    """One dict per failing condition: commune, ids, services, villages not served, how many
    more are needed; a condition no covering can fix goes to ``out.unfixable``."""
    of = pd.Series(np.arange(len(world.village_code))).groupby(world.village_code).indices
    found = []
    for row in failing.itertuples(index=False):
        services = SERVICES.get(row.measure)
        if services is None:
            continue
        members = of.get(row.commune_code, np.empty(0, dtype=int))
        ok = service_ok(world.part_ok[members], services)
        k = needed_count(len(members), str(row.op), row.threshold)
        if k is None:
            out.unfixable.append(Unfixable(row.commune_code, row.indicator, row.condition_id, "telecom_op",
                                           {"op": str(row.op), "threshold": row.threshold}))
            continue
        need = k - int(ok.sum())
        if need > 0:
            found.append({"commune_code": row.commune_code, "indicator": row.indicator,
                          "condition_id": row.condition_id, "services": services, "need": need,
                          "villages": members[~ok], "n": len(members), "required": k})
    return found


def _by_commune(targets: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for t in targets:
        out.setdefault(t["commune_code"], []).append(t)
    return out


class _Stats:
    """Solver use over every commune, for FamilyPlan.notes."""

    def __init__(self):
        self.solvers: dict[str, int] = {}
        self.seconds = 0.0
        self.gap = 0.0
        self.bound = 0.0
        self.status: dict[str, int] = {}

    def add(self, sol) -> None:
        self.solvers[sol.solver] = self.solvers.get(sol.solver, 0) + 1
        self.status[sol.status] = self.status.get(sol.status, 0) + 1
        self.seconds += sol.seconds
        self.gap = max(self.gap, sol.gap or 0.0)
        self.bound = max(self.bound, sol.bound or 0.0)

    def notes(self) -> dict:
        used = [s for s in ("milp", "greedy") if self.solvers.get(s)]
        return {"solver": "+".join(used) or "none", "solver_communes": dict(self.solvers),
                "solver_status": dict(self.status), "solver_seconds": round(self.seconds, 3),
                "optimality_gap": round(self.gap, 6),
                "approximation_bound": round(self.bound, 4) if self.bound else None}


def _emit(world: World, code: str, group: list[dict], problem: CoverProblem, cand_pos: np.ndarray,
          elements: np.ndarray, sol, columns: dict, out: FamilyPlan) -> None:
    """The chosen candidates of one commune as interventions (or why it cannot be fixed)."""
    if sol.status == "infeasible":
        reach = np.bincount(problem.group[np.asarray(problem.matrix.sum(axis=1)).ravel() > 0],
                            minlength=len(group))
        for k, t in enumerate(group):
            if reach[k] < t["need"]:
                out.unfixable.append(Unfixable(code, t["indicator"], t["condition_id"], "telecom_not_enough",
                                               {"need": t["need"], "reachable": int(reach[k]),
                                                "required": t["required"], "total": t["n"]}))
        return
    matrix = problem.matrix.tocsc()
    ids = world.village_ids
    for serial, j in enumerate(sol.chosen, start=1):
        rows = matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]]
        first = group[int(problem.group[rows].min())]
        covered = tuple(sorted({str(ids[elements[r]]) for r in rows}))
        cand = {name: values[cand_pos[j]] for name, values in columns.items()}
        out.interventions.append(intervention(world, cand, first, covered, serial))


def _problem(code: str, group: list[dict], mine: np.ndarray, weight: np.ndarray, after: dict):
    """The commune's CoverProblem over its candidates ``mine`` (identical columns merged,
    cheapest kept), the candidate positions of its columns and the village of each element."""
    rows, cols, elem_group, elem_village = [], [], [], []
    e = 0
    for k, t in enumerate(group):
        ok = after[t["condition_id"], code]  # (len(mine), len(t["villages"])) bool
        r, c = np.nonzero(ok.T)
        rows.append(r + e)
        cols.append(c)
        elem_group.append(np.full(len(t["villages"]), k))
        elem_village.append(t["villages"])
        e += len(t["villages"])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    matrix = sparse.csr_matrix((np.ones(rows.size, dtype=bool), (rows, cols)), shape=(e, len(mine)))
    keep = _distinct_columns(matrix, weight[mine])
    problem = CoverProblem(weight[mine][keep], matrix[:, keep].tocsr(), np.concatenate(elem_group),
                           np.array([t["need"] for t in group]))
    return problem, mine[keep], np.concatenate(elem_village)


def _distinct_columns(matrix: sparse.csr_matrix, weight: np.ndarray) -> np.ndarray:
    """Positions of the non-empty columns, one (the cheapest, then first) per distinct column
    (columns compared by their size and two random projections: equal sets, equal keys)."""
    rng = np.random.default_rng(8)
    proj = rng.random((matrix.shape[0], 2))
    size = np.asarray(matrix.sum(axis=0)).ravel()
    keys = np.column_stack([np.asarray(matrix.T.astype(float) @ proj), size])
    order = np.lexsort((np.arange(len(size)), weight))
    order = order[size[order] > 0]
    if not order.size:
        return order
    first = np.unique(keys[order], axis=0, return_index=True)[1]
    return np.sort(order[first])
