"""Value lists and styles of the input template for QGIS (``tc8 template``).

For every ``enum`` column of :data:`tc8.model.schema.LAYERS` the template gets, with
:mod:`sqlite3` after GDAL has written the layers:

* the GeoPackage schema extension: a ``gpkg_data_column_constraints`` enum constraint
  ``<layer>.<column>`` listing the codes, each described by its label in the chosen language
  (``qgis.choice.<column>.<code>`` in ``templates/messages_qgis.yaml``), and the column's row
  in ``gpkg_data_columns`` naming it; both tables registered in ``gpkg_extensions``
  (``gpkg_schema``). GDAL (3.3+) reads such a constraint as a coded field domain, which QGIS
  shows as a drop-down (value map);
* a default QGIS style per layer (``layer_styles``, :mod:`tc8.io.qgis_style`) with the same
  value maps as edit widgets — QGIS versions that ignore field domains still show drop-downs —
  and the columns' labels as aliases.
"""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tc8.model.schema import LAYERS, Layer
from tc8.text.messages import text

from .qgis_style import Style, qml, write_layer_styles

SCHEMA_EXTENSION = "http://www.geopackage.org/spec/#extension_schema"

_DDL = (
    """CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT,
       extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL,
       CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
    """CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
       name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT,
       CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
       CONSTRAINT gdc_tn UNIQUE (table_name, name))""",
    """CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL,
       constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC,
       max_is_inclusive BOOLEAN, description TEXT,
       CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))""",
)


def choice_label(column: str, value: str, lang: str) -> str:
    """The label of a choice value (``kind`` ``bdvhx`` -> "Điểm Bưu điện - Văn hoá xã (BĐVHX)");
    the value itself when it has none (``4G``)."""
    key = f"qgis.choice.{column}.{value}"
    found = text(key, lang)
    return value if found == key else found


def choice_columns() -> list[tuple[str, str, tuple[str, ...]]]:
    """(layer, column, values) of every enum column of the input model."""
    return [(layer.name, col.name, col.values) for layer in LAYERS.values() for col in layer.columns
            if col.kind == "enum"]


def constraint_name(layer: str, column: str) -> str:
    return f"{layer}.{column}"


def write_value_lists(path: str | Path, lang: str = "vi") -> None:
    """Write the enum constraints and data-column rows of every choice column (module docstring)."""
    with closing(sqlite3.connect(path)) as con, con:
        for ddl in _DDL:
            con.execute(ddl)
        for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
            con.execute("INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', ?, 'read-write')",
                        (table, SCHEMA_EXTENSION))
        for layer, column, values in choice_columns():
            name = constraint_name(layer, column)
            con.execute("DELETE FROM gpkg_data_column_constraints WHERE constraint_name = ?", (name,))
            con.executemany("INSERT INTO gpkg_data_column_constraints (constraint_name, constraint_type, value, "
                            "description) VALUES (?, 'enum', ?, ?)",
                            [(name, v, choice_label(column, v, lang)) for v in values])
            label = getattr(LAYERS[layer].column(column), f"label_{lang}")
            con.execute("INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, title, "
                        "description, mime_type, constraint_name) VALUES (?, ?, ?, ?, ?, NULL, ?)",
                        (layer, column, column, label, label, name))


def layer_style(layer: Layer, lang: str) -> str:
    """The template layer's QML: value maps on its choice columns, labels as aliases."""
    geometry = None if layer.geometry is None else ("point" if layer.geometry[0] == "Point" else "polygon")
    maps = {c.name: [(choice_label(c.name, v, lang), v) for v in c.values]
            for c in layer.columns if c.kind == "enum"}
    aliases = {c.name: getattr(c, f"label_{lang}") for c in layer.columns if getattr(c, f"label_{lang}")}
    return qml(Style(geometry, value_maps=maps, aliases=aliases,
                     label_field="commune_name" if layer.name == "communes" else ""))


def template_for_qgis(path: str | Path, lang: str = "vi") -> None:
    """Value lists and default styles in the template GeoPackage at ``path`` (a temporary file)."""
    write_value_lists(path, lang)
    write_layer_styles(path, {name: layer_style(layer, lang) for name, layer in LAYERS.items()},
                       description=text("qgis.template.description", lang))
