"""An empty, valid input GeoPackage with every layer of the input model (``tc8 template``).

Each layer of :data:`tc8.model.schema.LAYERS` becomes a GeoPackage layer in WGS 84 (EPSG:4326) with
typed fields: ``code``/``str``/``enum`` -> TEXT, ``int`` -> INTEGER, ``float`` -> REAL,
``bool`` -> boolean (OGR integer, subtype boolean). Polygonal layers are MultiPolygon; point
layers are Point (``villages`` is Point; polygon villages are accepted by validation too);
``commune_it`` is a table without geometry. The layer metadata table ``tc8_layers``
(:data:`tc8.model.schema.METADATA`) is written too, one row per layer that can be declared
incomplete, with ``complete``, ``source`` and ``note`` left empty for the user (empty
``complete`` = the default: complete unless the source names OpenStreetMap), after a
``communes`` row whose ``code_year`` declares the year of the commune codes. The file is
written atomically (:mod:`tc8.io.atomic`), so a failure never leaves a half-written template.
For QGIS, the choice columns get value lists (``gpkg_data_column_constraints``, drop-downs) and
every layer a default style (``layer_styles``): :mod:`tc8.io.template_qgis`.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from .atomic import atomic_path
from .template_qgis import template_for_qgis
from tc8.model.errors import OutputExistsError
from tc8.model.schema import CODE_YEAR_ROW, INCOMPLETE_CAPABLE, LAYERS, METADATA, Layer

_NUMPY_DTYPES = {"str": object, "code": object, "enum": object, "int": "int64", "float": "float64",
                 "bool": "bool"}


def geometry_type(layer: Layer) -> str | None:
    """GeoPackage geometry type of ``layer`` in the template (None for a plain table)."""
    if layer.geometry is None:
        return None
    if layer.geometry[0] == "Point":  # point layers, and villages (mostly points, polygons accepted)
        return "Point"
    return "MultiPolygon"


def is_gpkg_name(path: str | Path) -> bool:
    """True when ``path`` ends in ``.gpkg`` (any case), the only name the template may have."""
    return Path(path).suffix.lower() == ".gpkg"


def template_frames() -> dict[str, pd.DataFrame]:
    """Empty (Geo)DataFrames, one per layer, with the schema's columns and dtypes."""
    frames = {}
    for name, layer in LAYERS.items():
        columns = {c.name: pd.Series([], dtype=_NUMPY_DTYPES[c.kind]) for c in layer.columns}
        if layer.geometry is None:
            frames[name] = pd.DataFrame(columns)
        else:
            frames[name] = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    return frames


def metadata_frame(code_year: int | None = None) -> pd.DataFrame:
    """The template's ``tc8_layers`` table: first the ``communes`` row declaring the year of the
    commune codes (``code_year``: 2024, 2025 or empty = inferred; :mod:`tc8.validate.code_year`),
    then a row per layer that can be declared incomplete, ``complete`` empty (nullable yes/no),
    ``source`` and ``note`` empty."""
    layers = (CODE_YEAR_ROW,) + INCOMPLETE_CAPABLE
    n = len(layers)
    frame = pd.DataFrame({"layer": pd.Series(layers, dtype=object),
                          "complete": pd.array([pd.NA] * n, dtype="boolean"),
                          "source": pd.Series([None] * n, dtype=object),
                          "note": pd.Series([CODE_YEAR_NOTE] + [None] * (n - 1), dtype=object),
                          "code_year": pd.array([code_year] + [pd.NA] * (n - 1), dtype="Int64")})
    return frame[[c.name for c in METADATA.columns]]


#: The note of the template's ``communes`` row (the input is Vietnamese-first, like the layer labels).
CODE_YEAR_NOTE = "code_year: 2024 = mã xã trước 1/7/2025, 2025 = mã xã sau sắp xếp; để trống: tc8 tự suy ra"


def write_template(path: str | Path, *, overwrite: bool = False, code_year: int | None = None,
                   lang: str = "vi") -> Path:
    """Write the empty input GeoPackage to ``path`` atomically; return the path. ``code_year``
    (2024, 2025 or None): the declared year of the commune codes (:func:`metadata_frame`).

    Raises :class:`~tc8.model.errors.OutputExistsError` when ``path`` exists and ``overwrite`` is
    false, ``ValueError`` when its name does not end in ``.gpkg`` (any case): a GeoPackage
    under another name (``x.geojson``) would mislead every program that opens it. The parent
    folder is created when missing.
    """
    path = Path(path)
    if not is_gpkg_name(path):
        raise ValueError(f"not a .gpkg file name: {path}")
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path))
    with atomic_path(path, placeholder=False) as tmp:  # GDAL creates the GeoPackage itself
        for name, frame in template_frames().items():
            kwargs = {"geometry_type": geometry_type(LAYERS[name])} if LAYERS[name].geometry else {}
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", **kwargs)
        pyogrio.write_dataframe(metadata_frame(code_year), tmp, layer=METADATA.name, driver="GPKG")
        template_for_qgis(tmp, lang)  # value lists (drop-downs) and styles for QGIS, labels in ``lang``
    return path
