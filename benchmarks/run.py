"""Benchmark of tc8 on synthetic provinces: wall time and peak memory per phase, against targets.

For each preset (``province``, ``national``; default both) this generates the input once
(cached as ``benchmarks/out/<preset>.gpkg`` with a ``.json`` note of its sizes and seed), then
runs each phase in a **fresh process** so that its peak memory is its own:

=========  ==============================================================================
startup    ``python -c "import tc8.cli.main, tc8.cli.assess, ..."`` — interpreter and the imports of the
           assess path only
read       ``tc8.io.read.read_inputs(path)`` — read every layer, no typing or checks
validate   ``tc8 validate PATH``
assess     ``tc8 assess PATH --rules ntm-2021-2025 -o OUTDIR --overwrite`` (outputs written)
naive      ``benchmarks/naive.py`` on a sample of communes, extrapolated to all of them
=========  ==============================================================================

Each phase is started by a small wrapper process (this file with ``--child``) that times the
command and reads ``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak resident memory of that
command alone. Wall times include interpreter start-up and imports (what a user waits for).

A phase whose command does not exist yet ("No such command") is shown as not available.
Not a unit test: run it by hand (``python benchmarks/run.py``) on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from synth import PRESETS, make_synthetic  # noqa: E402

OUT = HERE / "out"
RULES = "ntm-2021-2025"
#: preset -> (max assess wall s, max assess/read ratio or None, max peak MB)
TARGETS = {"province": (2.0, None, 4096.0), "national": (15.0, 4.0, 4096.0)}
#: what ``tc8 assess`` imports before it reads anything (the CLI itself imports its commands lazily)
STARTUP_SNIPPET = "import tc8.cli.main, tc8.cli.assess, tc8.pipeline, tc8.validate.run, tc8.engine.assess, tc8.outputs.files"
READ_SNIPPET = ("import json, sys, time; from tc8.io.read import read_inputs; t = time.perf_counter(); "
                "raw, problems = read_inputs(sys.argv[1]); "
                "print(json.dumps({'inner_s': time.perf_counter() - t, "
                "'rows': {k: len(v) for k, v in raw.frames.items()}}))")


def _child(cmd: list[str]) -> None:
    """Run ``cmd``; print JSON with its wall time, peak RSS (MB), exit code and output tails."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(json.dumps({"wall_s": wall, "peak_mb": peak_kb / 1024.0, "rc": proc.returncode,
                      "stdout": proc.stdout[-4000:], "stderr": proc.stderr[-4000:]}))


def measure(cmd: list[str]) -> dict:
    """One run of ``cmd`` in a fresh wrapper process (see :func:`_child`)."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(cmd)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def tc8_command() -> list[str]:
    script = Path(sys.executable).parent / "tc8"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from tc8.cli.main import main; main()"]


def ensure_input(preset: str, seed: int, regenerate: bool) -> tuple[Path, dict]:
    """The preset's GeoPackage, generated unless a cached one of the same sizes and seed exists."""
    sizes = dict(PRESETS[preset])
    path, note = OUT / f"{preset}.gpkg", OUT / f"{preset}.json"
    want = {"sizes": sizes, "seed": seed}
    if not regenerate and path.exists() and note.exists():
        cached = json.loads(note.read_text())
        if {k: cached.get(k) for k in want} == want:
            return path, cached
    t0 = time.perf_counter()
    make_synthetic(path, seed=seed, **sizes)
    info = dict(want, generate_s=time.perf_counter() - t0, size_mb=path.stat().st_size / 1e6)
    note.write_text(json.dumps(info, indent=1))
    return path, info


def phases(path: Path, preset: str, sample: int) -> dict[str, list[str]]:
    tc8 = tc8_command()
    out_dir = OUT / f"{preset}-assess"
    return {
        "startup": [sys.executable, "-c", STARTUP_SNIPPET],
        "read": [sys.executable, "-c", READ_SNIPPET, str(path)],
        "validate": tc8 + ["validate", str(path)],
        "assess": tc8 + ["assess", str(path), "--rules", RULES, "-o", str(out_dir), "--overwrite"],
        "naive": [sys.executable, str(HERE / "naive.py"), str(path), "--sample", str(sample)],
    }


def run_phase(name: str, cmd: list[str], repeat: int) -> dict:
    """Measure ``cmd`` ``repeat`` times (naive: once); summarise min/median wall and max peak."""
    runs = []
    for _ in range(1 if name == "naive" else repeat):
        res = measure(cmd)
        if res["rc"] != 0:
            text = res["stderr"] + res["stdout"]
            status = "not available yet" if "No such command" in text else f"failed (exit {res['rc']})"
            return {"status": status, "detail": text.strip().splitlines()[-3:] if text.strip() else []}
        runs.append(res)
    walls = [r["wall_s"] for r in runs]
    out = {"status": "ok", "wall_min_s": min(walls), "wall_median_s": statistics.median(walls),
           "peak_mb": max(r["peak_mb"] for r in runs), "runs": len(runs)}
    if name in ("read", "naive"):
        inners = []
        for r in runs:
            try:
                inners.append(json.loads(r["stdout"].strip().splitlines()[-1]))
            except (ValueError, IndexError):
                pass
        if inners:
            out["inner"] = min(inners, key=lambda x: x.get("inner_s", x.get("extrapolated_s", 0)))
    return out


