"""The official commune lists of 2024 (before 1 July 2025) and 2025, and the old -> new
conversion, shipped as package data (``data/admin_units``, origin in its ATTRIBUTION.md).

Codes are 5-digit text everywhere in tc8; the files write them without leading zeros, so every
reader here pads them (``4`` -> ``"00004"``). Tables are read once per process (cached); callers
get copies they may modify.

* :func:`units_2024`: ``code, name, type, district_code, district_name, province_code``
  (10,051 rows);
* :func:`units_2025`: ``code, name, type, province_code, province_name`` (3,321 rows);
* :func:`conversion`: ``code_2024, name_2024, district_name_2024, province_code_2024,
  code_2025, name_2025, province_code_2025, partly_merged`` (10,565 old -> new pairs;
  ``partly_merged`` True where the old commune was split between several new ones).
"""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import pandas as pd

#: The years a commune code can belong to.
YEARS = (2024, 2025)


def pad_code(values: pd.Series, width: int = 5) -> pd.Series:
    """Codes as zero-padded text (``4``, ``"4"``, ``4.0`` -> ``"00004"``); empty stays <NA>."""
    text = values.astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
    return text.where(text.isna() | (text == ""), text.str.zfill(width)).replace("", pd.NA)


def _read(name: str) -> pd.DataFrame:
    with files("tc8.data").joinpath("admin_units", name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


@lru_cache(maxsize=None)
def _units_2024() -> pd.DataFrame:
    raw = _read("admin_units_2024_legacy.csv")
    return pd.DataFrame({
        "code": pad_code(raw["ward_code_2024"]), "name": raw["ward_name_2024"], "type": raw["ward_type_2024"],
        "district_code": pad_code(raw["district_code_2024"], 3), "district_name": raw["district_name_2024"],
        "province_code": pad_code(raw["province_code_2024"], 2)})


@lru_cache(maxsize=None)
def _units_2025() -> pd.DataFrame:
    raw = _read("admin_units_2025.csv")
    return pd.DataFrame({
        "code": pad_code(raw["ward_code_2025"]), "name": raw["ward_name_2025"], "type": raw["ward_type_2025"],
        "province_code": pad_code(raw["province_code_2025"], 2), "province_name": raw["province_name_2025"]})


@lru_cache(maxsize=None)
def _conversion() -> pd.DataFrame:
    raw = _read("ward_conversion_2024_to_2025.csv")
    return pd.DataFrame({
        "code_2024": pad_code(raw["ward_code_2024"]), "name_2024": raw["ward_name_2024"],
        "district_name_2024": raw["district_name_2024"], "province_code_2024": pad_code(raw["province_code_2024"], 2),
        "code_2025": pad_code(raw["ward_code_2025"]), "name_2025": raw["ward_name_2025"],
        "province_code_2025": pad_code(raw["province_code_2025"], 2),
        "partly_merged": raw["partly_merged"].str.strip().str.lower().isin(["true", "1", "yes"])})


def units_2024() -> pd.DataFrame:
    """The 2024 (pre-reform) commune list; a copy."""
    return _units_2024().copy()


def units_2025() -> pd.DataFrame:
    """The 2025 (post-reform) commune list; a copy."""
    return _units_2025().copy()


def units(year: int) -> pd.DataFrame:
    """The commune list of ``year`` (2024 or 2025); a copy. ValueError for another year."""
    if year == 2024:
        return units_2024()
    if year == 2025:
        return units_2025()
    raise ValueError(f"no commune list for {year}: {', '.join(map(str, YEARS))}")


def conversion() -> pd.DataFrame:
    """The official 2024 -> 2025 conversion, one row per old/new pair; a copy."""
    return _conversion().copy()
