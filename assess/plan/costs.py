"""The cost file of ``tc8 plan``: unit costs per intervention, per terrain where it matters.

Shape in ``data/plan/costs-example.yaml`` (the shipped example, whose numbers are examples, not
official prices). Read with the same YAML guards as rule files (size, aliases, nesting). A
malformed file is a :class:`CostFileError` naming the file, the line where known, and the
field; an action the planners do not know is refused (a typo would silently price nothing).

Units: every cost is in ``currency`` per the action's ``unit``; candidate settings in metres,
counts and seconds as named.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from tc8.io.yaml_guard import check_size, check_structure
from tc8.model.errors import Tc8Error
from tc8.model.schema import TERRAINS
from tc8.text.localised import localised_error
from tc8.text.messages import SAFE_LOADER

#: Every action a planner may propose (the keys a cost file may price).
ACTIONS = (
    "postal_fix_premises", "postal_fix_signboard", "postal_fix_posted_hours", "postal_fix_letters_2kg",
    "postal_fix_parcels_5kg", "postal_extend_hours", "postal_new_point",
    "postal_fix_staffed", "postal_extend_collections", "postal_fix_telecom_service", "postal_fix_online_services",
    "cell_reactivate", "cell_upgrade", "cell_new_site", "fibre_extend",
    "radio_station_repair", "radio_station_license", "radio_station_new", "speaker_repair", "speaker_new",
    "it_eoffice_system", "it_eoffice_users", "it_officials_computer", "it_dossiers_online", "it_website",
    "it_smartphone", "it_public_wifi",
)
#: Candidate settings and their defaults (used when the file leaves them out).
CANDIDATE_DEFAULTS: dict[str, Any] = {
    "grid_spacing_m": 1000.0,
    "max_grid_candidates": 400,
    "upgrade_to": "4G",
    "solver_time_limit_s": 30.0,
}


class CostFileError(Tc8Error):
    """The cost file is malformed; the message names the file, line (where known) and field."""


@dataclass(frozen=True)
class ActionCost:
    """The price of one action: ``cost`` per ``unit``, or ``by_terrain`` per terrain."""

    unit: str
    cost: float | None = None
    by_terrain: dict[str, float] = field(default_factory=dict)
    label_vi: str = ""
    label_en: str = ""

    def price(self, terrain: str | None) -> float | None:
        """Unit cost for ``terrain`` (a by-terrain price needs one; None when it has none)."""
        if self.by_terrain:
            return self.by_terrain.get(terrain or "")
        return self.cost


@dataclass(frozen=True)
class CostBook:
    """A read cost file. ``source``: the path, or ``example`` for the shipped one."""

    actions: dict[str, ActionCost]
    candidates: dict[str, Any]
    currency: str = "VND"
    example: bool = True
    source: str = "example"

    def price(self, action: str, terrain: str | None = None) -> float | None:
        """Unit cost of ``action`` (for ``terrain`` when priced per terrain); None when the
        file gives no price (the plan then shows the quantity without a cost)."""
        entry = self.actions.get(action)
        return entry.price(terrain) if entry else None

    def unit(self, action: str) -> str:
        """The unit of ``action`` (``item`` when the file does not price it)."""
        entry = self.actions.get(action)
        return entry.unit if entry else "item"

    def setting(self, name: str) -> Any:
        """A candidate setting (``grid_spacing_m``...), the default when the file has none."""
        return self.candidates.get(name, CANDIDATE_DEFAULTS[name])

    def cost(self, action: str, quantity: float, terrain: str | None = None) -> tuple[float | None, float | None]:
        """``(unit cost, total)`` for ``quantity`` units, total rounded to the currency unit."""
        unit_cost = self.price(action, terrain)
        return unit_cost, (None if unit_cost is None else float(round(unit_cost * quantity)))


def example_path() -> Path:
    """The shipped example cost file."""
    return Path(str(files("tc8.data").joinpath("plan", "costs-example.yaml")))


def _fail(display: str, where: str, message: str) -> CostFileError:
    return CostFileError(f"{display}: {where}: {message}")


def _number(value, display: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise _fail(display, where, f"expected a number >= 0, got {value!r}")
    return float(value)


def _action(name: str, spec, display: str) -> ActionCost:
    where = f"actions.{name}"
    if name not in ACTIONS:
        raise _fail(display, where, f"unknown action; known: {', '.join(ACTIONS)}")
    if not isinstance(spec, dict) or ("cost" in spec) == ("by_terrain" in spec):
        raise _fail(display, where, "give exactly one of `cost` or `by_terrain`")
    unknown = set(spec) - {"unit", "cost", "by_terrain", "label_vi", "label_en"}
    if unknown:
        raise _fail(display, where, f"unknown key(s) {', '.join(sorted(unknown))}")
    by_terrain = spec.get("by_terrain") or {}
    if "by_terrain" in spec:
        if not isinstance(by_terrain, dict) or set(by_terrain) != set(TERRAINS):
            raise _fail(display, f"{where}.by_terrain", f"give a price for each of {', '.join(TERRAINS)}")
        by_terrain = {t: _number(v, display, f"{where}.by_terrain.{t}") for t, v in by_terrain.items()}
    cost = _number(spec["cost"], display, f"{where}.cost") if "cost" in spec else None
    return ActionCost(unit=str(spec.get("unit") or "item"), cost=cost, by_terrain=by_terrain,
                      label_vi=str(spec.get("label_vi") or ""), label_en=str(spec.get("label_en") or ""))


def _candidates(raw, display: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(display, "candidates", "expected a mapping")
    out = {}
    for key, value in raw.items():
        if key not in CANDIDATE_DEFAULTS:
            raise _fail(display, f"candidates.{key}", f"unknown setting; known: {', '.join(CANDIDATE_DEFAULTS)}")
        out[key] = value if key == "upgrade_to" else _number(value, display, f"candidates.{key}")
    return out


def parse_costs(source: str, display: str) -> CostBook:
    """A :class:`CostBook` from YAML text ``source`` (``display`` names it in messages)."""
    check_size(len(source.encode("utf-8")), display, error=CostFileError)
    try:
        check_structure(source, display, error=CostFileError)
        data = yaml.load(source, Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"{display}:{mark.line + 1 if mark else '?'}: "
        raise localised_error(CostFileError, "costs.yaml_syntax", where, str_lang="en", detail=err.problem) from None
    if not isinstance(data, dict) or not isinstance(data.get("actions"), dict):
        raise localised_error(CostFileError, "costs.not_mapping", f"{display}: actions: ", str_lang="en")
    unknown = set(data) - {"currency", "example", "actions", "candidates"}
    if unknown:
        raise _fail(display, ", ".join(sorted(unknown)), "unknown top-level key(s)")
    actions = {name: _action(str(name), spec, display) for name, spec in data["actions"].items()}
    return CostBook(actions=actions, candidates=_candidates(data.get("candidates"), display),
                    currency=str(data.get("currency") or "VND"), example=bool(data.get("example", False)),
                    source=display)


@functools.lru_cache(maxsize=4)
def _example() -> CostBook:
    book = parse_costs(example_path().read_text(encoding="utf-8"), "costs-example.yaml")
    return CostBook(book.actions, book.candidates, book.currency, book.example, source="example")


def load_costs(path: str | os.PathLike | None = None) -> CostBook:
    """Read a cost file; None -> the shipped example (numbers marked as examples)."""
    if path is None:
        return _example()
    path = Path(path)
    try:
        check_size(path.stat().st_size, str(path), error=CostFileError)
        source = path.read_text(encoding="utf-8")
    except OSError as err:
        raise localised_error(CostFileError, "costs.cannot_read", f"{path}: ", str_lang="en", detail=err.strerror or err) from None
    except UnicodeDecodeError:
        raise localised_error(CostFileError, "costs.not_utf8", f"{path}: ", str_lang="en") from None
    return parse_costs(source, str(path))
