"""``tc8 assess``: score communes and write results.gpkg / .csv / .json (a wrapper of
:func:`tc8.pipeline.run_job` without dossiers, and without maps unless ``--maps``)."""
from __future__ import annotations

import click

from tc8.text.messages import text
from .common import domain_errors, print_problems, quiet_wanted
from .options import assessment_options, quiet_option


@click.command("assess")
@assessment_options
@click.option("--maps", "with_maps", is_flag=True, help="Also draw the coverage maps (see 'tc8 map').")
@click.option("--details", is_flag=True,
              help="Print the reasons of every non-passing indicator, and the whole table however many communes.")
@quiet_option
def assess_cmd(input_path, rules, communes, output, overwrite, lang, population, metric_crs, policy, with_maps,
               details, quiet):
    """Đánh giá các xã theo bộ tiêu chí và ghi kết quả vào OUTPUT."""
    from pathlib import Path

    from tc8.outputs.terminal import summary_table
    from tc8.pipeline import run_job

    cli_quiet, quiet = quiet, quiet_wanted(quiet) and not details

    def report(results) -> None:
        print_problems(results.warnings, lang, err=True, quiet=quiet)
        click.echo(summary_table(results, lang=lang, details=details, quiet=quiet,
                                 table_path=Path(output) / "results.csv"))

    with domain_errors(lang):
        job = run_job(input_path, rules, output=output, overwrite=overwrite, lang=lang, communes=communes,
                      population=population, metric_crs=metric_crs, policy=policy, maps=with_maps, dossiers=False,
                      on_results=report, quiet=quiet_wanted(cli_quiet))
        click.echo("")
        for path in job.paths().values():
            click.echo(text("cli.result_file", lang, path=path))
