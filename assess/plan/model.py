"""What a plan is made of: edits to the input, interventions, and the plan itself.

Pure data (no pandas logic). Geometries are in the assessment's metric CRS
(``Results.metric_crs``); costs are in the cost file's currency (VND in the shipped example).

* :class:`Edit` — one change to one input layer: a new record, or new values for an existing
  record. Applying every edit of a plan to the input gives ``applied.gpkg``.
* :class:`Intervention` — one row of ``plan.csv``: what to do (``action``, a key of the cost file
  and of ``plan.action.<action>`` in ``templates/messages.yaml``), where, how much, what it
  costs, which condition of which indicator of which commune it fixes, and its edits.
* :class:`Unfixable` — a failing condition the supported interventions cannot fix, with why.
* :class:`CollectFirst` — a condition that cannot be decided (missing data): collect the data
  first; never planned around.
* :class:`FamilyPlan` — what one family planner returns.
* :class:`Plan` — everything ``tc8 plan`` decided, read by the renderers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from shapely.geometry.base import BaseGeometry

    from tc8.model.results import Results

#: ``Edit.record_id`` of a new record (its id is in ``Edit.values``).
NEW_RECORD = None
#: Value of the ``planned`` column that ``applied.gpkg`` adds to every layer it changes.
PLANNED_NEW, PLANNED_CHANGED = "new", "changed"


@dataclass(frozen=True)
class Edit:
    """One change to an input layer.

    ``layer``: an input layer name (``postal_points``, ``cell_sites``, ``fixed_access``,
    ``radio_stations``, ``speakers``, ``commune_it``...). ``record_id``: the id (the layer's
    id column) of the record to change, or :data:`NEW_RECORD` for a new record, whose
    ``values`` then hold every required column including the id (ids of new records start
    with ``KH-``, "kế hoạch"). ``values``: column -> new value, typed as the validated inputs
    type them (bool, float, int, str). ``geometry``: a new record's position (metric CRS);
    None for a change of values or a table row.
    """

    layer: str
    record_id: str | None
    values: dict[str, Any]
    geometry: BaseGeometry | None = None


@dataclass(frozen=True)
class Intervention:
    """One intervention of a plan (one row of ``plan.csv``).

    ``quantity`` in ``unit`` (``point``, ``hour_per_day``, ``site``, ``m``, ``cluster``,
    ``official``, ``dossier``, ``item``...); ``unit_cost`` and ``cost`` (= quantity x unit cost,
    rounded to the currency unit) from the cost file, None when the cost file has no price for
    ``action``. ``target``: ``layer:id`` of the record it acts on, or ``""`` for a new one.
    ``detail``: parameters of the sentence ``plan.action.<action>`` (e.g. ``{"from": 3,
    "to": 4}``). ``geometry``: where, for the plan layer (a point, or a line for a fibre
    extension), None for a commune-level figure. ``covers``: ids of the villages it serves
    (telecom, speakers), empty otherwise.
    """

    commune_code: str
    indicator: str
    condition_id: str
    action: str
    quantity: float
    unit: str
    unit_cost: float | None
    cost: float | None
    target: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    edits: tuple[Edit, ...] = ()
    geometry: BaseGeometry | None = None
    covers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unfixable:
    """A failing condition no supported intervention fixes: ``reason`` is a message key
    (``plan.unfixable.<reason>``) with ``detail`` its parameters."""

    commune_code: str
    indicator: str
    condition_id: str
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CollectFirst:
    """A condition that cannot be decided for lack of data: what to collect
    (``missing_note``: the engine's missing-data note, as in ``Results.conditions``)."""

    commune_code: str
    indicator: str
    condition_id: str
    missing_note: str = ""


@dataclass
class FamilyPlan:
    """What one family planner returns for the failing conditions it was given."""

    interventions: list[Intervention] = field(default_factory=list)
    unfixable: list[Unfixable] = field(default_factory=list)
    #: name -> value of what the planner wants reported (e.g. ``solver``: ``milp`` / ``greedy``,
    #: ``solver_seconds``, ``approximation_bound``)
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """Everything ``tc8 plan`` decided (built by :func:`tc8.plan.run.make_plan`)."""

    results: Results
    """The assessment the plan starts from."""
    interventions: list[Intervention]
    unfixable: list[Unfixable]
    collect_first: list[CollectFirst]
    #: one row per commune that does not pass: commune_code, commune_name, district_name,
    #: status_tc8 (before), fixable (bool: every failing condition has interventions and no
    #: data is missing), cost_total, verified (bool: re-assessed with the plan applied, it
    #: passes), status_after (TC8 status after the plan)
    communes: pd.DataFrame | None = None
    #: family -> FamilyPlan.notes (solver used, timings)
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the cost file read (path or "example"), its currency and whether its prices are examples
    cost_source: str = ""
    currency: str = "VND"
    example_costs: bool = True
    #: the :class:`tc8.plan.costs.CostBook` the plan was priced with (labels of the actions)
    costs: Any = None


@dataclass
class PlanContext:
    """What every family planner reads.

    ``results``: the assessment (``results.inputs`` the validated inputs, every frame in
    ``results.metric_crs``; ``results.layers`` the records with the engine's decisions;
    ``results.parameters`` the resolved parameters per commune; ``results.villages`` the
    per-village facts). ``costs``: the :class:`tc8.plan.costs.CostBook`. ``lang``: language of
    any text a planner writes (most text is rendered later from message keys).
    """

    results: Results
    costs: Any
    lang: str = "vi"

    def param(self, commune_code: str, name: str) -> Any:
        """The resolved value of rule parameter ``name`` for a commune (its overrides applied)."""
        params = self.results.parameters
        if params is not None and name in params.columns and commune_code in params.index:
            return params.at[commune_code, name]
        return self.results.rule_set.parameters[name].value

    def terrain(self, commune_code: str) -> str:
        """The commune's ``terrain``, else the rule set's ``default_terrain`` (for prices and radii)."""
        from .lookup import first_value

        communes = self.results.communes
        value = None
        if "terrain" in communes.columns:
            value = first_value(communes, commune_code, "terrain")
        if isinstance(value, str) and value:
            return value
        return str(self.param(commune_code, "default_terrain"))
