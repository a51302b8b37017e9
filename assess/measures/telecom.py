"""The telecom family: telephone and Internet per village, and the commune shares of villages
that have them (``share_villages_phone``, ``share_villages_internet``,
``share_villages_phone_and_internet``; percent 0–100).

Per village (:func:`village_telecom`): each service part (:data:`tc8.model.vocab.SERVICE_PARTS`:
mobile voice, mobile broadband, fixed phone, fixed broadband) is judged from the coverage
polygons, the modeled radius of active cell sites, fixed access nodes and the village's own
report (:mod:`tc8.measures.coverage`, sampled by :mod:`tc8.measures.sampling`); a service is
available when either of its parts is (Kleene OR), with the stronger evidence that says yes.
Per commune (:func:`commune_measures`): the share of villages with each service.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from tc8.model.schema import TERRAINS
from tc8.model.vocab import EVIDENCE_ORDER, EVIDENCE_RANK, NO_EVIDENCE, SERVICE_PARTS
from tc8.text import reasons
from tc8.text.join import join_pair
from tc8.text.messages import LANGS
from tc8.validate.report import Collector, LayerRef

from .common import (Measure, MeasureInputs, bool_array, commune_of_points, incomplete, kleene_and, kleene_or,
                     named_incomplete, no_villages, open_upper, village_share)
from .coverage import Sources, nearest_emitter, village_service
from .sampling import village_samples

if TYPE_CHECKING:  # annotations only
    from tc8.model.inputs import Inputs


def site_radius_m(sites: pd.DataFrame, site_commune: pd.Series, params: pd.DataFrame,
                  defaults: dict, terrain: pd.Series) -> np.ndarray:
    """Modeled radius of each cell site (m): its own ``radius_m``, else the rule-set parameter
    ``radius_m_<tech>_<terrain>`` of the commune it stands in (``default_terrain`` when the
    commune has no terrain or the site is outside every commune)."""
    tech = sites["technology"].str.lower().to_numpy(dtype=object)
    code = site_commune.to_numpy(dtype=object)
    in_commune = pd.notna(site_commune).to_numpy()
    ter = np.full(len(sites), defaults["default_terrain"], dtype=object)
    if in_commune.any():
        ter_c = terrain.reindex(code[in_commune]).to_numpy(dtype=object)
        ter[in_commune] = ter_c
    radius = np.full(len(sites), np.nan)
    for t in np.unique(tech):
        for tr in TERRAINS:
            name = f"radius_m_{t}_{tr}"
            mask = (tech == t) & (ter == tr)
            if not mask.any() or name not in defaults:
                continue
            value = np.full(mask.sum(), float(defaults[name]))
            inside = mask & in_commune
            if name in params.columns and inside.any():
                value_in = params[name].reindex(code[inside]).to_numpy(dtype=float)
                value[inside[mask]] = value_in
            radius[mask] = value
    own = sites["radius_m"].to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(own), radius, own)


def _commune_terrain(communes: pd.DataFrame, params: pd.DataFrame) -> pd.Series:
    """Terrain per commune code; a commune without one takes its ``default_terrain`` parameter."""
    terrain = communes.set_index("commune_code")["terrain"].astype(object)
    return terrain.where(terrain.notna(), params["default_terrain"].reindex(terrain.index))


_EMPTY = np.empty(0, dtype=object)


def _mobile_sources(inputs, techs: list[str], sites_radius: np.ndarray, reported: pd.Series) -> Sources:
    polys, ranks, plabel, pid = _EMPTY, np.empty(0, dtype=np.int8), _EMPTY, _EMPTY
    cov = inputs.get("coverage")
    if cov is not None:
        sel = cov["technology"].isin(techs).to_numpy()
        polys = cov.geometry.to_numpy()[sel]
        ranks = cov["evidence"].map(EVIDENCE_RANK).to_numpy()[sel].astype(np.int8)
        plabel = cov["technology"].to_numpy(dtype=object)[sel]
        pid = cov["coverage_id"].to_numpy(dtype=object)[sel]
    emit, reach, label, eid = _EMPTY, np.empty(0), _EMPTY, _EMPTY
    sites = inputs.get("cell_sites")
    if sites is not None:
        sel = (bool_array(sites["active"]) & sites["technology"].isin(techs).to_numpy()
               & ~np.isnan(sites_radius))
        emit = sites.geometry.to_numpy()[sel]
        reach = sites_radius[sel]
        label = sites["technology"].to_numpy(dtype=object)[sel]
        eid = sites["site_id"].to_numpy(dtype=object)[sel]
    available = cov is not None or sites is not None
    return Sources(polys, ranks, plabel, emit, reach, label, reported, available, pid, eid,
                   _incomplete(inputs, ("coverage", "cell_sites")))


def _incomplete(inputs, layers: tuple[str, ...]) -> tuple[str, ...]:
    """The layers of ``layers`` that are present and taken as incomplete."""
    taken = getattr(inputs, "incomplete_layers", ())
    return tuple(name for name in layers if name in taken and inputs.get(name) is not None)


def _fixed_sources(inputs, reported: pd.Series, *, voice: bool) -> Sources:
    nodes = inputs.get("fixed_access")
    emit, reach, label, eid = _EMPTY, np.empty(0), _EMPTY, _EMPTY
    if nodes is not None:
        sel = bool_array(nodes["voice"]) if voice else np.ones(len(nodes), dtype=bool)
        emit = nodes.geometry.to_numpy()[sel]
        reach = nodes["reach_m"].to_numpy(dtype="float64", na_value=0.0)[sel]
        label = nodes["technology"].str.upper().to_numpy(dtype=object)[sel]
        eid = nodes["node_id"].to_numpy(dtype=object)[sel]
    return Sources(_EMPTY, np.empty(0, dtype=np.int8), _EMPTY, emit, reach, label, reported, nodes is not None,
                   _EMPTY, eid, _incomplete(inputs, ("fixed_access",)))


def _best_evidence(a_ok, a_ev, b_ok, b_ev) -> np.ndarray:
    """Evidence class of an OR of two services: the stronger of the classes that say yes."""
    ra = np.where(a_ok.fillna(False), pd.Series(a_ev).map(EVIDENCE_RANK).fillna(NO_EVIDENCE), NO_EVIDENCE)
    rb = np.where(b_ok.fillna(False), pd.Series(b_ev).map(EVIDENCE_RANK).fillna(NO_EVIDENCE), NO_EVIDENCE)
    r = np.minimum(ra, rb)
    out = np.array(EVIDENCE_ORDER + ("",), dtype=object)[np.where(r < NO_EVIDENCE, r, len(EVIDENCE_ORDER)).astype(int)]
    either_known = np.where(pd.Series(a_ev).astype(bool), a_ev, b_ev)
    return np.where(r < NO_EVIDENCE, out, either_known)


def modeled_radius(inputs: Inputs, sites: pd.DataFrame, params: pd.DataFrame, defaults: dict) -> np.ndarray:
    """Modeled radius (m) of each row of ``sites`` (a frame shaped like ``cell_sites``, metric
    CRS): :func:`site_radius_m` with the commune each site stands in (``params``: every commune
    of the input). Also used by the planner for upgraded and new sites."""
    communes = inputs.get("communes")
    site_commune = commune_of_points(sites.geometry.to_numpy(), communes)
    return site_radius_m(sites, site_commune, params, defaults, _commune_terrain(communes, params))


def part_sources(inputs: Inputs, villages: pd.DataFrame, radius: np.ndarray, lists: dict) -> dict[str, Sources]:
    """Service part -> what can cover a village for it (``radius``: of every cell site)."""
    return {
        "mobile_voice": _mobile_sources(inputs, lists["phone_technologies"], radius, villages["mobile_phone"]),
        "mobile_broadband": _mobile_sources(inputs, lists["internet_technologies"], radius,
                                            villages["mobile_broadband"]),
        "fixed_phone": _fixed_sources(inputs, villages["fixed_phone"], voice=True),
        "fixed_broadband": _fixed_sources(inputs, villages["fixed_broadband"], voice=False),
    }


def village_telecom(inputs: Inputs, villages: pd.DataFrame, params: pd.DataFrame, defaults: dict,
                    lists: dict, *, raster_path=None,
                    report: Collector | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Columns for phone and Internet per village, and the modeled radius of every cell site (m).

    ``params`` covers every commune of the input (not only those reported), so a site keeps
    the radius of the commune it stands in. A polygon village without population weights in
    the raster (judged by area share, ``population_weighted`` false) is a warning
    ``population_weights_missing`` in ``report``."""
    sites = inputs.get("cell_sites")
    radius = np.empty(0) if sites is None else modeled_radius(inputs, sites, params, defaults)
    geoms = villages.geometry.to_numpy()
    samples = village_samples(geoms, raster_path=raster_path, metric_crs=inputs.metric_crs)
    share = params["polygon_covered_share"].reindex(villages["commune_code"]).to_numpy(dtype=float) / 100.0
    n = len(villages)

    sources = part_sources(inputs, villages, radius, lists)

    out = pd.DataFrame(index=villages.index)
    results = {}
    for name, src in sources.items():
        res = village_service(samples, n, src, share)
        res.index = villages.index
        results[name] = res
        out[f"{name}_ok"] = res["ok"]
        out[f"{name}_evidence"] = res["evidence"]
        out[f"{name}_share"] = res["share"]
        out[f"{name}_record"] = res["record"]
    for service, (a, b) in SERVICE_PARTS.items():
        out[f"{service}_ok"] = kleene_or(results[a]["ok"], results[b]["ok"])
        out[f"{service}_evidence"] = _best_evidence(results[a]["ok"], results[a]["evidence"],
                                                     results[b]["ok"], results[b]["evidence"])
    out["polygon"] = shapely.get_type_id(geoms) != 0
    out["population_weighted"] = samples.population_weighted & out["polygon"]
    if report is not None and samples.weights_missing.any():
        ref = LayerRef("villages", str(raster_path), villages["village_id"].to_numpy(dtype=object, na_value=None))
        report.add_rows("warning", "population_weights_missing", ref, samples.weights_missing, "geometry")

    _add_reasons(out, villages, sources, lists, share)
    return out, radius


