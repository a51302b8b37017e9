"""The postal family: which postal points qualify, the nearest one to each village, and the
commune measures counted from postal points (``postal_points_qualifying``,
``letter_boxes_qualifying``, ``public_telecom_points``, ``postal_points_online_services``).

Each point is checked against the rule set's ``postal_point`` conditions with the parameter
values of the commune it belongs to (:func:`evaluate_points`). A condition on an empty field is
unknown (<NA>), so a point can qualify (True), fail (False) or be undecided (<NA>). Kinds
outside ``postal_point_kinds`` never qualify. Counts are counts of points per commune.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from tc8.model.vocab import measure
from tc8.rules.compare import ParamRef, compare, values_for
from tc8.text.join import join_by_group
from tc8.text.messages import LANGS, fmt_number, text
from tc8.text.size import bounded_values

from .common import (Measure, MeasureInputs, blank, count_points, incomplete, kleene_and, no_layer, open_upper,
                     unknown_records_note)


def _fmt(value, lang: str) -> str:
    if isinstance(value, (bool, np.bool_)):
        return text("word.yes" if value else "word.no", lang)
    if isinstance(value, (int, float, np.number)):
        return fmt_number(float(value), 0 if float(value).is_integer() else 1, lang)
    return str(value)


def evaluate_points(postal: pd.DataFrame, rule, params: pd.DataFrame, defaults: dict,
                    kinds: list[str]) -> pd.DataFrame:
    """Per point: ``kind_ok``, ``cond_<id>`` (boolean), ``qualifies`` (boolean), ``failed_vi/en``
    (the failed or unknown conditions, ``; ``-joined) and ``unknown_fields``."""
    codes = postal["commune_code"]
    out = pd.DataFrame(index=postal.index)
    kind_ok = postal["kind"].isin(kinds).fillna(False).astype(bool)
    out["kind_ok"] = kind_ok.to_numpy()
    qualifies = pd.Series(kind_ok.to_numpy(), index=postal.index, dtype="boolean")
    failed = {lang: [[] if k else [text("reason.postal_kind", lang, kind=postal["kind"].iat[i])]
                     for i, k in enumerate(kind_ok.to_numpy())] for lang in LANGS}
    unknown = [[] for _ in range(len(postal))]
    conditions = rule.enabled_conditions
    for cond in conditions:
        right = values_for(cond.value, params, codes, defaults)
        result = compare(postal[cond.field], cond.op, right)
        out[f"cond_{cond.id}"] = result
        qualifies = qualifies & result
        bad = np.flatnonzero(~result.fillna(True).to_numpy() & kind_ok.to_numpy())
        for i in bad:
            for lang in LANGS:
                label = cond.label_vi if lang == "vi" else (cond.label_en or cond.label_vi)
                failed[lang][i].append(f"{label} ({_fmt(postal[cond.field].iat[i], lang)})")
        for i in np.flatnonzero(result.isna().to_numpy() & kind_ok.to_numpy()):
            unknown[i].append(cond.field)
            for lang in LANGS:
                label = cond.label_vi if lang == "vi" else (cond.label_en or cond.label_vi)
                failed[lang][i].append(f"{label} ({text('word.unknown', lang)})")
    out["qualifies"] = qualifies
    for lang in LANGS:
        out[f"failed_{lang}"] = ["; ".join(items) for items in failed[lang]]
    out["unknown_fields"] = [", ".join(items) for items in unknown]
    return out


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


def letter_box_flag(postal: pd.DataFrame, params: pd.DataFrame, defaults: dict) -> pd.Series:
    """Public letter boxes collected at least ``min_letterbox_collections_per_day`` times a day."""
    need = values_for(ParamRef("min_letterbox_collections_per_day"), params, postal["commune_code"], defaults)
    is_box = (postal["kind"] == "thung_thu").fillna(False).to_numpy(dtype=bool)
    flag = compare(postal["collections_per_day"], ">=", need)
    flag[~is_box] = False
    return flag


def _failing_points_text(postal: pd.DataFrame, evaluation: pd.DataFrame, codes: pd.Index) -> dict:
    """Per language and commune: the points that do not qualify and why ("no point" when none)."""
    code = postal["commune_code"].astype(object)
    has_any = code.value_counts().reindex(codes).fillna(0) > 0
    failing = ~evaluation["qualifies"].fillna(False).to_numpy()
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
    return details


def commune_measures(ctx: MeasureInputs) -> dict[str, Measure]:
    """The postal measures per commune: counts of qualifying points, qualifying letter boxes,
    public telecom points and qualifying points with online public services (unknown
    everywhere without a ``postal_points`` layer; without an upper bound where the layer is
    incomplete, :func:`tc8.measures.common.open_upper`)."""
    postal, evaluation, codes = ctx.inputs.get("postal_points"), ctx.postal_eval, ctx.codes
    names = ("postal_points_qualifying", "letter_boxes_qualifying", "public_telecom_points",
             "postal_points_online_services")
    if postal is None:
        return {n: no_layer(codes, measure(n).unit, "missing.postal", "missing.no_postal_layer",
                            "missing.source_postal") for n in names}
    qualifies = evaluation["qualifies"]
    flags = {
        "postal_points_qualifying": qualifies,
        "letter_boxes_qualifying": letter_box_flag(postal, ctx.params, ctx.defaults),
        "public_telecom_points": postal["telecom_service"].astype("boolean"),
        "postal_points_online_services": kleene_and(qualifies, postal["online_public_services"]),
    }
    code = postal["commune_code"].astype(object)
    details = _failing_points_text(postal, evaluation, codes)
    miss = unknown_records_note(code.to_numpy(), postal["point_id"].to_numpy(dtype=object),
                                evaluation["unknown_fields"].to_numpy(dtype=object), qualifies.isna().to_numpy(),
                                codes, "missing.postal", "missing.source_postal")
    all_ids = join_by_group(code.to_numpy(), postal["point_id"].to_numpy(dtype=object), sep=";").reindex(codes).fillna("")
    out = {}
    for name, flag in flags.items():
        low, high, ids = count_points(postal, flag, codes, "point_id")
        out[name] = Measure(low, high, measure(name).unit, blank(codes, "declared"), ids.where(low > 0, all_ids),
                            details["vi"], details["en"], miss["vi"], miss["en"])
    if incomplete(ctx, "postal_points"):  # a point not in the layer may exist: no "fails"
        out = {name: open_upper(m, "postal_points") for name, m in out.items()}
    return out
