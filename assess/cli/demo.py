"""``tc8 demo``: the main job on the bundled real province (Lâm Đồng), a wrapper of
:func:`tc8.pipeline.run_job` (results, maps and dossiers)."""
from __future__ import annotations

from pathlib import Path

import click

from tc8.io.demo import DEMO_RULES, demo_input_path
from tc8.text.messages import text
from .common import domain_errors, quiet_wanted
from .options import lang_option, overwrite_option, quiet_option


@click.command("demo")
@click.option("-o", "--output", default="demo-output", show_default=True, type=click.Path(file_okay=False),
              help="Output folder.")
@click.option("--rules", default=DEMO_RULES, show_default=True, help="Rule set id or file.")
@overwrite_option
@lang_option
@click.option("--path", "show_path", is_flag=True, help="Only print where the bundled input is.")
@click.option("--details", is_flag=True,
              help="Print the whole table and the reasons of every non-passing indicator.")
@click.option("--units-2025", "units_2025", is_flag=True,
              help="Assess the demo on the 2025 communes: 'tc8 units build' first (OUTPUT/units_2025.gpkg).")
@quiet_option
def demo_cmd(output, rules, overwrite, lang, show_path, details, quiet, units_2025):
    """Chạy đánh giá, vẽ bản đồ và lập hồ sơ cho tỉnh mẫu (Lâm Đồng, dữ liệu thật + giả lập)."""
    from tc8.outputs.terminal import summary_table
    from tc8.pipeline import run_job

    source = demo_input_path()
    if show_path:
        click.echo(str(source))
        return
    out = Path(output).resolve()
    cli_quiet, quiet = quiet, quiet_wanted(quiet) and not details

    def report(results) -> None:
        click.echo(summary_table(results, lang=lang, details=details, quiet=quiet,
                                 table_path=out / "results.csv") + "\n")

    with domain_errors(lang):
        if units_2025:
            from tc8.io.units_build import build_units

            out.mkdir(parents=True, exist_ok=True)
            source = build_units(source, out / "units_2025.gpkg", overwrite=overwrite).output
            click.echo(text("cli.result_file", lang, path=source))
        job = run_job(source, rules, output=out, overwrite=overwrite, lang=lang, on_results=report,
                      quiet=quiet_wanted(cli_quiet))
        for key, path in job.paths().items():
            click.echo(f"{key}: {path}")
        click.echo("\n" + text("cli.results_in", lang, path=out))
