"""The results of an assessment: the one table every reporter renders.

Reporters (terminal table, GeoPackage/CSV/JSON, maps, workbooks) read a :class:`Results`
and never recompute a verdict. Contract:

``communes`` (GeoDataFrame, metric CRS) — one row per assessed commune: the input columns,
then ``status_tc8`` (overall) and ``status_<ind>`` per indicator (``8.1`` -> ``status_8_1``),
``n_villages``.

``indicators`` (DataFrame) — one row per commune x indicator, plus one row per commune with
``indicator == "TC8"`` (the criterion). Columns: ``commune_code, commune_name, indicator,
name_vi, name_en, status`` (``dat | khong_dat | thieu_du_lieu``), ``measured`` (float, the
deciding condition's value; NaN when unknown), ``threshold``, ``op``, ``unit``, ``basis``
(weakest basis of the conditions used: text > practice > provisional), ``evidence_class``
(weakest evidence among deciding records: measured > declared > modeled > reported; ""
when not applicable), ``reasons_vi``, ``reasons_en`` (why it does not pass, naming villages
and records; "" when it passes), ``missing_vi``, ``missing_en`` (what must be collected;
"" unless ``thieu_du_lieu``), ``evidence_ids`` (``;``-joined ids of deciding records).

``conditions`` (DataFrame) — one row per commune x enabled condition: ``commune_code,
indicator, condition_id, measure, label_vi, label_en, op, threshold, unit, measured_low,
measured_high, status, basis, cite``.

``villages`` (GeoDataFrame) — per village: ids, names, ``commune_code``, ``geometry``, and
``phone_ok``, ``internet_ok``, ``speaker_ok`` (nullable boolean; <NA> = unknown), their
``*_evidence`` class, ``mobile_voice_ok``, ``mobile_broadband_ok``, ``fixed_phone_ok``,
``fixed_broadband_ok`` with their ``*_evidence``, ``*_share`` (covered share 0–1) and
``*_record`` (";"-joined ids of the coverage areas, cell sites or access nodes that decided a
covered village; "" when its own report decided or it is not covered),
``speakers_operating`` (count), ``speaker_ids``,
``nearest_postal_id``, ``nearest_postal_m`` (to the nearest qualifying postal point),
``reason_phone_vi/en``, ``reason_internet_vi/en``, ``reason_speaker_vi/en``.

``postal_points``, ``cell_sites``, ``coverage``, ``fixed_access``, ``radio_stations``,
``speakers`` (GeoDataFrames, metric CRS, present only when the input has the layer) — the
validated records plus what the engine decided about each: postal ``qualifies`` and
``failed_vi/en``; cell ``radius_used_m``; station ``station_ok``; speaker ``village_id_used``.

``rollup`` (dict) — province indicators, see :mod:`tc8.engine.rollup`.

``parameters`` (DataFrame) — the resolved parameter values per commune (index commune_code).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .vocab import STATUS_FAIL, STATUS_MISSING, STATUS_PASS, STATUSES  # noqa: F401 - re-exported here

CRITERION = "TC8"


def status_column(indicator_id: str) -> str:
    """Column name of an indicator's status in ``Results.communes`` (``8.1`` -> ``status_8_1``)."""
    return "status_" + indicator_id.replace(".", "_").replace("-", "_").lower()


@dataclass
class Results:
    rule_set: object
    communes: object
    indicators: object
    conditions: object
    villages: object
    layers: dict = field(default_factory=dict)
    rollup: dict = field(default_factory=dict)
    parameters: object = None
    metric_crs: str = ""
    inputs: object = None
    synthetic_layers: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
