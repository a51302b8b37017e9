"""``tc8 template OUT.gpkg``: write an empty, valid input GeoPackage to fill in QGIS."""
from __future__ import annotations

import click

from tc8.model.errors import OutputExistsError, first_line
from tc8.text.messages import text
from tc8.model.schema import LAYERS
from .options import lang_option, overwrite_option


@click.command("template")
@click.argument("output", metavar="OUT.gpkg", type=click.Path(dir_okay=False))
@overwrite_option
@lang_option
@click.option("--code-year", "code_year", type=click.Choice(["2024", "2025"]), default=None,
              help="Declare the year of the commune codes in tc8_layers (2024: units before 1 July 2025; "
                   "2025: after); default: left empty (inferred).")
def template_cmd(output, overwrite, lang, code_year):
    """Ghi một GeoPackage trống đúng mô hình dữ liệu đầu vào (mở bằng QGIS để nhập liệu)."""
    from tc8.io.template import is_gpkg_name, write_template

    if not is_gpkg_name(output):
        raise click.UsageError(text("template.not_gpkg", lang, path=output))
    try:
        path = write_template(output, overwrite=overwrite, code_year=int(code_year) if code_year else None,
                              lang=lang)
    except OutputExistsError:
        raise click.ClickException(text("template.exists", lang, path=output)) from None
    except Exception as err:  # noqa: BLE001 - never a traceback
        raise click.ClickException(text("template.failed", lang, path=output,
                                        detail=first_line(err, None))) from None
    click.echo(text("template.written", lang, path=path, layers=len(LAYERS)))
