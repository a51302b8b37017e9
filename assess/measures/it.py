"""The IT family: the commune's IT figures as reported in the ``commune_it`` layer
(``it_eoffice_system``, ``it_website`` yes/no; ``it_share_officials_computer``,
``it_share_officials_eoffice``, ``it_share_dossiers_online``, ``smartphone_share_subscriptions``,
``smartphone_per_working_age`` in percent 0–100; ``public_wifi_points`` a count).

A figure is unknown (bounds 0..1 for yes/no, 0..inf otherwise) where a field it reads is
empty or the layer is absent; the note names the fields (their labels, from the input
schema; which fields: :attr:`tc8.model.vocab.MeasureSpec.needs`). A share above 100 % is an
internal error (:func:`tc8.measures.common.assert_share`), validation refuses such input.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tc8.model.schema import LAYERS
from tc8.model.vocab import measure
from tc8.text.messages import LANGS, text
from tc8.validate.columns import DTYPES, url_or_bool_values
from tc8.validate.consistency import SHARES

from .common import Measure, MeasureInputs, assert_share, blank, missing_note


def _figures(it: pd.DataFrame) -> dict[str, pd.Series]:
    """Each IT measure's value per commune (``it`` indexed by commune code): yes/no as 1/0,
    shares in %, counts; <NA>/NaN where unknown."""
    def num(col):
        return it[col].astype("Float64")

    return {
        "it_eoffice_system": it["eoffice_system"].astype("Float64"),
        "it_website": url_or_bool_values(it["website"]).astype("Float64"),
        "it_share_officials_computer": 100 * num("officials_with_computer") / num("officials"),
        "it_share_officials_eoffice": 100 * num("officials_using_eoffice") / num("officials"),
        "it_share_dossiers_online": 100 * num("dossiers_online") / num("dossiers_total"),
        "smartphone_share_subscriptions": 100 * num("smartphone_subscriptions") / num("mobile_subscriptions"),
        "smartphone_per_working_age": 100 * num("smartphone_subscriptions") / num("working_age_population"),
        "public_wifi_points": num("public_wifi_points"),
    }


def _missing_notes(name: str, unknown: pd.Series, codes: pd.Index, absent: bool) -> dict:
    """Per language, the note naming the fields of ``name`` to collect ("" where known)."""
    layer = LAYERS["commune_it"]
    miss = {}
    for lang in LANGS:
        labels = ", ".join(getattr(layer.column(f), f"label_{lang}") for f in measure(name).columns_of("commune_it"))
        if absent:
            labels = text("missing.no_it_layer", lang, fields=labels)
        note = missing_note("missing.it", lang, labels, "missing.source_it")
        miss[lang] = pd.Series(np.where(unknown, note, ""), index=codes, dtype=object)
    return miss


def it_measures(commune_it: pd.DataFrame | None, codes: pd.Index) -> dict[str, Measure]:
    """IT figures per commune (shares in %, yes/no as 1/0); unknown when a figure is empty."""
    layer = LAYERS["commune_it"]
    absent = commune_it is None
    if absent:  # every figure unknown; the notes name the fields and the absent layer
        commune_it = pd.DataFrame({c.name: pd.Series([], dtype=DTYPES.get(c.kind, object)) for c in layer.columns})
    it = commune_it.drop_duplicates("commune_code").set_index("commune_code").reindex(codes)
    out = {}
    for name, value in _figures(it).items():
        unit = measure(name).unit
        value = value.astype("float64") if value.dtype != "float64" else value
        value = pd.Series(np.where(np.isfinite(value.to_numpy(dtype=float, na_value=np.nan)),
                                   value.to_numpy(dtype=float, na_value=np.nan), np.nan), index=codes)
        if name in SHARES:
            assert_share(name, value, it)
        unknown = value.isna()
        high = value.copy()
        high[unknown] = 1.0 if unit == "bool" else np.inf
        low = value.fillna(0.0)
        miss = _missing_notes(name, unknown, codes, absent)
        out[name] = Measure(low, high, unit, pd.Series(np.where(unknown, "", "reported"), index=codes, dtype=object),
                            blank(codes), blank(codes), blank(codes), miss["vi"], miss["en"])
    return out


def commune_measures(ctx: MeasureInputs) -> dict[str, Measure]:
    """The IT measures per commune, from the ``commune_it`` layer (see :func:`it_measures`)."""
    return it_measures(ctx.inputs.get("commune_it"), ctx.codes)
