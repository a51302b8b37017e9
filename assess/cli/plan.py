"""``tc8 plan``: the least interventions that make each failing commune pass, with quantities
and costs, proved by re-assessing the input with the plan applied (a wrapper of
:func:`tc8.pipeline.run_plan`)."""
from __future__ import annotations

import click

from tc8.text.messages import text
from .common import domain_errors, print_problems, quiet_wanted
from .options import assessment_options, quiet_option


@click.command("plan")
@assessment_options
@click.option("--costs", "costs", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Cost file (YAML, shape of data/plan/costs-example.yaml); default: the shipped EXAMPLE prices.")
@click.option("--write-applied", is_flag=True, default=False,
              help="Also keep OUTPUT/applied.gpkg: the input with the plan applied (records marked 'planned').")
@click.option("--no-maps", "no_maps", is_flag=True, default=False,
              help="Do not draw the atlas OUTPUT/maps/ (commune maps with the \"Plan\" overlay).")
@click.option("--no-tiles", "no_tiles", is_flag=True, default=False,
              help="No OpenStreetMap base layer: the maps then make no network request at all.")
@quiet_option
def plan_cmd(input_path, rules, communes, output, overwrite, lang, population, metric_crs, policy, costs,
             write_applied, no_maps, no_tiles, quiet):
    """Lập kế hoạch tối thiểu để các xã chưa đạt tiêu chí 8 đạt, kèm chi phí, và kiểm chứng kế hoạch."""
    from tc8.outputs.plan_terminal import plan_summary
    from tc8.pipeline import run_plan

    quiet = quiet_wanted(quiet)
    with domain_errors(lang):
        job = run_plan(input_path, rules, output=output, communes=communes, costs=costs,
                       write_applied=write_applied, lang=lang, overwrite=overwrite, population=population,
                       metric_crs=metric_crs, policy=policy, quiet=quiet, maps=not no_maps,
                       online_tiles=not no_tiles)
        print_problems(job.plan.results.warnings, lang, err=True, quiet=quiet)
        click.echo(plan_summary(job.plan, lang=lang))
        click.echo("")
        for path in job.files.values():
            click.echo(text("cli.result_file", lang, path=path))
