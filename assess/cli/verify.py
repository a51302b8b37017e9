"""``tc8 verify DIR``: re-run the assessment recorded in dossier manifests and compare."""
from __future__ import annotations

import sys

import click

from tc8.text.messages import text
from .common import domain_errors
from .options import lang_option


@click.command("verify")
@click.argument("directory", metavar="DIR", type=click.Path(exists=True, file_okay=False))
@click.option("--input", "input_path", type=click.Path(exists=True), default=None, metavar="PATH",
              help="Where the input is now (file or folder), for dossiers moved to another machine; "
                   "default: the path recorded relative to the dossiers, then the absolute path.")
@lang_option
def verify_cmd(directory, input_path, lang):
    """Kiểm tra lại hồ sơ: chạy lại đánh giá từ dữ liệu đã ghi trong manifest.json và so sánh.

    Exit 0 when every dossier matches; 1 when the input is not found or is not the one recorded
    (a file's SHA-256 differs), a verdict or table differs, or
    the folder is incomplete (no run-manifest.json: the run was interrupted; a commune folder,
    file or the roll-up it lists is missing or changed).
    """
    from tc8.pipeline import verify_dossiers

    with domain_errors(lang):
        report = verify_dossiers(directory, lang=lang, input_path=input_path)
    for line in report.lines(lang):
        click.echo(line)
    n = max(len(report.communes) + report.missing, report.expected or 0)
    bad = sum(1 for c in report.communes if not c.ok) + report.missing
    if report.ok:
        click.echo(text("dossier.verify_ok", lang, n=n))
        return
    click.echo(text("dossier.verify_failed", lang, bad=bad, n=n), err=True)
    sys.exit(1)
