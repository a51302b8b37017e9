"""Words of the family planners' details: each sentence part in both languages, so that
``plan.action.<action>`` (rendered later, in the output's language) can name it as
``{<name>_vi}`` / ``{<name>_en}``; numbers as they read best."""
from __future__ import annotations

from tc8.text.messages import LANGS, text


def both(name: str, key: str, **params) -> dict[str, str]:
    """``{name_vi: ..., name_en: ...}``: the message ``key`` in each language."""
    return {f"{name}_{lang}": text(key, lang, **params) for lang in LANGS}


def labels(name: str, vi: str, en: str) -> dict[str, str]:
    """``{name_vi: vi, name_en: en or vi}``: a label the rule set gives in both languages."""
    return {f"{name}_vi": vi, f"{name}_en": en or vi}


def num(value: float) -> float | int:
    """A whole number as int (``4``, not ``4.0``), else rounded to 2 decimals."""
    value = float(value)
    return int(value) if value.is_integer() else round(value, 2)


def where(placement: dict) -> dict[str, str]:
    """Where a new facility goes (``where_vi/en``), from :func:`tc8.plan.place.best_position`."""
    return both("where", f"plan.detail.where_{placement['placement']}", **placement)
