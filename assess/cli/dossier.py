"""``tc8 dossier``: assess, then write one evidence folder per commune and the province roll-up."""
from __future__ import annotations

from pathlib import Path

import click

from tc8.text.messages import text
from .common import domain_errors, print_problems, quiet_wanted
from .options import assessment_options, jobs_option, quiet_option


@click.command("dossier")
@assessment_options
@click.option("--maps/--no-maps", "with_maps", default=True, show_default=True,
              help="Draw the commune maps (HTML, and PNG embedded in the workbook when available).")
@jobs_option
@quiet_option
def dossier_cmd(input_path, rules, communes, output, overwrite, lang, population, metric_crs, policy, with_maps,
                jobs, quiet):
    """Lập hồ sơ minh chứng Tiêu chí số 8 cho từng xã (OUTPUT/<mã xã>/) và bảng tổng hợp tỉnh."""
    from tc8.dossier.write import check_existing, write_dossiers
    from tc8.io.paths import is_safe_name
    from tc8.pipeline import rules_reference, run_assessment

    with domain_errors(lang):
        outdir = Path(output)
        whole_province = not communes  # a partial run never replaces the province roll-up
        # refuse early (before the assessment) what we can already see
        check_existing(outdir, [c for c in communes if is_safe_name(c)], overwrite, province=whole_province)
        results = run_assessment(input_path, rules, communes=communes, population=population,
                                 metric_crs=metric_crs, policy=policy)
        print_problems(results.warnings, lang, err=True, quiet=quiet_wanted(quiet))
        options = {"rules": rules_reference(rules),
                   "population": str(Path(population).resolve()) if population else None,
                   "communes": list(communes) or None}
        out = write_dossiers(results, outdir, overwrite=overwrite, lang=lang, with_maps=with_maps,
                             options=options, province=whole_province, jobs=jobs,
                             progress=not quiet_wanted(quiet))
        click.echo(text("dossier.written", lang, n=len(out["communes"]), outdir=out["outdir"],
                        seconds=f"{out['seconds']:.1f}",
                        province=out["province"] or text("dossier.no_rollup", lang)))
