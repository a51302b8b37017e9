"""Thresholds and comparisons: what a rule compares with, and how, for any measure or field.

A rule value is a literal or a :class:`ParamRef` (``{param: name}`` in YAML), whose value may
differ per commune (:func:`tc8.rules.model.resolve_parameters`). :data:`OPS` is the closed set
of comparison operators. :func:`values_for` turns a rule value into one value per row;
:func:`compare` compares three-valued (a missing left value gives <NA>, never a silent pass
or fail). Used by the evaluator (commune measures) and by the measure families (record
fields, e.g. postal points); nothing here knows a measure family.

numpy/pandas are imported where used, so ``tc8 rules list/show`` (which reads :data:`OPS`
through :mod:`tc8.rules.model`) never loads them.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only
    import numpy as np
    import pandas as pd

#: Comparison operator as written in rule files -> function (works on scalars and arrays).
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
       "==": operator.eq, "!=": operator.ne}


def smallest_passing(op: str, threshold: float, whole: int | None = None) -> int:
    """The smallest whole value v >= 0 with ``100 * v / whole op threshold`` (a share in % of
    ``whole``), or ``v op threshold`` when ``whole`` is None (a count), compared exactly as the
    engine compares (float expression, :data:`OPS`). Only for rising operators (``>=``, ``>``).
    Worked out with exact fractions (``>=``: ceil(t x whole / 100); ``>``: floor(...) + 1), then
    moved at most a step either way by the float comparison. 52 % of 1,000 -> 60 %: 600."""
    import math
    from fractions import Fraction

    t = Fraction(repr(float(threshold)))
    scaled = t * whole / 100 if whole is not None else t
    v = max(math.floor(scaled) + 1 if op == ">" else math.ceil(scaled), 0)
    holds = OPS[op]

    def ok(value: int) -> bool:  # the engine's expression and operator
        return bool(holds(100 * float(value) / whole if whole is not None else float(value), float(threshold)))

    while not ok(v):
        v += 1
    while v > 0 and ok(v - 1):
        v -= 1
    return v


@dataclass(frozen=True)
class ParamRef:
    """A threshold that names a parameter (``{param: name}`` in YAML)."""

    name: str


def param_name(value: object) -> str | None:
    """The parameter a rule value refers to (a :class:`ParamRef`), else ``None``."""
    return value.name if isinstance(value, ParamRef) else None


def values_for(value: object, params: pd.DataFrame, codes: pd.Series, defaults: dict) -> np.ndarray:
    """A rule value per row (object array): the literal broadcast, or the parameter of each
    row's commune (``codes``: commune code per row; ``params``: per-commune values indexed by
    code; a commune missing from ``params`` takes the parameter's default)."""
    import numpy as np
    import pandas as pd

    name = param_name(value)
    if name is None:
        return np.full(len(codes), value, dtype=object)
    if name in params.columns:
        got = params[name].reindex(codes.to_numpy(dtype=object)).to_numpy(dtype=object)
        missing = pd.isna(got)
        if missing.any():
            got[missing] = defaults.get(name)
        return got
    return np.full(len(codes), defaults.get(name), dtype=object)


def compare(left: pd.Series, op: str, right: np.ndarray) -> pd.Series:
    """Three-valued ``left op right`` per row (nullable boolean): <NA> where ``left`` is missing."""
    import numpy as np
    import pandas as pd

    known = left.notna().to_numpy()
    result = np.zeros(len(left), dtype=bool)
    if known.any():
        lv = left.to_numpy(dtype=object)[known]
        rv = right[known]
        result[known] = np.array([OPS[op](a, b) for a, b in zip(lv, rv)], dtype=bool) if lv.dtype == object else OPS[op](lv, rv)
    out = pd.Series(result, index=left.index, dtype="boolean")
    out[~known] = pd.NA
    return out
