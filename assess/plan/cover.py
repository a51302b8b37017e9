"""Weighted partial set cover: the cheapest set of candidates covering enough elements.

A :class:`CoverProblem` has candidates (each with a cost) and elements (each in one group);
``matrix[e, j]`` is true when candidate ``j`` covers element ``e``; group ``g`` must have at
least ``need[g]`` of its elements covered. (For the telecom planner: a candidate is a site or a
fibre extension, an element a village of a failing condition, a group the condition.)

:func:`solve` uses :func:`scipy.optimize.milp` (HiGHS): binary ``x_j`` (candidate chosen),
continuous ``0 <= y_e <= 1`` (element counted) with ``y_e <= sum_j A_ej x_j`` and
``sum_{e in g} y_e >= need_g``; minimise ``sum_j c_j x_j``. Its status and relative gap are
reported. When milp is unavailable, fails or stops at its time limit without a solution, the
greedy algorithm runs instead: repeatedly take the candidate of least cost per newly counted
element (elements counted up to each group's need), then drop picks that became redundant.
The counted coverage ``f(S) = sum_g min(need_g, covered_g(S))`` is monotone submodular, so
greedy costs at most ``H(d) = 1 + 1/2 + ... + 1/d`` times the optimum, ``d`` the largest
``f({j})`` of one candidate (Wolsey 1982; Chvátal 1979 for the plain set cover).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse

#: milp status codes (scipy.optimize.milp): 0 optimal, 1 iteration/time limit, 2 infeasible...
MILP_OPTIMAL, MILP_LIMIT = 0, 1


@dataclass(frozen=True)
class CoverProblem:
    """``cost`` (n_cand,), ``matrix`` (n_elem x n_cand, sparse bool), ``group`` (n_elem,) ints
    in ``range(len(need))``, ``need`` (n_group,) ints."""

    cost: np.ndarray
    matrix: sparse.csr_matrix
    group: np.ndarray
    need: np.ndarray


@dataclass(frozen=True)
class CoverSolution:
    """``chosen``: candidate positions (sorted); ``solver``: ``milp`` / ``greedy`` / ``none``
    (nothing needed); ``status``: ``optimal``, ``time_limit`` (milp's best, ``gap`` its
    relative gap), ``greedy`` (``bound``: the H(d) factor), ``infeasible`` (even every candidate
    is not enough: ``chosen`` empty)."""

    chosen: np.ndarray
    cost: float
    solver: str
    status: str
    seconds: float
    gap: float | None = None
    bound: float | None = None


def feasible(problem: CoverProblem, chosen) -> bool:
    """Whether the candidates ``chosen`` cover every group's need."""
    return bool((_counted(problem, chosen) >= problem.need).all())


def _counted(problem: CoverProblem, chosen) -> np.ndarray:
    pick = np.zeros(problem.matrix.shape[1], dtype=bool)
    pick[np.asarray(chosen, dtype=int)] = True
    covered = np.asarray(problem.matrix[:, pick].sum(axis=1)).ravel() > 0
    return np.bincount(problem.group[covered], minlength=len(problem.need))


def harmonic(d: int) -> float:
    """``H(d) = 1 + 1/2 + ... + 1/d`` (0 for d = 0)."""
    return float(np.sum(1.0 / np.arange(1, d + 1))) if d > 0 else 0.0


def greedy_bound(problem: CoverProblem) -> float:
    """The greedy approximation factor ``H(d)``, ``d`` the most one candidate counts."""
    matrix = problem.matrix.tocsc()
    best = 0
    for j in range(matrix.shape[1]):
        rows = matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]]
        counts = np.bincount(problem.group[rows], minlength=len(problem.need))
        best = max(best, int(np.minimum(counts, problem.need).sum()))
    return harmonic(best)


def solve_greedy(problem: CoverProblem) -> CoverSolution:
    """Greedy weighted partial cover (least cost per newly counted element), then redundant
    picks dropped (most expensive first); ``bound`` = H(d)."""
    t0 = time.perf_counter()
    matrix = problem.matrix.tocsc()
    n_elem, n_cand = matrix.shape
    left = problem.need.astype(float).copy()
    counted = np.zeros(n_elem, dtype=bool)
    chosen: list[int] = []
    available = np.ones(n_cand, dtype=bool)
    while (left > 0).any():
        gains = _gains(matrix, problem.group, counted, left, available)
        if not (gains > 0).any():
            return CoverSolution(np.empty(0, dtype=int), 0.0, "greedy", "infeasible", time.perf_counter() - t0)
        ratio = np.where(gains > 0, problem.cost / np.maximum(gains, 1e-300), np.inf)
        j = int(np.argmin(ratio))
        chosen.append(j)
        available[j] = False
        rows = matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]]
        for e in rows[~counted[rows]]:
            if left[problem.group[e]] > 0:
                left[problem.group[e]] -= 1
            counted[e] = True
    chosen = _prune(problem, chosen)
    return CoverSolution(np.array(sorted(chosen), dtype=int), float(problem.cost[chosen].sum()), "greedy",
                         "greedy", time.perf_counter() - t0, bound=greedy_bound(problem))


