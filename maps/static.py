"""A static PNG of a commune map (Pillow, no network) for the dossier and ``tc8 map --png``.

Drawn from the results' metric CRS, so the scale bar is in true metres. Shows the boundary,
villages coloured by their overall status as the results give it, cell sites by technology,
postal points (qualifying or not) with the lines to the nearest qualifying one, the radio
station and loudspeaker clusters. Distances to the nearest qualifying postal point are written
on their lines; synthetic layers are named under the map. Legend and title in ``lang``
(Vietnamese by default). Geometry is drawn supersampled and shrunk (:mod:`tc8.maps.raster`);
the same results give the same bytes.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from PIL import Image, ImageDraw

from tc8.text.messages import text
from tc8.text.size import bounded

from tc8.io.atomic import atomic_path
from tc8.model.palette import NEUTRAL_COLOR
from tc8.model.results import Results

from . import raster
from .raster import SUPER, Frame, flat, marker, mix, rgb
from .select import CommuneView, MapIndex, commune_view, tri
from .style import (BOUNDARY_COLOR, INACTIVE_COLOR, LINE_COLOR, ON_OFF_COLORS, POSTAL_COLORS, STATUS_COLORS,
                    TECH_COLORS, km, rule_set_label, status_label, synthetic_note, today)


#: Characters per line of the title: a long (bounded) commune name wraps instead of widening the picture.
TITLE_WIDTH = 90
#: The longer side of the map panel, in inches (times the dpi: pixels).
MAP_INCHES = 6.4
#: Opacity of the villages and of the coverage areas.
VILLAGE_ALPHA, COVERAGE_ALPHA = 0.9, 0.12


@dataclass
class Legend:
    """Legend rows: (marker kind ``o s ^ *`` or ``--``, fill colour, edge colour, label)."""

    rows: list = field(default_factory=list)

    def add(self, kind: str, fill: str, edge: str | None, label: str) -> None:
        self.rows.append((kind, fill, edge, label))


def _text(draw: ImageDraw.ImageDraw, xy, value: str, font, fill, anchor: str = "la") -> None:
    """Every word of the picture goes through here (one call per text, lines split inside)."""
    x, y = xy
    step = font.size * 1.25
    for i, line in enumerate(value.split("\n")):
        draw.text((x, y + i * step), line, font=font, fill=fill, anchor=anchor)


def map_bounds(view: CommuneView) -> tuple[float, float, float, float]:
    """The commune (and the nearest postal points its lines reach) with a 5 % margin."""
    minx, miny, maxx, maxy = view.commune.total_bounds
    if view.lines is not None and len(view.lines):  # keep the nearest postal points in view
        lminx, lminy, lmaxx, lmaxy = view.lines.total_bounds
        minx, miny, maxx, maxy = min(minx, lminx), min(miny, lminy), max(maxx, lmaxx), max(maxy, lmaxy)
    pad = 0.05 * max(maxx - minx, maxy - miny, 1.0)
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def _points(frame: Frame, gdf) -> np.ndarray:
    """Pixel positions (supersampled) of a point layer (a representative point for other shapes)."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    return frame.px(shapely.get_coordinates(shapely.point_on_surface(geoms)), SUPER)


def _draw_coverage(frame: Frame, view: CommuneView) -> Image.Image:
    """The white panel with the coverage areas, faint, coloured by technology (no legend entry).

    Drawn at the output size (faint fills need no anti-aliasing), then enlarged for the rest.
    """
    image = Image.new("RGB", (frame.width, frame.height), "white")
    cov = view.layers.get("coverage")
    if cov is not None and len(cov):
        techs = cov["technology"].astype(str).to_numpy()
        for tech in dict.fromkeys(techs):
            mask = Image.new("L", image.size, 0)
            pen = ImageDraw.Draw(mask)
            ring_list, _, exterior = raster.rings(cov.geometry.values[techs == tech])
            for coords, outer in zip(ring_list, exterior):
                if len(coords) >= 3:
                    pen.polygon(flat(frame.px(coords)), fill=255 if outer else 0)
            tint = Image.new("RGB", image.size, rgb(TECH_COLORS.get(tech, NEUTRAL_COLOR)))
            image = Image.composite(Image.blend(image, tint, COVERAGE_ALPHA), image, mask)
    return image.resize((frame.width * SUPER, frame.height * SUPER), Image.NEAREST)


