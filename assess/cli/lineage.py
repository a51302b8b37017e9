"""``tc8 lineage``: carry an assessment of 2024 communes onto the 2025 communes (a wrapper of
:func:`tc8.pipeline.run_lineage`)."""
from __future__ import annotations

import click

from tc8.text.messages import text
from .common import domain_errors, print_problems, quiet_wanted
from .options import lang_option, output_option, overwrite_option, quiet_option

#: unmatched codes printed before "…" (lineage.xlsx lists them all)
SHOWN_CODES = 20


@click.command("lineage")
@click.argument("results_dir", metavar="RESULTS_DIR", type=click.Path(exists=False, file_okay=False))
@output_option
@overwrite_option
@lang_option
@quiet_option
def lineage_cmd(results_dir, output, overwrite, lang, quiet):
    """Chuyển kết quả đánh giá trên các xã năm 2024 (RESULTS_DIR của 'tc8 assess') sang các xã sau sắp
    xếp 2025 (theo thực tiễn; chỉ để lập kế hoạch) và ghi lineage.csv/.gpkg/.xlsx vào OUTPUT."""
    from tc8.pipeline import run_lineage

    from tc8.model.errors import InputError

    with domain_errors(lang):
        try:
            job = run_lineage(results_dir, output=output, overwrite=overwrite, lang=lang)
        except InputError as err:  # the assessment folder, not an input to validate: say so
            print_problems(err.problems, lang, err=True)
            raise click.ClickException(text("lineage.cannot_read", lang, folder=results_dir)) from None
    lineage = job.lineage
    if lineage.unmatched and not quiet_wanted(quiet):
        shown = ", ".join(lineage.unmatched[:SHOWN_CODES]) + (", …" if len(lineage.unmatched) > SHOWN_CODES else "")
        click.echo(text("lineage.unmatched", lang, n=len(lineage.unmatched), codes=shown), err=True)
    click.echo(text("lineage.summary", lang, **lineage.counts))
    if not quiet_wanted(quiet):
        click.echo(text("lineage.note", lang))
    click.echo("")
    for path in job.files.values():
        click.echo(text("cli.result_file", lang, path=path))
