"""A static PNG of a commune map (matplotlib, Agg backend, no network) for the evidence workbook.

Drawn in the results' metric CRS, so the scale bar is in true metres. Shows the boundary,
villages coloured by their overall display status, cell sites by technology, postal points
(qualifying or not) with the lines to the nearest qualifying one, the radio station and
loudspeaker clusters. Distances to the nearest qualifying postal point are written on their
lines; synthetic layers are named under the map. Legend and title in ``lang`` (Vietnamese by default).
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from tc8.text.messages import text  # noqa: E402
from tc8.text.size import bounded  # noqa: E402

from tc8.io.atomic import atomic_path  # noqa: E402
from tc8.model.results import Results  # noqa: E402

from .select import CommuneView, MapIndex, commune_view, tri  # noqa: E402
from .style import (INACTIVE_COLOR, LINE_COLOR, ON_OFF_COLORS, POSTAL_COLORS, STATUS_COLORS, TECH_COLORS,  # noqa: E402
                    km, rule_set_label, status_label, synthetic_note, today)


#: Characters per line of the title: a long (bounded) commune name wraps instead of widening the picture.
TITLE_WIDTH = 90


def _scale_bar(ax, width_m: float) -> None:
    """A round-length scale bar in the lower left corner (axes in metres)."""
    nice = 10 ** np.floor(np.log10(max(width_m / 4, 1)))
    length = max(n * nice for n in (1, 2, 5) if n * nice <= max(width_m / 4, 1))
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    ax.plot([x, x + length], [y, y], color="black", lw=3, solid_capstyle="butt")
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x + length / 2, y + 0.015 * (y1 - y0), label, ha="center", va="bottom", fontsize=8)


def _draw_coverage(ax, view: CommuneView) -> list:
    """Coverage areas, faint, coloured by technology (no legend entry)."""
    cov = view.layers.get("coverage")
    if cov is not None and len(cov):
        cov.plot(ax=ax, color=[TECH_COLORS.get(t, "#999999") for t in cov["technology"].astype(str)],
                 alpha=0.12, linewidth=0)
    return []


def _draw_cells(ax, view: CommuneView, lang: str) -> list:
    """Cell sites as triangles by technology, inactive ones grey; one legend entry per technology shown."""
    cells = view.layers.get("cell_sites")
    if cells is None or not len(cells):
        return []
    active = tri(cells["active"]) == True  # noqa: E712
    colors = [TECH_COLORS.get(t, "#666666") if a else INACTIVE_COLOR
              for t, a in zip(cells["technology"].astype(str), active)]
    cells.plot(ax=ax, color=colors, marker="^", markersize=40, edgecolor="#333333", linewidth=0.5)
    handles = [Line2D([], [], marker="^", ls="", color=color, markeredgecolor="#333333",
                      label=f"{text('map.png_legend_sites', lang)} {tech}")
               for tech, color in TECH_COLORS.items() if (cells["technology"].astype(str) == tech).any()]
    if not active.all():
        handles.append(Line2D([], [], marker="^", ls="", color=INACTIVE_COLOR, markeredgecolor="#333333",
                              label=f"{text('map.png_legend_sites', lang)}: {text('map.not_operating', lang)}"))
    return handles


def _draw_postal_lines(ax, view: CommuneView, lang: str) -> list:
    """Dashed village -> nearest qualifying postal point lines, their length written at the middle."""
    if view.lines is None or not len(view.lines):
        return []
    view.lines.plot(ax=ax, color=LINE_COLOR, linewidth=0.8, linestyle="--")
    mid = shapely.line_interpolate_point(np.asarray(view.lines.geometry.values, dtype=object), 0.5,
                                         normalized=True)
    for (x, y), metres in zip(shapely.get_coordinates(mid), view.lines["nearest_postal_m"]):
        ax.text(x, y, km(metres, lang), fontsize=6, color="#333333", ha="center", va="center",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75})
    return [Line2D([], [], color=LINE_COLOR, ls="--", label=text("map.layer_postal_lines", lang))]


def _draw_villages(ax, view: CommuneView, lang: str) -> list:
    """Villages coloured by their overall status as the results give it (``s_tc8``)."""
    v = view.villages
    if not len(v):
        return []
    v.plot(ax=ax, color=[STATUS_COLORS.get(s, "#999999") for s in v["s_tc8"]], markersize=60,
           edgecolor="#333333", linewidth=0.6, alpha=0.9)
    return [Line2D([], [], marker="o", ls="", color=color, markeredgecolor="#333333",
                   label=f"{text('map.layer_overall', lang)}: {status_label(status, lang)}")
            for status, color in STATUS_COLORS.items()]


def _draw_on_air(ax, view: CommuneView, lang: str) -> list:
    """Loudspeaker clusters and radio stations, operating or not."""
    handles = []
    for name, key, col, marker, size in (("speakers", "map.layer_speakers", "operating", "o", 12),
                                         ("radio_stations", "map.layer_stations", "station_ok", "*", 160)):
        frame = view.layers.get(name)
        if frame is None or frame.empty:
            continue
        col = col if col in frame.columns else "operating"
        frame.plot(ax=ax, color=[ON_OFF_COLORS[x] for x in tri(frame[col])], marker=marker, markersize=size,
                   edgecolor="#222222", linewidth=0.4)
        handles += [Line2D([], [], marker=marker, ls="", color=ON_OFF_COLORS[flag],
                           label=f"{text(key, lang)}: {text(word, lang)}")
                    for flag, word in ((True, "map.operating"), (False, "map.not_operating"))]
    return handles


def _draw_postal(ax, view: CommuneView, lang: str) -> list:
    """Postal points as squares, qualifying or not (as the results decided)."""
    postal = view.layers.get("postal_points")
    if postal is None or not len(postal):
        return []
    q = tri(postal["qualifies"]) if "qualifies" in postal.columns else [None] * len(postal)
    postal.plot(ax=ax, color=[POSTAL_COLORS[x] for x in q], marker="s", markersize=70,
                edgecolor="white", linewidth=1)
    return [Line2D([], [], marker="s", ls="", color=POSTAL_COLORS[flag],
                   label=f"{text('map.layer_postal', lang)}: {text(key, lang)}")
            for flag, key in ((True, "map.qualifies"), (False, "map.not_qualifies"))]


def _frame_extent(ax, view: CommuneView) -> None:
    """Zoom to the commune (and the nearest postal points its lines reach), 5 % margin, scale bar."""
    minx, miny, maxx, maxy = view.commune.total_bounds
    if view.lines is not None and len(view.lines):  # keep the nearest postal points in view
        lminx, lminy, lmaxx, lmaxy = view.lines.total_bounds
        minx, miny, maxx, maxy = min(minx, lminx), min(miny, lminy), max(maxx, lmaxx), max(maxy, lmaxy)
    pad = 0.05 * max(maxx - minx, maxy - miny, 1.0)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    _scale_bar(ax, maxx - minx + 2 * pad)


def _annotate(fig, ax, view: CommuneView, results: Results, handles: list, lang: str, date: str | None) -> None:
    """Title (commune, rule set, date, verdict), the synthetic-data note and the legend."""
    row = view.commune.iloc[0]
    name = bounded(row.get("commune_name", ""), "commune_name")
    ax.set_title(textwrap.fill(text("map.title_commune", lang, name=name, code=view.code), TITLE_WIDTH)
                 + "\n" + text("map.subtitle", lang, rules=rule_set_label(results.rule_set), date=today(date))
                 + f"\n{text('map.verdict', lang)}: {status_label(row.get('status_tc8'), lang)}", fontsize=10)
    note = synthetic_note(results.synthetic_layers, lang)
    if note:
        fig.text(0.01, 0.005, textwrap.fill(note, 110), color="#b00000", fontsize=7, fontweight="bold",
                 ha="left", va="bottom")
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)


def render_commune_png(results: Results, commune_code: str, path: str | Path, *, lang: str = "vi", dpi: int = 120,
                       date: str | None = None, index: MapIndex | None = None,
                       view: CommuneView | None = None) -> Path:
    """Write the PNG of ``commune_code`` to ``path`` atomically; return the path.

    ``KeyError`` for a commune that is not in ``results``. Empty layers are skipped; layers are
    drawn bottom to top: boundary, coverage, cell sites, postal lines, villages, loudspeakers and
    stations, postal points. ``view``: the commune's :func:`~tc8.maps.select.commune_view` when
    the caller already has it.
    """
    view = view or commune_view(results, commune_code, index=index)
    fig, ax = plt.subplots(figsize=(8, 8), dpi=dpi)
    # geopandas calls plt.draw() after every layer: with Agg that is a full redraw each time
    # (ticks included). Draw once, at savefig.
    fig.canvas.draw_idle = lambda *args, **kwargs: None
    ax.set_axis_off()
    try:
        view.commune.boundary.plot(ax=ax, color="#222222", linewidth=1.5)
        handles = (_draw_coverage(ax, view) + _draw_cells(ax, view, lang) + _draw_postal_lines(ax, view, lang)
                   + _draw_villages(ax, view, lang) + _draw_on_air(ax, view, lang) + _draw_postal(ax, view, lang))
        _frame_extent(ax, view)
        _annotate(fig, ax, view, results, handles, lang, date)
        target = Path(path)
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format="png", bbox_inches="tight")
        return target
    finally:
        plt.close(fig)
