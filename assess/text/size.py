"""How long names and free text may be when shown, in one place.

The input model's text columns (``kind == "str"`` in :mod:`tc8.model.schema`) are of two sorts:

* names (``commune_name``, ``village_name``, ``name``, ...): at most :data:`NAME_CHARS`
  characters are shown;
* other free text (``operator``, ``source``, ``website``): at most :data:`TEXT_CHARS`.

Longer values are a validation warning (``text_too_long``: layer, row, field, length and the
first characters) and every rendering (map popups, tooltips, titles, PNG maps, workbook cells,
the terminal) shows them cut with a final "…" (:func:`tc8.text.messages.shorten`), and so do tc8's
own sentences that quote a name (the reasons). The record keeps the input's text exactly: the
name columns of ``results.gpkg``, ``results.json`` and ``results.csv`` are not shortened (a
spreadsheet opening the CSV cuts cells beyond 32,767 characters itself; the validation warning
has said so).
Independently of the column, no workbook cell holds more than :data:`CELL_CHARS` characters
(Excel's limit; :func:`tc8.dossier.xlsx.make_cell`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .messages import shorten
from tc8.model.schema import LAYERS

NAME_CHARS = 200
TEXT_CHARS = 1_000
CELL_CHARS = 32_767  # Excel: "Total number of characters that a cell can contain"

#: Every free-text column of the input model.
TEXT_COLUMNS = frozenset(c.name for layer in LAYERS.values() for c in layer.columns if c.kind == "str")


def is_name(column: str) -> bool:
    """True for a column holding a name (``name`` or ``*_name``)."""
    return column == "name" or column.endswith("_name")


def limit_for(column: str) -> int | None:
    """Characters shown of ``column``: NAME_CHARS for names, TEXT_CHARS for other input free
    text, None (no bound of its own) for anything else (ids, numbers, tc8's own texts)."""
    if is_name(column):
        return NAME_CHARS
    return TEXT_CHARS if column in TEXT_COLUMNS else None


def bounded(value, column: str):
    """``value`` for display: text of ``column`` cut to :func:`limit_for` with a final "…";
    other values (None, numbers, columns without a bound) are returned unchanged."""
    limit = limit_for(column)
    if limit is None or not isinstance(value, str):
        return value
    return shorten(value, limit)


def bounded_values(values, column: str) -> np.ndarray:
    """:func:`bounded` over a sequence (array, Series, list): an object array of the same length.
    Vectorised test; only the over-long texts are rebuilt."""
    out = np.asarray(pd.Series(values, dtype=object), dtype=object).copy()
    limit = limit_for(column)
    if limit is None or not len(out):
        return out
    lengths = pd.Series(out, dtype=object).str.len()
    for i in np.flatnonzero((lengths > limit).fillna(False).to_numpy(dtype=bool)):
        out[i] = shorten(out[i], limit)
    return out


def check_text_lengths(state: dict, report) -> None:
    """Validation: one ``text_too_long`` warning per row and text column longer than its bound.

    ``state`` maps layer names to objects with ``table`` (typed DataFrame) and ``ref``
    (:class:`~tc8.validate.report.LayerRef`); ``report`` is the Collector. Vectorised: the
    lengths are computed column-wise; only flagged rows are formatted (capped by the Collector).
    """
    for name, st in state.items():
        table = st.table
        for col in LAYERS[name].columns:
            limit = limit_for(col.name)
            if limit is None or col.name not in table.columns:
                continue
            values = table[col.name]
            try:
                lengths = values.str.len()
            except AttributeError:  # not text at all (e.g. an empty layer read as floats)
                continue
            too_long = (lengths > limit).fillna(False).to_numpy(dtype=bool)
            if too_long.any():
                report.add_rows("warning", "text_too_long", st.ref, too_long, col.name,
                                per_row={"value": values.to_numpy(dtype=object),
                                         "length": np.asarray(lengths.fillna(0), dtype=np.int64)},
                                limit=limit)
