"""``tc8 map``: assess, then draw one HTML map per commune and a province overview."""
from __future__ import annotations

from pathlib import Path

import click

from tc8.text.messages import text
from .common import domain_errors, print_problems, quiet_wanted
from .options import assessment_options, quiet_option


@click.command("map")
@assessment_options
@click.option("--png", is_flag=True, default=False, help="Also write a PNG of each commune map.")
@click.option("--no-tiles", "no_tiles", is_flag=True, default=False,
              help="No OpenStreetMap base layer: the maps then make no network request at all.")
@quiet_option
def map_cmd(input_path, rules, communes, output, overwrite, lang, population, metric_crs, policy, png, no_tiles,
            quiet):
    """Vẽ bản đồ phủ sóng/dịch vụ: OUTPUT/communes/<mã xã>.html và OUTPUT/province.html."""
    from tc8.maps import save_maps
    from tc8.maps.save import COMMUNE_DIR
    from tc8.pipeline import run_assessment

    with domain_errors(lang):
        results = run_assessment(input_path, rules, communes=communes, population=population,
                                 metric_crs=metric_crs, policy=policy)
        print_problems(results.warnings, lang, err=True, quiet=quiet_wanted(quiet))
        paths = save_maps(results, Path(output), lang=lang, overwrite=overwrite, png=png,
                          online_tiles=not no_tiles)
    click.echo(text("cli.province_map", lang, path=paths["province"]))
    click.echo(text("cli.commune_maps", lang, n=len(paths["communes"]), path=Path(output) / COMMUNE_DIR))