def _draw_boundary(draw: ImageDraw.ImageDraw, frame: Frame, view: CommuneView) -> None:
    ring_list, _, _ = raster.rings(view.commune.geometry.values)
    width = max(int(round(frame.pt(1.5, SUPER))), 1)
    for coords in ring_list:
        draw.line(flat(frame.px(coords, SUPER)), fill=rgb(BOUNDARY_COLOR), width=width, joint="curve")


def _draw_cells(draw, frame: Frame, view: CommuneView, legend: Legend, lang: str) -> None:
    """Cell sites as triangles by technology, inactive ones grey; one legend entry per technology shown."""
    cells = view.layers.get("cell_sites")
    if cells is None or not len(cells):
        return
    techs = cells["technology"].astype(str).to_numpy()
    active = tri(cells["active"]) == True  # noqa: E712
    r, edge = frame.pt(np.sqrt(40) / 2, SUPER), max(int(round(frame.pt(0.5, SUPER))), 1)
    for (x, y), tech, on in zip(_points(frame, cells), techs, active):
        color = TECH_COLORS.get(tech, "#666666") if on else INACTIVE_COLOR
        marker(draw, "^", x, y, r, rgb(color), rgb("#333333"), edge)
    label = text("map.png_legend_sites", lang)
    for tech, color in TECH_COLORS.items():
        if (techs == tech).any():
            legend.add("^", color, "#333333", f"{label} {tech}")
    if not active.all():
        legend.add("^", INACTIVE_COLOR, "#333333", f"{label}: {text('map.not_operating', lang)}")


def _draw_postal_lines(draw, frame: Frame, view: CommuneView, legend: Legend, lang: str) -> None:
    """Dashed village -> nearest qualifying postal point lines (their lengths are written by :func:`_write_distances`)."""
    if view.lines is None or not len(view.lines):
        return
    coords = shapely.get_coordinates(np.asarray(view.lines.geometry.values, dtype=object)).reshape(-1, 2, 2)
    a, b = frame.px(coords[:, 0], SUPER), frame.px(coords[:, 1], SUPER)
    raster.dashed(draw, a, b, rgb(LINE_COLOR), max(int(round(frame.pt(0.8, SUPER))), 1),
                  frame.pt(3.0, SUPER), frame.pt(1.6, SUPER))
    legend.add("--", LINE_COLOR, None, text("map.layer_postal_lines", lang))


def village_colors(view: CommuneView) -> list[str]:
    """The colour of each village: its overall status as the results give it (``s_tc8``)."""
    return [STATUS_COLORS.get(s, NEUTRAL_COLOR) for s in view.villages["s_tc8"]]


def _draw_villages(draw, frame: Frame, view: CommuneView, legend: Legend, lang: str) -> None:
    """Villages (points, or polygons when mapped as areas) coloured by their overall status."""
    v = view.villages
    if not len(v):
        return
    colors = [mix(c, VILLAGE_ALPHA) for c in village_colors(view)]
    edge, width = rgb("#333333"), max(int(round(frame.pt(0.6, SUPER))), 1)
    r = frame.pt(np.sqrt(60) / 2, SUPER)
    is_point = (shapely.get_type_id(np.asarray(v.geometry.values, dtype=object)) == 0)
    for i in np.flatnonzero(~is_point):
        for coords in raster.rings([v.geometry.values[i]])[0]:
            draw.polygon(flat(frame.px(coords, SUPER)), fill=colors[i], outline=edge, width=width)
    for (x, y), i in zip(_points(frame, v[is_point]), np.flatnonzero(is_point)):
        marker(draw, "o", x, y, r, colors[i], edge, width)
    for status, color in STATUS_COLORS.items():
        legend.add("o", color, "#333333", f"{text('map.layer_overall', lang)}: {status_label(status, lang)}")


def _draw_on_air(draw, frame: Frame, view: CommuneView, legend: Legend, lang: str) -> None:
    """Loudspeaker clusters and radio stations, operating or not."""
    width = max(int(round(frame.pt(0.4, SUPER))), 1)
    for name, key, col, kind, size in (("speakers", "map.layer_speakers", "operating", "o", 12),
                                       ("radio_stations", "map.layer_stations", "station_ok", "*", 160)):
        layer = view.layers.get(name)
        if layer is None or layer.empty:
            continue
        col = col if col in layer.columns else "operating"
        r = frame.pt(np.sqrt(size) / 2, SUPER) * (1.6 if kind == "*" else 1.0)
        for (x, y), flag in zip(_points(frame, layer), tri(layer[col])):
            marker(draw, kind, x, y, r, rgb(ON_OFF_COLORS[flag]), rgb("#222222"), width)
        for flag, word in ((True, "map.operating"), (False, "map.not_operating")):
            legend.add(kind, ON_OFF_COLORS[flag], "#222222", f"{text(key, lang)}: {text(word, lang)}")


