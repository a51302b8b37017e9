"""Turning library errors into clean command-line messages (exit 1, never a traceback)."""
from __future__ import annotations

import logging
import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import click

from tc8.model.errors import InputError, Problem, Tc8Error
from tc8.text.messages import text
from tc8.text.problems import problem_dict

log = logging.getLogger(__name__)


def format_problem(problem: Problem, lang: str) -> str:
    """``[error] villages.geojson › villages › row V-3 › population: what — fix``."""
    d = problem_dict(problem, lang)
    where = " › ".join(x for x in (d["file"], d["layer"], f"row {d['row']}" if d["row"] else "", d["field"]) if x)
    fix = f" — {d['fix']}" if d["fix"] and d["fix"] != f"fix.{problem.code}" else ""
    return f"[{d['severity']}] {where}: {d['message']}{fix}"


#: rows named in one line of grouped problems before "…"
GROUP_ROWS = 5


def problem_count(problems: Iterable[Problem]) -> int:
    """How many problems ``problems`` stands for (a ``more_problems`` summary counts its rows)."""
    total = 0
    for p in problems:
        total += int(p.params.get("count", 1)) if p.code == "more_problems" else 1
    return total


def problem_lines(problems: Iterable[Problem], lang: str) -> list[str]:
    """One line per problem as :func:`format_problem`, except that a problem repeated exactly
    (same row too) is shown once, and problems sharing code, file, layer, field and message are
    one line ``51 × [warning] … (rows #1, #2, …)`` at the place of the first."""
    groups: dict[tuple, list] = {}
    for problem in problems:
        d = problem_dict(problem, lang)
        key = (problem.severity, problem.code, d["file"], d["layer"], d["field"], d["message"])
        rows = groups.setdefault(key, [problem, []])[1]
        if d["row"] not in rows:
            rows.append(d["row"])
    lines = []
    for first, rows in groups.values():
        if len(rows) == 1:
            lines.append(format_problem(first, lang))
            continue
        shown = ", ".join(r for r in rows[:GROUP_ROWS] if r) + (", …" if len(rows) > GROUP_ROWS else "")
        line = format_problem(Problem(first.severity, first.code, first.file, first.layer, "", first.field,
                                      first.params), lang)
        lines.append(f"{text('summary.repeated', lang, count=len(rows))} {line}"
                     + (f" ({text('summary.repeated_rows', lang, rows=shown)})" if shown else ""))
    return lines


def print_problems(problems: Iterable[Problem], lang: str, *, err: bool = True, quiet: bool = False) -> None:
    """Each problem once (repeats grouped, :func:`problem_lines`); ``quiet``: only how many."""
    problems = list(problems)
    if quiet:
        if problems:
            click.echo(text("summary.quiet_warnings", lang, n=problem_count(problems)), err=err)
        return
    for line in problem_lines(problems, lang):
        click.echo(line, err=err)


def quiet_wanted(quiet: bool) -> bool:
    """``-q`` given to the command, or to ``tc8`` itself (``tc8 -q assess …``)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    return bool(quiet or (root is not None and root.params.get("quiet")))


@contextmanager
def domain_errors(lang: str = "vi") -> Iterator[None]:
    """Map tc8's errors to ``click.ClickException`` (exit 1) with an actionable message."""
    try:
        yield
    except InputError as err:
        print_problems(err.problems, lang, err=True)
        n = sum(1 for p in err.problems if p.severity == "error")
        raise click.ClickException(text("cli.input_errors", lang, n=n)) from None
    except Tc8Error as err:  # includes RuleSetError, OutputExistsError
        raise click.ClickException((err.by_lang or {}).get(lang) or str(err)) from None
    except OSError as err:
        raise click.ClickException(f"{getattr(err, 'filename', '') or ''} {err.strerror or err}".strip()) from None


#: signals that stop a run the way Ctrl-C (SIGINT) does (SIGHUP does not exist on Windows)
STOP_SIGNALS = ("SIGTERM", "SIGHUP")


def _raise_interrupt(signum, frame):  # noqa: ARG001 - signal handler signature
    raise KeyboardInterrupt(signal.Signals(signum).name)


def stop_signals_interrupt() -> None:
    """Make SIGTERM and SIGHUP raise :class:`KeyboardInterrupt` like Ctrl-C, so every writer's
    clean-up (temporary files and folders, half-streamed workbooks) runs before tc8 exits
    (exit 1, "Aborted!"). Call once from the main thread of the command-line entry point."""
    for name in STOP_SIGNALS:
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, _raise_interrupt)
