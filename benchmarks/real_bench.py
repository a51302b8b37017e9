"""Benchmark of tc8 on the REAL national input: 11,163 communes of 2009, OSM post offices and masts.

The input is built by ``scripts/build_real_inputs.py national`` from the files in
``tests/real_data/`` (cached as ``benchmarks/out/real-national.gpkg``, rebuilt when the builder
or a source file changes). Each phase runs in a fresh process started by ``run.py --child``
(wall time including interpreter start-up, and the peak resident memory of that process alone):

==============  =================================================================================
startup         the imports of the assess path (the fixed cost inside every other row)
read            ``tc8.io.read.read_inputs(path)``: every layer read, nothing else
validate        ``tc8 validate PATH``
assess          ``tc8 assess PATH --rules ntm-2021-2025 --incomplete postal_points
                --incomplete cell_sites -o OUT --overwrite`` (outputs written): the target row
assess-2010     the same with the postal-only rule set ``ntm-2010-2015``
==============  =================================================================================

Targets (issue 9, 2-core machine): assess < 10 s and < 1.5 GB peak. Not a unit test: run it by
hand (``python benchmarks/real_bench.py [--repeat 3]``) on an otherwise idle machine; the report
also goes to ``benchmarks/out/real_report.json``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import READ_SNIPPET, STARTUP_SNIPPET, phase_rows, run_phase, tc8_command  # noqa: E402

OUT = HERE / "out"
BUILDER = ROOT / "scripts" / "build_real_inputs.py"
SOURCES = ROOT / "tests" / "real_data"
TARGET_S, TARGET_MB = 10.0, 1536.0
INCOMPLETE = ["--incomplete", "postal_points", "--incomplete", "cell_sites"]


def source_digest() -> str:
    digest = hashlib.sha256()
    for path in [BUILDER, *sorted(SOURCES.glob("*.gpkg")), *sorted(SOURCES.glob("*.csv"))]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def ensure_input(rebuild: bool) -> tuple[Path, dict]:
    """The national GeoPackage, built unless a cached one from the same builder and sources exists."""
    path, note = OUT / "real-national.gpkg", OUT / "real-national.json"
    digest = source_digest()
    if not rebuild and path.exists() and note.exists():
        cached = json.loads(note.read_text())
        if cached.get("digest") == digest:
            return path, cached
    OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    res = run_phase("build", [sys.executable, str(BUILDER), "national", str(path)], 1)
    if res["status"] != "ok":
        raise SystemExit(f"building the national input failed: {res}")
    info = {"digest": digest, "build_s": time.perf_counter() - t0, "size_mb": path.stat().st_size / 1e6,
            "build": json.loads(path.with_suffix(".build.json").read_text())}
    note.write_text(json.dumps(info, indent=1, ensure_ascii=False))
    return path, info


def phases(path: Path) -> dict[str, list[str]]:
    tc8 = tc8_command()
    return {
        "startup": [sys.executable, "-c", STARTUP_SNIPPET],
        "read": [sys.executable, "-c", READ_SNIPPET, str(path)],
        "validate": tc8 + ["validate", str(path)] + INCOMPLETE,
        "assess": tc8 + ["assess", str(path), "--rules", "ntm-2021-2025", *INCOMPLETE,
                         "-o", str(OUT / "real-national-assess"), "--overwrite"],
        "assess-2010": tc8 + ["assess", str(path), "--rules", "ntm-2010-2015", *INCOMPLETE,
                              "-o", str(OUT / "real-national-assess-2010"), "--overwrite"],
    }


def targets(res: dict) -> list[str]:
    assess = res.get("assess", {})
    if assess.get("status") != "ok":
        return [f"assess {assess.get('status', 'not run')}: targets not checked"]
    wall, peak = assess["wall_min_s"], assess["peak_mb"]
    return [f"assess < {TARGET_S:g} s: {'PASS' if wall < TARGET_S else 'MISS'} ({wall:.2f} s)",
            f"assess peak < {TARGET_MB:,.0f} MB: {'PASS' if peak < TARGET_MB else 'MISS'} ({peak:,.0f} MB)"]


def print_table(info: dict, res: dict, repeat: int) -> None:
    b = info["build"]
    print(f"\n== real national: {b['communes']:,} communes ({b['with_code']:,} with a GSO code), "
          f"{b['layers'].get('postal_points', 0):,} OSM post offices, {b['layers'].get('cell_sites', 0):,} OSM masts, "
          f"no villages; {info['size_mb']:.1f} MB GeoPackage")
    for line in phase_rows(res, repeat, width=12):
        print(line)
    for line in targets(res):
        print(f"  target: {line}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark tc8 on the real national input.")
    parser.add_argument("--repeat", type=int, default=1, help="runs per phase (min and median reported)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the input even if cached")
    parser.add_argument("--skip", action="append", default=[], help="phase to skip (e.g. assess-2010)")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} at start"
          + (" — the machine is busy, times will be inflated" if load[0] > 0.5 else ""))
    path, info = ensure_input(args.rebuild)
    res = {name: run_phase(name, cmd, max(1, args.repeat))
           for name, cmd in phases(path).items() if name not in args.skip}
    print_table(info, res, args.repeat)
    end = os.getloadavg()
    print(f"load average at end: {end[0]:.1f}")
    report = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "started": time.strftime("%Y-%m-%d %H:%M:%S"),
              "load_at_start": list(load), "load_at_end": list(end), "input": info, "phases": res,
              "targets": targets(res)}
    (OUT / "real_report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"\nreport: {OUT / 'real_report.json'}")


if __name__ == "__main__":
    main()
