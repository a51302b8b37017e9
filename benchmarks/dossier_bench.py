"""Benchmark of the evidence dossiers: every commune of the national synthetic data, maps off.

A script you run by hand (timings on a shared machine are noisy), not a test::

    .venv/bin/python benchmarks/dossier_bench.py                      # national, all 2,621 communes
    .venv/bin/python benchmarks/dossier_bench.py --input benchmarks/out/province.gpkg
    .venv/bin/python benchmarks/dossier_bench.py --limit 200 --profile   # cProfile of the writer
    .venv/bin/python benchmarks/dossier_bench.py --jobs 1             # one process (default: all cores)

Prints the load average, the assessment time (read + validate + assess, not part of the
dossier cost), the dossier wall time (all commune folders + the province roll-up), seconds
per commune, the process's peak resident memory (``getrusage``) and, with ``--tracemalloc``,
the Python heap peak while writing. Memory is sampled after every 250 communes so a leak
shows as a growing RSS. The input is generated with ``benchmarks/synth.py`` when absent.
Output goes to ``benchmarks/out/<input stem>-dossier/`` (replaced on every run).
"""
from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent


def rss_mb() -> float:
    """Current resident set size (MiB) from /proc, or the peak where /proc is absent."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_mb()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_peak_mb() -> float:
    """Peak RSS of the largest finished worker process (``--jobs``; 0 without workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def ensure_input(path: Path) -> None:
    if path.exists():
        return
    print(f"generating {path} with synth.py --preset national", flush=True)
    subprocess.run([sys.executable, str(HERE / "synth.py"), "--preset", "national", "-o", str(path)], check=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=HERE / "out" / "national.gpkg")
    ap.add_argument("--rules", default="ntm-2021-2025")
    ap.add_argument("--limit", type=int, default=0, help="only the first N communes (0 = all)")
    ap.add_argument("--maps", action="store_true", help="draw the maps too (slow)")
    ap.add_argument("--tracemalloc", action="store_true", help="also report the Python heap peak (slower)")
    ap.add_argument("--profile", action="store_true", help="cProfile the writer; print the top 25 by cumulative time")
    ap.add_argument("--keep", action="store_true", help="keep the output folder")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: the machine's cores)")
    args = ap.parse_args(argv)

    from tc8.dossier.write import write_dossiers
    from tc8.dossier.view import Slicer
    from tc8.pipeline import run_assessment

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}  (2 cores)")
    ensure_input(args.input)
    out = HERE / "out" / f"{args.input.stem}-dossier"
    shutil.rmtree(out, ignore_errors=True)

    t0 = time.perf_counter()
    results = run_assessment(args.input, args.rules)
    t_assess = time.perf_counter() - t0
    rss_before = rss_mb()
    print(f"assessment: {t_assess:.1f} s, {len(results.communes):,} communes, {len(results.villages):,} villages; "
          f"RSS {rss_before:.0f} MiB")

    codes = Slicer(results).codes
    communes = codes[: args.limit] if args.limit else None
    n = len(communes or codes)
    samples = []

    class Sampler(logging.Handler):  # the writer logs every 200 communes; sample RSS there
        def emit(self, record):
            samples.append((record.getMessage(), rss_mb()))

    logging.getLogger("tc8.dossier.write").addHandler(Sampler())
    logging.getLogger("tc8.dossier.write").setLevel(logging.INFO)

    if args.tracemalloc:
        tracemalloc.start()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t1 = time.perf_counter()
    written = write_dossiers(results, out, overwrite=True, with_maps=args.maps, communes=communes, jobs=args.jobs)
    wall = time.perf_counter() - t1
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    heap = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None

    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    print(f"dossiers: {len(written['communes']):,} communes + province roll-up in {wall:.1f} s "
          f"({1000 * wall / max(n, 1):.1f} ms per commune), {size:.0f} MiB on disk")
    for message, mb in samples:
        print(f"  {message}: RSS {mb:.0f} MiB")
    print(f"RSS before writing {rss_before:.0f} MiB, after {rss_mb():.0f} MiB; "
          f"peak RSS of the process {peak_mb():.0f} MiB, of its largest worker {child_peak_mb():.0f} MiB"
          + (f"; Python heap peak while writing {heap:.0f} MiB" if heap is not None else ""))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
