"""The covering optimiser (tc8.plan.cover) on hand-made instances whose optimum is known."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse

from tc8.plan import cover
from tc8.plan.cover import CoverProblem, feasible, harmonic, solve, solve_greedy, solve_many


def _problem(columns, cost, need, group=None, n=None):
    n = n if n is not None else max(max(c) for c in columns if c) + 1
    rows = [e for c in columns for e in c]
    cols = [j for j, c in enumerate(columns) for _ in c]
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, len(columns)))
    group = np.zeros(n, dtype=int) if group is None else np.asarray(group)
    return CoverProblem(np.asarray(cost, dtype=float), matrix, group, np.asarray(need))


def _brute(problem):
    best = np.inf
    m = problem.matrix.shape[1]
    for r in range(m + 1):
        for pick in itertools.combinations(range(m), r):
            if feasible(problem, list(pick)):
                best = min(best, problem.cost[list(pick)].sum())
    return best


# Greedy's classic trap: one big set (cost 1 + eps) vs. the two halves (cost 1 each): greedy
# takes the halves' cheaper ratio pieces... here the optimum is the two "rows" (cost 2), greedy
# takes the 3 "columns" of growing size first.
TRAP = dict(columns=[[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11], [0, 6], [1, 2, 7, 8], [3, 4, 5, 9, 10, 11]],
            cost=[1.0, 1.0, 0.3, 0.62, 1.2], need=[12])


def test_milp_finds_the_known_optimum():
    p = _problem(**TRAP)
    sol = solve(p)
    assert sol.solver == "milp" and sol.status == "optimal" and sol.gap == pytest.approx(0.0)
    assert list(sol.chosen) == [0, 1] and sol.cost == pytest.approx(2.0) == pytest.approx(_brute(p))


def test_greedy_is_within_its_stated_bound_and_reports_it():
    p = _problem(**TRAP)
    sol = solve_greedy(p)
    assert feasible(p, sol.chosen) and sol.solver == "greedy"
    assert sol.bound == pytest.approx(harmonic(6)) == pytest.approx(2.45)
    assert sol.cost > _brute(p)  # greedy falls into the trap: 0.3 + 0.62 + 1.2 = 2.12
    assert sol.cost == pytest.approx(2.12)
    assert sol.cost <= sol.bound * _brute(p)


def test_greedy_bound_holds_on_random_instances():
    rng = np.random.default_rng(3)
    for _ in range(40):
        n, m = 8, 7
        columns = [sorted(set(rng.integers(0, n, rng.integers(1, 5)).tolist())) for _ in range(m)]
        columns.append(list(range(n)))  # always feasible
        cost = rng.uniform(1, 10, m + 1)
        need = [int(rng.integers(1, n + 1))]
        p = _problem(columns, cost, need, n=n)
        opt = _brute(p)
        g = solve_greedy(p)
        assert feasible(p, g.chosen) and g.cost <= g.bound * opt + 1e-9
        assert solve(p).cost == pytest.approx(opt)


def test_partial_cover_takes_only_what_is_needed():
    # 5 elements, 3 needed: the pair {0,1} + {2} (2.0) beats {3,4} + one more and the whole set
    p = _problem([[0, 1], [2], [3, 4], [0, 1, 2, 3, 4]], [1.0, 1.0, 1.5, 5.0], [3])
    assert solve(p).cost == pytest.approx(2.0) and list(solve(p).chosen) == [0, 1]
    assert solve_greedy(p).cost == pytest.approx(2.0)


def test_two_groups_each_with_its_need():
    # elements 0-2 in group 0 (need 1), 3-5 in group 1 (need 3)
    p = _problem([[0, 3, 4, 5], [3, 4, 5], [0]], [3.0, 1.0, 0.5], [1, 3], group=[0, 0, 0, 1, 1, 1])
    assert solve(p).cost == pytest.approx(1.5)
    assert solve_greedy(p).cost == pytest.approx(1.5)


def test_infeasible_and_nothing_needed():
    p = _problem([[0], [1]], [1.0, 1.0], [3], n=3)
    assert solve(p).status == "infeasible" and solve(p).chosen.size == 0
    assert solve_greedy(p).status == "infeasible"
    q = _problem([[0]], [1.0], [0])
    assert solve(q).solver == "none" and solve(q).cost == 0.0


def test_milp_failure_falls_back_to_greedy(monkeypatch):
    monkeypatch.setattr(cover, "solve_milp", lambda problem, time_limit: None)
    sol = solve(_problem(**TRAP))
    assert sol.solver == "greedy" and sol.bound == pytest.approx(harmonic(6))


def test_many_problems_in_one_milp_block_are_each_optimal():
    problems = [_problem(**TRAP), _problem([[0, 1], [2], [3, 4], [0, 1, 2, 3, 4]], [1.0, 1.0, 1.5, 5.0], [3]),
                _problem([[0], [1]], [1.0, 1.0], [3], n=3)]
    sols = solve_many(problems, batch=10)
    assert [s.status for s in sols] == ["optimal", "optimal", "infeasible"]
    assert [s.cost for s in sols[:2]] == [pytest.approx(2.0), pytest.approx(2.0)]
    assert list(sols[0].chosen) == [0, 1]
