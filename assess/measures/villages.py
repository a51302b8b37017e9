"""Per-village measures: telephone, Internet, loudspeakers, distance to a postal point.

Input: validated :class:`~tc8.model.inputs.Inputs` (metric CRS), the per-commune parameter table
(index ``commune_code``) and the rule set's list parameters. Output: the villages frame with
the columns listed for ``Results.villages`` in :mod:`tc8.model.results`. Pure: no disk or clock
except reading the optional population raster for polygon villages.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from tc8.text import reasons
from .coverage import RANK, Sources, nearest_emitter, village_service
from tc8.text.messages import LANGS, fmt_number
from .sampling import village_samples
from tc8.text.join import isin_text, join_by_group, join_pair
from tc8.model.schema import EVIDENCE_ORDER, TERRAINS
from tc8.validate.report import Collector, LayerRef


def _bool_array(series: pd.Series) -> np.ndarray:
    return series.fillna(False).to_numpy(dtype=bool)


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


def commune_of_points(points: np.ndarray, communes: pd.DataFrame) -> pd.Series:
    """Code of the commune each point lies in (<NA> outside every commune; first match on a shared edge)."""
    code = pd.Series(pd.NA, index=range(len(points)), dtype="string")
    if len(points) and len(communes):
        tree = shapely.STRtree(communes.geometry.to_numpy())
        p_idx, c_idx = tree.query(points, predicate="intersects")
        first = np.unique(p_idx, return_index=True)[1]
        code.iloc[p_idx[first]] = communes["commune_code"].to_numpy(dtype=object)[c_idx[first]]
    return code


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
        ranks = cov["evidence"].map(RANK).to_numpy()[sel].astype(np.int8)
        plabel = cov["technology"].to_numpy(dtype=object)[sel]
        pid = cov["coverage_id"].to_numpy(dtype=object)[sel]
    emit, reach, label, eid = _EMPTY, np.empty(0), _EMPTY, _EMPTY
    sites = inputs.get("cell_sites")
    if sites is not None:
        sel = (_bool_array(sites["active"]) & sites["technology"].isin(techs).to_numpy()
               & ~np.isnan(sites_radius))
        emit = sites.geometry.to_numpy()[sel]
        reach = sites_radius[sel]
        label = sites["technology"].to_numpy(dtype=object)[sel]
        eid = sites["site_id"].to_numpy(dtype=object)[sel]
    available = cov is not None or sites is not None
    return Sources(polys, ranks, plabel, emit, reach, label, reported, available, pid, eid)


def _fixed_sources(inputs, reported: pd.Series, *, voice: bool) -> Sources:
    nodes = inputs.get("fixed_access")
    emit, reach, label, eid = _EMPTY, np.empty(0), _EMPTY, _EMPTY
    if nodes is not None:
        sel = _bool_array(nodes["voice"]) if voice else np.ones(len(nodes), dtype=bool)
        emit = nodes.geometry.to_numpy()[sel]
        reach = nodes["reach_m"].to_numpy(dtype="float64", na_value=0.0)[sel]
        label = nodes["technology"].str.upper().to_numpy(dtype=object)[sel]
        eid = nodes["node_id"].to_numpy(dtype=object)[sel]
    return Sources(_EMPTY, np.empty(0, dtype=np.int8), _EMPTY, emit, reach, label, reported, nodes is not None,
                   _EMPTY, eid)


def kleene_or(a: pd.Series, b: pd.Series) -> pd.Series:
    """True if either is True; False if both False; <NA> otherwise."""
    return (a.astype("boolean") | b.astype("boolean"))


def kleene_and(a: pd.Series, b: pd.Series) -> pd.Series:
    """True if both are True; False if either is False; <NA> otherwise."""
    return a.astype("boolean") & b.astype("boolean")


def _best_evidence(a_ok, a_ev, b_ok, b_ev) -> np.ndarray:
    """Evidence class of an OR of two services: the stronger of the classes that say yes."""
    ra = np.where(a_ok.fillna(False), pd.Series(a_ev).map(RANK).fillna(9), 9)
    rb = np.where(b_ok.fillna(False), pd.Series(b_ev).map(RANK).fillna(9), 9)
    r = np.minimum(ra, rb)
    out = np.array(EVIDENCE_ORDER + ("",), dtype=object)[np.where(r < 9, r, len(EVIDENCE_ORDER)).astype(int)]
    either_known = np.where(pd.Series(a_ev).astype(bool), a_ev, b_ev)
    return np.where(r < 9, out, either_known)


def telecom_measures(inputs, villages: pd.DataFrame, params: pd.DataFrame, defaults: dict,
                     lists: dict, raster_path=None, report: Collector | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Columns for phone and Internet per village, and the modeled radius of every cell site.

    ``params`` covers every commune of the input (not only those reported), so a site keeps
    the radius of the commune it stands in. A polygon village without population weights in
    the raster (judged by area share, ``population_weighted`` false) is a warning
    ``population_weights_missing`` in ``report``."""
    communes = inputs.get("communes")
    terrain = _commune_terrain(communes, params)
    sites = inputs.get("cell_sites")
    radius = np.empty(0)
    if sites is not None:
        site_commune = commune_of_points(sites.geometry.to_numpy(), communes)
        radius = site_radius_m(sites, site_commune, params, defaults, terrain)
    geoms = villages.geometry.to_numpy()
    samples = village_samples(geoms, raster_path=raster_path, metric_crs=inputs.metric_crs)
    share = params["polygon_covered_share"].reindex(villages["commune_code"]).to_numpy(dtype=float) / 100.0
    n = len(villages)

    sources = {  # service part -> what can cover a village for it
        "mobile_voice": _mobile_sources(inputs, lists["phone_technologies"], radius, villages["mobile_phone"]),
        "mobile_broadband": _mobile_sources(inputs, lists["internet_technologies"], radius,
                                            villages["mobile_broadband"]),
        "fixed_phone": _fixed_sources(inputs, villages["fixed_phone"], voice=True),
        "fixed_broadband": _fixed_sources(inputs, villages["fixed_broadband"], voice=False),
    }

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
    for service, (a, b) in reasons.SERVICE_PARTS.items():
        out[f"{service}_ok"] = kleene_or(results[a]["ok"], results[b]["ok"])
        out[f"{service}_evidence"] = _best_evidence(results[a]["ok"], results[a]["evidence"],
                                                     results[b]["ok"], results[b]["evidence"])
    out["polygon"] = shapely.get_type_id(geoms) != 0
    out["population_weighted"] = samples.population_weighted & out["polygon"]
    if report is not None and samples.weights_missing.any():
        ref = LayerRef("villages", str(raster_path), villages["village_id"].to_numpy(dtype=object, na_value=None))
        report.add_rows("warning", "population_weights_missing", ref, samples.weights_missing, "geometry")

    # reasons for villages that are not covered (or unknown): only those rows are formatted
    for service, (a, b) in reasons.SERVICE_PARTS.items():
        sa, sb = sources[a], sources[b]
        bad = ~out[f"{service}_ok"].fillna(False).to_numpy()
        near_a = nearest_emitter(geoms[bad], sa)
        near_b = nearest_emitter(geoms[bad], sb)
        vi, en = reasons.telecom_reasons(service, out.loc[bad], near_a, near_b, sa, sb, lists,
                                         villages.loc[bad], share[bad])
        out[f"reason_{service}_vi"] = ""
        out[f"reason_{service}_en"] = ""
        out.loc[bad, f"reason_{service}_vi"] = vi
        out.loc[bad, f"reason_{service}_en"] = en
    return out, radius


