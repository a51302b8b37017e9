"""How long ``tc8 compare`` takes next to one ``tc8 assess``, on the national synthetic benchmark.

The issue's target: compare costs at most one read plus two evaluations (not two whole runs).
Prints the wall time of each command (fresh processes, like ``run.py``; minimum of ``--repeat``
runs), their ratio, and the in-process phases of compare (read + validate once, assess A,
assess B, compare, write) so the ratio can be read against "one read + two evaluations".

    .venv-dev/bin/python benchmarks/compare_bench.py                 # national, reuses out/national.gpkg
    .venv-dev/bin/python benchmarks/compare_bench.py --preset province --repeat 3

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

RULES_A, RULES_B = "ntm-2021-2025", "ntm-nang-cao-2021-2025"
PHASES_SNIPPET = """
import json, sys, time
from tc8.dossier.workbook_compare import write_compare_workbook
from tc8.engine.assess import assess
from tc8.engine.compare import compare_results
from tc8.outputs.compare_files import write_compare_files
from tc8.rules.load import load_rule_set
from tc8.validate.run import load_and_validate
t = [time.perf_counter()]
sets = [load_rule_set(sys.argv[2]), load_rule_set(sys.argv[3])]
inputs = load_and_validate(sys.argv[1]); t.append(time.perf_counter())
ra = assess(inputs, sets[0]); t.append(time.perf_counter())
rb = assess(inputs, sets[1]); t.append(time.perf_counter())
cmp = compare_results(ra, rb); t.append(time.perf_counter())
write_compare_files(cmp, sys.argv[4], overwrite=True,
                    extra={"compare.xlsx": lambda p: write_compare_workbook(cmp, p)}); t.append(time.perf_counter())
names = ["read_validate", "assess_a", "assess_b", "compare", "write"]
print(json.dumps({"phases": {n: t[i + 1] - t[i] for i, n in enumerate(names)}, "rows": len(cmp.rows),
                  "changed": len(cmp.changed_communes), "communes": len(ra.communes)}))
"""


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="tc8 compare vs tc8 assess on a synthetic input.")
    parser.add_argument("--preset", default="national", choices=["province", "national"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    path, _ = ensure_input(args.preset, args.seed, False)
    tc8 = tc8_command()
    out_a, out_c = OUT / f"{args.preset}-compare-assess", OUT / f"{args.preset}-compare"
    out_c.mkdir(parents=True, exist_ok=True)
    assess_cmd = tc8 + ["assess", str(path), "--rules", RULES_A, "-o", str(out_a), "--overwrite", "-q"]
    compare_cmd = tc8 + ["compare", str(path), "--rules", RULES_A, "--rules", RULES_B, "-o", str(out_c),
                         "--overwrite", "-q"]
    t_assess = min(wall(assess_cmd) for _ in range(args.repeat))
    t_compare = min(wall(compare_cmd) for _ in range(args.repeat))
    proc = subprocess.run([sys.executable, "-c", PHASES_SNIPPET, str(path), RULES_A, RULES_B, str(out_c)],
                          capture_output=True, text=True, check=True)
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{args.preset}: {info['communes']} communes, {RULES_A} vs {RULES_B}")
    print(f"  tc8 assess  (one rule set, writes results.*): {t_assess:6.2f} s")
    print(f"  tc8 compare (two rule sets, writes compare.*): {t_compare:6.2f} s   ratio {t_compare / t_assess:.2f}")
    print("  compare phases (in process): " + ", ".join(f"{k} {v:.2f} s" for k, v in info["phases"].items()))
    ph = info["phases"]
    print(f"  one read + two evaluations = {ph['read_validate'] + ph['assess_a'] + ph['assess_b']:.2f} s; "
          f"comparing {ph['compare']:.2f} s; writing {ph['write']:.2f} s "
          f"({info['rows']} rows differ, {info['changed']} communes change TC8)")


if __name__ == "__main__":
    main()
