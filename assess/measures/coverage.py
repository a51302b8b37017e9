"""Telephone and Internet availability per village, with the evidence that decided it.

For one service (mobile voice, mobile broadband, fixed telephone, fixed broadband) each
village sample (see :mod:`tc8.measures.sampling`) gets the strongest evidence that covers it:

``measured`` (coverage polygon, evidence=measured) > ``declared`` (coverage polygon,
evidence=declared) > ``modeled`` (within ``radius_used_m`` of an active cell site, or within
``reach_m`` of a fixed access node) > ``reported`` (the village's own attribute).

A village is covered when the weighted share of its samples covered by any evidence reaches
``covered_share`` (0–1; a point village has one sample, so share is 0 or 1). Its evidence
class is the strongest class that reaches the share on its own together with the stronger
ones. A village is *not covered* (False) when a layer that could have covered it exists
(or the village reports False); it is *unknown* (<NA>) when no evidence exists at all, or
when one of the layers that could have covered it is incomplete (``Sources.incomplete``: a
site or node not in the layer may cover it) and the village does not report either way.

Each covered village also names the record(s) that decided it (``record``): the ids of the
coverage polygons, cell sites or access nodes of the deciding class that cover its samples
("" when the village's own report decided, or when it is not covered).

Everything is vectorised: one STRtree query per evidence kind for all samples.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from tc8.model.vocab import EVIDENCE_ORDER, EVIDENCE_RANK, NO_EVIDENCE
from tc8.text.join import join_by_group


@dataclass(frozen=True)
class Sources:
    """What can cover a village for one service. Arrays are aligned; any may be empty."""

    polygons: np.ndarray            # coverage polygons for the service's technologies
    polygon_rank: np.ndarray        # EVIDENCE_RANK of each polygon (measured/declared)
    polygon_label: np.ndarray       # technology of each polygon, used in reasons
    emitters: np.ndarray            # active site / access node points
    emitter_reach_m: np.ndarray     # modeled radius of each emitter (m)
    emitter_label: np.ndarray       # e.g. "4G" / "FTTH", used in reasons
    reported: pd.Series             # village attribute (nullable boolean), positional
    layer_available: bool           # a layer that could cover villages is present
    polygon_id: np.ndarray          # coverage_id of each polygon (the deciding record)
    emitter_id: np.ndarray          # site_id / node_id of each emitter
    incomplete: tuple = ()          # present layers taken as incomplete: "not covered" is unknown


def _best_rank_per_sample(points: np.ndarray, src: Sources) -> tuple[np.ndarray, np.ndarray]:
    """Per sample: the strongest evidence rank covering it (NO_EVIDENCE if none) and the id of
    one record of that rank ("" if none)."""
    pair_sample, pair_rank, pair_id = [], [], []
    if len(src.polygons):
        tree = shapely.STRtree(src.polygons)
        s_idx, p_idx = tree.query(points, predicate="intersects")
        pair_sample.append(s_idx)
        pair_rank.append(src.polygon_rank[p_idx].astype(np.int8))
        pair_id.append(src.polygon_id[p_idx])
    if len(src.emitters) and len(points):
        # tree over the samples, one query per emitter with its own radius: only the pairs
        # within reach come back (querying by the largest radius returns ~4x more pairs)
        tree = shapely.STRtree(points)
        e_idx, s_idx = tree.query(src.emitters, predicate="dwithin", distance=src.emitter_reach_m)
        pair_sample.append(s_idx)
        pair_rank.append(np.full(s_idx.size, EVIDENCE_RANK["modeled"], dtype=np.int8))
        pair_id.append(src.emitter_id[e_idx])
    best = np.full(len(points), NO_EVIDENCE, dtype=np.int8)
    best_id = np.full(len(points), "", dtype=object)
    if pair_sample and sum(a.size for a in pair_sample):
        sample, rank, ids = (np.concatenate(pair_sample), np.concatenate(pair_rank),
                             np.concatenate(pair_id).astype(object))
        order = np.lexsort((rank, sample))  # by sample, strongest rank first (stable: layer order)
        sample, rank, ids = sample[order], rank[order], ids[order]
        first = np.flatnonzero(np.r_[True, sample[1:] != sample[:-1]])
        best[sample[first]] = rank[first]
        best_id[sample[first]] = ids[first]
    return best, best_id


def samples_covered(points: np.ndarray, src: Sources) -> np.ndarray:
    """Per sample: whether any polygon or emitter of ``src`` covers it (any evidence class;
    the village's own report aside)."""
    return _best_rank_per_sample(points, src)[0] < NO_EVIDENCE


def village_service(samples, n_villages: int, src: Sources, covered_share) -> pd.DataFrame:
    """Per village: ``ok`` (boolean, <NA> unknown), ``evidence`` (str or ""), ``share`` (0–1),
    ``record`` (";"-joined ids of the deciding records, "" if none).

    ``covered_share`` is a scalar or a per-village array (fraction 0–1).
    """
    best, best_id = _best_rank_per_sample(samples.points, src)
    reported = src.reported.to_numpy(dtype="float64", na_value=np.nan)
    rep_true = reported[samples.village] == 1.0
    best = np.where(rep_true, np.minimum(best, EVIDENCE_RANK["reported"]), best)

    total = np.bincount(samples.village, weights=samples.weight, minlength=n_villages)
    total = np.where(total > 0, total, 1.0)
    cum = np.zeros((n_villages, NO_EVIDENCE))
    for rank in range(NO_EVIDENCE):
        w = np.where(best <= rank, samples.weight, 0.0)
        cum[:, rank] = np.bincount(samples.village, weights=w, minlength=n_villages) / total
    need = np.broadcast_to(np.asarray(covered_share, dtype=float), (n_villages,))
    reaches = cum >= need[:, None] - 1e-12
    ok = reaches[:, -1]
    first = np.where(ok, reaches.argmax(axis=1), NO_EVIDENCE)
    evidence = np.array(list(EVIDENCE_ORDER) + [""], dtype=object)[first]

    known = np.full(n_villages, src.layer_available and not src.incomplete) | ~np.isnan(reported) | ok
    ok_series = pd.Series(ok, dtype="boolean")
    ok_series[~known] = pd.NA
    if not ok.all():
        # not covered: say which evidence judged it (the strongest source that exists)
        judged = _judging_class(src, reported)
        evidence = np.where(ok, evidence, np.where(known, judged, ""))
    record = _deciding_records(samples.village, best, best_id, first, n_villages)
    return pd.DataFrame({"ok": ok_series, "evidence": evidence, "share": cum[:, -1], "record": record})


def _deciding_records(sample_village, best, best_id, village_rank, n_villages: int) -> np.ndarray:
    """Distinct ids of the records of each covered village's deciding class.
    A sample of that exact rank always exists (else a stronger class would have reached the share)."""
    out = np.full(n_villages, "", dtype=object)
    hit = (best == village_rank[sample_village]) & (best_id != "")
    if hit.any():
        pairs = pd.DataFrame({"v": sample_village[hit], "id": best_id[hit]}).drop_duplicates()
        joined = join_by_group(pairs["v"].to_numpy(), pairs["id"].to_numpy(), sep=";")
        out[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy()
    return out


def _judging_class(src: Sources, reported: np.ndarray) -> np.ndarray:
    if len(src.polygons):
        name = EVIDENCE_ORDER[int(src.polygon_rank.min())]
    elif src.layer_available:
        name = "modeled"
    else:
        name = "reported"
    return np.full(reported.shape, name, dtype=object)


def nearest_emitter(geoms: np.ndarray, src: Sources) -> pd.DataFrame:
    """Nearest emitter to each geometry: ``distance_m``, ``reach_m``, ``label`` (technology) and
    ``record`` (its site_id / node_id); NaN / "" when there is none."""
    out = pd.DataFrame({"distance_m": np.full(len(geoms), np.nan),
                        "reach_m": np.full(len(geoms), np.nan),
                        "label": np.full(len(geoms), "", dtype=object),
                        "record": np.full(len(geoms), "", dtype=object)})
    if len(src.emitters) and len(geoms):
        tree = shapely.STRtree(src.emitters)
        (g_idx, e_idx), dist = tree.query_nearest(geoms, return_distance=True, all_matches=False)
        out.loc[g_idx, "distance_m"] = dist
        out.loc[g_idx, "reach_m"] = src.emitter_reach_m[e_idx]
        out.loc[g_idx, "label"] = src.emitter_label[e_idx]
        out.loc[g_idx, "record"] = src.emitter_id[e_idx]
    return out
