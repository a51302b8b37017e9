"""Collecting validation problems: row labels and a cap on listed rows.

Checks hand whole boolean masks to a :class:`Collector`; it turns the first ``cap`` flagged
rows of each (layer, code) into :class:`~tc8.model.errors.Problem` records and counts the rest, which
:meth:`Collector.finish` reports as one ``more_problems`` record (same severity) so that a file
with 100,000 bad rows still gives a readable report. Only this bounded formatting loops in
Python.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from tc8.model.errors import Problem
from tc8.text.messages import shorten

#: Rows listed per (layer, problem code) before the rest is summarised.
CAP = 50
_MAX_VALUE_CHARS = 60


def show_value(value) -> str:
    """A short printable form of a cell value (truncated to 60 characters)."""
    return shorten(str(value), _MAX_VALUE_CHARS)


@dataclass
class LayerRef:
    """Where a layer came from and how its rows are named.

    ``ids`` is an object array, one entry per row: the id text when it is usable (present and
    unique), else ``None`` and the row is named ``#n`` (1-based position in the file).
    """

    name: str
    file: str
    ids: np.ndarray | None = None

    def row(self, position: int) -> str:
        if self.ids is not None:
            value = self.ids[position]
            if value is not None:
                return str(value)
        return f"#{position + 1}"


class Collector:
    """Accumulates problems; see the module docstring for the cap."""

    def __init__(self, cap: int = CAP):
        self.cap = cap
        self.problems: list[Problem] = []
        self._listed: Counter = Counter()
        self._more: dict = {}

    def add(self, severity: str, code: str, file: str, layer: str = "", row: str = "",
            field: str = "", **params) -> None:
        """One problem (capped like the others when it belongs to a layer)."""
        key = (layer, code)
        if layer and self._listed[key] >= self.cap:
            self._overflow(key, severity, file, field, 1)
            return
        self._listed[key] += 1
        self.problems.append(Problem(severity, code, file, layer=layer, row=row, field=field,
                                     params={k: show_value(v) for k, v in params.items()}))

    def add_rows(self, severity: str, code: str, ref: LayerRef, mask, field: str = "",
                 *, per_row: dict | None = None, **params) -> int:
        """A problem for every row where ``mask`` is true; returns how many rows were flagged.

        ``per_row`` maps a message parameter to an array aligned with the layer's rows (e.g.
        the bad ``value``); ``params`` are shared by all rows.
        """
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        total = len(positions)
        if total == 0:
            return 0
        key = (ref.name, code)
        room = max(self.cap - self._listed[key], 0)
        for pos in positions[:room]:
            row_params = dict(params)
            for name, values in (per_row or {}).items():
                row_params[name] = values[pos]
            self.add(severity, code, ref.file, ref.name, ref.row(int(pos)), field, **row_params)
        if total > room:
            self._overflow(key, severity, ref.file, field, total - room)
        return total

    def _overflow(self, key, severity, file, field, count) -> None:
        entry = self._more.setdefault(key, {"severity": severity, "file": file, "count": 0, "fields": []})
        entry["count"] += count
        if field and field not in entry["fields"]:
            entry["fields"].append(field)
        if severity == "error":
            entry["severity"] = "error"

    def finish(self) -> list[Problem]:
        """All listed problems plus one ``more_problems`` summary per capped (layer, code)."""
        out = list(self.problems)
        for (layer, code), entry in self._more.items():
            out.append(Problem(entry["severity"], "more_problems", entry["file"], layer=layer,
                               field=", ".join(entry["fields"]),
                               params={"count": entry["count"], "problem": code, "cap": self.cap}))
        return out