def _draw_postal(draw, frame: Frame, view: CommuneView, legend: Legend, lang: str) -> None:
    """Postal points as squares, qualifying or not (as the results decided)."""
    postal = view.layers.get("postal_points")
    if postal is None or not len(postal):
        return
    q = tri(postal["qualifies"]) if "qualifies" in postal.columns else [None] * len(postal)
    r, width = frame.pt(np.sqrt(70) / 2, SUPER), max(int(round(frame.pt(1.0, SUPER))), 1)
    for (x, y), flag in zip(_points(frame, postal), q):
        marker(draw, "s", x, y, r, rgb(POSTAL_COLORS[flag]), rgb("#ffffff"), width)
    for flag, key in ((True, "map.qualifies"), (False, "map.not_qualifies")):
        legend.add("s", POSTAL_COLORS[flag], "#ffffff", f"{text('map.layer_postal', lang)}: {text(key, lang)}")


def draw_map_panel(view: CommuneView, frame: Frame, lang: str) -> tuple[Image.Image, Legend]:
    """The map itself at ``frame``'s size (no text) and the legend rows of what it shows.

    Layers bottom to top: coverage, boundary, cell sites, postal lines, villages, loudspeakers
    and stations, postal points.
    """
    image = _draw_coverage(frame, view)
    draw = ImageDraw.Draw(image)
    legend = Legend()
    _draw_boundary(draw, frame, view)
    for step in (_draw_cells, _draw_postal_lines, _draw_villages, _draw_on_air, _draw_postal):
        step(draw, frame, view, legend, lang)
    return raster.shrink(image), legend


def _write_distances(draw, frame: Frame, origin, view: CommuneView, lang: str) -> None:
    """Each postal line's length at its middle, on a white box."""
    if view.lines is None or not len(view.lines):
        return
    mid = shapely.line_interpolate_point(np.asarray(view.lines.geometry.values, dtype=object), 0.5, normalized=True)
    small = raster.font(int(round(frame.pt(6))))
    for (x, y), metres in zip(frame.px(shapely.get_coordinates(mid)) + origin, view.lines["nearest_postal_m"]):
        label = km(metres, lang)
        box = draw.textbbox((x, y), label, font=small, anchor="mm")
        draw.rectangle([box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1], fill=mix("#ffffff", 0.75, "#f4f4f4"))
        _text(draw, (x, y), label, small, rgb("#333333"), anchor="mm")


def _scale_bar(draw, frame: Frame, origin) -> None:
    """A round-length scale bar in the lower left corner of the map panel."""
    width_m = frame.width / frame.scale
    nice = 10 ** np.floor(np.log10(max(width_m / 4, 1)))
    length = max(n * nice for n in (1, 2, 5) if n * nice <= max(width_m / 4, 1))
    x = origin[0] + 0.04 * frame.width
    y = origin[1] + 0.96 * frame.height
    draw.line([x, y, x + length * frame.scale, y], fill=(0, 0, 0), width=max(int(round(frame.pt(3))), 1))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    _text(draw, (x + length * frame.scale / 2, y - frame.pt(4)), label, raster.font(int(round(frame.pt(8)))),
          (0, 0, 0), anchor="md")


def _legend_size(legend: Legend, font) -> tuple[int, int]:
    row = font.size * 1.6
    width = max((font.getlength(label) for *_, label in legend.rows), default=0)
    return int(np.ceil(font.size * 2.4 + width)), int(np.ceil(row * len(legend.rows)))


def _draw_legend(draw, legend: Legend, font, xy, dpi: float) -> None:
    """One row per entry: a marker (or a dashed stroke) and its label."""
    x, y = xy
    row, r = font.size * 1.6, font.size * 0.42
    for i, (kind, fill, edge, label) in enumerate(legend.rows):
        cy = y + i * row + row / 2
        cx = x + font.size * 0.8
        if kind == "--":
            raster.dashed(draw, np.array([[cx - font.size * 0.8, cy]]), np.array([[cx + font.size * 0.8, cy]]),
                          rgb(fill), max(int(round(dpi / 72 * 1.2)), 1), font.size * 0.45, font.size * 0.25)
        else:
            marker(draw, kind, cx, cy, r * (1.3 if kind == "*" else 1.0), rgb(fill), rgb(edge), 1)
        _text(draw, (x + font.size * 2.0, cy), label, font, (0, 0, 0), anchor="lm")