def _add_reasons(out: pd.DataFrame, villages: pd.DataFrame, sources: dict, lists: dict, share: np.ndarray) -> None:
    """Add ``reason_<service>_vi/en`` to ``out``: why a village is not covered (or unknown);
    only those rows are formatted ("" elsewhere)."""
    geoms = villages.geometry.to_numpy()
    for service, (a, b) in SERVICE_PARTS.items():
        sa, sb = sources[a], sources[b]
        bad = ~out[f"{service}_ok"].fillna(False).to_numpy()
        near_a = nearest_emitter(geoms[bad], sa)
        near_b = nearest_emitter(geoms[bad], sb)
        vi, en = reasons.telecom_reasons(service, out.loc[bad], near_a, near_b, sa, sb, lists,
                                         villages.loc[bad], share[bad])
        layers = tuple(dict.fromkeys(sa.incomplete + sb.incomplete))
        if layers:  # unknown (not "not covered") because a layer is incomplete: say which
            vi, en = reasons.not_found_incomplete(out.loc[bad, f"{service}_ok"].isna().to_numpy(), vi, en, layers)
        out[f"reason_{service}_vi"] = ""
        out[f"reason_{service}_en"] = ""
        out.loc[bad, f"reason_{service}_vi"] = vi
        out.loc[bad, f"reason_{service}_en"] = en


