"""``results.gpkg`` ready for QGIS: status words, a reason per commune, specific geometry types
and a default style per layer (``layer_styles``, :mod:`tc8.io.qgis_style`).

Two steps, called from :func:`tc8.outputs.files.write_gpkg`:

* :func:`qgis_layers` adjusts the frames before GDAL writes them. Beside each status code
  column (``status_tc8``, ``status_8_1``…) comes ``<column>_text``, the status in the chosen
  language; the communes layer gains ``reason`` (:func:`tc8.text.reason_line.commune_reason_line`);
  the villages layer gains what each village shows on the maps (``Results.village_status``:
  ``status_tc8``, ``status_<ind>`` and their ``_text``); the indicators table gains
  ``status_text``. Every layer gets a specific geometry
  type: communes and coverage MULTIPOLYGON, point layers POINT, villages POINT when all are
  points and MULTIPOLYGON when all are areas. **Villages mixing points and areas** are written
  as POINT (an area by a point inside it, :meth:`~shapely.Geometry.representative_point`;
  ``polygon`` says which), and the areas again, with their boundaries and the same columns, in
  a second layer ``village_areas`` (MULTIPOLYGON): one layer shows every village, nothing is lost.
* :func:`style_gpkg` stores one QML style per layer: communes and villages categorized by
  ``status_tc8`` with the maps' palette (:mod:`tc8.model.palette`), commune names as labels,
  postal points by ``qualifies``, radio stations by ``station_ok``, speakers by ``operating``,
  cell sites and coverage by ``technology``; field aliases in the chosen language on every layer.

Renderers read verdicts: nothing here decides a status.
"""
from __future__ import annotations

import pandas as pd

from tc8.io.qgis_style import Category, Style, layer_fields, qml, write_layer_styles
from tc8.model.palette import (LINE_COLOR, NEUTRAL_COLOR, ON_OFF_COLORS, POSTAL_COLORS, STATUS_COLORS,
                               TECH_COLORS)
from tc8.model.results import status_column
from tc8.model.schema import LAYERS
from tc8.model.vocab import STATUSES
from tc8.text.messages import catalogue, text
from tc8.text.reason_line import commune_reason_line

TEXT_SUFFIX = "_text"
AREAS_LAYER = "village_areas"
_POINTS = {"Point", "MultiPoint"}
_AREAS = {"Polygon", "MultiPolygon"}


def _status_columns(results) -> dict[str, str]:
    """Status column -> indicator id (``status_tc8`` -> ``TC8``, ``status_8_1`` -> ``8.1``)."""
    ids = [i.id for i in results.rule_set.indicators] + ["TC8"]
    return {status_column(i): i for i in ids}


def with_status_text(frame: pd.DataFrame, columns, lang: str) -> pd.DataFrame:
    """``frame`` with ``<col>_text`` (the status in words) right after each status column."""
    words = {s: text(f"status.{s}", lang) for s in STATUSES}
    out = frame.copy()
    for col in [c for c in columns if c in frame.columns]:
        out.insert(out.columns.get_loc(col) + 1, col + TEXT_SUFFIX, out[col].map(words).astype(object))
    return out


def _communes(results, lang: str) -> pd.DataFrame:
    frame = with_status_text(results.communes, _status_columns(results), lang)
    reasons = commune_reason_line(results.indicators, lang)
    at = frame.columns.get_loc("status_tc8" + TEXT_SUFFIX) + 1 if "status_tc8" in frame.columns else len(frame.columns) - 1
    frame.insert(at, "reason", frame["commune_code"].astype(str).map(reasons).astype(object))
    return frame


def _villages(results, lang: str) -> pd.DataFrame:
    frame, shown = results.villages, results.village_status
    if shown is not None and len(shown) == len(frame):
        status = shown.drop(columns=["commune_code"], errors="ignore")
        status = status.rename(columns=lambda c: "status_" + c[2:] if c.startswith("s_") else c)
        frame = frame.join(status.set_axis(frame.index))
    return with_status_text(frame, _status_columns(results), lang)


def _declared(name: str) -> set[str]:
    """The geometry an empty layer gets: the input model's first (villages: points)."""
    layer = LAYERS.get(name)
    return {layer.geometry[0]} if layer is not None and layer.geometry else {"Point"}


