"""``tc8 validate INPUT``: report every problem of an input, grouped by layer.

Exit 0 when there is no error (warnings allowed), 1 with errors, 2 for bad flags. Problems and
the summary go to stdout (they are this command's data); ``--format json`` prints one JSON
object ``{valid, metric_crs, layers: {name: rows}, problems: [...]}``. With ``--rules`` it also
says which indicators of that rule set will be missing data because of absent layers, absent or
empty columns (:mod:`tc8.engine.preview`; JSON key ``rules_preview``); an unknown or malformed
rule set is exit 1, like ``tc8 assess``.
"""
from __future__ import annotations

import json

import click

from tc8.text.messages import text
from tc8.text.problems import problem_dict
from .common import domain_errors
from .options import crs_option, input_argument, lang_option, optional_rules_option, policy_options, population_option


def _line(problem: dict, lang: str) -> str:
    """``LỖI | villages | dòng V3 | cột population | what — cách sửa: fix``."""
    parts = [text(f"validate.severity.{problem['severity']}", lang), problem["layer"] or text("validate.general", lang)]
    if problem["row"]:
        parts.append(f"{text('validate.row', lang)} {problem['row']}")
    if problem["field"]:
        parts.append(f"{text('validate.field', lang)} {problem['field']}")
    parts.append(f"{problem['message']} — {text('validate.fix', lang)}: {problem['fix']}")
    return " | ".join(parts)


def _text_report(problems: list[dict], inputs, lang: str) -> str:
    lines: list[str] = []
    groups: dict[tuple, list[dict]] = {}
    for p in problems:
        groups.setdefault((p["layer"], p["file"]), []).append(p)
    for (layer, file), items in groups.items():
        lines.append(f"[{layer or text('validate.general', lang)}] {text('validate.file', lang)}: {file}")
        lines.extend("  " + _line(p, lang) for p in items)
        lines.append("")
    errors = sum(p["severity"] == "error" for p in problems)
    warnings = len(problems) - errors
    if inputs is None:
        lines.append(text("validate.failed", lang, errors=errors, warnings=warnings))
    else:
        lines.append(text("validate.ok", lang, warnings=warnings, crs=inputs.metric_crs))
        for name, frame in inputs.layers.items():
            lines.append(text("validate.layer_rows", lang, layer=name, rows=len(frame),
                              crs=inputs.source_crs.get(name, "—")))
    return "\n".join(lines)


@click.command("validate")
@input_argument
@optional_rules_option
@population_option
@crs_option
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format of the report.")
@policy_options
@click.pass_context
def validate_cmd(ctx, input_path, rules, population, metric_crs, lang, fmt, policy):
    """Kiểm tra dữ liệu đầu vào và liệt kê mọi lỗi (lớp, dòng, cột, lỗi gì, cách sửa)."""
    rule_set = preview = None
    if rules is not None:
        from tc8.rules.load import load_rule_set

        with domain_errors(lang):
            rule_set = load_rule_set(rules)
    try:
        from tc8.io.read import read_inputs
        from tc8.validate.run import validate_inputs

        raw, read_problems = read_inputs(input_path, population=population)
        inputs, problems = validate_inputs(raw, read_problems, metric_crs=metric_crs, policy=policy)
        rendered = [problem_dict(p, lang) for p in problems]
        if rule_set is not None:
            from tc8.engine.preview import preview as rules_preview

            preview = rules_preview(raw, rule_set, lang)
    except Exception as err:  # noqa: BLE001 - never a traceback
        detail = f"{type(err).__name__}: {err}".splitlines()[0][:300]
        raise click.ClickException(text("validate.unexpected", lang, detail=detail)) from None
    if fmt == "json":
        report = {"valid": inputs is not None, "input": str(input_path),
                  "metric_crs": inputs.metric_crs if inputs is not None else None,
                  "layers": {n: len(f) for n, f in inputs.layers.items()} if inputs is not None else {},
                  "problems": rendered}
        if preview is not None:
            report["rules_preview"] = preview
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(_text_report(rendered, inputs, lang))
        if preview is not None:
            from tc8.engine.preview import preview_lines

            click.echo("\n" + "\n".join(preview_lines(preview, lang)))
    if inputs is None:
        ctx.exit(1)
