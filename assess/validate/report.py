"""Collecting validation problems: row labels and a cap on listed rows.

Checks hand whole boolean masks to a :class:`Collector`; it turns the first ``cap`` flagged
rows of each (layer, code) into :class:`~tc8.model.errors.Problem` records and counts the rest, which
:meth:`Collector.finish` reports as one ``more_problems`` record (same severity) so that a file
with 100,000 bad rows still gives a readable report. Only this bounded formatting loops in
Python.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field as dc_field

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


@dataclass
class RowErrors:
    """Every row of one layer flagged by one error check (uncapped), for ``--skip-invalid``
    (:mod:`tc8.validate.skip`): positions (0-based, in the table checked), the message
    parameters per row (arrays aligned with the layer) and shared."""

    code: str
    ref: LayerRef
    field: str
    positions: np.ndarray
    per_row: dict = dc_field(default_factory=dict)
    params: dict = dc_field(default_factory=dict)


class Collector:
    """Accumulates problems; see the module docstring for the cap.

    Problems reported through :meth:`add_rows` are *about rows*: :meth:`about_rows` tells them
    from the others (a missing layer or column, a bad CRS, a duplicated id), and every row an
    error check flagged is kept, uncapped, in ``row_errors``.
    """

    def __init__(self, cap: int = CAP):
        self.cap = cap
        self.problems: list[Problem] = []
        self.row_errors: list[RowErrors] = []
        self._listed: Counter = Counter()
        self._more: dict = {}
        self._in_rows = False
        self._row_ids: set[int] = set()

    def about_rows(self, problem: Problem) -> bool:
        """True when ``problem`` (one this collector made) names rows flagged by a row check."""
        return id(problem) in self._row_ids

    def add(self, severity: str, code: str, file: str, layer: str = "", row: str = "",
            field: str = "", **params) -> None:
        """One problem (capped like the others when it belongs to a layer)."""
        key = (layer, code)
        if layer and self._listed[key] >= self.cap:
            self._overflow(key, severity, file, field, 1)
            return
        self._listed[key] += 1
        problem = Problem(severity, code, file, layer=layer, row=row, field=field,
                          params={k: show_value(v) for k, v in params.items()})
        self.problems.append(problem)
        if self._in_rows:
            self._row_ids.add(id(problem))

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
        if severity == "error":
            self.row_errors.append(RowErrors(code, ref, field, positions, dict(per_row or {}), dict(params)))
        key = (ref.name, code)
        room = max(self.cap - self._listed[key], 0)
        self._in_rows = True
        try:
            for pos in positions[:room]:
                row_params = dict(params)
                for name, values in (per_row or {}).items():
                    row_params[name] = values[pos]
                self.add(severity, code, ref.file, ref.name, ref.row(int(pos)), field, **row_params)
            if total > room:
                self._overflow(key, severity, ref.file, field, total - room)
        finally:
            self._in_rows = False
        return total

    def _overflow(self, key, severity, file, field, count) -> None:
        entry = self._more.setdefault(key, {"severity": severity, "file": file, "count": 0, "fields": [],
                                            "rows": True})
        entry["rows"] = entry["rows"] and self._in_rows
        entry["count"] += count
        if field and field not in entry["fields"]:
            entry["fields"].append(field)
        if severity == "error":
            entry["severity"] = "error"

    def finish(self) -> list[Problem]:
        """All listed problems plus one ``more_problems`` summary per capped (layer, code)."""
        out = list(self.problems)
        for (layer, code), entry in self._more.items():
            more = Problem(entry["severity"], "more_problems", entry["file"], layer=layer,
                           field=", ".join(entry["fields"]),
                           params={"count": entry["count"], "problem": code, "cap": self.cap})
            out.append(more)
            if entry["rows"]:
                self._row_ids.add(id(more))
        return out