def _typed(name: str, frame, options: dict):
    """(name, frame, options) with a specific geometry type; a layer mixing points and areas
    gives a POINT layer and its areas as ``<name>_areas`` (``village_areas``)."""
    if "geometry" not in frame.columns:
        yield name, frame, options
        return
    kinds = set(frame.geom_type.dropna().unique()) or _declared(name)
    options = {k: v for k, v in options.items() if k not in ("geometry_type", "promote_to_multi")}
    if kinds and kinds <= _POINTS:
        yield name, frame, {**options, "geometry_type": "Point" if kinds == {"Point"} else "MultiPoint"}
    elif kinds and kinds <= _AREAS:
        yield name, frame, {**options, "geometry_type": "MultiPolygon", "promote_to_multi": True}
    elif kinds and kinds <= _POINTS | _AREAS and "MultiPoint" not in kinds:
        areas = frame.geom_type.isin(list(_AREAS)).to_numpy()
        points = frame.copy()
        points.loc[areas, "geometry"] = frame.geometry[areas].representative_point()
        yield name, points, {**options, "geometry_type": "Point"}
        yield (AREAS_LAYER if name == "villages" else f"{name}_areas"), frame[areas], \
            {**options, "geometry_type": "MultiPolygon", "promote_to_multi": True}
    else:
        yield name, frame, {**options, "geometry_type": "Unknown"}


def qgis_layers(layers, results, lang: str = "vi"):
    """The ``(name, frame, write options)`` of :func:`tc8.outputs.files.write_gpkg`, ready for
    QGIS (module docstring)."""
    for name, frame, options in layers:
        if name == "communes":
            frame = _communes(results, lang)
        elif name == "villages":
            frame = _villages(results, lang)
        elif name == "indicators":
            frame = with_status_text(frame, ["status"], lang)
        yield from _typed(name, frame, options)


def _aliases(fields, layer: str, status_cols: dict[str, str], lang: str) -> dict[str, str]:
    schema = {c.name: getattr(c, f"label_{lang}") for c in LAYERS[layer].columns} if layer in LAYERS else {}
    known = catalogue()
    out = {}
    for f in fields:
        base = f[: -len(TEXT_SUFFIX)] if f.endswith(TEXT_SUFFIX) else f
        if f == "status" + TEXT_SUFFIX:
            out[f] = text("qgis.field.status_word", lang)
        elif base in status_cols:
            key = "qgis.field.status_text" if f != base else "qgis.field.status_code"
            out[f] = text(key, lang, indicator=status_cols[base])
        elif schema.get(f):
            out[f] = schema[f]
        elif f"qgis.field.{f}" in known:
            out[f] = text(f"qgis.field.{f}", lang)
    return out


def _yes_no(field_name: str, palette: dict, label: str, lang: str) -> list[Category]:
    """Categories of a yes/no field written as 1/0 (NULL = unknown)."""
    return [Category(value, text("qgis.legend.yes_no", lang, field=label, value=text(word, lang)), palette[key])
            for value, word, key in (("1", "word.yes", True), ("0", "word.no", False),
                                     ("", "word.unknown", None))]


def _renderer(layer: str, geometry: str, aliases: dict, lang: str) -> Style:
    """The renderer part of a layer's style (module docstring)."""
    if layer in ("communes", "villages", AREAS_LAYER):
        cats = [Category(s, text(f"status.{s}", lang), STATUS_COLORS[s]) for s in STATUSES]
        return Style(geometry, field="status_tc8", categories=cats,
                     label_field="commune_name" if layer == "communes" else "")
    yes_no = {"postal_points": ("qualifies", POSTAL_COLORS), "radio_stations": ("station_ok", ON_OFF_COLORS),
              "speakers": ("operating", ON_OFF_COLORS)}
    if layer in yes_no:
        name, palette = yes_no[layer]
        return Style(geometry, field=name, categories=_yes_no(name, palette, aliases.get(name, name), lang))
    if layer in ("cell_sites", "coverage"):
        return Style(geometry, field="technology",
                     categories=[Category(t, t, c) for t, c in TECH_COLORS.items()]
                     + [Category("", text("word.unknown", lang), NEUTRAL_COLOR)])
    return Style(geometry, color=LINE_COLOR if layer == "fixed_access" else NEUTRAL_COLOR)


def style_gpkg(path, results, lang: str = "vi") -> None:
    """Write the default QGIS style of every layer of the GeoPackage at ``path`` (a temporary
    file being written) into its ``layer_styles`` table."""
    status_cols = _status_columns(results)
    styles = {}
    for layer, (geom_col, fields) in layer_fields(path).items():
        aliases = _aliases(fields, layer, status_cols, lang)
        if not geom_col:
            styles[layer] = qml(Style(None, aliases=aliases))
            continue
        geometry = "point" if _is_point(path, layer) else "polygon"
        style = _renderer(layer, geometry, aliases, lang)
        style.aliases = aliases
        styles[layer] = qml(style)
    write_layer_styles(path, styles, description=text("qgis.style.description", lang))


def _is_point(path, layer: str) -> bool:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as con:
        row = con.execute("SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name = ?",
                          (layer,)).fetchone()
    return bool(row) and "POINT" in str(row[0]).upper()


__all__ = ["qgis_layers", "style_gpkg", "with_status_text", "AREAS_LAYER", "TEXT_SUFFIX"]
