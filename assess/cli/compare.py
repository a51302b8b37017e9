"""``tc8 compare INPUT --rules A --rules B -o OUTDIR``: the same input under two rule sets, one read
(a wrapper of :func:`tc8.pipeline.run_compare`)."""
from __future__ import annotations

import click

from tc8.text.messages import text
from .common import domain_errors, print_problems, quiet_wanted
from .options import (commune_option, crs_option, input_argument, lang_option, output_option, overwrite_option,
                      policy_options, population_option, quiet_option)


@click.command("compare")
@input_argument
@click.option("--rules", "rules", multiple=True, metavar="ID|FILE",
              help="A rule set (shipped id or YAML file); give it exactly twice: --rules A --rules B.")
@output_option
@commune_option
@overwrite_option
@lang_option
@population_option
@crs_option
@policy_options
@quiet_option
def compare_cmd(input_path, rules, output, communes, overwrite, lang, population, metric_crs, policy, quiet):
    """So sánh kết quả của hai bộ tiêu chí trên cùng dữ liệu (đọc dữ liệu một lần)."""
    from pathlib import Path

    from tc8.outputs.compare_terminal import compare_summary
    from tc8.pipeline import run_compare

    if len(rules) != 2:
        raise click.UsageError(text("compare.two_rules", lang, n=len(rules)))
    quiet = quiet_wanted(quiet)

    def report(comparison) -> None:
        print_problems(comparison.a.warnings, lang, err=True, quiet=quiet)
        click.echo(compare_summary(comparison, lang=lang, quiet=quiet, table_path=Path(output) / "compare.csv"))

    with domain_errors(lang):
        job = run_compare(input_path, rules[0], rules[1], output=output, overwrite=overwrite, lang=lang,
                          communes=communes, population=population, metric_crs=metric_crs, policy=policy,
                          on_results=report)
        click.echo("")
        for path in job.files.values():
            click.echo(text("cli.result_file", lang, path=path))
