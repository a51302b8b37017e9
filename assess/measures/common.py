"""What every measure family shares: the :class:`Measure` value, the inputs of a family
(:class:`MeasureInputs`) and the helpers that count, share and explain per commune.

A measure is, per commune (index ``commune_code``), a lower and an upper bound of the value
(equal when everything is known; unknown records push them apart — a missing village counts
as "no" in ``low`` and "yes" in ``high``), the evidence class, the ids of the deciding
records, reasons for records that fail and a note of what is missing. The evaluator
(:mod:`tc8.rules.evaluate`) turns bounds into ``dat`` / ``khong_dat`` / ``thieu_du_lieu``.
Units (:data:`tc8.model.vocab.UNITS`): shares in percent (0–100), counts, yes/no as 1/0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tc8.model.schema import LAYERS
from tc8.model.vocab import EVIDENCE_RANK
from tc8.text.join import isin_text, join_by_group, join_pair
from tc8.text.messages import LANGS, text
from tc8.text.reasons import text_rows
from tc8.text.size import bounded_values
from tc8.validate.columns import DTYPES
from tc8.validate.consistency import SHARES

if TYPE_CHECKING:  # annotations only
    from tc8.model.inputs import Inputs


@dataclass
class Measure:
    """One measure for every commune (see the module docstring); Series indexed by commune code."""

    low: pd.Series
    high: pd.Series
    unit: str
    evidence: pd.Series
    ids: pd.Series
    details_vi: pd.Series
    details_en: pd.Series
    missing_vi: pd.Series
    missing_en: pd.Series


@dataclass(frozen=True)
class MeasureInputs:
    """What a family builds its commune measures from (``commune_measures(ctx)`` of each
    family module): validated ``inputs``; ``villages``, the village frame with the per-village
    columns of ``Results.villages``; ``postal_eval``, per postal point what
    :func:`tc8.measures.postal.evaluate_points` decided (None without the layer); the resolved
    ``params`` of the assessed communes (index ``codes``) and the rule set's ``defaults``."""

    inputs: Inputs
    villages: pd.DataFrame
    postal_eval: pd.DataFrame | None
    params: pd.DataFrame
    defaults: dict
    codes: pd.Index


def blank(index, value="") -> pd.Series:
    """An object Series of ``value`` over ``index`` (an empty text column of a measure)."""
    return pd.Series(value, index=index, dtype=object)


def bool_array(series: pd.Series) -> np.ndarray:
    """Nullable booleans -> numpy bool, <NA> as False."""
    return series.fillna(False).to_numpy(dtype=bool)


def kleene_or(a: pd.Series, b: pd.Series) -> pd.Series:
    """True if either is True; False if both False; <NA> otherwise."""
    return (a.astype("boolean") | b.astype("boolean"))


def kleene_and(a: pd.Series, b: pd.Series) -> pd.Series:
    """True if both are True; False if either is False; <NA> otherwise."""
    return a.astype("boolean") & b.astype("boolean")


def commune_of_points(points: np.ndarray, communes: pd.DataFrame) -> pd.Series:
    """Code of the commune each point lies in (<NA> outside every commune; first match on a shared edge)."""
    code = pd.Series(pd.NA, index=range(len(points)), dtype="string")
    if len(points) and len(communes):
        tree = shapely.STRtree(communes.geometry.to_numpy())
        p_idx, c_idx = tree.query(points, predicate="intersects")
        first = np.unique(p_idx, return_index=True)[1]
        code.iloc[p_idx[first]] = communes["commune_code"].to_numpy(dtype=object)[c_idx[first]]
    return code


def group_text(frame: pd.DataFrame, column: str, index, lang: str, limit: int = 10) -> pd.Series:
    """``; ``-join the ``column`` texts per commune (at most ``limit`` listed)."""
    if frame.empty:
        return blank(index)
    joined = join_by_group(frame["commune_code"].to_numpy(), frame[column].to_numpy(), limit=limit, lang=lang)
    return joined.reindex(index).fillna("").astype(object)


def _share_evidence(code: pd.Series, evidence: pd.Series, yes: np.ndarray, unknown: np.ndarray,
                    codes: pd.Index) -> pd.Series:
    """Evidence class of a village share per commune: the strongest class that judged a village
    "no", else the weakest class behind a "yes" ("" when none)."""
    rank = evidence.map(EVIDENCE_RANK)
    weakest_ok = rank[yes].groupby(code[yes].to_numpy()).max()
    judged_no = rank[~yes & ~unknown].groupby(code[~yes & ~unknown].to_numpy()).min()
    names = pd.Series(list(EVIDENCE_RANK), index=range(len(EVIDENCE_RANK)))
    ev = pd.Series(judged_no.reindex(codes).map(names).to_numpy(), index=codes)
    ev = ev.where(ev.notna(), pd.Series(weakest_ok.reindex(codes).map(names).to_numpy(), index=codes))
    return ev.fillna("")


