"""The assessment: validated inputs + a rule set -> :class:`~tc8.model.results.Results`.

Pure: no disk (apart from the optional population raster), network or clock. Reporters
render the returned tables and never recompute a verdict.
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from . import rollup as rollup_mod
from tc8.measures.commune import all_measures
from tc8.model.errors import Tc8Error
from tc8.rules.evaluate import PASS, STATUS_NAMES, deciding_leaf, evaluate
from tc8.text.messages import LANGS, text
from tc8.measures.postal import evaluate_points
from tc8.model.results import CRITERION, Results, status_column
from tc8.measures.coverage import RANK
from tc8.rules.model import weakest_basis
from tc8.model.schema import EVIDENCE_ORDER
from tc8.text.join import isin_text, join_by_group, join_pair
from tc8.validate.report import Collector
from tc8.measures.villages import nearest_postal, speaker_measures, telecom_measures

log = logging.getLogger(__name__)

LIST_PARAMS = ("phone_technologies", "internet_technologies")
POSTAL_MEASURES = {"postal_points_qualifying", "postal_points_online_services"}


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
        raise Tc8Error(text("engine.unknown_commune", "vi", codes=", ".join(unknown)) + " / "
                       + text("engine.unknown_commune", "en", codes=", ".join(unknown)))
    return frame[frame["commune_code"].isin(wanted)]


def assess(inputs, rule_set, *, communes: list[str] | None = None) -> Results:
    """Score every commune (or only ``communes``) of ``inputs`` against ``rule_set``."""
    from tc8.rules.model import resolve_parameters

    commune_frame = _select_communes(inputs, communes).reset_index(drop=True)
    if commune_frame.empty:
        raise Tc8Error(text("engine.no_communes", "vi") + " / " + text("engine.no_communes", "en"))
    codes = pd.Index(commune_frame["commune_code"].astype(object), name="commune_code")
    # Parameters of EVERY commune: a site, speaker or post office standing in a neighbouring
    # commune that is not being reported keeps the radius/reach/rules of its own commune.
    all_communes = inputs.get("communes")
    params_all = resolve_parameters(rule_set, all_communes)
    params_all.index = pd.Index(all_communes["commune_code"].astype(object), name="commune_code")
    params = params_all.loc[codes]
    defaults = parameter_defaults(rule_set)
    lists = {name: list(defaults.get(name) or []) for name in LIST_PARAMS}

    villages = inputs.get("villages")
    villages = villages[isin_text(villages["commune_code"], codes).to_numpy()].reset_index(drop=True)
    found = Collector()  # warnings that need the rule set (far-tagged clusters) or the raster
    telecom, site_radius = telecom_measures(inputs, villages, params_all, defaults, lists,
                                            raster_path=inputs.raw.population_raster, report=found)
    speakers, speaker_village = speaker_measures(inputs, villages, params_all, report=found)

    postal = inputs.get("postal_points")
    postal_eval = None
    qualifies = np.zeros(0, dtype=bool)
    if postal is not None:
        kinds = list(rule_set.postal_kinds())
        postal_eval = evaluate_points(postal, rule_set.postal_point, params_all, defaults, kinds)
        qualifies = postal_eval["qualifies"].fillna(False).to_numpy(dtype=bool)
    nearest = nearest_postal(villages, postal, qualifies)
    village_frame = villages.join(telecom).join(speakers).join(nearest)

    measures, station_ok = all_measures(inputs, village_frame, postal_eval, params, defaults, codes)

    ind_rows, cond_rows, statuses = [], [], {}
    postal_basis = [c.basis for c in rule_set.postal_point.enabled_conditions] if postal is not None else []
    for indicator in rule_set.indicators:
        tree = indicator.enabled_condition
        if tree is None:
            continue
        ev = evaluate(tree, measures, params, defaults, codes)
        statuses[indicator.id] = ev.status
        ind_rows.append(_indicator_rows(indicator, ev, codes, commune_frame, postal_basis))
        cond_rows.extend(_condition_rows(indicator, ev, codes))
    if not ind_rows:
        raise Tc8Error(f"{rule_set.id}: no enabled indicator")

    indicators = pd.concat(ind_rows + [_criterion_rows(rule_set, statuses, ind_rows, codes, commune_frame)],
                           ignore_index=True)
    communes_out = commune_frame.copy()
    for ind_id, status in statuses.items():
        communes_out[status_column(ind_id)] = STATUS_NAMES[status]
    crit = indicators[indicators["indicator"] == CRITERION].set_index("commune_code")["status"]
    communes_out["status_tc8"] = crit.reindex(codes).to_numpy()
    communes_out["n_villages"] = village_frame["commune_code"].value_counts().reindex(codes).fillna(0).astype(int).to_numpy()

    layers = _record_layers(inputs, postal_eval, site_radius, station_ok, speaker_village)
    results = Results(
        rule_set=rule_set, communes=communes_out, indicators=indicators,
        conditions=pd.concat(cond_rows, ignore_index=True) if cond_rows else pd.DataFrame(),
        villages=village_frame, layers=layers, parameters=params, metric_crs=inputs.metric_crs,
        inputs=inputs, synthetic_layers=inputs.synthetic_layers, warnings=list(inputs.warnings) + found.finish())
    results.rollup = rollup_mod.province_rollup(results)
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
    if any(c.measure in POSTAL_MEASURES for c, _ in leaves):
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
        "missing_vi": np.where(ev.status == PASS, "", ev.missing["vi"]),
        "missing_en": np.where(ev.status == PASS, "", ev.missing["en"]),
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
    rank = all_rows["evidence_class"].map(RANK)
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
        "missing_vi": np.where(status == PASS, "", missing["vi"]),
        "missing_en": np.where(status == PASS, "", missing["en"]),
        "evidence_ids": "",
    })


def _record_layers(inputs, postal_eval, site_radius, station_ok, speaker_village) -> dict:
    """Input records with what the engine decided about each (for maps and workbooks)."""
    layers = {}
    for name in ("postal_points", "cell_sites", "coverage", "fixed_access", "radio_stations", "speakers"):
        frame = inputs.get(name)
        if frame is None:
            continue
        frame = frame.copy()
        if name == "postal_points" and postal_eval is not None:
            frame = frame.join(postal_eval)
        elif name == "cell_sites":
            frame["radius_used_m"] = site_radius
        elif name == "radio_stations" and station_ok is not None:
            frame["station_ok"] = station_ok.to_numpy()
        elif name == "speakers" and len(speaker_village):
            frame["village_id_used"] = speaker_village.to_numpy()
        layers[name] = frame
    return layers
