"""Communes assessed under a provisional id (no official code): what renderers show.

Validation gives a commune without a code a provisional id and sets
``Results.communes[PROVISIONAL_COLUMN]`` (:mod:`tc8.validate.provisional`). Renderers read the
flag through these helpers: the set of such codes, the flag spread to any table keyed by
``commune_code`` (the rows of ``results.csv`` / ``results.json``), and its label.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tc8.model.inputs import PROVISIONAL_COLUMN
from tc8.model.results import Results
from tc8.text.join import isin_text
from tc8.text.messages import text


def provisional_codes(results: Results) -> set[str]:
    """Codes of the assessed communes that are provisional ids (empty when none or no flag)."""
    communes = results.communes
    if PROVISIONAL_COLUMN not in communes.columns:
        return set()
    flag = communes[PROVISIONAL_COLUMN].fillna(False).to_numpy(dtype=bool)
    return set(communes["commune_code"].astype(str).to_numpy()[flag])


def is_provisional(row) -> bool:
    """True when a commune row (a mapping, e.g. a dossier view's ``info``) has a provisional id."""
    value = row.get(PROVISIONAL_COLUMN) if hasattr(row, "get") else None
    return bool(value) if value is not None and value is not pd.NA else False


def with_flag(frame: pd.DataFrame, results: Results) -> pd.DataFrame:
    """``frame`` (rows with ``commune_code``) with a last column ``code_provisional`` (bool)."""
    codes = provisional_codes(results)
    out = frame.copy(deep=False)
    out[PROVISIONAL_COLUMN] = (isin_text(frame["commune_code"], codes).to_numpy(dtype=bool)
                               if codes and len(frame) else np.zeros(len(frame), dtype=bool))
    return out


def provisional_label(lang: str) -> str:
    """``Mã tạm (chưa có mã chính thức)`` / ``Provisional id (no official code)``."""
    return text("results.provisional_code", lang)
