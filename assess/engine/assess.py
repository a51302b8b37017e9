"""The assessment: validated inputs + a rule set -> :class:`~tc8.model.results.Results`.

Two steps: :func:`measures_from_inputs` (select communes, resolve parameters, per-village and
per-record facts, every measure of the registry) and :func:`assess` (evaluate each indicator's
condition tree on those measures and assemble the Results tables).

Pure: no disk (apart from the optional population raster), network or clock. Reporters
render the returned tables and never recompute a verdict.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import rollup as rollup_mod
from .exclusion import mark_exclusions
from .village_status import village_statuses_of
from tc8.measures.common import Measure, MeasureInputs, villages_of
from tc8.measures.families import all_measures
from tc8.measures.postal import evaluate_points, nearest_postal
from tc8.measures.radio import station_ok, village_speakers
from tc8.measures.telecom import village_telecom
from tc8.model.errors import Problem, Tc8Error
from tc8.model.results import CRITERION, Results, status_column
from tc8.model.vocab import EVIDENCE_ORDER, EVIDENCE_RANK, postal_rule_measures
from tc8.rules.evaluate import PASS, STATUS_NAMES, deciding_leaf, evaluate
from tc8.rules.model import weakest_basis
from tc8.text.join import drop_repeats, join_by_group, join_pair
from tc8.text.localised import localised_error
from tc8.text.messages import LANGS, text
from tc8.validate.report import Collector

log = logging.getLogger(__name__)

LIST_PARAMS = ("phone_technologies", "internet_technologies")
#: Measures whose indicator also carries the basis of the postal-point conditions.
POSTAL_RULE_MEASURES = frozenset(postal_rule_measures())
#: Input layers returned in ``Results.layers`` (with what the engine decided per record).
RECORD_LAYERS = ("postal_points", "cell_sites", "coverage", "fixed_access", "radio_stations", "speakers")


@dataclass
class Measured:
    """What :func:`measures_from_inputs` returns: the assessed communes and every measure."""

    communes: pd.DataFrame            # the assessed communes (input rows, input order)
    codes: pd.Index                   # their codes (``commune_code``)
    params: pd.DataFrame              # resolved parameters of the assessed communes (index ``codes``)
    defaults: dict                    # parameter -> default value (before overrides)
    villages: pd.DataFrame            # their villages with the per-village columns (Results.villages)
    measures: dict[str, Measure]      # every measure of the registry, keyed by name
    records: dict[str, pd.DataFrame]  # layer -> columns decided per record (index of the layer)
    warnings: list[Problem]           # found while measuring (far-tagged clusters, raster weights)


def parameter_defaults(rule_set) -> dict:
    """Parameter name -> default value (before per-commune overrides)."""
    return {name: param.value for name, param in rule_set.parameters.items()}


def _select_communes(inputs, communes: list[str] | None):
    frame = inputs.get("communes")
    if not communes:
        return frame
    wanted = [str(c).strip() for c in communes]
    unknown = sorted(set(wanted) - set(frame["commune_code"].astype(str)))
    if unknown:
        raise localised_error(Tc8Error, "engine.unknown_commune", codes=", ".join(unknown))
    return frame[frame["commune_code"].isin(wanted)]


def _all_parameters(inputs, rule_set) -> pd.DataFrame:
    """Resolved parameters of EVERY commune of the input (index ``commune_code``): a site,
    speaker or post office standing in a neighbouring commune that is not being reported
    keeps the radius/reach/rules of its own commune."""
    from tc8.rules.model import resolve_parameters

    all_communes = inputs.get("communes")
    params_all = resolve_parameters(rule_set, all_communes)
    params_all.index = pd.Index(all_communes["commune_code"].astype(object), name="commune_code")
    return params_all


def _village_facts(inputs, rule_set, villages, params_all, defaults, report) -> tuple[pd.DataFrame, dict]:
    """The village frame (telecom, loudspeaker and nearest-postal columns) and, per input
    layer, the columns decided per record (see :func:`_record_columns`)."""
    lists = {name: list(defaults.get(name) or []) for name in LIST_PARAMS}
    telecom, site_radius = village_telecom(inputs, villages, params_all, defaults, lists,
                                           raster_path=inputs.raw.population_raster, report=report)
    speakers, speaker_village = village_speakers(inputs, villages, params_all, report=report)
    postal = inputs.get("postal_points")
    postal_eval = None
    qualifies = np.zeros(0, dtype=bool)
    if postal is not None:
        kinds = list(rule_set.postal_kinds())
        postal_eval = evaluate_points(postal, rule_set.postal_point, params_all, defaults, kinds)
        qualifies = postal_eval["qualifies"].fillna(False).to_numpy(dtype=bool)
    nearest = nearest_postal(villages, postal, qualifies)
    records = _record_columns(inputs, postal_eval, site_radius, speaker_village)
    return villages.join(telecom).join(speakers).join(nearest), records


def _record_columns(inputs, postal_eval, site_radius, speaker_village) -> dict[str, pd.DataFrame]:
    """Per input layer present, what the engine decided about each record: postal
    ``qualifies`` (and why), cell ``radius_used_m``, station ``station_ok``, speaker
    ``village_id_used`` (only when the layer has rows)."""
    out = {}
    if postal_eval is not None:
        out["postal_points"] = postal_eval
    sites, stations, speakers = (inputs.get(n) for n in ("cell_sites", "radio_stations", "speakers"))
    if sites is not None:
        out["cell_sites"] = pd.DataFrame({"radius_used_m": site_radius}, index=sites.index)
    if stations is not None:
        out["radio_stations"] = pd.DataFrame({"station_ok": station_ok(stations).to_numpy()}, index=stations.index)
    if speakers is not None and len(speaker_village):
        out["speakers"] = pd.DataFrame({"village_id_used": speaker_village.to_numpy()}, index=speakers.index)
    return out


def measures_from_inputs(inputs, rule_set, *, communes: list[str] | None = None) -> Measured:
    """Every measure of the registry for every commune (or only ``communes``) of ``inputs``
    under ``rule_set``'s parameters, with the village frame and per-record facts behind them."""
    commune_frame = _select_communes(inputs, communes).reset_index(drop=True)
    if commune_frame.empty:
        raise localised_error(Tc8Error, "engine.no_communes")
    codes = pd.Index(commune_frame["commune_code"].astype(object), name="commune_code")
    params_all = _all_parameters(inputs, rule_set)
    params = params_all.loc[codes]
    defaults = parameter_defaults(rule_set)
    villages = villages_of(inputs, codes)  # empty (typed) without a villages layer
    found = Collector()  # warnings that need the rule set (far-tagged clusters) or the raster
    village_frame, records = _village_facts(inputs, rule_set, villages, params_all, defaults, found)
    ctx = MeasureInputs(inputs=inputs, villages=village_frame, postal_eval=records.get("postal_points"),
                        params=params, defaults=defaults, codes=codes)
    return Measured(commune_frame, codes, params, defaults, village_frame, all_measures(ctx), records,
                    found.finish())


