"""Popup and tooltip HTML, one string per feature, built from Results columns.

Every data value goes through :func:`tc8.maps.style.esc`; the only unescaped parts are the
fixed tags written here. Names and free text of the input are shown cut to their bound
(:mod:`tc8.text.size`), tooltips to ``NAME_CHARS``. Nothing is decided here: statuses, reasons and evidence classes
are read from the results.
"""
from __future__ import annotations

import pandas as pd

from tc8.model.inputs import PROVISIONAL_COLUMN
from tc8.outputs.provisional import provisional_label
from tc8.text.messages import fmt_number, shorten, text
from tc8.text.size import NAME_CHARS, bounded

from .style import badge, esc, evidence_label, km, status_label, yes_no


def _col(frame: pd.DataFrame, name: str, default=None) -> list:
    """The column as a list of Python values, missing values (NaN, NA) as None."""
    if name in frame.columns:
        column = frame[name]
        return [None if m else v for v, m in zip(column.to_numpy(dtype=object).tolist(), column.isna().tolist())]
    return [default] * len(frame)


def _indicator_rows(rows: pd.DataFrame, lang: str, reason_limit: int) -> list[str]:
    """One ``<tr>`` per row of ``rows`` (``Results.indicators``); columns are read once (fast for 30k rows)."""
    out = []
    for ind, name, status, measured, thr, op, unit, evidence, why, missing in zip(
            _col(rows, "indicator"), _col(rows, f"name_{lang}"), _col(rows, "status"), _col(rows, "measured"),
            _col(rows, "threshold"), _col(rows, "op"), _col(rows, "unit"), _col(rows, "evidence_class"),
            _col(rows, f"reasons_{lang}"), _col(rows, f"missing_{lang}")):
        value = ""
        if measured is not None:
            value = f"{fmt_number(float(measured), 1, lang)} {esc(unit)}"
            if thr is not None and thr != "":
                value += f" ({esc(text('map.threshold', lang))} {esc(op)} {esc(thr)})"
        detail = []
        if evidence:
            detail.append(f"{esc(text('map.evidence', lang))}: {esc(evidence_label(evidence, lang))}")
        if why:
            detail.append(f"{esc(text('map.reasons', lang))}: {esc(shorten(why, reason_limit))}")
        if missing:
            detail.append(f"{esc(text('map.missing', lang))}: {esc(shorten(missing, reason_limit))}")
        out.append(f"<tr><th>{esc(ind)}</th><td>{esc(name)}<br>{badge(status, lang)} {value}"
                   + "".join(f'<div class="tc8-why">{d}</div>' for d in detail) + "</td></tr>")
    return out


def commune_popups(communes: pd.DataFrame, indicators: pd.DataFrame, lang: str, *,
                   links: dict | None = None, reason_limit: int = 600) -> list[str]:
    """One popup per commune row: name, code, verdict, indicator table, optional link.

    Each indicator row is formatted once, then joined per commune (national size: ~30k rows).
    """
    row_html = _indicator_rows(indicators, lang, reason_limit)
    groups = indicators.groupby(indicators["commune_code"].astype(str), sort=False).indices
    links = links or {}
    provisional = f'<div class="tc8-why">{esc(provisional_label(lang))}</div>'  # a commune without an official code
    out = []
    for code, name, status, tam in zip(communes["commune_code"].astype(str), _col(communes, "commune_name"),
                                       _col(communes, "status_tc8"), _col(communes, PROVISIONAL_COLUMN, False)):
        table = "<table>" + "".join(row_html[i] for i in groups.get(code, ())) + "</table>"
        link = links.get(code)
        html_link = (f'<div><a href="{esc(link)}">{esc(text("map.open_commune_map", lang))}</a></div>'
                     if link else "")
        out.append(f'<div class="tc8-pop"><b>{esc(bounded(name, "commune_name"))}</b> ({esc(code)}) {badge(status, lang)}'
                   f'{provisional if tam else ""}{html_link}{table}</div>')
    return out


def _records(villages: pd.DataFrame, service: str) -> list[str]:
    """Ids of the records that decided ``service`` per village (";" -> ", "; "" when none)."""
    column = f"{service}_record"
    if column not in villages.columns:
        return [""] * len(villages)
    return [r.replace(";", ", ") if isinstance(r, str) else "" for r in villages[column].tolist()]


