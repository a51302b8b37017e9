"""The rows of one commune in a frame of the assessment, found without scanning the frame.

The family planners work commune by commune; ``frame.loc[frame["commune_code"] == code]`` on a
national frame (60,000 villages, 150,000 loudspeakers) compares every row and copies every
column each time. :func:`commune_rows` groups the frame's rows by commune once (positions, in
frame order) and takes the commune's rows from there: the same rows, in the same order, with
the same index as the boolean selection. The grouping is remembered per frame object (weakly:
it is dropped with the frame) and built again when the frame's length changed.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

#: (id of the frame, name) -> (weak reference to the frame, its length, the value)
_GROUPS: dict[tuple[int, str], tuple[weakref.ref, int, Any]] = {}


def _forget(key: tuple[int, str]) -> None:
    _GROUPS.pop(key, None)


def derived(frame: pd.DataFrame, name: str, build: Callable[[pd.DataFrame], Any]) -> Any:
    """``build(frame)``, computed once per frame object (and again when its length changed)."""
    key = (id(frame), name)
    hit = _GROUPS.get(key)
    if hit is not None and hit[0]() is frame and hit[1] == len(frame):
        return hit[2]
    value = build(frame)
    ref = weakref.ref(frame, lambda _, key=key: _forget(key))
    _GROUPS[key] = (ref, len(frame), value)
    return value


def group(values: pd.Series) -> dict:
    """``value -> positions`` (ascending) of ``values`` (missing values are in no group)."""
    values = values.to_numpy(dtype=object, na_value=None)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    return {uniques[i]: order[bounds[i]:bounds[i + 1]] for i in range(len(uniques))}


def positions(frame: pd.DataFrame, column: str = "commune_code") -> dict:
    """``value -> positions`` (ascending) of the rows of ``frame`` with that ``column`` value
    (rows with a missing value are in no group)."""
    return derived(frame, f"positions:{column}", lambda f: group(f[column]))


def commune_rows(frame: pd.DataFrame, code, column: str = "commune_code",
                 columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """``frame.loc[frame[column] == code]``: the rows of commune ``code``, in frame order (with
    ``columns``: only those of them the frame has, e.g. ``("population", "geometry")``;
    taking a few rows of every column of a wide frame is what costs)."""
    source = frame if columns is None else derived(
        frame, "columns:" + ",".join(columns), lambda f: f[[c for c in columns if c in f.columns]])
    found = positions(frame, column).get(code)
    return source.iloc[found if found is not None else np.array([], dtype=int)]


def first_value(frame: pd.DataFrame, code, field: str, column: str = "commune_code") -> Any:
    """``frame.loc[frame[column] == code, field].iloc[0]``; None when no row has ``code``."""
    def build(f: pd.DataFrame) -> dict:
        values = f[field].array
        return {key: values[found[0]] for key, found in positions(f, column).items()}
    return derived(frame, f"first:{column}:{field}", build).get(code)


def grouped_records(frame: pd.DataFrame, keys: tuple[str, ...]) -> list[tuple[tuple, list]]:
    """``[(key, rows)]`` like ``frame.groupby(list(keys), sort=True)`` with each group's
    ``itertuples()``: groups in key order (missing keys left out), rows in frame order; one
    pass over the frame instead of a copy of every column per group."""
    groups: dict[tuple, list] = {}
    for row in frame.itertuples():
        groups.setdefault(tuple(getattr(row, k) for k in keys), []).append(row)
    return sorted(((k, rows) for k, rows in groups.items() if not any(pd.isna(v) for v in k)),
                  key=lambda item: item[0])
