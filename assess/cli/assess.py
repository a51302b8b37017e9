"""``tc8 assess``: score communes and write results.gpkg / .csv / .json."""
from __future__ import annotations

from pathlib import Path

import click

from tc8.outputs.files import RESULT_FILES, check_outputs, write_results
from .common import domain_errors, print_problems
from .options import assessment_options


@click.command("assess")
@assessment_options
@click.option("--maps", "with_maps", is_flag=True, help="Also draw the coverage maps (see 'tc8 map').")
@click.option("--details", is_flag=True, help="Print the reasons of every non-passing indicator.")
def assess_cmd(input_path, rules, communes, output, overwrite, lang, population, metric_crs, with_maps, details):
    """Đánh giá các xã theo bộ tiêu chí và ghi kết quả vào OUTPUT."""
    from tc8.pipeline import run_assessment
    from tc8.outputs.terminal import summary_table

    with domain_errors(lang):
        check_outputs(Path(output), RESULT_FILES, overwrite=overwrite)
        results = run_assessment(input_path, rules, communes=communes, population=population,
                                 metric_crs=metric_crs)
        print_problems(results.warnings, lang, err=True)
        paths = write_results(results, output, overwrite=overwrite)
        click.echo(summary_table(results, lang=lang, details=details))
        if with_maps:
            from tc8.maps import save_maps

            maps = save_maps(results, Path(output) / "maps", lang=lang, overwrite=overwrite)
            paths.update({"maps": str(maps.get("province", Path(output) / "maps"))})
        click.echo("")
        label = "Kết quả" if lang == "vi" else "Results"
        for path in paths.values():
            click.echo(f"{label}: {path}")