def _tag_distance(speakers: pd.DataFrame, villages: pd.DataFrame, tagged: np.ndarray, params: pd.DataFrame):
    """For each speaker tagged to a village of ``villages``: distance to that village (m; 0
    inside a polygon village) and the tolerance of the village's commune (m):
    ``speaker_tag_tolerance_m`` when the rule set has it, else ``speaker_reach_m``. NaN elsewhere."""
    dist = np.full(len(speakers), np.nan)
    tol = np.full(len(speakers), np.nan)
    if not tagged.any():
        return dist, tol
    first = pd.Series(np.arange(len(villages)), index=villages["village_id"].astype(object).to_numpy())
    first = first[~first.index.duplicated()]
    pos = first.reindex(speakers["village_id"].astype(object).to_numpy()[tagged]).to_numpy(dtype=int)
    dist[tagged] = shapely.distance(speakers.geometry.to_numpy()[tagged], villages.geometry.to_numpy()[pos])
    column = "speaker_tag_tolerance_m" if "speaker_tag_tolerance_m" in params.columns else "speaker_reach_m"
    tol[tagged] = params[column].reindex(villages["commune_code"].to_numpy(dtype=object)[pos]).to_numpy(dtype=float)
    return dist, tol


def _distance_text(metres: np.ndarray, lang: str) -> np.ndarray:
    """``80,2 km`` / ``450 m`` (``80.2 km`` in English)."""
    return np.array([fmt_number(m / 1000.0, 1, lang) + " km" if m >= 1000 else fmt_number(m, 0, lang) + " m"
                     for m in metres], dtype=object)


