"""Options shared by every subcommand, so that a flag means the same everywhere."""
from __future__ import annotations

import functools

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
    "--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True, envvar="TC8_LANG",
    help="Language of labels and messages.")
commune_option = click.option(
    "--commune", "communes", multiple=True, metavar="CODE",
    help="Only this commune (official 5-digit code, or the provisional id 'TAM-…' of a commune without one); "
         "repeat for several.")
population_option = click.option(
    "--population", type=click.Path(exists=False, dir_okay=False), default=None,
    help="Population count raster (GeoTIFF) for population-weighted coverage of polygon villages.")
crs_option = click.option(
    "--crs", "metric_crs", default=None, metavar="EPSG:XXXX",
    help="Metric CRS for distances and areas (default: UTM zone of the communes' centre).")
quiet_option = click.option(
    "-q", "--quiet", is_flag=True, default=False,
    help="Counts only: no commune table and no warning lines (errors are still shown). 'tc8 -q' does the same.")

jobs_option = click.option(
    "-j", "--jobs", "jobs", type=click.IntRange(min=1), default=None, metavar="N",
    help="Worker processes (default: the machine's cores); the files written are the same for any N.")


def _policy(snap_distance, skip_invalid, incomplete, code_year=None):
    from tc8.model.inputs import InputPolicy

    return InputPolicy(snap_distance_m=snap_distance, skip_invalid=skip_invalid, incomplete=frozenset(incomplete),
                       code_year=int(code_year) if code_year else None)


def policy_options(command):
    """``--snap-distance``, ``--skip-invalid``, ``--incomplete LAYER``: how strictly the input is
    taken. The command receives one ``policy`` argument (:class:`tc8.model.inputs.InputPolicy`)."""
    from tc8.model.inputs import DEFAULT_SNAP_DISTANCE_M
    from tc8.model.schema import LAYERS

    def wrap(*args, **kwargs):
        kwargs["policy"] = _policy(kwargs.pop("snap_distance"), kwargs.pop("skip_invalid"),
                                   kwargs.pop("incomplete"), kwargs.pop("code_year"))
        return command(*args, **kwargs)

    wrap = functools.update_wrapper(wrap, command)
    for decorate in reversed((
            click.option("--snap-distance", "snap_distance", type=click.FloatRange(min=0), metavar="METRES",
                         default=DEFAULT_SNAP_DISTANCE_M, show_default=True,
                         help="A point without a commune code lying outside every commune but this close to one "
                              "is assigned to the nearest commune (warning); farther, an error."),
            click.option("--skip-invalid", is_flag=True, default=False,
                         help="Go on without the rows that have errors; they are listed in the results and the "
                              "communes they could affect are marked."),
            click.option("--incomplete", "incomplete", multiple=True, metavar="LAYER",
                         type=click.Choice([n for n in LAYERS if n != "communes"]),
                         help="Declare a layer incomplete (repeatable): not finding a record there gives "
                              "'thieu_du_lieu', never 'khong_dat'."),
            click.option("--code-year", "code_year", type=click.Choice(["2024", "2025"]), default=None,
                         help="The year of the commune codes (2024: units before 1 July 2025; 2025: after), "
                              "overriding the input's declaration; default: declared, else inferred."))):
        wrap = decorate(wrap)
    return wrap


def assessment_options(command):
    """The option stack of every command that runs an assessment (assess, map, dossier):
    INPUT, --rules, --commune, -o/--output, --overwrite, --lang, --population, --crs, and the
    policy options (--snap-distance, --skip-invalid, --incomplete) as one ``policy`` argument."""
    command = policy_options(command)
    for decorate in reversed((input_argument, rules_option, commune_option, output_option, overwrite_option,
                              lang_option, population_option, crs_option)):
        command = decorate(command)
    return command