def village_share(villages: pd.DataFrame, ok: pd.Series, evidence: pd.Series, reason: dict,
                  codes: pd.Index, missing_key: str, source_key: str) -> Measure:
    """Share (%) of a commune's villages where ``ok`` holds (see module docstring for bounds);
    ``reason``: per language, why each village fails; ``missing_key``/``source_key``: message
    keys of what is missing and who supplies it."""
    code = villages["commune_code"].astype(object)
    n = code.value_counts().reindex(codes).fillna(0).to_numpy()
    yes = ok.fillna(False).to_numpy(dtype=bool)
    unknown = ok.isna().to_numpy()
    n_yes = pd.Series(yes).groupby(code.to_numpy()).sum().reindex(codes).fillna(0).to_numpy()
    n_unk = pd.Series(unknown).groupby(code.to_numpy()).sum().reindex(codes).fillna(0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(n > 0, 100.0 * n_yes / n, np.nan)
        high = np.where(n > 0, 100.0 * (n_yes + n_unk) / n, np.nan)
    ev = _share_evidence(code, evidence, yes, unknown, codes)
    names_col = bounded_values(villages["village_name"], "village_name")  # names inside reasons are cut
    vid = villages["village_id"].to_numpy(dtype=object)
    out = {}
    failing = ~yes & ~unknown
    bad = pd.DataFrame({"commune_code": code[failing].to_numpy(), "id": vid[failing]})
    n_fail = (n - n_yes - n_unk).astype(int)
    for lang in LANGS:
        sub = bad.assign(line=text_rows("reason.village", lang, name=names_col[failing], id=vid[failing],
                                        why=reason[lang][failing]))
        head = pd.Series(np.where(n > 0, text_rows("reason.villages_failing", lang, n=n_fail, total=n.astype(int)),
                                  text("reason.no_villages", lang)), index=codes)
        body = group_text(sub, "line", codes, lang)
        out[f"details_{lang}"] = (head + np.where(body != "", ": " + body, "")).where((n_fail > 0) | (n == 0), "")
        unk = pd.DataFrame({"commune_code": code[unknown].to_numpy(), "name": names_col[unknown]})
        listed = group_text(unk, "name", codes, lang, limit=15)
        src = text("missing.from", lang, source=text(source_key, lang))
        out[f"missing_{lang}"] = pd.Series(
            np.where(listed != "", text_rows(missing_key, lang, villages=listed.to_numpy(dtype=object)) + f" ({src})", ""),
            index=codes)
    ids = join_by_group(bad["commune_code"].to_numpy(), bad["id"].to_numpy(), sep=";").reindex(codes).fillna("")
    return Measure(pd.Series(low, index=codes), pd.Series(high, index=codes), "%", ev, ids,
                   out["details_vi"], out["details_en"], out["missing_vi"], out["missing_en"])


def missing_note(key: str, lang: str, what: str, source_key: str) -> str:
    """``<what is missing> (<who supplies it>)``: one "missing" text of a measure."""
    return text(key, lang, what=what) + " (" + text("missing.from", lang, source=text(source_key, lang)) + ")"


def unknown_records_note(code, ids, fields, unknown: np.ndarray, codes: pd.Index, key: str,
                         source_key: str) -> dict:
    """Per commune and language, the note for records whose verdict is unknown: ``key`` with
    ``what`` = "id: fields; ..." of those records, and who supplies them ("" where none)."""
    lines = (pd.Series(np.asarray(ids, dtype=object)[unknown]).astype(str) + ": "
             + pd.Series(np.asarray(fields, dtype=object)[unknown]).astype(str))
    joined = join_by_group(np.asarray(code, dtype=object)[unknown], lines.to_numpy()).reindex(codes).fillna("")
    return {lang: pd.Series(np.where(joined != "", [missing_note(key, lang, w, source_key) for w in joined], ""),
                            index=codes, dtype=object) for lang in LANGS}


def count_points(frame, flag: pd.Series, codes: pd.Index, id_col: str) -> tuple:
    """(low, high, ids) of records per commune where ``flag`` is True (<NA> counts in high only)."""
    code = frame["commune_code"].astype(object).to_numpy()
    yes = flag.fillna(False).to_numpy(dtype=bool)
    maybe = flag.isna().to_numpy()
    low = pd.Series(yes).groupby(code).sum().reindex(codes).fillna(0).astype(float)
    high = low + pd.Series(maybe).groupby(code).sum().reindex(codes).fillna(0).astype(float)
    ids = join_by_group(code[yes], frame[id_col].astype(object).to_numpy()[yes], sep=";")
    return low, high, ids.reindex(codes).fillna("")


#: The largest value of a measure in each unit (the upper bound of "anything is possible").
UNIT_MAX = {"bool": 1.0, "%": 100.0, "count": np.inf}


def no_layer(codes: pd.Index, unit: str, missing_key: str, what_key: str, source_key: str) -> Measure:
    """A measure whose input layer is absent: unknown for every commune."""
    miss = {lang: missing_note(missing_key, lang, text(what_key, lang), source_key) for lang in LANGS}
    high = UNIT_MAX[unit]
    return Measure(pd.Series(0.0, index=codes), pd.Series(high, index=codes), unit, blank(codes),
                   blank(codes), blank(codes), blank(codes), blank(codes, miss["vi"]), blank(codes, miss["en"]))


class ShareAbove100(RuntimeError):
    """Internal error: a share above 100 % reached a measure. Validation refuses the input
    (``inconsistent_values``, :mod:`tc8.validate.consistency`), so this is a bug, never a verdict."""


def assert_share(name: str, value: pd.Series, table: pd.DataFrame | None = None) -> None:
    """Raise :class:`ShareAbove100` when share ``name`` (%, indexed by commune) exceeds 100 anywhere;
    ``table`` (indexed by commune) supplies the part and whole of the relation for the message."""
    values = value.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        over = np.flatnonzero(values > 100.0)
    if not over.size:
        return
    i = int(over[0])
    code = value.index[i]
    rel = SHARES.get(name)
    parts = ""
    if rel is not None and table is not None:
        parts = f" ({rel.part}={table[rel.part].iat[i]}, {rel.whole}={table[rel.whole].iat[i]})"
    raise ShareAbove100(f"internal error: measure {name} = {values[i]:g} % for commune {code}{parts}"
                        f" in {over.size} commune(s); validation should have refused this input"
                        f" (inconsistent_values)")


def incomplete(ctx: MeasureInputs, layer: str) -> bool:
    """True when ``layer`` is present and taken as incomplete (``Inputs.incomplete_layers``:
    the absence of a record there is not evidence that there is none)."""
    return ctx.inputs.get(layer) is not None and layer in getattr(ctx.inputs, "incomplete_layers", ())


def incomplete_note(layers, lang: str) -> str:
    """``not found in an incomplete layer, <layer> (<label>)``, one clause per layer ("" for none)."""
    return "; ".join(text("missing.incomplete_layer", lang, layer=name,
                          label=getattr(LAYERS[name], f"label_{lang}")) for name in layers)


def open_upper(m: Measure, layer: str, *, low_too: bool = False) -> Measure:
    """``m`` when ``layer`` is incomplete: records not in the layer may exist, so the upper
    bound rises to the unit's largest value (a count or yes/no found stays a lower bound; the
    verdict can no longer be "fails"), and the missing note names the layer. ``low_too``: the
    lower bound also drops to 0 (a share whose denominator, the list of villages, is incomplete)."""
    high = pd.Series(UNIT_MAX[m.unit], index=m.high.index)
    low = pd.Series(0.0, index=m.low.index).where(m.low.notna(), np.nan) if low_too else m.low
    notes = {lang: np.full(len(m.low), incomplete_note([layer], lang), dtype=object) for lang in LANGS}
    miss = {lang: pd.Series(join_pair(getattr(m, f"missing_{lang}").to_numpy(dtype=object), notes[lang]),
                            index=m.low.index, dtype=object) for lang in LANGS}
    return Measure(low, high.where(m.high.notna(), np.nan), m.unit, m.evidence, m.ids, m.details_vi, m.details_en,
                   miss["vi"], miss["en"])


def named_incomplete(m: Measure, layer: str) -> Measure:
    """``m`` (a share of villages) with the incomplete ``layer`` named in the missing note of
    every commune that has unknown villages (they are unknown because the layer is incomplete)."""
    miss = {}
    for lang in LANGS:
        old = getattr(m, f"missing_{lang}")
        miss[lang] = old.where(old == "", old + "; " + incomplete_note([layer], lang))
    return Measure(m.low, m.high, m.unit, m.evidence, m.ids, m.details_vi, m.details_en, miss["vi"], miss["en"])


def no_villages(codes: pd.Index) -> Measure:
    """A share of villages without a villages layer: unknown everywhere, the note names the layer."""
    return no_layer(codes, "%", "missing.villages_list", "missing.no_villages_layer", "missing.source_villages")


def villages_of(inputs: Inputs, codes: pd.Index) -> gpd.GeoDataFrame:
    """The villages of the communes ``codes`` (fresh index); without a villages layer an empty
    frame with the layer's typed columns in the metric CRS, so every per-village step and
    renderer runs on zero villages (the shares say the layer is missing, :func:`no_villages`)."""
    villages = inputs.get("villages")
    if villages is None:
        columns = {c.name: pd.Series([], dtype=DTYPES[c.kind]) for c in LAYERS["villages"].columns}
        return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=inputs.metric_crs), crs=inputs.metric_crs)
    return villages[isin_text(villages["commune_code"], codes).to_numpy()].reset_index(drop=True)
