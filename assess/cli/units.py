"""``tc8 units build COMMUNES_2024 -o units_2025.gpkg``: carry an input on the 2024 communes
onto the 2025 communes (:mod:`tc8.io.units_build`)."""
from __future__ import annotations

import click

from tc8.model.errors import OutputExistsError, first_line
from tc8.text.messages import text
from .common import domain_errors, print_problems, quiet_wanted
from .options import lang_option, overwrite_option


@click.group("units")
def units_cmd():
    """Xã sau ngày 1/7/2025: dựng xã mới từ ranh giới xã cũ (tc8 units build)."""


@units_cmd.command("build")
@click.argument("source", metavar="COMMUNES_2024", type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output GeoPackage (.gpkg): a complete tc8 input on the 2025 communes.")
@click.option("--code-column", default="commune_code", show_default=True,
              help="Column of the communes layer holding the 2024 commune codes.")
@overwrite_option
@lang_option
@click.option("-q", "--quiet", is_flag=True, help="Only how many warnings, not each one.")
def build_cmd(source, output, code_column, overwrite, lang, quiet):
    """Gộp ranh giới xã năm 2024 thành các xã năm 2025 theo bảng chuyển đổi chính thức;
    xã mới nhận xã bị chia tách hoặc thiếu phần được đánh dấu gần đúng (approximate)."""
    from tc8.io.units_build import build_units

    if not output.lower().endswith(".gpkg"):
        raise click.UsageError(text("units.not_gpkg", lang, path=output))
    with domain_errors(lang):
        try:
            done = build_units(source, output, overwrite=overwrite, code_column=code_column)
        except OutputExistsError:
            raise click.ClickException(text("units.exists", lang, path=output)) from None
        except (ValueError, RuntimeError) as err:
            raise click.ClickException(text("units.failed", lang, path=output, detail=first_line(err, None))) from None
    print_problems(done.warnings, lang, err=True, quiet=quiet_wanted(quiet))
    click.echo(text("units.built", lang, path=done.output, communes=len(done.communes), old=done.n_old,
                    approximate=done.n_approximate, left_out=len(done.unconverted), warnings=len(done.warnings)))