def _far_tags(speakers, far, dist, tol, inputs, report) -> dict:
    """Warn about every cluster tagged to a village it cannot reach; return, per language, the
    reason text per tagged village id (a Series: village id -> text)."""
    if not far.any():
        return {lang: pd.Series(dtype=object) for lang in LANGS}
    vid = speakers["village_id"].to_numpy(dtype=object, na_value=None)
    cid = speakers["cluster_id"].to_numpy(dtype=object, na_value=None)
    if report is not None:
        texts = {lang: np.full(len(speakers), "", dtype=object) for lang in LANGS}
        for lang in LANGS:
            texts[lang][far] = _distance_text(dist[far], lang)
        reach = np.full(len(speakers), "", dtype=object)
        reach[far] = [f"{t:.0f}" for t in tol[far]]
        ref = LayerRef("speakers", inputs.raw.files.get("speakers", str(inputs.raw.root)), cid)
        report.add_rows("warning", "speaker_tag_far", ref, far, "village_id",
                        per_row={"village": vid, "dist_vi": texts["vi"], "dist_en": texts["en"], "reach": reach})
    out = {}
    for lang in LANGS:
        lines = reasons.text_rows("reason.speaker_tag_far", lang, cluster=cid[far], village=vid[far],
                                  dist=_distance_text(dist[far], lang), reach=reasons.fmt_numbers(tol[far], 0, lang))
        out[lang] = join_by_group(vid[far], lines)
    return out


