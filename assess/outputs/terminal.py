"""The compact summary table printed by ``tc8 assess`` and ``tc8 demo`` (Vietnamese, or English).

Every word comes from ``templates/messages.yaml`` (``summary.*``, ``rollup.*``, ``status.*``);
this module only lays the table out: one line per commune, the province roll-up, then the
reasons of the non-passing indicators when asked (or when at most three communes were assessed).
"""
from __future__ import annotations

from tc8.model.results import CRITERION, STATUSES, Results, status_column
from tc8.text.figures import communes_passing_text, figure_text
from tc8.text.messages import shorten, text
from .excluded import excluded_counts

#: width of one status column, and of the code and name columns
CELL, CODE, NAME = 9, 6, 24
#: at most this many communes: the reasons are printed without ``details``
FEW_COMMUNES = 3


def short_statuses(lang: str) -> dict[str, str]:
    """Status -> its short label in the table (``Đạt``, ``KHÔNG``, ``thiếu DL``)."""
    return {status: text(f"summary.short.{status}", lang) for status in STATUSES}


def _commune_lines(results: Results, ind_ids: list[str], short: dict[str, str], lang: str) -> list[str]:
    """Header, rule and one line per commune with each indicator's status and the verdict."""
    head = f"{text('summary.head_code', lang):<{CODE}} {text('summary.head_name', lang):<{NAME}}"
    cols = [f"{i:>{CELL}}" for i in ind_ids] + [f"{'TC8':>{CELL}}"]
    lines = [head + "".join(cols), "-" * (CODE + NAME + 1 + CELL * len(cols))]
    for _, row in results.communes.iterrows():  # bounded printing loop, not a computation
        cells = [f"{short[row[status_column(i)]]:>{CELL}}" for i in ind_ids]
        cells.append(f"{short[row['status_tc8']]:>{CELL}}")
        lines.append(f"{row['commune_code']:<{CODE}} {shorten(row['commune_name'], NAME):<{NAME}}" + "".join(cells))
    return lines


def _rollup_lines(results: Results, ind_ids: list[str], short: dict[str, str], lang: str) -> list[str]:
    """Communes passing, per-indicator counts, postal and broadband figures, synthetic layers."""
    r = results.rollup
    lines = [communes_passing_text(r["communes_passing"], r["n_communes"], lang)]
    for ind_id in ind_ids:
        c = r["indicators"][ind_id]
        lines.append(f"  {ind_id}: " + ", ".join(f"{c[s]} {short[s]}" for s in STATUSES))
    lines.append(text("summary.postal", lang,
                      points=figure_text(r, "postal_points", lang, 0),
                      radius=figure_text(r, "postal_service_radius_km", lang, 3),
                      per_point=figure_text(r, "population_per_postal_point", lang, 0),
                      bdvhx=figure_text(r, "share_communes_with_bdvhx_pct", lang, 1, "%")))
    lines.append(text("summary.broadband", lang,
                      fixed=figure_text(r, "share_villages_fixed_broadband_pct", lang, 1, "%"),
                      mobile=figure_text(r, "share_villages_mobile_broadband_pct", lang, 1, "%")))
    if results.synthetic_layers:
        lines.append(text("summary.synthetic", lang, layers=", ".join(results.synthetic_layers)))
    counts = excluded_counts(results)  # --skip-invalid: records left out, communes whose result may change
    if counts is not None:
        lines.append(text("summary.excluded", lang, n=counts[0], communes=counts[1]))
    return lines


def _reason_lines(results: Results, lang: str) -> list[str]:
    """``[code indicator status] reasons`` for every non-passing indicator (not the criterion)."""
    ind = results.indicators
    bad = ind[(ind["status"] != "dat") & (ind["indicator"] != CRITERION)]
    return [f"[{row['commune_code']} {row['indicator']} {text('status.' + row['status'], lang)}] "
            f"{row[f'reasons_{lang}'] or row[f'missing_{lang}']}" for _, row in bad.iterrows()]


def summary_table(results: Results, *, lang: str = "vi", details: bool = False) -> str:
    """One line per commune with each indicator's status, then the province roll-up.

    With ``details`` (or when at most three communes were assessed) the reasons of every
    non-passing indicator follow the table.
    """
    ind_ids = [i for i in results.indicators["indicator"].unique() if i != CRITERION]
    short = short_statuses(lang)
    lines = _commune_lines(results, ind_ids, short, lang) + [""] + _rollup_lines(results, ind_ids, short, lang)
    if details or len(results.communes) <= FEW_COMMUNES:
        lines += [""] + _reason_lines(results, lang)
    return "\n".join(lines)
