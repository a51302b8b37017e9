"""An empty, valid input GeoPackage with every layer of the input model (``tc8 template``).

Each layer of :data:`tc8.model.schema.LAYERS` becomes a GeoPackage layer in WGS 84 (EPSG:4326) with
typed fields: ``code``/``str``/``enum`` -> TEXT, ``int`` -> INTEGER, ``float`` -> REAL,
``bool`` -> boolean (OGR integer, subtype boolean). Polygonal layers are MultiPolygon; point
layers are Point (``villages`` is Point; polygon villages are accepted by validation too);
``commune_it`` is a table without geometry. The layer metadata table ``tc8_layers``
(:data:`tc8.model.schema.METADATA`) is written too, one row per layer that can be declared
incomplete, with ``complete``, ``source`` and ``note`` left empty for the user (empty
``complete`` = the default: complete unless the source names OpenStreetMap). The file is
written atomically (:mod:`tc8.io.atomic`), so a failure never leaves a half-written template.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from .atomic import atomic_path
from tc8.model.errors import OutputExistsError
from tc8.model.schema import INCOMPLETE_CAPABLE, LAYERS, METADATA, Layer

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


def metadata_frame() -> pd.DataFrame:
    """The template's ``tc8_layers`` table: a row per layer that can be declared incomplete,
    ``complete`` empty (nullable yes/no), ``source`` and ``note`` empty."""
    n = len(INCOMPLETE_CAPABLE)
    frame = pd.DataFrame({"layer": pd.Series(INCOMPLETE_CAPABLE, dtype=object),
                          "complete": pd.array([pd.NA] * n, dtype="boolean"),
                          "source": pd.Series([None] * n, dtype=object),
                          "note": pd.Series([None] * n, dtype=object)})
    return frame[[c.name for c in METADATA.columns]]


def write_template(path: str | Path, *, overwrite: bool = False) -> Path:
    """Write the empty input GeoPackage to ``path`` atomically; return the path.

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
        pyogrio.write_dataframe(metadata_frame(), tmp, layer=METADATA.name, driver="GPKG")
    return path
