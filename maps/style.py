"""Colours, labels and the HTML panels (title, legend, roll-up) of the maps.

Every value that comes from data is escaped here or by the autoescaping Jinja templates
(``templates/map_*.html``); callers pass plain text, never HTML.
"""
from __future__ import annotations

import functools
import html
from datetime import date
from importlib.resources import files

import jinja2

from tc8.text.messages import fmt_number, text
from tc8.model.results import STATUS_FAIL, STATUS_MISSING, STATUS_PASS, STATUSES

# The palette is shared with the GeoPackage styles QGIS reads (tc8.outputs.gpkg_styles).
from tc8.model.palette import (BOUNDARY_COLOR, INACTIVE_COLOR, LINE_COLOR, ON_OFF_COLORS,  # noqa: F401,E402
                               POSTAL_COLORS, STATUS_COLORS, TECH_COLORS)


def esc(value) -> str:
    """``value`` as HTML text; missing values (None/NaN/<NA>) become ``""``."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except (TypeError, ValueError):  # pd.NA comparisons
        return ""
    return html.escape(str(value), quote=True)


def esc_label(value) -> str:
    """:func:`esc` plus ``{``/``}`` as entities: for texts that folium passes through Jinja
    (layer-control names), where ``{{ }}`` would otherwise be evaluated."""
    return esc(value).replace("{", "&#123;").replace("}", "&#125;")


def status_label(status, lang: str) -> str:
    return text(f"status.{status}", lang) if status in STATUSES else text("word.unknown", lang)


def evidence_label(evidence, lang: str) -> str:
    return text(f"evidence.{evidence}", lang) if evidence else ""


def yes_no(value, lang: str) -> str:
    """``có``/``không``/``chưa rõ`` for a nullable boolean."""
    if value is None or value != value:
        return text("word.unknown", lang)
    try:
        return text("word.yes" if bool(value) else "word.no", lang)
    except TypeError:  # pd.NA
        return text("word.unknown", lang)


def badge(status, lang: str) -> str:
    """A coloured status label (HTML)."""
    color = STATUS_COLORS.get(status, "#969696")
    return f'<span class="tc8-badge" style="background:{color}">{esc(status_label(status, lang))}</span>'


def km(metres, lang: str) -> str:
    """Metres as ``"1,2 km"`` (vi) / ``"1.2 km"`` (en); ``—`` when unknown."""
    try:
        value = float(metres)
    except (TypeError, ValueError):
        return "—"
    return fmt_number(value / 1000.0, 2, lang) + " km"


def synthetic_suffix(layer: str, synthetic_layers, lang: str) -> str:
    return text("map.synthetic_suffix", lang) if layer in (synthetic_layers or ()) else ""


@functools.lru_cache(maxsize=None)
def _env() -> jinja2.Environment:
    loader = jinja2.FunctionLoader(
        lambda name: files("tc8.templates").joinpath(name).read_text(encoding="utf-8"))
    return jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)


def render_fragment(name: str, **context) -> str:
    """Render ``templates/<name>`` with autoescaping (use ``|safe`` only for built HTML)."""
    return _env().get_template(name).render(**context)


def rule_set_label(rule_set) -> str:
    return str(getattr(rule_set, "id", None) or rule_set or "")


def today(value: str | None = None) -> str:
    return value or date.today().isoformat()


def status_legend(lang: str) -> list[dict]:
    return [{"color": STATUS_COLORS[s], "label": status_label(s, lang)} for s in STATUSES]


def tech_legend() -> list[dict]:
    return [{"color": c, "label": t} for t, c in TECH_COLORS.items()]


def synthetic_note(synthetic_layers, lang: str) -> str:
    """One sentence naming the synthetic layers (plain text; "" when none)."""
    if not synthetic_layers:
        return ""
    from tc8.model.schema import LAYERS
    names = [getattr(LAYERS.get(n), f"label_{lang}", n) or n for n in synthetic_layers]
    return text("map.synthetic_note", lang, layers=", ".join(names))
