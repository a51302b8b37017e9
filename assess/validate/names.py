"""Column names the user typed that are not the model's (the matching itself is
:mod:`tc8.io.names`, shared with reading, which recognises layer names the same way).

* A column that differs from the model's only by letter case (``Officials``) is read as the
  model's, silently. When two spellings compete (``Officials`` and ``OFFICIALS``) neither is
  read and both are named.
* Any other unknown column close to a column of the same layer is a warning
  ``unknown_column_similar`` — only when that column itself is absent. Unknown columns
  far from every column (``source``, ``lon``, ``fid``, notes...) are kept as they are
  without a warning; ``tc8 validate --rules`` lists them.
"""
from __future__ import annotations

import pandas as pd

from tc8.io.names import (CUTOFF, DATA_SUFFIXES, USUAL_EXTRAS, case_matches, column_map,  # noqa: F401 - re-exported
                          normalise, not_a_layer, suggest_column, suggest_layer)
from tc8.model.schema import LAYERS
from .report import Collector


def resolve_columns(name: str, frame: pd.DataFrame, file: str, report: Collector) -> pd.DataFrame:
    """``frame`` with case variants of schema columns renamed to the schema's spelling; a
    warning ``unknown_column_similar`` for each other unknown column close to an absent schema
    column. ``frame`` itself is not modified."""
    layer = LAYERS[name]
    geom = getattr(frame, "_geometry_column_name", None)
    columns = [c for c in frame.columns if c != geom]
    found = column_map(layer, columns)
    rename = {given: target for target, given in found.items() if given != target}
    schema = {c.name for c in layer.columns}
    for col in columns:
        if col in schema or col in rename:
            continue
        target = suggest_column(layer, col)
        if target is not None and target not in found:
            report.add("warning", "unknown_column_similar", file, name, "", str(col), column=col,
                       suggestion=target)
    return frame.rename(columns=rename) if rename else frame
