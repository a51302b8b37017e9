"""Commune-level measures: the closed vocabulary the rule sets combine.

Every measure returns a :class:`Measure`: per commune (index ``commune_code``) a lower and
an upper bound of the value (equal when everything is known; unknown records push them
apart — a missing village counts as "no" in ``low`` and "yes" in ``high``), the evidence
class, the ids of the deciding records, reasons for records that fail and a note of what
is missing. The engine turns bounds into ``dat`` / ``khong_dat`` / ``thieu_du_lieu``.
Shares are in percent (0–100); counts are counts; yes/no is 1/0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .coverage import RANK
from tc8.text.messages import LANGS, text
from .postal import compare, values_for
from tc8.text.reasons import text_rows
from tc8.rules.model import ParamRef
from tc8.text.join import join_by_group
from tc8.text.size import bounded_values
from tc8.model.schema import LAYERS
from tc8.validate.columns import DTYPES
from tc8.validate.consistency import SHARES
from tc8.validate.columns import url_or_bool_values


@dataclass
class Measure:
    low: pd.Series
    high: pd.Series
    unit: str
    evidence: pd.Series
    ids: pd.Series
    details_vi: pd.Series
    details_en: pd.Series
    missing_vi: pd.Series
    missing_en: pd.Series


def _blank(index, value="") -> pd.Series:
    return pd.Series(value, index=index, dtype=object)


def _group_text(frame: pd.DataFrame, column: str, index, lang: str, limit: int = 10) -> pd.Series:
    """``; ``-join the ``column`` texts per commune (at most ``limit`` listed)."""
    if frame.empty:
        return _blank(index)
    joined = join_by_group(frame["commune_code"].to_numpy(), frame[column].to_numpy(), limit=limit, lang=lang)
    return joined.reindex(index).fillna("").astype(object)


def village_share(villages: pd.DataFrame, ok: pd.Series, evidence: pd.Series, reason: dict,
                  codes: pd.Index, missing_key: str, source_key: str) -> Measure:
    """Share (%) of a commune's villages where ``ok`` holds (see module docstring for bounds)."""
    code = villages["commune_code"].astype(object)
    n = code.value_counts().reindex(codes).fillna(0).to_numpy()
    yes = ok.fillna(False).to_numpy(dtype=bool)
    unknown = ok.isna().to_numpy()
    n_yes = pd.Series(yes).groupby(code.to_numpy()).sum().reindex(codes).fillna(0).to_numpy()
    n_unk = pd.Series(unknown).groupby(code.to_numpy()).sum().reindex(codes).fillna(0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(n > 0, 100.0 * n_yes / n, np.nan)
        high = np.where(n > 0, 100.0 * (n_yes + n_unk) / n, np.nan)
    rank = evidence.map(RANK)
    weakest_ok = rank[yes].groupby(code[yes].to_numpy()).max()
    judged_no = rank[~yes & ~unknown].groupby(code[~yes & ~unknown].to_numpy()).min()
    names = pd.Series(list(RANK), index=range(len(RANK)))
    ev = pd.Series(judged_no.reindex(codes).map(names).to_numpy(), index=codes)
    ev = ev.where(ev.notna(), pd.Series(weakest_ok.reindex(codes).map(names).to_numpy(), index=codes))
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
        body = _group_text(sub, "line", codes, lang)
        out[f"details_{lang}"] = (head + np.where(body != "", ": " + body, "")).where((n_fail > 0) | (n == 0), "")
        unk = pd.DataFrame({"commune_code": code[unknown].to_numpy(), "name": names_col[unknown]})
        listed = _group_text(unk, "name", codes, lang, limit=15)
        src = text("missing.from", lang, source=text(source_key, lang))
        out[f"missing_{lang}"] = pd.Series(
            np.where(listed != "", text_rows(missing_key, lang, villages=listed.to_numpy(dtype=object)) + f" ({src})", ""),
            index=codes)
    ids = join_by_group(bad["commune_code"].to_numpy(), bad["id"].to_numpy(), sep=";").reindex(codes).fillna("")
    return Measure(pd.Series(low, index=codes), pd.Series(high, index=codes), "%", ev.fillna(""), ids,
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


def no_layer(codes: pd.Index, unit: str, missing_key: str, what_key: str, source_key: str) -> Measure:
    """A measure whose input layer is absent: unknown for every commune."""
    miss = {lang: missing_note(missing_key, lang, text(what_key, lang), source_key) for lang in LANGS}
    high = 1.0 if unit == "bool" else np.inf
    return Measure(pd.Series(0.0, index=codes), pd.Series(high, index=codes), unit, _blank(codes),
                   _blank(codes), _blank(codes), _blank(codes), _blank(codes, miss["vi"]), _blank(codes, miss["en"]))


def it_measures(commune_it: pd.DataFrame | None, codes: pd.Index) -> dict:
    """IT figures per commune (shares in %, yes/no as 1/0); unknown when a figure is empty."""
    names = ("it_eoffice_system", "it_share_officials_computer", "it_share_officials_eoffice", "it_website",
             "it_share_dossiers_online", "smartphone_share_subscriptions", "smartphone_per_working_age",
             "public_wifi_points")
    layer = LAYERS["commune_it"]
    absent = commune_it is None
    if absent:  # every figure unknown; the notes name the fields and the absent layer
        commune_it = pd.DataFrame({c.name: pd.Series([], dtype=DTYPES.get(c.kind, object)) for c in layer.columns})
    it = commune_it.drop_duplicates("commune_code").set_index("commune_code").reindex(codes)

    def num(col):
        return it[col].astype("Float64")

    specs = {
        "it_eoffice_system": (it["eoffice_system"].astype("Float64"), ["eoffice_system"], "bool"),
        "it_website": (url_or_bool_values(it["website"]).astype("Float64"), ["website"], "bool"),
        "it_share_officials_computer": (100 * num("officials_with_computer") / num("officials"),
                                        ["officials_with_computer", "officials"], "%"),
        "it_share_officials_eoffice": (100 * num("officials_using_eoffice") / num("officials"),
                                       ["officials_using_eoffice", "officials"], "%"),
        "it_share_dossiers_online": (100 * num("dossiers_online") / num("dossiers_total"),
                                     ["dossiers_online", "dossiers_total"], "%"),
        "smartphone_share_subscriptions": (100 * num("smartphone_subscriptions") / num("mobile_subscriptions"),
                                           ["smartphone_subscriptions", "mobile_subscriptions"], "%"),
        "smartphone_per_working_age": (100 * num("smartphone_subscriptions") / num("working_age_population"),
                                       ["smartphone_subscriptions", "working_age_population"], "%"),
        "public_wifi_points": (num("public_wifi_points"), ["public_wifi_points"], "count"),
    }
    out = {}
    for name, (value, fields, unit) in specs.items():
        value = value.astype("float64") if value.dtype != "float64" else value
        value = pd.Series(np.where(np.isfinite(value.to_numpy(dtype=float, na_value=np.nan)),
                                   value.to_numpy(dtype=float, na_value=np.nan), np.nan), index=codes)
        if name in SHARES:
            assert_share(name, value, it)
        unknown = value.isna()
        high = value.copy()
        high[unknown] = 1.0 if unit == "bool" else np.inf
        low = value.fillna(0.0)
        miss = {}
        for lang in LANGS:
            labels = ", ".join(getattr(layer.column(f), f"label_{lang}") for f in fields)
            if absent:
                labels = text("missing.no_it_layer", lang, fields=labels)
            note = missing_note("missing.it", lang, labels, "missing.source_it")
            miss[lang] = pd.Series(np.where(unknown, note, ""), index=codes, dtype=object)
        out[name] = Measure(low, high, unit, pd.Series(np.where(unknown, "", "reported"), index=codes, dtype=object),
                            _blank(codes), _blank(codes), _blank(codes), miss["vi"], miss["en"])
    return out


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


def letter_box_flag(postal: pd.DataFrame, params: pd.DataFrame, defaults: dict) -> pd.Series:
    """Public letter boxes collected at least ``min_letterbox_collections_per_day`` times a day."""
    need = values_for(ParamRef("min_letterbox_collections_per_day"), params, postal["commune_code"], defaults)
    is_box = (postal["kind"] == "thung_thu").fillna(False).to_numpy(dtype=bool)
    flag = compare(postal["collections_per_day"], ">=", need)
    flag[~is_box] = False
    return flag