def _title(view: CommuneView, results: Results, lang: str, date: str | None) -> str:
    """Commune (name cut to its bound), rule set and date, the criterion 8 verdict."""
    row = view.commune.iloc[0]
    name = bounded(row.get("commune_name", ""), "commune_name")
    return (textwrap.fill(text("map.title_commune", lang, name=name, code=view.code), TITLE_WIDTH)
            + "\n" + text("map.subtitle", lang, rules=rule_set_label(results.rule_set), date=today(date))
            + f"\n{text('map.verdict', lang)}: {status_label(row.get('status_tc8'), lang)}")


def _text_size(value: str, font) -> tuple[int, int]:
    lines = value.split("\n") if value else []
    width = max((font.getlength(line) for line in lines), default=0)
    return int(np.ceil(width)), int(np.ceil(font.size * 1.25 * len(lines)))


@dataclass
class Picture:
    """The drawn PNG, the frame of its map panel and where that panel sits in it (pixels)."""

    image: Image.Image
    frame: Frame
    origin: np.ndarray

    def at(self, xy) -> np.ndarray:
        """Metric coordinates (n, 2) -> pixel positions (n, 2) in :attr:`image`."""
        return self.frame.px(xy) + self.origin


def compose(view: CommuneView, results: Results, lang: str = "vi", dpi: float = 120,
            date: str | None = None) -> Picture:
    """The whole picture: title above the map, legend on its right, synthetic-data note below."""
    frame = raster.make_frame(map_bounds(view), int(round(MAP_INCHES * dpi)), dpi)
    panel, legend = draw_map_panel(view, frame, lang)
    margin, gap = int(round(0.12 * dpi)), int(round(0.2 * dpi))
    title_font, legend_font = raster.font(int(round(frame.pt(10)))), raster.font(int(round(frame.pt(7))))
    note_font = raster.font(int(round(frame.pt(7))), bold=True)
    title = _title(view, results, lang, date)
    note = textwrap.fill(synthetic_note(results.synthetic_layers, lang), 110)
    (tw, th), (lw, lh), (nw, nh) = (_text_size(title, title_font), _legend_size(legend, legend_font),
                                    _text_size(note, note_font))
    width = max(margin + frame.width + (gap + lw if legend.rows else 0) + margin, tw + 2 * margin, nw + 2 * margin)
    body = max(frame.height, lh)
    height = margin + th + gap + body + (gap + nh if note else 0) + margin
    canvas = Image.new("RGB", (width, height), "white")
    origin = np.array([margin, margin + th + gap])
    canvas.paste(panel, tuple(int(v) for v in origin))
    draw = ImageDraw.Draw(canvas)
    _write_distances(draw, frame, origin, view, lang)
    _scale_bar(draw, frame, origin)
    title_x = min(max(origin[0] + frame.width / 2, margin + tw / 2), width - margin - tw / 2)
    _text(draw, (title_x, margin), title, title_font, (0, 0, 0), anchor="ma")
    if legend.rows:
        _draw_legend(draw, legend, legend_font, (origin[0] + frame.width + gap, origin[1]), dpi)
    if note:
        _text(draw, (margin, origin[1] + body + gap), note, note_font, rgb("#b00000"))
    return Picture(image=canvas, frame=frame, origin=origin)


def render_commune_png(results: Results, commune_code: str, path: str | Path, *, lang: str = "vi", dpi: int = 120,
                       date: str | None = None, index: MapIndex | None = None,
                       view: CommuneView | None = None) -> Path:
    """Write the PNG of ``commune_code`` to ``path`` atomically; return the path.

    ``KeyError`` for a commune that is not in ``results``. Empty layers are skipped. ``view``:
    the commune's :func:`~tc8.maps.select.commune_view` when the caller already has it.
    """
    view = view or commune_view(results, commune_code, index=index)
    picture = compose(view, results, lang, dpi, date)
    target = Path(path)
    with atomic_path(target) as tmp:
        raster.save_png(picture.image, tmp)
    return target
