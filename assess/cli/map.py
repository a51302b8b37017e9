"""``tc8 map``: assess, then write one offline atlas: OUTPUT/index.html (overview with search),
OUTPUT/assets/ (Leaflet, once) and OUTPUT/communes/<code>.html (one page per commune)."""
from __future__ import annotations

from pathlib import Path

import click

from tc8.text.messages import text
from .common import domain_errors, print_problems, quiet_wanted
from .options import assessment_options, jobs_option, quiet_option


@click.command("map")
@assessment_options
@click.option("--png", is_flag=True, default=False, help="Also write a PNG of each commune map.")
@click.option("--no-tiles", "no_tiles", is_flag=True, default=False,
              help="No OpenStreetMap base layer: the maps then make no network request at all.")
@click.option("--overview-only", "overview_only", is_flag=True, default=False,
              help="Draw only the overview (index.html), no commune page.")
@jobs_option
@quiet_option
def map_cmd(input_path, rules, communes, output, overwrite, lang, population, metric_crs, policy, png, no_tiles,
            overview_only, jobs, quiet):
    """Vẽ tập bản đồ ngoại tuyến: OUTPUT/index.html (tổng quan, tìm xã) và OUTPUT/communes/<mã xã>.html."""
    from tc8.maps import save_maps
    from tc8.maps.save import COMMUNE_DIR
    from tc8.pipeline import run_assessment

    with domain_errors(lang):
        results = run_assessment(input_path, rules, communes=communes, population=population,
                                 metric_crs=metric_crs, policy=policy)
        print_problems(results.warnings, lang, err=True, quiet=quiet_wanted(quiet))
        paths = save_maps(results, Path(output), lang=lang, overwrite=overwrite, png=png, online_tiles=not no_tiles,
                          overview_only=overview_only, jobs=jobs, quiet=quiet_wanted(quiet))
    click.echo(text("cli.province_map", lang, path=paths["province"]))
    if not overview_only:
        click.echo(text("cli.commune_maps", lang, n=len(paths["communes"]), path=Path(output) / COMMUNE_DIR))
