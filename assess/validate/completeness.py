"""Which layers are incomplete: the ``--incomplete`` flags, the input's layer metadata table and
OpenStreetMap sources, merged into one set (``Inputs.incomplete_layers``).

In an incomplete layer the absence of a qualifying record is not evidence that there is none:
the measures built from it keep an open upper bound (:mod:`tc8.measures.common`), so a commune
without a qualifying record there is ``thieu_du_lieu``, never ``khong_dat``; a qualifying
record still passes.

A layer is incomplete when

* ``--incomplete LAYER`` names it (``InputPolicy.incomplete``; wins over everything), or
* the metadata table ``tc8_layers`` (:data:`tc8.model.schema.METADATA`) says ``complete`` = no,
  or
* its ``source`` (any row of the layer's own ``source`` column, or the metadata row's
  ``source``) names OpenStreetMap (``OSM``, ``OpenStreetMap``: crowd-mapped, complete only
  where volunteers mapped) and the metadata does not say ``complete`` = yes. A warning
  ``layer_osm_incomplete`` says so, naming the source.

The metadata table is typed like every layer (:func:`tc8.validate.columns.type_layer`: a
``complete`` cell that is not a yes/no word is an error naming file, row and field); a row
naming no layer that can be declared incomplete is a warning. Its errors are not row errors of
an input layer: ``--skip-invalid`` does not skip them (the declaration must be fixed).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tc8.model.inputs import InputPolicy, RawInputs
from tc8.model.schema import CODE_YEAR_ROW, INCOMPLETE_CAPABLE, METADATA
from .columns import type_layer
from .report import Collector

#: A source text naming OpenStreetMap (a crowd source): ``OSM``, ``OpenStreetMap``, ``Open Street Map``.
OSM_SOURCE = re.compile(r"(?<![a-z0-9])(osm|open\s*street\s*map)(?![a-z0-9])", re.IGNORECASE)


def _declared(raw: RawInputs, report: Collector) -> dict[str, tuple]:
    """``{layer: (complete True/False/None, source text)}`` from the metadata table (typed;
    unknown layer names warned)."""
    if raw.metadata is None:
        return {}
    file = raw.metadata_file or str(raw.root)
    own = Collector()  # not row problems of an input layer: --skip-invalid cannot drop them
    table, ref = type_layer(raw.metadata, METADATA, file, own)
    names = table["layer"].str.strip().str.lower()
    known = names.isin(INCOMPLETE_CAPABLE).fillna(False).to_numpy(dtype=bool)
    code_year_row = (names == CODE_YEAR_ROW).fillna(False).to_numpy(dtype=bool)  # tc8.validate.code_year
    own.add_rows("warning", "metadata_unknown_layer", ref, table["layer"].notna().to_numpy() & ~known & ~code_year_row,
                 "layer",
                 per_row={"value": table["layer"].to_numpy(dtype=object, na_value=None)},
                 layers=", ".join(INCOMPLETE_CAPABLE))
    report.problems.extend(own.finish())
    complete = table["complete"].to_numpy(dtype=object, na_value=None)
    source = table["source"].to_numpy(dtype=object, na_value="")
    return {names.iat[i]: (complete[i], source[i]) for i in np.flatnonzero(known)}


def _osm_source(table: pd.DataFrame | None, declared_source: str) -> str:
    """The first source text naming OpenStreetMap: the metadata's, else a row's ("" when none)."""
    if declared_source and OSM_SOURCE.search(declared_source):
        return declared_source
    if table is None or "source" not in table.columns:
        return ""
    values = pd.unique(table["source"].dropna().astype(str))
    hits = [v for v in values if OSM_SOURCE.search(v)]
    return hits[0] if hits else ""


def incomplete_layers(raw: RawInputs, tables: dict[str, pd.DataFrame], policy: InputPolicy,
                      report: Collector) -> frozenset:
    """The layers taken as incomplete (see the module docstring). ``tables``: the typed
    attribute tables of the layers present (name -> table)."""
    declared = _declared(raw, report)
    out = set(policy.incomplete)
    for name in INCOMPLETE_CAPABLE:
        complete, source = declared.get(name, (None, ""))
        if name in out or complete is True:
            continue
        if complete is False:
            out.add(name)
            continue
        if name not in tables:
            continue
        osm = _osm_source(tables[name], source)
        if osm:
            out.add(name)
            report.add("warning", "layer_osm_incomplete", raw.files.get(name, str(raw.root)), name,
                       field="source", source=osm)
    return frozenset(out)
