"""The results of an assessment: the one table every reporter renders.

Reporters (terminal table, GeoPackage/CSV/JSON, maps, workbooks) read a :class:`Results`
and never recompute a verdict: each field's docstring below states the rows it holds and
the columns reporters rely on. Frames with geometry are in ``Results.metric_crs`` (metres).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from .errors import Problem
from .vocab import STATUS_FAIL, STATUS_MISSING, STATUS_PASS, STATUSES  # noqa: F401 - re-exported here

if TYPE_CHECKING:  # annotations only (the rule model is a higher stage)
    from tc8.rules.model import RuleSet

    from .inputs import Inputs

CRITERION = "TC8"


def status_column(indicator_id: str) -> str:
    """Column name of an indicator's status in ``Results.communes`` (``8.1`` -> ``status_8_1``)."""
    return "status_" + indicator_id.replace(".", "_").replace("-", "_").lower()


def village_status_column(indicator_id: str) -> str:
    """Column of an indicator's status in ``Results.village_status`` (``8.2`` -> ``s_8_2``; ``TC8`` -> ``s_tc8``)."""
    return "s_" + status_column(str(indicator_id))[len("status_"):]


@dataclass
class Results:
    """Everything one assessment decided (built by :func:`tc8.engine.assess.assess`)."""

    rule_set: RuleSet
    """The rule set the communes were assessed against (resolved, overrides merged)."""

    communes: gpd.GeoDataFrame
    """One row per assessed commune: the input columns, then ``status_tc8`` (overall) and
    ``status_<ind>`` per indicator (``8.1`` -> ``status_8_1``, see :func:`status_column`),
    ``n_villages``."""

    indicators: pd.DataFrame
    """One row per commune x indicator, plus one row per commune with ``indicator == "TC8"``
    (the criterion). Columns: ``commune_code, commune_name, indicator, name_vi, name_en,
    status`` (``dat | khong_dat | thieu_du_lieu``), ``measured`` (float, the deciding
    condition's value; NaN when unknown), ``threshold``, ``op``, ``unit``, ``basis`` (weakest
    basis of the conditions used: text > practice > provisional), ``evidence_class`` (weakest
    evidence among deciding records: measured > declared > modeled > reported; "" when not
    applicable), ``reasons_vi``, ``reasons_en`` (why it does not pass, naming villages and
    records; "" when it passes), ``missing_vi``, ``missing_en`` (what must be collected; ""
    unless ``thieu_du_lieu``, or, with ``--skip-invalid``, when excluded records could change it:
    see ``excluded``), ``evidence_ids`` (``;``-joined ids of deciding records)."""

    conditions: pd.DataFrame
    """One row per commune x enabled condition: ``commune_code, indicator, condition_id,
    measure, label_vi, label_en, op, threshold, threshold_param, unit, measured_low,
    measured_high, status, basis, cite, evidence_class`` (empty frame when no condition)."""

    villages: gpd.GeoDataFrame
    """One row per village of the assessed communes (RangeIndex): ids, names, ``commune_code``,
    ``geometry``, and ``phone_ok``, ``internet_ok``, ``speaker_ok`` (nullable boolean; <NA> =
    unknown), their ``*_evidence`` class, ``mobile_voice_ok``, ``mobile_broadband_ok``,
    ``fixed_phone_ok``, ``fixed_broadband_ok`` with their ``*_evidence``, ``*_share`` (covered
    share 0–1) and ``*_record`` (";"-joined ids of the coverage areas, cell sites or access
    nodes that decided a covered village; "" when its own report decided or it is not
    covered), ``speakers_operating`` (count), ``speaker_ids``, ``nearest_postal_id``,
    ``nearest_postal_m`` (to the nearest qualifying postal point), ``reason_phone_vi/en``,
    ``reason_internet_vi/en``, ``reason_speaker_vi/en``."""

    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    """Layer name -> its validated records plus what the engine decided about each, present only
    when the input has the layer: ``postal_points`` (``qualifies``, ``cond_<id>``,
    ``failed_vi/en``), ``cell_sites`` (``radius_used_m``), ``coverage``, ``fixed_access``,
    ``radio_stations`` (``station_ok``), ``speakers`` (``village_id_used``)."""

    rollup: dict[str, object] = field(default_factory=dict)
    """Province figures by key (numbers, texts, ``indicators``: id -> {status: count}); see
    :mod:`tc8.engine.rollup`."""

    parameters: pd.DataFrame | None = None
    """The resolved parameter values, one row per assessed commune (index ``commune_code``),
    one column per parameter."""

    metric_crs: str = ""
    """The projected CRS (metres) of every frame with geometry, e.g. ``EPSG:32648``."""

    inputs: Inputs | None = None
    """The validated inputs the results were computed from (sources, raw layers)."""

    synthetic_layers: list[str] = field(default_factory=list)
    """Names of the input layers holding synthetic (made-up) rows; renderers flag them."""

    warnings: list[Problem] = field(default_factory=list)
    """Problems that did not block the run: validation warnings, then the engine's own."""

    village_status: pd.DataFrame | None = None
    """One row per row of ``villages`` (same index): ``commune_code``, ``s_<ind>`` per indicator
    and ``s_tc8``, each ``dat | khong_dat | thieu_du_lieu`` — what a village shows on the maps
    (:mod:`tc8.engine.village_status`). ``results.gpkg`` writes them on its villages layer as
    ``status_<ind>``/``status_tc8`` (:mod:`tc8.outputs.gpkg_styles`)."""

    excluded: gpd.GeoDataFrame | None = None
    """With ``--skip-invalid`` only (else None): one row per record left out for an error and
    per error (:mod:`tc8.validate.skip`): ``layer, row`` (id, or ``#n`` = row of the input file),
    ``position`` (1-based row), ``record_id, commune_code`` (as the record gives it),
    ``reach_m, field, code, message_vi, message_en, fix_vi, fix_en``, ``affected_communes``
    (``;``-joined codes of the communes it could affect, :mod:`tc8.engine.exclusion`) and a
    point geometry (None when the record had none usable). Those communes have
    ``affected_by_exclusion`` true in ``communes``, and a note in ``missing_vi/en`` of the
    indicators that read the record's layer."""

    @property
    def incomplete_layers(self) -> list[str]:
        """The input layers taken as incomplete (``Inputs.incomplete_layers``: by flag, by the
        ``tc8_layers`` table or by an OSM source), sorted; empty without inputs."""
        return sorted(getattr(self.inputs, "incomplete_layers", None) or ())