def _service_reasons(villages: pd.DataFrame, service: str) -> dict:
    """Per language, why each village lacks ``service`` ("" where it has it)."""
    return {lang: villages[f"reason_{service}_{lang}"].to_numpy(dtype=object) for lang in LANGS}


def commune_measures(ctx: MeasureInputs) -> dict[str, Measure]:
    """Shares (%) of a commune's villages with telephone, with Internet, and with both; the
    evidence of "both" is the weaker of the two classes of each village."""
    v, codes = ctx.villages, ctx.codes
    if ctx.inputs.get("villages") is None:
        return {name: no_villages(codes) for name in ("share_villages_phone", "share_villages_internet",
                                                       "share_villages_phone_and_internet")}
    both_ok = kleene_and(v["phone_ok"], v["internet_ok"])
    both_reason = {lang: join_pair(v[f"reason_phone_{lang}"].to_numpy(dtype=object),
                                   v[f"reason_internet_{lang}"].to_numpy(dtype=object)) for lang in LANGS}
    phone_rank = v["phone_evidence"].map(EVIDENCE_RANK).fillna(NO_EVIDENCE).to_numpy()
    internet_rank = v["internet_evidence"].map(EVIDENCE_RANK).fillna(NO_EVIDENCE).to_numpy()
    weaker = pd.Series(np.where(phone_rank >= internet_rank, v["phone_evidence"], v["internet_evidence"]),
                       index=v.index)
    src = "missing.source_telecom"
    out = {
        "share_villages_phone": village_share(v, v["phone_ok"], v["phone_evidence"], _service_reasons(v, "phone"),
                                              codes, "missing.villages_phone", src),
        "share_villages_internet": village_share(v, v["internet_ok"], v["internet_evidence"],
                                                 _service_reasons(v, "internet"), codes,
                                                 "missing.villages_internet", src),
        "share_villages_phone_and_internet": village_share(v, both_ok, weaker, both_reason, codes,
                                                           "missing.villages_internet", src),
    }
    return _name_incomplete(ctx, out)


def _name_incomplete(ctx: MeasureInputs, shares: dict[str, Measure]) -> dict[str, Measure]:
    """The shares with the incomplete coverage layers named in their notes (their villages not
    covered are unknown), and open bounds when the list of villages itself is incomplete."""
    for layer in ("coverage", "cell_sites", "fixed_access"):
        if incomplete(ctx, layer):
            shares = {name: named_incomplete(m, layer) for name, m in shares.items()}
    if incomplete(ctx, "villages"):
        shares = {name: open_upper(m, "villages", low_too=True) for name, m in shares.items()}
    return shares