def speaker_measures(inputs, villages: pd.DataFrame, params: pd.DataFrame,
                     report: Collector | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Operating loudspeaker clusters per village, and the village each cluster was matched to.

    A cluster belongs to the village named in its ``village_id`` when it lies within the
    tolerance of that village (``speaker_tag_tolerance_m``, else ``speaker_reach_m``, of the
    village's commune; distance to the village geometry, 0 inside a polygon village). A cluster
    tagged to a village it cannot reach counts for no village: a warning ``speaker_tag_far`` in
    ``report`` names the distance, and the village's reason says so. An untagged cluster (or one
    tagged to a village outside ``villages``) belongs to the nearest village within the
    commune's ``speaker_reach_m``. Without a speakers layer every village is unknown.
    """
    out = pd.DataFrame(index=villages.index)
    speakers = inputs.get("speakers")
    if speakers is None:
        out["speaker_ok"] = pd.Series(pd.NA, index=villages.index, dtype="boolean")
        out["speakers_operating"] = pd.Series(pd.NA, index=villages.index, dtype="Int64")
        out["speakers_total"] = pd.Series(pd.NA, index=villages.index, dtype="Int64")
        out["speaker_ids"] = ""
        out["reason_speaker_vi"], out["reason_speaker_en"] = reasons.speaker_missing(len(villages))
        return out, pd.Series(dtype="string")
    vid = villages["village_id"].astype(object).to_numpy()
    tagged = isin_text(speakers["village_id"], vid).to_numpy()
    dist, tol = _tag_distance(speakers, villages, tagged, params)
    with np.errstate(invalid="ignore"):
        far = tagged & (dist > tol)
    far_reason = _far_tags(speakers, far, dist, tol, inputs, report)
    matched = speakers["village_id"].astype(object).where(tagged & ~far, None)
    todo = np.flatnonzero(~tagged)
    if todo.size and len(villages):
        reach = params["speaker_reach_m"].reindex(speakers["commune_code"].iloc[todo]).to_numpy(dtype=float)
        reach = np.where(np.isnan(reach), np.nanmax(params["speaker_reach_m"].to_numpy(dtype=float)), reach)
        tree = shapely.STRtree(villages.geometry.to_numpy())
        (s_idx, v_idx), dist = tree.query_nearest(speakers.geometry.to_numpy()[todo], max_distance=float(reach.max()),
                                                  return_distance=True, all_matches=False)
        keep = dist <= reach[s_idx]
        matched.iloc[todo[s_idx[keep]]] = vid[v_idx[keep]]
    operating = _bool_array(speakers["operating"])
    frame = pd.DataFrame({"village_id": matched.to_numpy(), "operating": operating,
                          "cluster_id": speakers["cluster_id"].astype(object).to_numpy()})
    frame = frame[frame["village_id"].notna()]
    total = frame.groupby("village_id").size()
    working = frame[frame["operating"]].groupby("village_id").size()
    ids = join_by_group(frame["village_id"].to_numpy(), frame["cluster_id"].to_numpy(), sep=";")
    off = frame[~frame["operating"]]
    broken = join_by_group(off["village_id"].to_numpy(), off["cluster_id"].to_numpy(), sep=", ")
    key = villages["village_id"].astype(object)
    out["speakers_operating"] = key.map(working).fillna(0).astype("Int64").to_numpy()
    out["speakers_total"] = key.map(total).fillna(0).astype("Int64").to_numpy()
    out["speaker_ids"] = key.map(ids).astype(object).fillna("").to_numpy()
    out["speaker_ok"] = pd.Series(out["speakers_operating"].to_numpy() > 0, index=villages.index, dtype="boolean")
    vi, en = reasons.speaker_reasons(out, key.map(broken).astype(object).fillna("").to_numpy(),
                                     params["speaker_reach_m"].reindex(villages["commune_code"]).to_numpy(dtype=float))
    for lang, col in (("vi", vi), ("en", en)):  # a village without a cluster names the far-tagged ones
        extra = key.map(far_reason[lang]).astype(object).fillna("").to_numpy()
        col = np.asarray(col, dtype=object)
        out[f"reason_speaker_{lang}"] = np.where(col != "", join_pair(col, extra), col)
    return out, pd.Series(matched.to_numpy(), index=speakers.index, dtype="string")


def nearest_postal(villages: pd.DataFrame, postal: pd.DataFrame | None, qualifies: np.ndarray) -> pd.DataFrame:
    """Nearest qualifying postal point per village: ``nearest_postal_id``, ``nearest_postal_m`` (m).

    Distance 0 for a point inside a polygon village. <NA>/NaN when there is no qualifying point.
    """
    out = pd.DataFrame({"nearest_postal_id": pd.Series(pd.NA, index=villages.index, dtype="string"),
                        "nearest_postal_m": np.full(len(villages), np.nan)}, index=villages.index)
    if postal is None or not qualifies.any() or not len(villages):
        return out
    pts = postal.geometry.to_numpy()[qualifies]
    ids = postal["point_id"].astype(object).to_numpy()[qualifies]
    tree = shapely.STRtree(pts)
    (v_idx, p_idx), dist = tree.query_nearest(villages.geometry.to_numpy(), return_distance=True, all_matches=False)
    out.iloc[v_idx, 0] = ids[p_idx]
    out.iloc[v_idx, 1] = dist
    return out
