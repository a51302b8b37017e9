"""``tc8 rules list``, ``tc8 rules show ID|FILE`` (what a rule set checks, in words) and ``tc8 rules diff A B``
(how two sets differ, :mod:`tc8.rules.diff`)."""
from __future__ import annotations

from pathlib import Path

import click

from tc8.model.errors import RuleSetError
from tc8.text.messages import fmt_number, text
from tc8.rules.model import AllOf, Condition, RuleSet
from tc8.rules.load import example_paths, list_rule_sets, load_rule_set, shipped_ids
from .options import lang_option


def _fmt(value, lang: str) -> str:
    """A literal for people: 4, 2,5 (vi), có/không, lists joined."""
    if isinstance(value, bool):
        return text("rules.yes" if value else "rules.no", lang)
    if isinstance(value, (int, float)):
        return fmt_number(value, 0 if float(value).is_integer() else 2, lang)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _threshold(rs: RuleSet, cond, lang: str) -> str:
    unit = f" {cond.unit}" if cond.unit and cond.unit not in ("count",) else ""
    if cond.param:
        return f"{cond.param} = {_fmt(rs.param(cond.param), lang)}{unit}"
    return f"{_fmt(cond.value, lang)}{unit}"


def _comparison_lines(rs: RuleSet, cond, subject: str, lang: str, indent: str) -> list[str]:
    off = f" {text('rules.disabled', lang)}" if not cond.enabled else ""
    lines = [f"{indent}• [{cond.id}] {cond.label(lang)}{off}",
             f"{indent}    {subject} {cond.op} {_threshold(rs, cond, lang)}"
             f" · {text('rules.basis.' + cond.basis, lang)}"]
    cite = rs.cite_text(cond.cite, lang)
    if cite:
        lines.append(f"{indent}    {cite}")
    return lines


def _node_lines(rs: RuleSet, node, lang: str, indent: str) -> list[str]:
    if isinstance(node, Condition):
        return _comparison_lines(rs, node, node.measure, lang, indent)
    key = "rules.all_of" if isinstance(node, AllOf) else "rules.any_of"
    label = f" {node.label_en if lang == 'en' else node.label_vi}" if (node.label_vi or node.label_en) else ""
    lines = [f"{indent}{text(key, lang)}{label}"]
    for child in node.children:
        lines += _node_lines(rs, child, lang, indent + "  ")
    return lines


def render_rule_set(rs: RuleSet, lang: str = "vi") -> str:
    """The full description printed by ``tc8 rules show``."""
    status = text("rules.official" if rs.official else "rules.not_official", lang)
    out = [f"{rs.id} — {rs.title(lang)}", f"{text('rules.col_period', lang)}: {rs.period} · {status}"]
    desc = rs.description_en if lang == "en" else rs.description_vi
    if desc:
        out.append(desc)
    if rs.extends:
        out.append(f"{text('rules.extends', lang)}: {rs.extends}")
    out.append(f"{text('rules.files', lang)}: {', '.join(rs.source_files)} (sha256 {rs.sha256[:12]})")
    out += ["", f"{text('rules.instruments', lang)}:"]
    for ins in rs.instruments:
        title = ins.title_en if lang == "en" and ins.title_en else ins.title_vi
        out.append(f"  [{ins.id}] {ins.short()} — {title}")
    out += ["", text("rules.criterion_all", lang)]
    if rs.postal_point is not None:
        out += ["", text("rules.postal_point", lang, kinds=", ".join(rs.postal_kinds()))]
        for cond in rs.postal_point.conditions:
            out += _comparison_lines(rs, cond, f"postal_points.{cond.field}", lang, "  ")
    for ind in rs.indicators:
        out += ["", f"{ind.id} {ind.name(lang)}"]
        out += _node_lines(rs, ind.condition, lang, "  ")
    out += ["", f"{text('rules.parameters', lang)}:"]
    for p in rs.parameters.values():
        unit = f" {p.unit}" if p.unit and p.unit != "count" else ""
        cite = rs.cite_text(p.cite, lang)
        out.append(f"  {p.name} = {_fmt(p.value, lang)}{unit} · {text('rules.basis.' + p.basis, lang)}"
                   f" — {p.label(lang)}" + (f" [{cite}]" if cite else ""))
    if rs.overrides:
        out += ["", f"{text('rules.overrides', lang)}:"]
        for ov in rs.overrides:
            when = ", ".join(f"{k} = {_fmt(tuple(v) if isinstance(v, list) else v, lang)}"
                             for k, v in ov.when.items())
            sets = ", ".join(f"{k} = {_fmt(v, lang)}" for k, v in ov.set.items())
            note = ov.note_en if lang == "en" and ov.note_en else ov.note_vi
            out.append(f"  {text('rules.when', lang)} {when}: {sets}" + (f" — {note}" if note else ""))
    return "\n".join(out)


def _load(id_or_file: str, lang: str) -> RuleSet:
    looks_like_file = id_or_file.endswith((".yaml", ".yml")) or Path(id_or_file).is_file()
    if not looks_like_file and id_or_file not in shipped_ids():
        raise click.ClickException(text("rules.unknown_id", lang, id=id_or_file, known=", ".join(shipped_ids())))
    try:
        return load_rule_set(id_or_file)
    except RuleSetError as err:
        raise click.ClickException(text("rules.error", lang, detail=(err.by_lang or {}).get(lang) or str(err))) from err


@click.group("rules")
def rules_cmd() -> None:
    """Bộ tiêu chí (rule sets): liệt kê và xem chi tiết."""


@rules_cmd.command("list")
@lang_option
def list_cmd(lang: str) -> None:
    """Liệt kê các bộ tiêu chí có sẵn (shipped rule sets)."""
    try:
        sets = list_rule_sets()
    except RuleSetError as err:
        raise click.ClickException(text("rules.error", lang, detail=(err.by_lang or {}).get(lang) or str(err))) from err
    heads = [text(f"rules.col_{k}", lang) for k in ("id", "period", "official", "indicators", "title")]
    rows = [[rs.id, rs.period, text("rules.yes" if rs.official else "rules.no", lang),
             str(len(rs.indicators)), rs.title(lang)] for rs in sets]
    widths = [max(len(r[i]) for r in rows + [heads]) for i in range(4)]
    for row in [heads] + rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4])
    examples = example_paths()
    if examples:
        click.echo(f"\n{text('rules.examples', lang)}:")
        for path in examples:
            click.echo(f"  {path}")
    click.echo(f"\n{text('rules.show_hint', lang)}")


@rules_cmd.command("show")
@click.argument("id_or_file", metavar="ID|FILE")
@lang_option
def show_cmd(id_or_file: str, lang: str) -> None:
    """Xem một bộ tiêu chí: chỉ tiêu, điều kiện, ngưỡng, cơ sở, văn bản, tham số."""
    click.echo(render_rule_set(_load(id_or_file, lang), lang))


@rules_cmd.command("diff")
@click.argument("id_or_file_a", metavar="A")
@click.argument("id_or_file_b", metavar="B")
@lang_option
def diff_cmd(id_or_file_a: str, id_or_file_b: str, lang: str) -> None:
    """Hai bộ tiêu chí khác nhau ở đâu: điều kiện, ngưỡng, tham số theo nhóm xã (không cần dữ liệu)."""
    from tc8.rules.diff import diff_rule_sets
    from tc8.rules.diff_text import render_rule_diff

    click.echo(render_rule_diff(diff_rule_sets(_load(id_or_file_a, lang), _load(id_or_file_b, lang)), lang))