def _evaluate_indicators(rule_set, m: Measured, postal_basis: list) -> tuple[list, list, dict]:
    """Per enabled indicator: its rows of ``Results.indicators``, of ``Results.conditions`` and
    its status codes per commune."""
    ind_rows, cond_rows, statuses = [], [], {}
    for indicator in rule_set.indicators:
        tree = indicator.enabled_condition
        if tree is None:
            continue
        ev = evaluate(tree, m.measures, m.params, m.defaults, m.codes)
        statuses[indicator.id] = ev.status
        ind_rows.append(_indicator_rows(indicator, ev, m.codes, m.communes, postal_basis))
        cond_rows.extend(_condition_rows(indicator, ev, m.codes))
    if not ind_rows:
        raise Tc8Error(f"{rule_set.id}: no enabled indicator")
    return ind_rows, cond_rows, statuses


def _communes_out(m: Measured, statuses: dict, indicators: pd.DataFrame) -> pd.DataFrame:
    """``Results.communes``: the input rows, each indicator's status, ``status_tc8``, ``n_villages``."""
    out = m.communes.copy()
    for ind_id, status in statuses.items():
        out[status_column(ind_id)] = STATUS_NAMES[status]
    crit = indicators[indicators["indicator"] == CRITERION].set_index("commune_code")["status"]
    out["status_tc8"] = crit.reindex(m.codes).to_numpy()
    out["n_villages"] = m.villages["commune_code"].value_counts().reindex(m.codes).fillna(0).astype(int).to_numpy()
    return out


