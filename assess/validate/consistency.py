"""Impossible combinations: a part larger than its whole (issue 7, class 3).

:data:`AT_MOST` is the one table of such relations: in one record of ``layer``, ``part``
can never exceed ``whole`` (more online dossiers than dossiers, more officials using a
computer than officials, more households than people...). A row where both values are known
and ``part > whole`` is an error ``inconsistent_values`` on the record (row = its id, field =
``part``) quoting both fields and both values as the user typed them. An empty value is not
checked (it is reported, where it matters, as missing data).

``measure`` names the share (in %) the engine computes as ``100 * part / whole``; the
engine's guard (:func:`tc8.measures.common.assert_share`) refuses a share above 100 % for these,
so a figure that slipped past validation can never be reported.

Not a share: ``smartphone_per_working_age`` (subscriptions per working-age person: one person
may hold several subscriptions, so it may exceed 100 % and is not in this table).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .columns import text_array


@dataclass(frozen=True)
class AtMost:
    """``part <= whole`` within one record of ``layer``; ``measure``: the share they make (or None)."""

    layer: str
    part: str
    whole: str
    measure: str | None = None


AT_MOST: tuple[AtMost, ...] = (
    AtMost("commune_it", "officials_with_computer", "officials", "it_share_officials_computer"),
    AtMost("commune_it", "officials_using_eoffice", "officials", "it_share_officials_eoffice"),
    AtMost("commune_it", "dossiers_online", "dossiers_total", "it_share_dossiers_online"),
    AtMost("commune_it", "smartphone_subscriptions", "mobile_subscriptions", "smartphone_share_subscriptions"),
    AtMost("villages", "households", "population"),
)

#: share measure -> its relation (for the engine's guard)
SHARES = {rel.measure: rel for rel in AT_MOST if rel.measure}


def _numbers(series) -> np.ndarray:
    return series.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def check_consistency(state: dict, frames: dict, report) -> None:
    """Report every row of every layer in ``state`` breaking a relation of :data:`AT_MOST`.

    ``state``: layer name -> working layer (``.table`` typed values, ``.ref`` row names);
    ``frames``: layer name -> the raw table as read (for the values as typed). Vectorised per
    relation; the :class:`~tc8.validate.report.Collector` caps the listed rows.
    """
    for rel in AT_MOST:
        st = state.get(rel.layer)
        if st is None or rel.part not in st.table or rel.whole not in st.table:
            continue
        part, whole = _numbers(st.table[rel.part]), _numbers(st.table[rel.whole])
        with np.errstate(invalid="ignore"):
            bad = part > whole  # False where either is unknown (NaN)
        if not bad.any():
            continue
        raw = frames.get(rel.layer)
        typed = {}
        for name, values in ((rel.part, part), (rel.whole, whole)):  # text only for the flagged rows
            shown = np.full(len(values), None, dtype=object)
            if raw is not None and name in raw:
                shown[bad] = text_array(raw[name].iloc[np.flatnonzero(bad)])
            else:
                shown[bad] = [f"{v:g}" for v in values[bad]]
            typed[name] = shown
        report.add_rows("error", "inconsistent_values", st.ref, bad, rel.part,
                        per_row={"part_value": typed[rel.part], "whole_value": typed[rel.whole]},
                        part=rel.part, whole=rel.whole)
