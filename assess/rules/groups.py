"""Commune groups of the 2026–2030 criteria (QĐ 51/2025/QĐ-TTg): nhóm 1, 2, 3.

From 2026 every criterion is differentiated by three commune groups (background:
``reform-2025.md``; group 1: communes next to or planned as urban areas, or with agriculture
under 10 % of the economy; group 3: communes of khu vực II and III in ethnic-minority and
mountain areas; group 2: all others). In a rule set whose ``period`` starts in 2026 or later
the ``commune_group`` column of the communes layer carries that meaning, so:

* at load, every ``when: {commune_group: ...}`` of such a set must name 1, 2 or 3
  (:func:`bad_group_values`, called by :mod:`tc8.rules.load`);
* when the set meets an input (:meth:`tc8.rules.model.RuleSet.check_inputs`, called by
  :func:`tc8.pipeline.run_assessment`), a commune whose ``commune_group`` is not 1, 2 or 3 is
  an error ``bad_commune_group`` naming file, layer, row and field; communes with no group
  keep the set's default values, with one warning ``commune_group_empty`` listing them.

Sets of earlier periods are not concerned: there ``commune_group`` is whatever the province
uses (the shipped 2010–2025 sets do not read it).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tc8.model.errors import InputError, Problem

if TYPE_CHECKING:  # annotations only
    from tc8.model.inputs import Inputs

#: The commune groups of 2026–2030, as text (the column is a code column: 1 and "1" are one).
GROUPS_2026 = ("1", "2", "3")
#: The first year whose rule sets use the three commune groups.
FIRST_GROUP_YEAR = 2026
#: The column holding the group.
GROUP_COLUMN = "commune_group"
#: At most this many commune codes are named in the ``commune_group_empty`` warning.
_SHOWN = 10


def period_start(period: str) -> int | None:
    """The first year of a ``period`` such as ``"2026-2030"`` (None when it names no year)."""
    match = re.match(r"\s*(\d{4})", str(period or ""))
    return int(match.group(1)) if match else None


def uses_2026_groups(period: str) -> bool:
    """True when a rule set of ``period`` is a 2026–2030 (or later) one: groups 1, 2, 3."""
    start = period_start(period)
    return start is not None and start >= FIRST_GROUP_YEAR


def _as_group(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def bad_group_values(wanted) -> list:
    """The values of a ``when: {commune_group: ...}`` (one value or a list) that are not 1, 2 or 3."""
    values = wanted if isinstance(wanted, list) else [wanted]
    return [v for v in values if isinstance(v, bool) or _as_group(v) not in GROUPS_2026]


def group_problems(communes, file: str, layer: str = "communes") -> list[Problem]:
    """Problems of the ``commune_group`` column against the 2026 groups: an error per commune
    with another value (row = its code), one warning listing the communes without a group."""
    if GROUP_COLUMN not in communes.columns:
        return []
    groups = communes[GROUP_COLUMN].astype("string").str.strip()
    codes = communes["commune_code"].astype("string") if "commune_code" in communes.columns \
        else communes.index.astype(str).to_series(index=communes.index)
    bad = groups.notna() & ~groups.isin(GROUPS_2026)
    problems = [Problem("error", "bad_commune_group", file, layer, str(codes[i]), GROUP_COLUMN,
                        params={"value": str(groups[i]), "allowed": ", ".join(GROUPS_2026)})
                for i in communes.index[bad.to_numpy(dtype=bool)]]
    empty = codes[groups.isna().to_numpy(dtype=bool)].tolist()
    if empty:
        shown = ", ".join(map(str, empty[:_SHOWN])) + (" …" if len(empty) > _SHOWN else "")
        problems.append(Problem("warning", "commune_group_empty", file, layer, shown, GROUP_COLUMN,
                                params={"n": len(empty)}))
    return problems


def check_commune_groups(period: str, inputs: Inputs) -> None:
    """For a 2026–2030 rule set: raise :class:`InputError` when a commune's group is not 1, 2
    or 3; add the warning for communes without a group to ``inputs.warnings``. Nothing for an
    earlier period or an input without communes."""
    communes = inputs.get("communes") if inputs is not None else None
    if communes is None or not uses_2026_groups(period):
        return
    file = str(inputs.raw.files.get("communes", inputs.raw.root)) if inputs.raw is not None else ""
    problems = group_problems(communes, file)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    inputs.warnings.extend(problems)
