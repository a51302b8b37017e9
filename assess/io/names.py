"""Names the user typed that are not the model's: layer files, GeoPackage layers, columns.

Reading uses this to recognise layers (:func:`tc8.io.read.read_inputs`), validation to
recognise columns (:func:`tc8.validate.names.resolve_columns`).

A name is compared with the model after :func:`normalise` (accents stripped, ``đ`` -> ``d``,
lower case, every run of other characters -> ``_``), against the model's names and its
Vietnamese and English labels (``thon`` -> villages, ``Dân số`` -> population), with
:func:`difflib.get_close_matches` (ratio >= :data:`CUTOFF`). Names of two letters or fewer
must match exactly.

Rules (README "What tc8 refuses and why"):

* A column or layer that differs from the model's only by letter case (``Officials``,
  ``Villages.gpkg``, ``villages.GeoJSON``) is read as the model's, silently: it means the
  same on a case-insensitive file system. When two spellings compete (``Officials`` and
  ``OFFICIALS``) neither is read and both are named.
* A file of an input folder with a data suffix that is not a layer file is a warning
  (``unknown_file_similar`` naming the layer it resembles, else ``unknown_file``); a GeoPackage
  layer the same (``unknown_layer_similar`` / ``unknown_layer``).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

from tc8.model.errors import Problem
from tc8.model.schema import LAYERS, Layer

#: Minimum :class:`difflib.SequenceMatcher` ratio for a "did you mean".
CUTOFF = 0.8
#: Extra columns that are normal in GIS exports: never suggested as a misspelling.
USUAL_EXTRAS = frozenset({"fid", "ogc_fid", "objectid", "id", "lon", "lat", "x", "y", "geometry", "geom",
                          "wkt", "source", "nguon", "note", "notes", "ghi_chu", "remarks"})
#: Suffixes of files that look like data (reported when they are not a layer file).
DATA_SUFFIXES = (".gpkg", ".geojson", ".json", ".csv", ".shp", ".xlsx", ".xls", ".ods", ".kml", ".kmz",
                 ".tab", ".gml", ".parquet")


def normalise(name) -> str:
    """``"Hours per day"`` -> ``hours_per_day``; ``"Dân số"`` -> ``dan_so``."""
    text = unicodedata.normalize("NFKD", str(name).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _best(name, candidates: dict) -> str | None:
    """The model name whose normalised form (or label) is closest to ``name``; None if none."""
    key = normalise(name)
    if not key or key in USUAL_EXTRAS:
        return None
    if key in candidates:
        return candidates[key]
    if len(key) <= 2:
        return None
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=CUTOFF)
    return candidates[close[0]] if close else None


def _names(items) -> dict:
    """normalised name or label -> model name (the name wins over another item's label)."""
    out: dict = {}
    for item in items:
        for label in (item.label_vi, item.label_en):
            if normalise(label):
                out.setdefault(normalise(label), item.name)
    out.update({normalise(item.name): item.name for item in items})
    return out


@lru_cache(maxsize=None)
def _column_names(layer_name: str) -> dict:
    return _names(LAYERS[layer_name].columns)


@lru_cache(maxsize=1)
def _layer_names() -> dict:
    return _names(LAYERS.values())


def suggest_column(layer: Layer, name) -> str | None:
    """The column of ``layer`` that ``name`` most likely means (None when nothing is close)."""
    return _best(name, _column_names(layer.name))


def suggest_layer(name) -> str | None:
    """The layer that a file stem or GeoPackage layer ``name`` most likely means."""
    return _best(name, _layer_names())


def case_matches(names, model) -> dict:
    """``{given: model name}`` for given names equal to a model name but for letter case, when
    the model name itself is absent and only one given name claims it."""
    names = [str(n) for n in names]
    model = list(model)
    lower = {m.lower(): m for m in model}
    claims: dict = {}
    for name in names:
        target = lower.get(name.lower())
        if target is not None and name != target and target not in names:
            claims.setdefault(target, []).append(name)
    return {given[0]: target for target, given in claims.items() if len(given) == 1}


def column_map(layer: Layer, columns) -> dict:
    """Schema column -> the column of the file that holds it (exact name or case variant)."""
    columns = [str(c) for c in columns]
    schema = [c.name for c in layer.columns]
    out = {name: name for name in schema if name in columns}
    out.update({target: given for given, target in case_matches(columns, schema).items()})
    return out


def not_a_layer(file: str, stem: str, found, **params) -> Problem:
    """Warning for a file (``name=``) or GeoPackage layer (``layer=``) that is not read as a
    layer: ``unknown_<file|layer>_similar`` naming the absent layer it resembles, else
    ``unknown_<file|layer>``."""
    kind = "layer" if "layer" in params else "file"
    target = suggest_layer(stem)
    layer = params.pop("layer", "")
    if target is None or target in found:
        return Problem("warning", f"unknown_{kind}", file, layer=layer, params=params)
    return Problem("warning", f"unknown_{kind}_similar", file, layer=layer, params={**params, "suggestion": target})
