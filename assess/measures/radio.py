"""The radio family: the commune radio station and the loudspeaker clusters in the villages
(``share_villages_speakers``, percent 0–100; ``radio_station_ok``, ``radio_station_it_based``, yes/no).

Per village (:func:`village_speakers`): the operating loudspeaker clusters matched to it. Per
station (:func:`station_ok`): operating, compliant and, when FM, licensed. Per commune
(:func:`commune_measures`): the share of villages with an operating cluster, whether some
station is ok, whether an operating IT/telecom-based (``ip``) station exists.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from tc8.text import reasons
from tc8.text.join import isin_text, join_by_group, join_pair
from tc8.text.messages import LANGS, fmt_number, text
from tc8.validate.report import Collector, LayerRef

from .common import (Measure, MeasureInputs, blank, bool_array, count_points, incomplete, named_incomplete, no_layer,
                     no_villages, open_upper, unknown_records_note, village_share)

if TYPE_CHECKING:  # annotations only
    from tc8.model.inputs import Inputs


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


def village_speakers(inputs: Inputs, villages: pd.DataFrame, params: pd.DataFrame, *,
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
    operating = bool_array(speakers["operating"])
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
    vi, en = _unknown_if_incomplete(inputs, out, vi, en)
    for lang, col in (("vi", vi), ("en", en)):  # a village without a cluster names the far-tagged ones
        extra = key.map(far_reason[lang]).astype(object).fillna("").to_numpy()
        col = np.asarray(col, dtype=object)
        out[f"reason_speaker_{lang}"] = np.where(col != "", join_pair(col, extra), col)
    return out, pd.Series(matched.to_numpy(), index=speakers.index, dtype="string")


def _unknown_if_incomplete(inputs, out: pd.DataFrame, vi, en) -> tuple:
    """Where the speakers layer is incomplete, a village without an operating cluster is unknown
    (a cluster not in the layer may serve it): ``speaker_ok`` <NA> in ``out`` and its reasons
    ``vi``/``en`` naming the layer; returned unchanged otherwise."""
    if "speakers" not in getattr(inputs, "incomplete_layers", ()):
        return vi, en
    vi, en = reasons.not_found_incomplete(~out["speaker_ok"].to_numpy(dtype=bool), vi, en, ("speakers",))
    out["speaker_ok"] = out["speaker_ok"].where(out["speaker_ok"].fillna(False), pd.NA)
    return vi, en


def station_ok(stations: pd.DataFrame) -> pd.Series:
    """Per station (nullable boolean): operating, compliant and, when FM, licensed (<NA> when a
    needed field is empty and nothing else fails)."""
    fm = (stations["type"] == "fm").fillna(False).to_numpy(dtype=bool)
    licensed = stations["licensed"].astype("boolean").copy()
    licensed[~fm] = True
    return stations["operating"].astype("boolean") & stations["compliant"].astype("boolean") & licensed


def _station_details(stations: pd.DataFrame, codes: pd.Index) -> dict:
    """Per language and commune: the stations that fail and why ("no station" when none)."""
    fm = (stations["type"] == "fm").fillna(False).to_numpy(dtype=bool)
    code = stations["commune_code"].astype(object)
    has_any = code.value_counts().reindex(codes).fillna(0) > 0
    details = {}
    checks = (("operating", "reason.station_not_operating"), ("compliant", "reason.station_not_compliant"))
    for lang in LANGS:
        why = np.full(len(stations), "", dtype=object)
        for col, key in checks:
            bad = (stations[col] == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712 - nullable
            why[bad] = [w + ("; " if w else "") + text(key, lang) for w in why[bad]]
        bad = (fm & (stations["licensed"] == False).fillna(False).to_numpy(dtype=bool))  # noqa: E712
        why[bad] = [w + ("; " if w else "") + text("reason.station_not_licensed", lang) for w in why[bad]]
        lines = pd.DataFrame({"commune_code": code.to_numpy(), "line": [
            text("reason.station", lang, id=i, failed=w) if w else "" for i, w in zip(stations["station_id"], why)]})
        lines = lines[lines["line"] != ""]
        joined = join_by_group(lines["commune_code"].to_numpy(), lines["line"].to_numpy()).reindex(codes).fillna("")
        details[lang] = pd.Series(np.where(has_any, joined, text("reason.no_station", lang)), index=codes, dtype=object)
    return details


def station_measure(stations: pd.DataFrame | None, codes: pd.Index) -> Measure:
    """``radio_station_ok``: the commune has a station that is ok (:func:`station_ok`)."""
    if stations is None:
        return no_layer(codes, "bool", "missing.station", "missing.no_station_layer", "missing.source_station")
    ok = station_ok(stations)
    code = stations["commune_code"].astype(object)
    low, high, ids = count_points(stations, ok, codes, "station_id")
    low, high = (low > 0).astype(float), (high > 0).astype(float)
    details = _station_details(stations, codes)
    fields = np.where(stations["compliant"].isna(), "compliant", "licensed")
    miss = unknown_records_note(code.to_numpy(), stations["station_id"].to_numpy(dtype=object), fields,
                                ok.isna().to_numpy(), codes, "missing.station", "missing.source_station")
    return Measure(low, high, "bool", blank(codes, "reported"), ids, details["vi"], details["en"],
                   miss["vi"], miss["en"])


def it_station_measure(stations: pd.DataFrame | None, codes: pd.Index) -> Measure:
    """``radio_station_it_based``: the commune has an operating IT/telecom-based (``ip``) station."""
    if stations is None:
        return no_layer(codes, "bool", "missing.station", "missing.no_station_layer", "missing.source_station")
    flag = stations["operating"].astype("boolean") & (stations["type"] == "ip").fillna(False)
    low, high, ids = count_points(stations, flag, codes, "station_id")
    details = {lang: pd.Series(np.where(low > 0, "", text("reason.no_it_station", lang)), index=codes, dtype=object)
               for lang in LANGS}
    return Measure((low > 0).astype(float), (high > 0).astype(float), "bool", blank(codes, "reported"), ids,
                   details["vi"], details["en"], blank(codes), blank(codes))


def commune_measures(ctx: MeasureInputs) -> dict[str, Measure]:
    """The radio measures per commune: share of villages with an operating loudspeaker cluster,
    a station that is ok, an operating IT/telecom-based station."""
    codes = ctx.codes
    stations = ctx.inputs.get("radio_stations")
    out = {"share_villages_speakers": _speaker_share(ctx),
           "radio_station_ok": station_measure(stations, codes),
           "radio_station_it_based": it_station_measure(stations, codes)}
    if incomplete(ctx, "radio_stations"):  # a station not in the layer may exist: no "fails"
        out.update({name: open_upper(out[name], "radio_stations") for name in ("radio_station_ok",
                                                                                "radio_station_it_based")})
    return out


def _speaker_share(ctx: MeasureInputs) -> Measure:
    """``share_villages_speakers``; unknown without a villages layer, open where the list of
    villages is incomplete, and the layer named where the speakers layer is (its villages
    without an operating cluster are unknown, :func:`village_speakers`)."""
    v, codes = ctx.villages, ctx.codes
    if ctx.inputs.get("villages") is None:
        return no_villages(codes)
    evidence = pd.Series(np.where(v["speaker_ok"].notna(), "reported", ""), index=v.index)
    reason = {lang: v[f"reason_speaker_{lang}"].to_numpy(dtype=object) for lang in LANGS}
    share = village_share(v, v["speaker_ok"], evidence, reason, codes, "missing.villages_speakers",
                          "missing.source_speakers")
    if incomplete(ctx, "speakers"):
        share = named_incomplete(share, "speakers")
    return open_upper(share, "villages", low_too=True) if incomplete(ctx, "villages") else share