def village_popups(villages: pd.DataFrame, lang: str) -> list[str]:
    """Per village: name, id, telephone / Internet / loudspeakers with evidence and reasons, postal distance."""
    out = []
    records = {service: [", ".join(r for r in pair if r) for pair in zip(_records(villages, a), _records(villages, b))]
               for service, (a, b) in (("phone", ("mobile_voice", "fixed_phone")),
                                       ("internet", ("mobile_broadband", "fixed_broadband")))}
    cols = zip(_col(villages, "village_name"), _col(villages, "village_id"),
               _col(villages, "phone_ok"), _col(villages, "phone_evidence"), _col(villages, f"reason_phone_{lang}"),
               _col(villages, "internet_ok"), _col(villages, "internet_evidence"),
               _col(villages, f"reason_internet_{lang}"),
               _col(villages, "speaker_ok"), _col(villages, "speakers_operating"),
               _col(villages, f"reason_speaker_{lang}"),
               _col(villages, "nearest_postal_id"), _col(villages, "nearest_postal_m"), _col(villages, "synthetic"),
               records["phone"], records["internet"])
    for (name, vid, ph, ph_ev, ph_why, net, net_ev, net_why, spk, n_spk, spk_why, pid, pdist, synth,
         ph_rec, net_rec) in cols:
        rows = []
        for label, ok, ev, why, rec in ((text("map.phone", lang), ph, ph_ev, ph_why, ph_rec),
                                        (text("map.internet", lang), net, net_ev, net_why, net_rec),
                                        (text("map.speaker", lang), spk, None, spk_why, "")):
            value = esc(yes_no(ok, lang))
            if label == text("map.speaker", lang) and n_spk is not None:
                value += f" ({esc(n_spk)})"
            if ev:
                value += f" · {esc(text('map.evidence', lang))}: {esc(evidence_label(ev, lang))}"
            if rec:
                value += f" · {esc(text('map.records', lang))}: {esc(rec)}"
            if why:
                value += f'<div class="tc8-why">{esc(why)}</div>'
            rows.append(f"<tr><th>{esc(label)}</th><td>{value}</td></tr>")
        postal = (f"{esc(pid)} — {esc(km(pdist, lang))}" if pid is not None else esc(text("map.no_postal", lang)))
        rows.append(f"<tr><th>{esc(text('map.nearest_postal', lang))}</th><td>{postal}</td></tr>")
        flag = esc(text("map.synthetic_suffix", lang)) if synth is True else ""
        out.append(f'<div class="tc8-pop"><b>{esc(bounded(name, "village_name"))}</b> ({esc(vid)}){flag}<table>{"".join(rows)}</table></div>')
    return out


def record_popups(frame: pd.DataFrame, id_col: str, fields: list[tuple[str, str]], lang: str, *,
                  title_col: str | None = None, verdict: tuple[str, str, str] | None = None,
                  why_col: str | None = None) -> list[str]:
    """Generic popup for input records: ``fields`` = [(column, label)], bools shown as có/không.

    ``verdict`` = (column, yes-key, no-key): a nullable boolean the engine decided (e.g.
    ``qualifies``), shown first; ``why_col``: a text column of reasons (e.g. ``failed_vi``).
    """
    fixed, values = record_parts(frame, id_col, fields, lang, title_col=title_col, verdict=verdict, why_col=why_col)
    return [join_parts(fixed, row) for row in values]


def join_parts(fixed: list[str], values: list[str]) -> str:
    """``fixed[0] + values[0] + fixed[1] + … + fixed[-1]`` (``len(fixed) == len(values) + 1``)."""
    return "".join(f + v for f, v in zip(fixed, values)) + fixed[-1]


def record_parts(frame: pd.DataFrame, id_col: str, fields: list[tuple[str, str]], lang: str, *,
                 title_col: str | None = None, verdict: tuple[str, str, str] | None = None,
                 why_col: str | None = None) -> tuple[list[str], list[list[str]]]:
    """:func:`record_popups` as (the HTML every popup shares, the escaped HTML of each record between those
    pieces): the atlas pages send the shared pieces once and join them in the browser."""
    n = len(frame)
    ids = _col(frame, id_col)
    titles = _col(frame, title_col) if title_col else [None] * n
    values = [_col(frame, c) for c, _ in fields]
    decided = _col(frame, verdict[0]) if verdict else [None] * n
    whys = _col(frame, why_col) if why_col else [None] * n
    synth = _col(frame, "synthetic")
    out = []
    for i in range(n):
        row = [esc(ids[i]),
               (f" {esc(bounded(titles[i], title_col))}" if titles[i] else "")
               + (esc(text("map.synthetic_suffix", lang)) if synth[i] is True else "")]
        if verdict:
            ok = decided[i]
            row.append(esc(text(verdict[1] if ok is True else verdict[2] if ok is False else "word.unknown", lang)))
        row.append(f"<tr><th>{esc(text('map.failed', lang))}</th><td>{esc(whys[i])}</td></tr>" if whys[i] else "")
        for (col, _), vals in zip(fields, values):
            v = vals[i]
            row.append(esc(yes_no(v, lang) if isinstance(v, bool) else ("—" if v is None else bounded(str(v), col))))
        out.append(row)
    return _record_fixed(fields, bool(verdict)), out


def _record_fixed(fields: list[tuple[str, str]], verdict: bool) -> list[str]:
    """The pieces around the values of :func:`record_parts`: id, head tail, [verdict word], why row, fields."""
    fixed = ['<div class="tc8-pop"><b>', "</b>", "<table>" + ("<tr><td colspan=2><b>" if verdict else "")]
    if verdict:
        fixed.append("</b></td></tr>")
    labels = [f"<tr><th>{esc(label)}</th><td>" for _, label in fields]
    fixed += [("</td></tr>" if k else "") + label for k, label in enumerate(labels)]
    fixed.append(("</td></tr>" if labels else "") + "</table></div>")
    return fixed


def tooltips(values) -> list[str]:
    """Escaped tooltip texts ("" for missing values), each at most ``NAME_CHARS`` characters (a label)."""
    series = pd.Series(list(values), dtype=object)
    return [esc(shorten(v, NAME_CHARS)) for v in series.where(series.notna(), "").tolist()]


__all__ = ["commune_popups", "village_popups", "record_popups", "tooltips", "status_label"]
