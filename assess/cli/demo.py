"""``tc8 demo``: the main job on the bundled real province (Lâm Đồng)."""
from __future__ import annotations

from pathlib import Path

import click

from tc8.io.demo import DEMO_RULES, demo_input_path
from tc8.outputs.files import RESULT_FILES, check_outputs, now_iso, write_results
from .common import domain_errors
from .options import lang_option, overwrite_option


@click.command("demo")
@click.option("-o", "--output", default="demo-output", show_default=True, type=click.Path(file_okay=False),
              help="Output folder.")
@click.option("--rules", default=DEMO_RULES, show_default=True, help="Rule set id or file.")
@overwrite_option
@lang_option
@click.option("--path", "show_path", is_flag=True, help="Only print where the bundled input is.")
def demo_cmd(output, rules, overwrite, lang, show_path):
    """Chạy đánh giá, vẽ bản đồ và lập hồ sơ cho tỉnh mẫu (Lâm Đồng, dữ liệu thật + giả lập)."""
    from tc8.pipeline import run_assessment
    from tc8.outputs.terminal import summary_table

    source = demo_input_path()
    if show_path:
        click.echo(str(source))
        return
    out = Path(output).resolve()
    with domain_errors(lang):
        check_outputs(out, RESULT_FILES, overwrite=overwrite)
        results = run_assessment(source, rules)
        stamp = now_iso()
        paths = write_results(results, out, overwrite=overwrite, generated_at=stamp)
        click.echo(summary_table(results, lang=lang))
        click.echo("")
        from tc8.dossier.write import write_dossiers
        from tc8.maps import save_maps
        from tc8.maps.save import COMMUNE_DIR

        maps = save_maps(results, out / "maps", lang=lang, overwrite=overwrite, date=stamp[:10])
        paths["map_overview"] = str(maps["province"])
        dossiers = write_dossiers(results, out / "dossiers", overwrite=overwrite, lang=lang, generated_at=stamp,
                                  maps_from=maps["province"].parent / COMMUNE_DIR)
        paths["dossiers"] = str(out / "dossiers")
        paths["province_workbook"] = str(dossiers["province"])
        for key, path in paths.items():
            click.echo(f"{key}: {path}")
        click.echo(f"\n{'Kết quả ở' if lang == 'vi' else 'Results in'}: {out}")