def assess(inputs, rule_set, *, communes: list[str] | None = None) -> Results:
    """Score every commune (or only ``communes``) of ``inputs`` against ``rule_set``."""
    m = measures_from_inputs(inputs, rule_set, communes=communes)
    has_postal = inputs.get("postal_points") is not None
    postal_basis = [c.basis for c in rule_set.postal_point.enabled_conditions] if has_postal else []
    ind_rows, cond_rows, statuses = _evaluate_indicators(rule_set, m, postal_basis)
    indicators = pd.concat(ind_rows + [_criterion_rows(rule_set, statuses, ind_rows, m.codes, m.communes)],
                           ignore_index=True)
    results = Results(
        rule_set=rule_set, communes=_communes_out(m, statuses, indicators), indicators=indicators,
        conditions=pd.concat(cond_rows, ignore_index=True) if cond_rows else pd.DataFrame(),
        villages=m.villages, layers=_record_layers(inputs, m.records), parameters=m.params,
        metric_crs=inputs.metric_crs, inputs=inputs, synthetic_layers=inputs.synthetic_layers,
        warnings=list(inputs.warnings) + m.warnings)
    results.rollup = rollup_mod.province_rollup(results)
    results.village_status = village_statuses_of(results)
    mark_exclusions(results, inputs)  # --skip-invalid: excluded records and the communes they could affect
    return results


def _indicator_rows(indicator, ev, codes, communes, postal_basis) -> pd.DataFrame:
    leaves = ev.leaves
    pick = deciding_leaf(ev)
    n = len(codes)
    rows = np.arange(n)
    measured = np.full(n, np.nan)
    threshold = np.full(n, np.nan)
    op = np.empty(n, dtype=object)
    unit = np.empty(n, dtype=object)
    evidence = np.empty(n, dtype=object)
    ids = np.empty(n, dtype=object)
    for k, (cond, leaf) in enumerate(leaves):
        sel = pick == k
        if not sel.any():
            continue
        exact = leaf.low == leaf.high
        measured[sel] = np.where(exact[sel], leaf.low[sel], np.nan)
        threshold[sel] = leaf.threshold[sel]
        op[sel] = cond.op
        unit[sel] = leaf.measure.unit
        evidence[sel] = leaf.measure.evidence.to_numpy(dtype=object)[sel]
        ids[sel] = leaf.measure.ids.to_numpy(dtype=object)[sel]
    bases = [c.basis for c, _ in leaves]
    if any(c.measure in POSTAL_RULE_MEASURES for c, _ in leaves):
        bases += postal_basis
    frame = pd.DataFrame({
        "commune_code": codes.to_numpy(),
        "commune_name": communes["commune_name"].to_numpy(dtype=object),
        "indicator": indicator.id,
        "name_vi": indicator.name_vi,
        "name_en": getattr(indicator, "name_en", "") or indicator.name_vi,
        "status": STATUS_NAMES[ev.status],
        "measured": measured, "threshold": threshold, "op": op, "unit": unit,
        "basis": weakest_basis(bases),
        "evidence_class": evidence,
        "reasons_vi": ev.reasons["vi"], "reasons_en": ev.reasons["en"],
        "missing_vi": np.where(ev.status == PASS, "", drop_repeats(ev.missing["vi"])),
        "missing_en": np.where(ev.status == PASS, "", drop_repeats(ev.missing["en"])),
        "evidence_ids": ids,
    }, index=rows)
    frame["evidence_class"] = frame["evidence_class"].fillna("")
    frame["evidence_ids"] = frame["evidence_ids"].fillna("")
    return frame


