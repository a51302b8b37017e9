"""The year of the commune codes: 2024 (units before the 1 July 2025 reorganisation) or 2025.

The same code can name two places (24781 is Phường 2 in the 2024 list and Phường Xuân Hương –
Đà Lạt in the 2025 list), so every input's codes carry a year (``Inputs.code_year``,
:class:`~tc8.model.inputs.CodeYear`), decided in this order:

1. ``--code-year`` (``InputPolicy.code_year``): basis ``flag``;
2. the ``code_year`` cell of the ``communes`` row of the metadata table ``tc8_layers``
   (:data:`tc8.model.schema.CODE_YEAR_ROW`, written by ``tc8 template``): basis ``declared``;
3. else inferred from codes *and* names against both official lists (:mod:`tc8.io.admin_units`):
   a commune is evidence for a year when its name matches the official name of its code in that
   year and not in the other. A year holding at least :data:`DOMINANT` of the evidence is taken
   (warning ``code_year_inferred`` with the counts); when the evidence is mixed the year stays
   unknown (warning ``code_year_undetermined`` asking the user to declare it). When no commune's
   code and name match either list (synthetic or foreign codes) the year is unknown and nothing
   is said. A commune whose name matches both years (a unit that kept code and name) is no
   evidence. With the year unknown the communes are not checked against a list.

With a year known, every commune with an official-looking code (provisional ids are skipped)
is checked against the list of its year: a code not in it is a warning
(``code_year_unknown_code``); a name that is not the code's name that year but is its name in
the other year is a warning naming both (``code_year_other_name``). Names are compared by
:func:`normalise_names` (no accents, case, leading type word, dashes or leading zeros).
Vectorised: one dictionary lookup per commune and one normalisation per distinct name.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

from tc8.io.admin_units import units
from tc8.model.inputs import PROVISIONAL_COLUMN, CodeYear, InputPolicy, RawInputs
from tc8.model.schema import CODE_YEAR_ROW, METADATA
from .columns import type_layer
from .report import Collector

#: Share of the evidence one year must hold to be inferred.
DOMINANT = 0.9
_TYPE_WORD = re.compile(r"^(xa|phuong|thi tran|dac khu)\s+")
_DASHES = re.compile(r"[\-\u2010-\u2015\u2212]")
_NOT_WORD = re.compile(r"[^\w\s]")
_LEADING_ZERO = re.compile(r"\b0+(?=\d)")
_CODE = re.compile(r"^\d{5}$")


_NO_MARKS = {c: None for c in range(0x300, 0x370)}  # combining diacritics, dropped after NFD
_NO_MARKS.update({ord("đ"): "d", ord("Đ"): "d"})


def normalise_name(text) -> str:
    """A commune name reduced for comparison: lower case, no diacritics (đ -> d), no leading
    type word (xã, phường, thị trấn, đặc khu), no leading zeros in numbers, and no dashes,
    punctuation or spaces (``Ea Ly`` = ``Ealy``). ``"Phường Xuân Hương – Đà Lạt"`` ->
    ``"xuanhuongdalat"``."""
    value = unicodedata.normalize("NFD", str(text)).translate(_NO_MARKS).lower()
    value = " ".join(_NOT_WORD.sub(" ", _DASHES.sub(" ", value)).split())
    return _LEADING_ZERO.sub("", _TYPE_WORD.sub("", value)).replace(" ", "")


def normalise_names(values: pd.Series) -> np.ndarray:
    """:func:`normalise_name` of every value (once per distinct value), as an object array;
    missing -> None."""
    found = values.to_numpy(dtype=object, na_value=None)
    cache = {v: normalise_name(v) for v in set(found) if v is not None}
    cache[None] = None
    return np.array([cache[v] for v in found], dtype=object)


@lru_cache(maxsize=None)
def _official(year: int) -> tuple[dict, dict]:
    """``({code: official name}, {code: normalised name})`` of the list of ``year``."""
    table = units(year)
    return (dict(zip(table["code"], table["name"])),
            dict(zip(table["code"], normalise_names(table["name"]))))


def _lookup(mapping: dict, codes: np.ndarray) -> np.ndarray:
    return np.array([mapping.get(c) for c in codes], dtype=object)


def declared_year(raw: RawInputs) -> int | None:
    """The ``code_year`` of the ``communes`` row of ``tc8_layers`` (None when absent or not
    2024/2025; a bad cell is reported by :mod:`tc8.validate.completeness`, which types the table)."""
    if raw.metadata is None or "code_year" not in raw.metadata.columns:
        return None
    table, _ = type_layer(raw.metadata, METADATA, raw.metadata_file or str(raw.root), Collector())
    rows = table[table["layer"].str.strip().str.lower() == CODE_YEAR_ROW]["code_year"].dropna()
    values = [int(v) for v in rows if int(v) in (2024, 2025)]
    return values[0] if values else None


def _evidence(codes: np.ndarray, names: np.ndarray) -> dict:
    """Per year: ``known`` (code in the list) and ``named`` (name = the code's name that year)."""
    out = {}
    for year in (2024, 2025):
        official = _lookup(_official(year)[1], codes)
        known = official != None  # noqa: E711 - elementwise on an object array
        out[year] = {"known": known, "named": known & (official == names)}
    return out


def _infer(ev: dict) -> tuple[int | None, dict]:
    """(year or None, message counts) from the evidence (see the module docstring)."""
    counts = {"named_2024": int(ev[2024]["named"].sum()), "named_2025": int(ev[2025]["named"].sum())}
    only = {y: int((ev[y]["named"] & ~ev[4049 - y]["named"]).sum()) for y in (2024, 2025)}
    total = only[2024] + only[2025]
    year = max(only, key=only.get)
    return (year if total and only[year] >= DOMINANT * total else None), counts


def _check(ref, codes: np.ndarray, raw_codes: np.ndarray, shown: np.ndarray,
           ev: dict, year: int, report: Collector) -> None:
    """Warnings for codes not in the list of ``year`` and names of the code in the other year."""
    other = 4049 - year
    checkable = codes != None  # noqa: E711 - elementwise on an object array
    report.add_rows("warning", "code_year_unknown_code", ref, checkable & ~ev[year]["known"], "commune_code",
                    per_row={"value": raw_codes}, year=year, other=other)
    swapped = checkable & ev[year]["known"] & ~ev[year]["named"] & ev[other]["named"]
    if swapped.any():
        report.add_rows("warning", "code_year_other_name", ref, swapped, "commune_name",
                        per_row={"value": raw_codes, "name": shown,
                                 "official": _lookup(_official(year)[0], codes)},
                        year=year, other=other)


def resolve_code_year(raw: RawInputs, communes, policy: InputPolicy, report: Collector) -> CodeYear:
    """The year of the commune codes (flag, declaration or inference; see the module docstring),
    with its warnings, and the communes checked against the list of that year. ``communes``:
    the validation state of the communes layer (``.table``, ``.ref``) or None."""
    year, basis = policy.code_year, "flag"
    if year is None:
        year, basis = declared_year(raw), "declared"
    if communes is None or "commune_name" not in communes.table.columns:
        return CodeYear(year, basis if year else "unknown")
    table = communes.table
    raw_codes = table["commune_code"].to_numpy(dtype=object, na_value=None)
    official = table["commune_code"].str.fullmatch(_CODE.pattern).fillna(False)
    if PROVISIONAL_COLUMN in table.columns:
        official &= ~table[PROVISIONAL_COLUMN].fillna(False).astype(bool)
    codes = table["commune_code"].where(official).to_numpy(dtype=object, na_value=None)
    ev = _evidence(codes, normalise_names(table["commune_name"]))
    shown = table["commune_name"].to_numpy(dtype=object, na_value="")
    if year is None:
        year, counts = _infer(ev)
        basis = "inferred" if year else "unknown"
        params = {"total": int((codes != None).sum()), **counts}  # noqa: E711
        file = communes.ref.file
        if year:
            report.add("warning", "code_year_inferred", file, "communes", field="commune_code", year=year, **params)
        elif counts["named_2024"] or counts["named_2025"]:  # mixed; no match at all: nothing to say or check
            report.add("warning", "code_year_undetermined", file, "communes", field="commune_code", **params)
        if not year:
            return CodeYear(None, "unknown")
    _check(communes.ref, codes, raw_codes, shown, ev, year, report)
    return CodeYear(year, basis)
