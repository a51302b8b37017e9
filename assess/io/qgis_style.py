"""QGIS styles (QML) stored in a GeoPackage, the way QGIS stores them itself.

QGIS reads a layer's default style from the ``layer_styles`` table of its GeoPackage
(columns ``f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName,
styleQML, styleSLD, useAsDefault, description, owner, ui, update_time``; registered in
``gpkg_contents`` as an attributes table, as QGIS's "Save as default" does). This module writes
small QML documents — a categorized renderer on one field, labels, field aliases, value-map
drop-downs — and stores them with :mod:`sqlite3` in a GeoPackage that GDAL has finished writing.
It holds no words: callers pass labels in the language they chose.
"""
from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from dataclasses import field as _default
from pathlib import Path
from xml.sax.saxutils import quoteattr

QGIS_VERSION = "3.22.16-Białowieża"
STYLE_NAME = "tc8"

_LAYER_STYLES_SQL = """CREATE TABLE IF NOT EXISTS layer_styles (
 id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
 f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
 styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
 update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


@dataclass(frozen=True)
class Category:
    """One class of a categorized renderer: the field ``value`` ("" = NULL / other), its
    legend ``label`` and ``color`` (``#rrggbb``)."""

    value: str
    label: str
    color: str


@dataclass
class Style:
    """What one layer's QML says. ``geometry`` is ``point``, ``polygon`` or None (a table)."""

    geometry: str | None
    field: str = ""                      # categorized on this field ("" = one symbol)
    categories: list[Category] = _default(default_factory=list)
    color: str = "#969696"               # the single symbol's colour
    label_field: str = ""                # labels (polygon layers: at the centroid)
    aliases: dict[str, str] = _default(default_factory=dict)
    value_maps: dict[str, list[tuple[str, str]]] = _default(default_factory=dict)  # field -> (label, value)
    outline: str = "#222222"


def _rgba(color: str, alpha: int = 255) -> str:
    color = color.lstrip("#")
    return ",".join(str(int(color[i:i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def _opt(name: str, value: str) -> str:
    return f'<Option type="QString" name={quoteattr(name)} value={quoteattr(str(value))}/>'


def _symbol(index: int, geometry: str, color: str, outline: str) -> str:
    if geometry == "point":
        cls, sym = "SimpleMarker", "marker"
        props = {"name": "circle", "color": _rgba(color), "outline_color": _rgba("#333333"),
                 "outline_width": "0.2", "size": "2.4", "size_unit": "MM"}
    else:
        cls, sym = "SimpleFill", "fill"
        props = {"color": _rgba(color, 170), "outline_color": _rgba(outline), "outline_width": "0.26",
                 "style": "solid", "outline_style": "solid"}
    options = "".join(_opt(k, v) for k, v in props.items())
    return (f'<symbol type="{sym}" name="{index}" alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="{cls}" pass="0" enabled="1" locked="0"><Option type="Map">{options}</Option>'
            f'</layer></symbol>')


def _renderer(style: Style) -> str:
    if not style.field:
        return (f'<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
                f'<symbols>{_symbol(0, style.geometry, style.color, style.outline)}</symbols></renderer-v2>')
    cats = "".join(f'<category symbol="{i}" value={quoteattr(c.value)} label={quoteattr(c.label)} render="true"/>'
                   for i, c in enumerate(style.categories))
    symbols = "".join(_symbol(i, style.geometry, c.color, style.outline) for i, c in enumerate(style.categories))
    return (f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(style.field)} symbollevels="0" '
            f'enableorderby="0" forceraster="0"><categories>{cats}</categories><symbols>{symbols}</symbols>'
            f'</renderer-v2>')


def _labeling(field_name: str) -> str:
    return ('<labeling type="simple"><settings calloutType="simple">'
            f'<text-style fieldName={quoteattr(field_name)} isExpression="0" fontSize="8" fontSizeUnit="Point" '
            'textColor="0,0,0,255" textOpacity="1" fontFamily="DejaVu Sans" namedStyle="Regular">'
            '<text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" '
            'bufferOpacity="1" bufferJoinStyle="128" bufferBlendMode="0" bufferNoFill="1"/></text-style>'
            '<placement placement="1" dist="0" priority="5" centroidInside="1" centroidWhole="0"/>'
            '<rendering scaleVisibility="0" obstacle="1" displayAll="0" limitNumLabels="0" maxNumLabels="2000" '
            'drawLabels="1" fontLimitPixelSize="0" mergeLines="0"/>'
            '</settings></labeling>')


def _value_map(field_name: str, pairs) -> str:
    entries = "".join(f'<Option type="Map">{_opt(label, value)}</Option>' for label, value in pairs)
    return (f'<field name={quoteattr(field_name)} configurationFlags="None"><editWidget type="ValueMap"><config>'
            f'<Option type="Map"><Option type="List" name="map">{entries}</Option></Option>'
            f'</config></editWidget></field>')


def qml(style: Style) -> str:
    """The QML document of ``style`` (what QGIS's "Save style… > QML" writes, reduced)."""
    parts = [f'<!DOCTYPE qgis PUBLIC \'http://mrcc.com/qgis.dtd\' \'SYSTEM\'>\n<qgis version="{QGIS_VERSION}" '
             f'styleCategories="AllStyleCategories" labelsEnabled="{1 if style.label_field else 0}">']
    if style.geometry:
        parts.append(_renderer(style))
        if style.label_field:
            parts.append(_labeling(style.label_field))
    if style.value_maps:
        parts.append("<fieldConfiguration>" + "".join(_value_map(f, p) for f, p in style.value_maps.items())
                     + "</fieldConfiguration>")
    if style.aliases:
        parts.append("<aliases>" + "".join(f'<alias field={quoteattr(f)} index="{i}" name={quoteattr(a)}/>'
                                           for i, (f, a) in enumerate(style.aliases.items())) + "</aliases>")
    parts.append("</qgis>\n")
    return "".join(parts)


def layer_fields(path: str | Path) -> dict[str, tuple[str, list[str]]]:
    """Layer name -> (geometry column or "", field names) of every table in ``gpkg_contents``."""
    with closing(sqlite3.connect(path)) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]
        geoms = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        return {n: (geoms.get(n, ""), [r[1] for r in con.execute(f'PRAGMA table_info("{n}")')]) for n in names}


def write_layer_styles(path: str | Path, styles: dict[str, str], *, description: str = "") -> None:
    """Store ``styles`` (layer name -> QML) in ``layer_styles`` of the GeoPackage at ``path``
    as each layer's default style, creating and registering the table as QGIS does. Layers
    the file does not hold are skipped. Replaces tc8's earlier styles of the same layers."""
    fields = layer_fields(path)
    with closing(sqlite3.connect(path)) as con, con:
        con.execute(_LAYER_STYLES_SQL)
        con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
                    "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', '', "
                    "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        for name, text_ in styles.items():
            if name not in fields:
                continue
            con.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?", (name, STYLE_NAME))
            con.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                        "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
                        "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', '')",
                        (name, fields[name][0], STYLE_NAME, text_, description))
