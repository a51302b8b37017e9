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


def print_problems(problems: Iterable[Problem], lang: str, *, err: bool = True) -> None:
    for problem in problems:
        click.echo(format_problem(problem, lang), err=err)


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
        raise click.ClickException(str(err)) from None
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
