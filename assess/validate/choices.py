"""Reading a choice (``enum``) cell: the code, or one of its other spellings.

A cell matches a value when, ignoring case, spaces, hyphens and underscores, it is the code
(``BDVHX``, ``ki_ot``) or one of the value's spellings in
:data:`tc8.model.schema.CHOICE_ALIASES` (``BĐVHX``, ``Bưu cục``, ``ki-ốt``, ``núi``). Typed
without accents or with other accents (``buu cuc``, ``nui``) it matches when that accent-free
form belongs to one value only; when it belongs to two, the cell is refused naming both.
An accented spelling that is listed always wins over the accent-free comparison.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from tc8.model.schema import CHOICE_ALIASES

_SEPARATORS = re.compile(r"[\s\-_‐‑–—]+")


def fold_choice(text: str, *, accents: bool = True) -> str:
    """``text`` casefolded (NFC) without spaces, hyphens and underscores; ``accents=False`` also
    strips accents (``đ`` -> ``d``): ``"Ki-Ốt"`` -> ``"kiốt"`` / ``"kiot"``."""
    key = _SEPARATORS.sub("", unicodedata.normalize("NFC", text).casefold())
    if accents:
        return key
    bare = "".join(c for c in unicodedata.normalize("NFD", key) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).replace("đ", "d")


@dataclass(frozen=True)
class Ambiguous:
    """A cell whose accent-free form stands for several values (sorted)."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class ChoiceReader:
    """Spelling -> value, for one value list: ``exact`` (accents kept) and ``bare`` (accent-free
    form -> every value it stands for)."""

    exact: dict
    bare: dict

    def read(self, text: str):
        """The value ``text`` stands for, an :class:`Ambiguous`, or None when it matches nothing."""
        found = self.exact.get(fold_choice(text))
        if found is not None and len(found) == 1:
            return next(iter(found))
        values = self.bare.get(fold_choice(text, accents=False), set())
        if len(values) == 1:
            return next(iter(values))
        return Ambiguous(tuple(sorted(values))) if values else None


def build_reader(values: tuple[str, ...], aliases: dict[str, tuple[str, ...]]) -> ChoiceReader:
    """The reader of a value list ``values`` with ``aliases`` (value -> spellings)."""
    exact: dict = {}
    bare: dict = {}
    for value in values:
        for spelling in (value, *aliases.get(value, ())):
            exact.setdefault(fold_choice(spelling), set()).add(value)
            bare.setdefault(fold_choice(spelling, accents=False), set()).add(value)
    return ChoiceReader(exact, bare)


@lru_cache(maxsize=None)
def reader_for(values: tuple[str, ...]) -> ChoiceReader:
    """The reader of one of the model's value lists (with its :data:`CHOICE_ALIASES`)."""
    return build_reader(values, CHOICE_ALIASES.get(values, {}))


def report_ambiguous(canon, field: str, ref, report, shown: dict):
    """Report ``ambiguous_enum`` (naming the values, the cell quoted as typed) for every cell read
    as :class:`Ambiguous`; return their mask."""
    twice = np.fromiter((isinstance(c, Ambiguous) for c in canon), dtype=bool, count=len(canon))
    if twice.any():
        meanings = [" / ".join(c.values) if isinstance(c, Ambiguous) else "" for c in canon]
        report.add_rows("error", "ambiguous_enum", ref, twice, field, per_row={**shown, "meanings": meanings})
    return twice
