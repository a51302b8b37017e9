"""Options shared by every subcommand, so that a flag means the same everywhere."""
from __future__ import annotations

import click

input_argument = click.argument(
    "input_path", metavar="INPUT", type=click.Path(exists=False, dir_okay=True, file_okay=True))


def _rules_option(required: bool):
    return click.option(
        "--rules", "rules", required=required, default=None, metavar="ID|FILE",
        help="Rule set: a shipped id (see 'tc8 rules list') or a rule-set YAML file.")


rules_option = _rules_option(True)
#: The same flag where it is optional (``tc8 validate``: preview what the rule set cannot decide).
optional_rules_option = _rules_option(False)
output_option = click.option(
    "-o", "--output", "output", required=True, type=click.Path(file_okay=False),
    help="Output folder (created; existing files are kept unless --overwrite).")
overwrite_option = click.option(
    "--overwrite", is_flag=True, default=False, help="Replace existing output files.")
lang_option = click.option(
    "--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
    help="Language of labels and messages.")
commune_option = click.option(
    "--commune", "communes", multiple=True, metavar="CODE",
    help="Only this commune (official 5-digit code); repeat for several.")
population_option = click.option(
    "--population", type=click.Path(exists=False, dir_okay=False), default=None,
    help="Population count raster (GeoTIFF) for population-weighted coverage of polygon villages.")
crs_option = click.option(
    "--crs", "metric_crs", default=None, metavar="EPSG:XXXX",
    help="Metric CRS for distances and areas (default: UTM zone of the communes' centre).")


def assessment_options(command):
    """The option stack of every command that runs an assessment (assess, map, dossier):
    INPUT, --rules, --commune, -o/--output, --overwrite, --lang, --population, --crs."""
    for decorate in reversed((input_argument, rules_option, commune_option, output_option, overwrite_option,
                              lang_option, population_option, crs_option)):
        command = decorate(command)
    return command
