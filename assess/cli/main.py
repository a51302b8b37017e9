"""The ``tc8`` command group. Each subcommand lives in its own module and is registered here."""
from __future__ import annotations

import logging
import sys

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tc8")
@click.option("-v", "--verbose", count=True, help="More progress on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def cli(verbose: int, quiet: bool) -> None:
    """tc8 — đánh giá Tiêu chí số 8 (Thông tin và Truyền thông) của xã nông thôn mới."""
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def _register() -> None:
    """Import each subcommand module and add its command (explicit, like rio/fio)."""
    import importlib

    for module_name, attr in (
        ("template", "template_cmd"),
        ("validate", "validate_cmd"),
        ("rules", "rules_cmd"),
        ("assess", "assess_cmd"),
        ("demo", "demo_cmd"),
        ("map", "map_cmd"),
        ("dossier", "dossier_cmd"),
        ("verify", "verify_cmd"),
    ):
        try:
            module = importlib.import_module(f"{__package__}.{module_name}")
        except ModuleNotFoundError as err:
            if err.name == f"{__package__}.{module_name}":
                continue  # command not built yet
            raise
        cli.add_command(getattr(module, attr))


_register()


def main() -> None:
    cli(prog_name="tc8")