def _condition_rows(indicator, ev, codes) -> list[pd.DataFrame]:
    out = []
    for cond, leaf in ev.leaves:
        cite_text = _cite_text(cond.cite)
        frame = pd.DataFrame({
            "commune_code": codes.to_numpy(), "indicator": indicator.id, "condition_id": cond.id,
            "measure": cond.measure, "label_vi": getattr(cond, "label_vi", ""),
            "label_en": getattr(cond, "label_en", "") or getattr(cond, "label_vi", ""),
            "op": cond.op, "threshold": leaf.threshold, "threshold_param": cond.param or "",
            "unit": leaf.measure.unit, "measured_low": leaf.low, "measured_high": leaf.high,
            "status": STATUS_NAMES[leaf.status], "basis": cond.basis, "cite": cite_text,
            "evidence_class": leaf.measure.evidence.to_numpy(dtype=object),
        })
        out.append(frame)
    return out


def _cite_text(cite) -> str:
    """``instrument id — article — note`` of a :class:`~tc8.rules.model.Cite` ("" for none)."""
    if cite is None:
        return ""
    return " — ".join(str(p) for p in (cite.instrument, cite.article, cite.note) if p)


def _criterion_rows(rule_set, statuses, ind_rows, codes, communes) -> pd.DataFrame:
    ids = list(statuses)
    stack = np.vstack([statuses[i] for i in ids])
    rule = getattr(rule_set, "criterion_rule", "all") or "all"
    status = stack.min(axis=0) if rule == "all" else stack.max(axis=0)
    all_rows = pd.concat(ind_rows, ignore_index=True)
    reasons = {}
    for lang in LANGS:
        key = "status.khong_dat"
        lines = np.full(len(codes), "", dtype=object)
        for k, ind_id in enumerate(ids):
            failing = stack[k] != PASS
            word = np.where(stack[k] == 0, text(key, lang), text("status.thieu_du_lieu", lang))
            add = np.array([f"{ind_id}: {w}" for w in word], dtype=object)
            lines = np.where(failing, join_pair(lines, add), lines)
        reasons[lang] = lines
    missing = {}
    for lang in LANGS:
        has = all_rows[all_rows[f"missing_{lang}"] != ""]
        missing[lang] = join_by_group(has["commune_code"].to_numpy(), has[f"missing_{lang}"].to_numpy()
                                      ).reindex(codes).fillna("").to_numpy()
    rank = all_rows["evidence_class"].map(EVIDENCE_RANK)
    weakest = rank.groupby(all_rows["commune_code"].to_numpy()).max().reindex(codes)
    ev_weakest = weakest.map(dict(enumerate(EVIDENCE_ORDER))).fillna("")
    return pd.DataFrame({
        "commune_code": codes.to_numpy(),
        "commune_name": communes["commune_name"].to_numpy(dtype=object),
        "indicator": CRITERION,
        "name_vi": getattr(rule_set, "title_vi", "Tiêu chí số 8"),
        "name_en": getattr(rule_set, "title_en", "") or "Criterion 8",
        "status": STATUS_NAMES[status],
        "measured": (stack == PASS).sum(axis=0).astype(float), "threshold": float(len(ids)),
        "op": ">=", "unit": "count",
        "basis": weakest_basis(all_rows["basis"].unique()),
        "evidence_class": ev_weakest.to_numpy(),
        "reasons_vi": reasons["vi"], "reasons_en": reasons["en"],
        "missing_vi": np.where(status == PASS, "", drop_repeats(missing["vi"])),
        "missing_en": np.where(status == PASS, "", drop_repeats(missing["en"])),
        "evidence_ids": "",
    })


def _record_layers(inputs, records: dict) -> dict:
    """Input records with what the engine decided about each (for maps and workbooks)."""
    layers = {}
    for name in RECORD_LAYERS:
        frame = inputs.get(name)
        if frame is None:
            continue
        frame = frame.copy()
        if name in records:
            frame = frame.join(records[name])
        layers[name] = frame
    return layers
