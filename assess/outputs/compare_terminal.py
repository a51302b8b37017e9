"""The terminal summary of ``tc8 compare``: both rule sets with their passing communes, how the
sets differ (in one line), the communes moving each way per indicator, and the first communes
whose criterion verdict changes with the reason (all of them in ``compare.csv``). ``quiet``:
the counts only. Words from ``templates/messages_compare.yaml`` (``compare.summary.*``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from tc8.model.results import CRITERION, STATUS_PASS
from tc8.text.messages import shorten, text

if TYPE_CHECKING:
    from tc8.engine.compare import Comparison

#: communes listed with their reason (the rest are in compare.csv)
FIRST_CHANGED = 15


def _status(status: str, lang: str) -> str:
    return text(f"status.{status}", lang) if status else text("compare.absent", lang)


def compare_summary(comparison: Comparison, *, lang: str = "vi", quiet: bool = False, table_path=None) -> str:
    """The summary as one string (no trailing newline)."""
    a, b, diff = comparison.a, comparison.b, comparison.rule_diff
    counts = comparison.counts.set_index("indicator")
    out = [text("compare.summary.sides", lang, a=a.rule_set.id, b=b.rule_set.id, n=int(counts.at[CRITERION, "communes"]),
                pass_a=int(counts.at[CRITERION, f"{STATUS_PASS}_a"]), pass_b=int(counts.at[CRITERION, f"{STATUS_PASS}_b"])),
           text("compare.summary.identical_rules", lang) if diff.identical else
           text("compare.summary.rule_changes", lang, n=len(diff.changes), a=a.rule_set.id, b=b.rule_set.id),
           text("compare.summary.changed", lang, n=len(comparison.changed_communes), rows=len(comparison.rows))]
    for r in comparison.moves.itertuples(index=False):
        out.append(text("compare.summary.move", lang, ind=r.indicator, a=_status(r.status_a, lang),
                        b=_status(r.status_b, lang), n=int(r.communes)))
    if quiet:
        return "\n".join(out)
    rows = comparison.rows
    crit = rows[rows["indicator"] == CRITERION]
    detail = rows[rows["indicator"] != CRITERION].groupby("commune_code")[f"detail_{lang}"].agg("; ".join)
    if len(crit):
        out.append("")
    for r in crit.head(FIRST_CHANGED).itertuples(index=False):
        why = detail.get(r.commune_code, "") or getattr(r, f"detail_{lang}")
        out.append(f"  {r.commune_code} {shorten(r.commune_name, 24)}: {_status(r.status_a, lang)} → "
                   f"{_status(r.status_b, lang)} — {shorten(why, 160)}")
    if len(crit) > FIRST_CHANGED:
        out.append(text("compare.summary.more", lang, n=len(crit) - FIRST_CHANGED, path=table_path or "compare.csv"))
    return "\n".join(out)
