"""How long ``tc8 plan`` takes on the national synthetic benchmark, with the 8.2 site selection
(tc8.plan.telecom: candidates, coverage, the covering optimiser) timed separately.

The issue's target: the whole ``tc8 plan`` under 60 s on the 2-core machine. Prints

* the wall time of ``tc8 plan INPUT --rules R -o OUT`` (a fresh process, like ``run.py``;
  minimum of ``--repeat`` runs; ``--skip-cli`` to leave it out);
* in process: read + validate + assess, then ``tc8.plan.run.make_plan`` with each family's
  seconds, applying the plan and re-assessing it (the proof, ``verify_applied``), writing
  ``plan.csv``/``plan.gpkg``/``plan.xlsx``, and the telecom planner's phases (candidates and
  their coverage, building the cover problems, solving) with the solver used, its status and the solver's share of the plan.

    .venv-dev/bin/python benchmarks/plan_bench.py                  # national, reuses out/national.gpkg
    .venv-dev/bin/python benchmarks/plan_bench.py --preset province --repeat 3

A script you run by hand (timings on a shared machine are noisy), not a timed test.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import OUT, ensure_input, tc8_command  # noqa: E402

RULES = "ntm-2021-2025"
PHASES_SNIPPET = """
import json, sys, time
from tc8.pipeline import run_assessment
from tc8.plan.run import make_plan
t0 = time.perf_counter()
results = run_assessment(sys.argv[1], sys.argv[2])
t1 = time.perf_counter()
plan = make_plan(results)
t2 = time.perf_counter()
import tempfile
from pathlib import Path
from tc8.pipeline import verify_applied
from tc8.outputs.plan_files import action_text, write_plan_files
from tc8.dossier.workbook_plan import write_plan_workbook
verify_applied(plan, sys.argv[2], None, applied=None, population=results.inputs.raw.population_raster)
t3 = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    write_plan_files(plan, Path(tmp) / "plan", lang="vi")
    write_plan_workbook(plan, Path(tmp) / "plan.xlsx", lang="vi", source=plan.cost_source,
                        action_label=lambda a: action_text(plan, a, "vi"))
t4 = time.perf_counter()
kinds = {}
for item in plan.interventions:
    if item.indicator == "8.2":
        k = kinds.setdefault(item.action, [0, 0.0])
        k[0] += 1
        k[1] += item.cost or 0.0
print(json.dumps({"assess": t1 - t0, "make_plan": t2 - t1, "verify": t3 - t2, "write": t4 - t3,
                  "verified": int(plan.communes["verified"].sum()), "communes": len(results.communes),
                  "notes": plan.notes, "telecom_kinds": kinds,
                  "interventions": len(plan.interventions), "unfixable": len(plan.unfixable)}, default=str))
"""


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def _report(info: dict) -> None:
    notes = info["notes"]
    print(f"  read + validate + assess: {info['assess']:6.2f} s ({info['communes']} communes)")
    print(f"  make_plan:                {info['make_plan']:6.2f} s ({info['interventions']} interventions, "
          f"{info['unfixable']} unfixable)")
    for family, n in notes.items():
        if "seconds" not in n:  # e.g. "verify": what the proof found, not a family
            continue
        print(f"    {family:8s} {n.get('seconds', 0):6.2f} s  ({n.get('conditions', 0)} failing conditions)")
    print(f"  apply + re-assess (proof): {info['verify']:6.2f} s ({info['verified']} communes verified)")
    print(f"  write plan.csv/gpkg/xlsx: {info['write']:6.2f} s")
    tel = notes.get("telecom")
    if not tel:
        return
    print("  8.2 site selection: candidates + coverage {:.2f} s, cover problems {:.2f} s, solving {:.2f} s "
          "({} candidates, {} communes)".format(tel.get("seconds_candidates", 0), tel.get("seconds_problems", 0),
                                                tel.get("seconds_solve", 0), tel.get("candidates"),
                                                tel.get("communes")))
    share = tel.get("seconds_solve", 0) / info["make_plan"] if info["make_plan"] else 0
    print(f"  solver: {tel.get('solver')} {tel.get('solver_status')} gap {tel.get('optimality_gap')} "
          f"bound {tel.get('approximation_bound')}; solver share of make_plan {100 * share:.1f} %")
    for action, (n, cost) in sorted(info["telecom_kinds"].items()):
        print(f"    {action:16s} {n:6d}  {cost:,.0f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="tc8 plan on a synthetic input, site selection timed apart.")
    parser.add_argument("--preset", default="national", choices=["province", "national"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--skip-cli", action="store_true", help="do not time the tc8 plan command")
    args = parser.parse_args(argv)
    path, _ = ensure_input(args.preset, args.seed, False)
    print(f"{args.preset}: {path}, rules {RULES}")
    if not args.skip_cli:
        out = OUT / f"{args.preset}-plan"
        cmd = tc8_command() + ["plan", str(path), "--rules", RULES, "-o", str(out), "--overwrite", "-q"]
        print(f"  tc8 plan (fresh process, writes plan files): {min(wall(cmd) for _ in range(args.repeat)):6.2f} s")
    proc = subprocess.run([sys.executable, "-c", PHASES_SNIPPET, str(path), RULES],
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    _report(json.loads(proc.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
