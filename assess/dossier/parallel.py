"""Commune dossiers written by several processes (``tc8 dossier --jobs N``).

:func:`run_each` calls ``task(code)`` for every code, in ``jobs`` worker processes forked from
this one (they inherit the results, views and record set already built: nothing is pickled
but the codes and the folders returned), and returns ``{code: result}`` in the order of
``codes``. Every commune is written by exactly one worker into its own folder, with the same
inputs and the job's timestamp, so the bytes written do not depend on ``jobs`` (workbooks and
maps are made deterministic by :mod:`tc8.dossier.stable`; the run manifest is written by the
caller, sorted by code). ``jobs=1``, a single commune, or a platform without ``fork`` (Windows,
macOS' default) runs in this process. An error in a worker stops the pool and is raised here; an interrupted run (Ctrl-C, SIGTERM, SIGHUP in
this process) stops the workers, each removing the temporary folder of the commune it was writing.
Memory: each worker shares the parent's pages (copy on write) and holds one commune at a time.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed

_TASK: Callable | None = None  # set in the parent just before the fork; read by the workers


def default_jobs() -> int:
    """The machine's cores available to this process (at least 1)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)


def resolve_jobs(jobs: int | None, n: int) -> int:
    """Worker processes for ``n`` tasks: ``jobs`` (default the cores), never more than ``n``,
    1 where processes cannot be forked."""
    jobs = default_jobs() if jobs is None else max(int(jobs), 1)
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(min(jobs, n), 1)


def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
    """Leave through ``SystemExit`` (so the commune being written removes its temporary folder);
    a second stop signal (the pool's SIGTERM, then the parent's death) must not cut that short."""
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def _die_with_parent() -> None:
    """Linux: a worker gets SIGTERM when the parent dies (even by SIGKILL), never writes on alone."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _worker_signals() -> None:
    """In a worker: Ctrl-C (sent to the whole terminal group) is the parent's to handle (it stops
    the pool); SIGTERM / SIGHUP (the pool stopping) end the worker quietly through ``SystemExit``,
    so the commune it was writing removes its temporary folder like an interrupted single run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, _stop)


def _call(code: str):
    try:
        return code, _TASK(code)
    except SystemExit as stop:  # SIGTERM/SIGHUP mid-commune: its temporary folder is removed by now;
        # leave at once (the executor's worker loop would catch the exit and wait for more work)
        os._exit(stop.code if isinstance(stop.code, int) else 1)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and stop the workers now (SIGTERM: each removes its temporary
    folder). ``multiprocessing.Pool.terminate`` can hang here for good: it takes the task
    queue's lock, which a worker stopped while reading that queue never gives back."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()
    for process in workers:
        process.join(timeout=10)


def run_each(codes: Iterable[str], task: Callable[[str], object], *, jobs: int | None = None,
             advance: Callable[[], None] | None = None) -> dict:
    """``{code: task(code)}`` for every code, in ``jobs`` processes (see the module docstring);
    ``advance()`` is called in this process after each code (progress)."""
    global _TASK
    codes = list(codes)
    step = advance or (lambda: None)
    workers = resolve_jobs(jobs, len(codes))
    if workers == 1:
        out = {}
        for code in codes:
            out[code] = task(code)
            step()
        return out
    _TASK = task
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_signals)
    try:
        done = {}
        for future in as_completed([pool.submit(_call, code) for code in codes]):
            code, result = future.result()
            done[code] = result
            step()
    except BaseException:
        _stop_pool(pool)
        raise
    finally:
        _TASK = None
    pool.shutdown(wait=True)
    return {code: done[code] for code in codes}