def verdicts(preset: str, res: dict) -> list[str]:
    """PASS/MISS lines for the preset's targets (assess wall, ratio to read, peak memory)."""
    max_s, max_ratio, max_mb = TARGETS[preset]
    assess, read = res.get("assess", {}), res.get("read", {})
    if assess.get("status") != "ok":
        return [f"assess {assess.get('status', 'not run')}: targets not checked"]
    wall = assess["wall_min_s"]
    lines = [f"assess < {max_s:g} s: {'PASS' if wall < max_s else 'MISS'} ({wall:.2f} s)",
             f"assess peak < {max_mb:,.0f} MB: {'PASS' if assess['peak_mb'] < max_mb else 'MISS'}"
             f" ({assess['peak_mb']:,.0f} MB)"]
    if max_ratio is not None and read.get("status") == "ok":
        ratio = wall / read["wall_min_s"]
        lines.append(f"assess ≤ {max_ratio:g}× read-only: {'PASS' if ratio <= max_ratio else 'MISS'} "
                     f"({ratio:.1f}×)")
    return lines


def phase_rows(res: dict, repeat: int, *, width: int = 10) -> list[str]:
    """The phase table: header and one row per phase (wall time min / median in s, peak MB, ratio
    to the read-only phase, note); ``width`` is the phase-name column width."""
    read_s = res.get("read", {}).get("wall_min_s")
    head = "wall s (min / median)" if repeat > 1 else "wall s"
    rows = [f"{'phase':<{width}} {head:>22} {'peak MB':>9} {'× read':>8}  note"]
    for name, r in res.items():
        if r.get("status") != "ok":
            rows.append(f"{name:<{width}} {r['status']:>22}  {' | '.join(r.get('detail', []))[:120]}")
            continue
        wall = f"{r['wall_min_s']:.2f}" + (f" / {r['wall_median_s']:.2f}" if r["runs"] > 1 else "")
        ratio = f"{r['wall_min_s'] / read_s:.1f}" if read_s else "—"
        note = ""
        inner = r.get("inner", {})
        if name == "read" and "inner_s" in inner:
            note = f"read_inputs itself {inner['inner_s']:.2f} s"
        if name == "naive" and "extrapolated_s" in inner:
            est = inner["extrapolated_s"]
            ratio = f"{est / read_s:.0f}" if read_s else "—"
            wall = f"~{est:,.0f} (est.)"
            note = (f"{inner['sampled']} communes timed ({inner['per_commune_mean_s']:.3f} s each, "
                    f"setup {inner['setup_s']:.1f} s) × {inner['communes']:,} = {est / 60:,.1f} min")
        rows.append(f"{name:<{width}} {wall:>22} {r['peak_mb']:>9,.0f} {ratio:>8}  {note}")
    return rows


def print_table(preset: str, info: dict, res: dict, repeat: int) -> None:
    s = info["sizes"]
    gen = f"generated in {info['generate_s']:.1f} s" if "generate_s" in info else "cached"
    print(f"\n== {preset}: {s['communes']:,} communes, {s['villages']:,} villages, {s['cell_sites']:,} cell sites, "
          f"{s['speakers']:,} speaker clusters; {info.get('size_mb', 0):.1f} MB GeoPackage ({gen}, seed {info['seed']})")
    for line in phase_rows(res, repeat):
        print(line)
    for line in verdicts(preset, res):
        print(f"  target: {line}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark tc8 on synthetic inputs.")
    parser.add_argument("--preset", choices=["province", "national"], action="append",
                        help="preset to run (repeatable; default both)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per phase (min and median reported)")
    parser.add_argument("--sample", type=int, default=20, help="communes timed by the naive loop")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--regenerate", action="store_true", help="ignore cached inputs")
    parser.add_argument("--skip", action="append", default=[], help="phase to skip (e.g. naive)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(json.loads(args.child))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    report = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_1min_at_start": load,
              "load_at_start": list(os.getloadavg()), "started": time.strftime("%Y-%m-%d %H:%M:%S"), "presets": {}}
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at start"
          + (" — the machine is busy, times will be inflated" if load > 0.5 else ""))
    for preset in args.preset or ["province", "national"]:
        path, info = ensure_input(preset, args.seed, args.regenerate)
        res = {}
        for name, cmd in phases(path, preset, args.sample).items():
            if name not in args.skip:
                res[name] = run_phase(name, cmd, max(1, args.repeat))
        print_table(preset, info, res, args.repeat)
        report["presets"][preset] = {"input": info, "phases": res, "targets": verdicts(preset, res)}
    report["load_at_end"] = list(os.getloadavg())
    print(f"load average at end: {report['load_at_end'][0]:.1f}")
    (OUT / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"\nreport: {OUT / 'report.json'}")


if __name__ == "__main__":
    main()
