"""The compact summary printed by ``tc8 assess`` and ``tc8 demo`` (Vietnamese, or English).

Every word comes from ``templates/messages.yaml`` (``summary.*``, ``rollup.*``, ``status.*``);
this module only lays the table out: one line per commune, the province roll-up, then the
reasons of the non-passing indicators when asked (or when at most three communes were assessed).

Big runs stay readable: above :data:`SCREENFUL` communes (and without ``details``) the roll-up
(counts per status and indicator) comes first, then only the first :data:`FIRST_NOT_PASSING`
communes that fail or lack data, and a line naming the file with the full table
(``results.csv``). ``quiet`` prints the roll-up counts only. A commune assessed under a
provisional id (no official code) is marked ``*`` and counted in a footnote.
"""
from __future__ import annotations

from tc8.model.results import CRITERION, STATUS_PASS, STATUSES, Results, status_column
from tc8.text.figures import communes_passing_text, figure_text
from tc8.text.messages import shorten, text
from .excluded import excluded_counts
from .provisional import provisional_codes

#: width of one status column, and of the code and name columns (codes longer than CODE widen it)
CELL, CODE, NAME = 9, 6, 24
#: at most this many communes: the reasons are printed without ``details``
FEW_COMMUNES = 3
#: more communes than this (a screenful) and no ``details``: the table is cut
SCREENFUL = 40
#: a cut table lists this many communes that fail or lack data, in input order
FIRST_NOT_PASSING = 15
#: mark after the code of a commune assessed under a provisional id
PROVISIONAL_MARK = "*"


def short_statuses(lang: str) -> dict[str, str]:
    """Status -> its short label in the table (``Đạt``, ``KHÔNG``, ``thiếu DL``)."""
    return {status: text(f"summary.short.{status}", lang) for status in STATUSES}


def _commune_lines(results: Results, ind_ids: list[str], short: dict[str, str], lang: str,
                   rows=None) -> list[str]:
    """Header, rule and one line per commune (``rows``: those rows of ``Results.communes``,
    default all) with each indicator's status and the verdict; provisional ids marked."""
    communes = results.communes if rows is None else results.communes[rows]
    marked = provisional_codes(results)
    codes = [str(c) + (PROVISIONAL_MARK if str(c) in marked else "") for c in communes["commune_code"]]
    width = max([CODE] + [len(c) for c in codes])
    head = f"{text('summary.head_code', lang):<{width}} {text('summary.head_name', lang):<{NAME}}"
    cols = [f"{i:>{CELL}}" for i in ind_ids] + [f"{'TC8':>{CELL}}"]
    lines = [head + "".join(cols), "-" * (width + NAME + 1 + CELL * len(cols))]
    for code, (_, row) in zip(codes, communes.iterrows()):  # bounded printing loop, not a computation
        cells = [f"{short[row[status_column(i)]]:>{CELL}}" for i in ind_ids]
        cells.append(f"{short[row['status_tc8']]:>{CELL}}")
        lines.append(f"{code:<{width}} {shorten(row['commune_name'], NAME):<{NAME}}" + "".join(cells))
    return lines


def _cut_table(results: Results, ind_ids: list[str], short: dict[str, str], lang: str, table_path) -> list[str]:
    """A big run: the first :data:`FIRST_NOT_PASSING` communes that do not pass, and where the
    full table is."""
    not_passing = (results.communes["status_tc8"] != STATUS_PASS).to_numpy(dtype=bool)
    n_bad = int(not_passing.sum())
    path = table_path or "results.csv"
    if not n_bad:
        return [text("summary.all_pass", lang, n=len(not_passing), path=path)]
    first = not_passing & (not_passing.cumsum() <= FIRST_NOT_PASSING)
    return (_commune_lines(results, ind_ids, short, lang, rows=first)
            + [text("summary.big_run", lang, n=len(not_passing), shown=int(first.sum()), bad=n_bad, path=path)])


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
    incomplete = results.incomplete_layers
    if incomplete:
        lines.append(text("summary.incomplete", lang, layers=", ".join(incomplete)))
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


def summary_table(results: Results, *, lang: str = "vi", details: bool = False, quiet: bool = False,
                  table_path=None) -> str:
    """One line per commune with each indicator's status, then the province roll-up.

    With ``details`` (or when at most three communes were assessed) the reasons of every
    non-passing indicator follow the table. More than :data:`SCREENFUL` communes without
    ``details``: the roll-up, the first communes that fail or lack data and a line naming
    ``table_path`` (the full table, ``results.csv``). ``quiet``: the roll-up counts only.
    """
    ind_ids = [i for i in results.indicators["indicator"].unique() if i != CRITERION]
    short = short_statuses(lang)
    rollup = _rollup_lines(results, ind_ids, short, lang)
    n_marked = len(provisional_codes(results))
    footnote = [text("summary.provisional", lang, n=n_marked)] if n_marked else []
    if quiet:
        return "\n".join(rollup + footnote)
    if len(results.communes) > SCREENFUL and not details:
        return "\n".join(rollup + [""] + _cut_table(results, ind_ids, short, lang, table_path) + footnote)
    lines = _commune_lines(results, ind_ids, short, lang) + footnote + [""] + rollup
    if details or len(results.communes) <= FEW_COMMUNES:
        lines += [""] + _reason_lines(results, lang)
    return "\n".join(lines)
