"""Every measure of the registry, built by its family module.

The registry (:data:`tc8.model.vocab.MEASURES`) names each measure's family; the family's
module ``tc8.measures.<family>`` has ``commune_measures(ctx: MeasureInputs) -> dict[str, Measure]``
that builds exactly the registry's measures of that family. Nothing here lists measures or
families: a new measure is a registry entry and a few lines in its family's
``commune_measures``; a new family is a registry family and one module.
"""
from __future__ import annotations

from importlib import import_module

from tc8.model.vocab import FAMILIES, MEASURES, measures_of_family

from .common import Measure, MeasureInputs


class RegistryMismatch(RuntimeError):
    """Internal error: a family module does not build exactly the registry's measures of its family."""


def family_measures(ctx: MeasureInputs, family: str) -> dict[str, Measure]:
    """The measures of one ``family`` for every commune of ``ctx.codes``, checked against the registry."""
    specs = measures_of_family(family)
    if not specs:
        return {}
    built = import_module(specs[0].module).commune_measures(ctx)
    expected = [spec.name for spec in specs]
    if set(built) != set(expected):
        raise RegistryMismatch(f"{specs[0].module}.commune_measures built {sorted(built)}; "
                               f"the registry's {family} measures are {expected}")
    return built


def all_measures(ctx: MeasureInputs) -> dict[str, Measure]:
    """Every measure of the registry for every commune of ``ctx.codes``, keyed by name (registry order)."""
    built: dict[str, Measure] = {}
    for family in FAMILIES:
        built.update(family_measures(ctx, family))
    return {name: built[name] for name in MEASURES}
