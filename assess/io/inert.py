"""Text a spreadsheet would run as a formula, made inert (CSV/formula injection, OWASP).

Excel, LibreOffice and Google Sheets treat a cell starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return as a formula (``=HYPERLINK(...)``, ``=cmd|...``). tc8 writes such
*text* so it is shown, never run: workbooks store it as a text cell with Excel's quote prefix
(:func:`tc8.dossier.xlsx.make_cell`); CSV files get a single quote ``'`` in front of the text
(the OWASP convention), e.g. ``=1+1`` is written ``'=1+1``. Numbers stored as numbers
(``-3.5``) are never changed, nor are the GeoPackage and JSON, which keep the text exactly.
"""
from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_PREFIX = "'"


def looks_like_formula(text: str) -> bool:
    """True when the text ``text`` would be read as a formula by a spreadsheet."""
    return text.startswith(FORMULA_TRIGGERS)


def inert_text_columns(frame):
    """A copy of the DataFrame ``frame`` for CSV: every text cell that :func:`looks_like_formula`
    gets :data:`CSV_PREFIX` in front. Non-text cells (numbers, booleans, missing values), also
    inside mixed ``object`` columns, are kept as they are; ``frame`` is not modified."""
    out = frame.copy(deep=False)
    for name in out.columns:
        col = out[name]
        if col.dtype != object and not str(col.dtype).startswith(("string", "str")):
            continue
        try:
            hit = col.str.startswith(FORMULA_TRIGGERS, na=False).to_numpy(dtype=bool)
        except AttributeError:  # an object column without any text (e.g. only booleans)
            continue
        if hit.any():
            col = col.copy()
            col[hit] = [CSV_PREFIX + value for value in col[hit]]
            out[name] = col
    return out
