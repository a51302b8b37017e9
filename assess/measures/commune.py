"""Build every measure of the vocabulary for every commune (see :mod:`tc8.measures.build`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .coverage import RANK
from .build import (Measure, _blank, count_points, it_measures, letter_box_flag, no_layer,
                       unknown_records_note, village_share)
from tc8.text.messages import LANGS, text
from tc8.text.join import join_by_group, join_pair
from tc8.text.size import bounded_values
from .villages import kleene_and


def postal_measures(postal, evaluation, params, defaults, codes) -> dict:
    """Counts of qualifying points, letter boxes, telecom points and online-service points."""
    names = ("postal_points_qualifying", "letter_boxes_qualifying", "public_telecom_points",
             "postal_points_online_services")
    if postal is None:
        return {n: no_layer(codes, "count", "missing.postal", "missing.no_postal_layer", "missing.source_postal")
                for n in names}
    qualifies = evaluation["qualifies"]
    flags = {
        "postal_points_qualifying": qualifies,
        "letter_boxes_qualifying": letter_box_flag(postal, params, defaults),
        "public_telecom_points": postal["telecom_service"].astype("boolean"),
        "postal_points_online_services": kleene_and(qualifies, postal["online_public_services"]),
    }
    code = postal["commune_code"].astype(object)
    has_any = code.value_counts().reindex(codes).fillna(0) > 0
    failing = ~qualifies.fillna(False).to_numpy()
    details = {}
    for lang in LANGS:
        lines = pd.DataFrame({
            "commune_code": code[failing].to_numpy(),
            "line": [text("reason.postal_point", lang, id=i, name=n if isinstance(n, str) else "", failed=f)
                     for i, n, f in zip(postal["point_id"][failing], bounded_values(postal["name"], "name")[failing],
                                        evaluation[f"failed_{lang}"][failing])]})
        joined = join_by_group(lines["commune_code"].to_numpy(), lines["line"].to_numpy(), limit=10,
                               lang=lang).reindex(codes)
        details[lang] = pd.Series(np.where(has_any, joined.fillna(""), text("reason.no_postal_point", lang)),
                                  index=codes, dtype=object)
    miss = unknown_records_note(code.to_numpy(), postal["point_id"].to_numpy(dtype=object),
                                evaluation["unknown_fields"].to_numpy(dtype=object), qualifies.isna().to_numpy(),
                                codes, "missing.postal", "missing.source_postal")
    all_ids = join_by_group(code.to_numpy(), postal["point_id"].to_numpy(dtype=object), sep=";").reindex(codes).fillna("")
    out = {}
    for name, flag in flags.items():
        low, high, ids = count_points(postal, flag, codes, "point_id")
        out[name] = Measure(low, high, "count", _blank(codes, "declared"), ids.where(low > 0, all_ids),
                            details["vi"], details["en"], miss["vi"], miss["en"])
    return out


def station_measure(stations, codes) -> tuple[Measure, pd.Series | None]:
    """``radio_station_ok``: an operating, compliant station, licensed when FM; per-station ``station_ok``."""
    if stations is None:
        return no_layer(codes, "bool", "missing.station", "missing.no_station_layer", "missing.source_station"), None
    fm = (stations["type"] == "fm").fillna(False).to_numpy(dtype=bool)
    licensed = stations["licensed"].astype("boolean").copy()
    licensed[~fm] = True
    ok = stations["operating"].astype("boolean") & stations["compliant"].astype("boolean") & licensed
    code = stations["commune_code"].astype(object)
    low, high, ids = count_points(stations, ok, codes, "station_id")
    low, high = (low > 0).astype(float), (high > 0).astype(float)
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
    fields = np.where(stations["compliant"].isna(), "compliant", "licensed")
    miss = unknown_records_note(code.to_numpy(), stations["station_id"].to_numpy(dtype=object), fields,
                                ok.isna().to_numpy(), codes, "missing.station", "missing.source_station")
    measure = Measure(low, high, "bool", _blank(codes, "reported"), ids, details["vi"], details["en"],
                      miss["vi"], miss["en"])
    return measure, ok


def it_station_measure(stations, codes) -> Measure:
    """``radio_station_it_based``: the commune has an operating IT/telecom-based (``ip``) station."""
    if stations is None:
        return no_layer(codes, "bool", "missing.station", "missing.no_station_layer", "missing.source_station")
    flag = stations["operating"].astype("boolean") & (stations["type"] == "ip").fillna(False)
    low, high, ids = count_points(stations, flag, codes, "station_id")
    details = {lang: pd.Series(np.where(low > 0, "", text("reason.no_it_station", lang)), index=codes, dtype=object)
               for lang in LANGS}
    return Measure((low > 0).astype(float), (high > 0).astype(float), "bool", _blank(codes, "reported"), ids,
                   details["vi"], details["en"], _blank(codes), _blank(codes))


def village_measures(villages, codes) -> dict:
    """The four village shares."""
    both_ok = kleene_and(villages["phone_ok"], villages["internet_ok"])
    both_reason = {lang: join_pair(villages[f"reason_phone_{lang}"].to_numpy(dtype=object),
                                   villages[f"reason_internet_{lang}"].to_numpy(dtype=object)) for lang in LANGS}
    phone_rank = villages["phone_evidence"].map(RANK).fillna(9).to_numpy()
    internet_rank = villages["internet_evidence"].map(RANK).fillna(9).to_numpy()
    weaker = np.where(phone_rank >= internet_rank, villages["phone_evidence"], villages["internet_evidence"])
    specs = {
        "share_villages_phone": (villages["phone_ok"], villages["phone_evidence"], "phone",
                                 "missing.villages_phone", "missing.source_telecom"),
        "share_villages_internet": (villages["internet_ok"], villages["internet_evidence"], "internet",
                                    "missing.villages_internet", "missing.source_telecom"),
        "share_villages_phone_and_internet": (both_ok, pd.Series(weaker, index=villages.index), None,
                                              "missing.villages_internet", "missing.source_telecom"),
        "share_villages_speakers": (villages["speaker_ok"],
                                    pd.Series(np.where(villages["speaker_ok"].notna(), "reported", ""),
                                              index=villages.index), "speaker",
                                    "missing.villages_speakers", "missing.source_speakers"),
    }
    out = {}
    for name, (ok, ev, service, miss_key, src_key) in specs.items():
        reason = both_reason if service is None else {lang: villages[f"reason_{service}_{lang}"].to_numpy(dtype=object)
                                                      for lang in LANGS}
        out[name] = village_share(villages, ok, ev, reason, codes, miss_key, src_key)
    return out


def all_measures(inputs, villages, postal_eval, params, defaults, codes) -> tuple[dict, pd.Series | None]:
    """Every measure of the vocabulary, keyed by name; and per-station ``station_ok``."""
    measures = {}
    measures.update(postal_measures(inputs.get("postal_points"), postal_eval, params, defaults, codes))
    station, station_ok = station_measure(inputs.get("radio_stations"), codes)
    measures["radio_station_ok"] = station
    measures["radio_station_it_based"] = it_station_measure(inputs.get("radio_stations"), codes)
    measures.update(village_measures(villages, codes))
    measures.update(it_measures(inputs.get("commune_it"), codes))
    return measures, station_ok
