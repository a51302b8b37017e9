"""The ``tc8`` command group. Each subcommand lives in its own module and is registered here.

Subcommand modules are imported only when their command runs (``tc8 assess`` never imports
the map or dossier code); ``tc8 --help`` reads each command's summary from the help catalogue
(templates/messages_help.yaml, in the language of :func:`tc8.cli.help_text.help_lang`; else from
its module's source) without importing it, so it answers in a fraction of a second instead of
loading pandas.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import logging
import sys

import click

from tc8 import __version__
from tc8.text.messages import text as text_of
from .help_text import HelpMixin, help_lang, localise, summary

#: command name -> attribute of ``tc8.cli.<name>`` holding it (explicit, like rio/fio)
COMMANDS = {
    "template": "template_cmd",
    "validate": "validate_cmd",
    "rules": "rules_cmd",
    "assess": "assess_cmd",
    "demo": "demo_cmd",
    "map": "map_cmd",
    "dossier": "dossier_cmd",
    "verify": "verify_cmd",
    "lineage": "lineage_cmd",
    "units": "units_cmd",
    "plan": "plan_cmd",
    "compare": "compare_cmd",
}


def _available(name: str) -> bool:
    """The command's module exists (a command not built yet is simply not listed)."""
    return importlib.util.find_spec(f"{__package__}.{name}") is not None


def _summary(name: str, limit: int) -> str | None:
    """Short help of command ``name`` from its function's docstring, without importing the
    module; None when it cannot be found that way (then the module is imported)."""
    try:
        spec = importlib.util.find_spec(f"{__package__}.{name}")
        source = spec.loader.get_source(spec.name) if spec and spec.loader else None
        tree = ast.parse(source or "")
    except (ImportError, SyntaxError, OSError):
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == COMMANDS[name]:
            for deco in node.decorator_list:  # an explicit help/short_help wins over the docstring
                func = deco.func if isinstance(deco, ast.Call) else None
                if (isinstance(func, ast.Attribute) and func.attr in ("command", "group")
                        and any(k.arg in ("help", "short_help", "hidden", "deprecated", "cls") for k in deco.keywords)):
                    return None
            doc = ast.get_docstring(node)
            if not doc:
                return None
            return click.utils.make_default_short_help(inspect.cleandoc(doc).split("\f", 1)[0], limit)
    return None


class LazyGroup(HelpMixin, click.Group):
    """A group whose subcommands are imported on first use (help in the run's language)."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | {n for n in COMMANDS if _available(n)})

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in COMMANDS and _available(name):
            module = importlib.import_module(f"{__package__}.{name}")
            command = localise(getattr(module, COMMANDS[name]), (name,))
            self.add_command(command, name)
        return command

    def format_commands(self, ctx, formatter):
        limit = formatter.width - 6 - max((len(n) for n in self.list_commands(ctx)), default=0)
        rows = []
        for name in self.list_commands(ctx):
            text = (summary((name,), limit) or _summary(name, limit)) if name not in self.commands else None
            if text is None:
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                text = command.get_short_help_str(limit)
            rows.append((name, text))
        if rows:
            with formatter.section(text_of("help.section.commands", help_lang(ctx))):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tc8")
@click.option("-v", "--verbose", count=True, help="More progress on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def cli(verbose: int, quiet: bool) -> None:
    """tc8 — đánh giá Tiêu chí số 8 (Thông tin và Truyền thông) của xã nông thôn mới."""
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    from .common import stop_signals_interrupt

    stop_signals_interrupt()  # SIGTERM/SIGHUP clean up like Ctrl-C
    cli(prog_name="tc8")