def _gains(matrix, group, counted, left, available) -> np.ndarray:
    """Newly counted elements per candidate (each group capped at what it still needs)."""
    open_rows = np.flatnonzero(~counted & (left[group] > 0))
    sub = matrix[open_rows, :]
    n_groups = len(left)
    per_group = np.zeros((n_groups, matrix.shape[1]))
    for g in range(n_groups):
        rows = group[open_rows] == g
        if rows.any():
            per_group[g] = np.asarray(sub[rows, :].sum(axis=0)).ravel()
    gains = np.minimum(per_group, left[:, None]).sum(axis=0)
    return np.where(available, gains, 0.0)


def _prune(problem: CoverProblem, chosen: list[int]) -> list[int]:
    """Drop picks whose removal keeps the cover feasible, most expensive first."""
    keep = list(chosen)
    for j in sorted(chosen, key=lambda k: -problem.cost[k]):
        trial = [k for k in keep if k != j]
        if feasible(problem, trial):
            keep = trial
    return keep


def solve_milp(problem: CoverProblem, time_limit: float) -> CoverSolution | None:
    """The MILP of the module docstring with HiGHS; None when it gives no usable solution."""
    try:
        from scipy.optimize import Bounds, LinearConstraint, milp
    except ImportError:  # an old scipy: greedy
        return None
    t0 = time.perf_counter()
    n_elem, n_cand = problem.matrix.shape
    n_group = len(problem.need)
    # y_e - sum_j A_ej x_j <= 0
    link = sparse.hstack([-problem.matrix.astype(float), sparse.identity(n_elem, format="csr")], format="csr")
    # sum_{e in g} y_e >= need_g
    member = sparse.csr_matrix((np.ones(n_elem), (problem.group, np.arange(n_elem))), shape=(n_group, n_elem))
    demand = sparse.hstack([sparse.csr_matrix((n_group, n_cand)), member], format="csr")
    constraints = [LinearConstraint(link, -np.inf, 0.0), LinearConstraint(demand, problem.need.astype(float), np.inf)]
    c = np.concatenate([problem.cost.astype(float), np.zeros(n_elem)])
    integrality = np.concatenate([np.ones(n_cand), np.zeros(n_elem)])
    try:
        res = milp(c, constraints=constraints, integrality=integrality, bounds=Bounds(0.0, 1.0),
                   options={"time_limit": max(float(time_limit), 0.01), "disp": False})
    except (ValueError, RuntimeError, MemoryError):
        return None
    seconds = time.perf_counter() - t0
    if res.x is None or res.status not in (MILP_OPTIMAL, MILP_LIMIT):
        return None
    chosen = np.flatnonzero(res.x[:n_cand] > 0.5)
    if not feasible(problem, chosen):
        return None
    gap = getattr(res, "mip_gap", None)
    status = "optimal" if res.status == MILP_OPTIMAL else "time_limit"
    return CoverSolution(chosen, float(problem.cost[chosen].sum()), "milp", status, seconds,
                         gap=None if gap is None else float(gap))


def solve(problem: CoverProblem, time_limit: float = 30.0, *, use_milp: bool = True) -> CoverSolution:
    """The cheapest cover: milp, else greedy (see the module docstring)."""
    return solve_many([problem], time_limit, batch=1, use_milp=use_milp)[0]


def _infeasible(problem: CoverProblem) -> bool:
    counts = np.bincount(problem.group[np.asarray(problem.matrix.sum(axis=1)).ravel() > 0],
                         minlength=len(problem.need))
    return bool((counts < problem.need).any())


def combine(problems: list[CoverProblem]) -> tuple[CoverProblem, np.ndarray]:
    """Independent problems as one (block-diagonal) problem, and where each one's candidates start."""
    starts = np.cumsum([0] + [p.matrix.shape[1] for p in problems])
    group_starts = np.cumsum([0] + [len(p.need) for p in problems])
    return CoverProblem(np.concatenate([p.cost for p in problems]),
                        sparse.block_diag([p.matrix for p in problems], format="csr"),
                        np.concatenate([p.group + g for p, g in zip(problems, group_starts[:-1])]),
                        np.concatenate([p.need for p in problems])), starts


def solve_many(problems: list[CoverProblem], time_limit: float = 30.0, *, batch: int = 200,
               use_milp: bool = True) -> list[CoverSolution]:
    """:func:`solve` for many independent problems: milp on blocks of up to ``batch`` problems at
    once (one HiGHS call per block: far less overhead than one per problem; the block's status
    and gap are each member's), greedy for the members of a block milp does not solve.
    ``time_limit``: per block."""
    out: list[CoverSolution | None] = [None] * len(problems)
    todo = []
    for k, p in enumerate(problems):
        if not (p.need > 0).any():
            out[k] = CoverSolution(np.empty(0, dtype=int), 0.0, "none", "optimal", 0.0)
        elif _infeasible(p):
            out[k] = CoverSolution(np.empty(0, dtype=int), 0.0, "none", "infeasible", 0.0)
        else:
            todo.append(k)
    for start in range(0, len(todo), max(batch, 1)):
        block = todo[start:start + batch]
        found = None
        if use_milp and time_limit > 0:
            whole, starts = combine([problems[k] for k in block])
            found = solve_milp(whole, time_limit)
        for i, k in enumerate(block):
            if found is None:
                out[k] = solve_greedy(problems[k])
                continue
            lo, hi = starts[i], starts[i + 1]
            chosen = found.chosen[(found.chosen >= lo) & (found.chosen < hi)] - lo
            out[k] = CoverSolution(chosen, float(problems[k].cost[chosen].sum()), "milp", found.status,
                                   found.seconds / len(block), gap=found.gap)
    return out
