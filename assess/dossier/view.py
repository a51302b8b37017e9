"""What the dossier writers render: run-wide context and one commune's slice of a Results.

The :class:`Slicer` groups every results table by ``commune_code`` once (no per-commune scan
of the national tables) and hands out :class:`CommuneView` objects one at a time, so writing
2,621 dossiers holds only the shared tables plus one commune's rows. Geometry is dropped:
workbooks show records, maps draw geometry.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tc8.model.results import CRITERION, Results
from tc8.outputs.files import run_metadata
from .xlsx import Labels, layout, plain

if TYPE_CHECKING:
    from tc8.rules.model import RuleSet

RECORD_LAYERS = ("postal_points", "radio_stations")


def json_value(value: object) -> object:
    """A JSON-safe, canonical version of a table value (NaN/NA -> None, floats rounded to 10 digits)."""
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple, set)):
        return [json_value(v) for v in value]
    value = plain(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return float(f"{value:.10g}")
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if value is None or isinstance(value, (bool, int)):
        return value
    return str(value)


def parameter_meta(rule_set: RuleSet) -> dict[str, dict[str, str]]:
    """Parameter name -> {label_vi, label_en, unit, basis} from the rule set (empty when unknown)."""
    out = {}
    for name, param in rule_set.parameters.items():
        out[name] = {k: getattr(param, k) or "" for k in ("label_vi", "label_en", "unit", "basis")}
    return out


def point_conditions(results: Results) -> list[tuple[str, str, str]]:
    """(condition id, label_vi, label_en) of the postal point conditions the engine reported (``cond_<id>``)."""
    postal = results.layers.get("postal_points")
    pp = results.rule_set.postal_point
    if postal is None or pp is None:
        return []
    out = []
    for cond in pp.conditions:
        if f"cond_{cond.id}" in postal.columns:
            label_vi = cond.label_vi or cond.id
            out.append((cond.id, label_vi, cond.label_en or label_vi))
    return out


def run_info(results: Results, generated_at: str) -> dict:
    """Run-wide facts shared by every manifest and every "Nguồn dữ liệu" sheet: the full
    form of :func:`tc8.outputs.files.run_metadata` (one implementation for results and dossiers)."""
    return run_metadata(results, generated_at, full=True)


@dataclass
class Context:
    """Everything the writers need that is the same for every commune."""

    results: Results
    lang: str
    labels: Labels
    spec: dict                 # templates/workbook_commune.yaml
    info: dict                 # run_info()
    indicator_ids: list[str]
    names: dict[str, str]      # indicator id -> name in lang
    kinds: dict[str, list[str]]  # indicator id -> record kinds (postal, telecom, radio, it)
    param_meta: dict[str, dict[str, str]] = field(default_factory=dict)
    point_conditions: list[tuple[str, str, str]] = field(default_factory=list)  # (id, label_vi, label_en) of postal point conditions

    @classmethod
    def build(cls, results: Results, lang: str, generated_at: str) -> "Context":
        spec = layout("workbook_commune")
        ind = results.indicators
        ids = [i for i in pd.unique(ind["indicator"]) if i != CRITERION]
        first = ind.drop_duplicates("indicator").set_index("indicator")
        name_col = f"name_{lang}" if f"name_{lang}" in first.columns else "name_vi"
        names = {i: str(first.at[i, name_col] or first.at[i, "name_vi"]) for i in first.index}
        by_measure = {m: kind for kind, ms in spec["measure_records"].items() for m in ms}
        kinds = {}
        cond = results.conditions
        if len(cond):
            pairs = cond.drop_duplicates(["indicator", "measure"])[["indicator", "measure"]]
            for ind_id, measure in pairs.itertuples(index=False):
                kind = by_measure.get(measure)
                if kind and kind not in kinds.setdefault(ind_id, []):
                    kinds[ind_id].append(kind)
        return cls(results=results, lang=lang, labels=Labels(spec, lang), spec=spec,
                   info=run_info(results, generated_at), indicator_ids=ids, names=names, kinds=kinds,
                   param_meta=parameter_meta(results.rule_set), point_conditions=point_conditions(results))


@dataclass
class CommuneView:
    """One commune's rows as lists of plain dicts (None for missing values)."""

    code: str
    info: dict                 # the commune's row of Results.communes (no geometry)
    indicators: list[dict]     # its rows of Results.indicators
    conditions: list[dict]     # its rows of Results.conditions
    villages: list[dict]       # its rows of Results.villages (layout columns)
    postal: list[dict] | None  # its postal points (None: no such layer)
    stations: list[dict] | None
    it: dict | None            # its commune_it row
    parameters: dict           # parameter name -> JSON value

    def indicator(self, ind_id: str) -> dict:
        return next((r for r in self.indicators if r["indicator"] == ind_id), {})


class _Columns:
    """A table as object arrays (pandas NA/NaN -> None), converted once, sliced by row positions."""

    def __init__(self, frame: pd.DataFrame, keep=None):
        cols = [c for c in frame.columns if c != "geometry" and (keep is None or keep(c))]
        self.cols = cols
        self.arrays = []
        for c in cols:
            series = frame[c]
            arr = series.astype(object).to_numpy(copy=True)
            mask = series.isna().to_numpy()
            if mask.any():
                arr[mask] = None
            self.arrays.append(arr)
        code = frame["commune_code"].astype(str) if "commune_code" in frame.columns else None
        self.groups = code.groupby(code, sort=False).indices if code is not None else {}

    def records(self, code: str) -> list[dict]:
        idx = self.groups.get(code)
        if idx is None:
            return []
        cols = self.cols
        return [dict(zip(cols, row)) for row in zip(*(a[idx].tolist() for a in self.arrays))]


def _layout_keys(spec: dict) -> set:
    """Columns the workbook shows, in both languages (so a view, and its hashes, do not depend on lang)."""
    keys = {"commune_code", "status", *spec.get("record_keys", [])}
    for cols in spec["tables"].values():
        for col in cols:
            keys |= {col["key"], f"{col['key']}_vi", f"{col['key']}_en"}
    return keys


class Slicer:
    """Per-commune views of a Results: every table converted and grouped by commune once.

    Record layers keep only the columns the workbook layout shows (plus ``cond_*``), so the
    national tables are not duplicated whole. ``indicators`` and ``conditions`` keep every
    column (the manifest hashes them).
    """

    def __init__(self, results: Results):  # views hold both languages
        self.results = results
        keys = _layout_keys(layout("workbook_commune"))
        keep = (lambda c: c in keys or str(c).startswith("cond_"))
        communes = results.communes
        self.communes = _Columns(communes)
        self.row_of = {str(c): i for i, c in enumerate(communes["commune_code"])}
        self.tables = {"indicators": _Columns(results.indicators), "villages": _Columns(results.villages, keep)}
        cond = results.conditions
        self.tables["conditions"] = _Columns(cond) if len(cond) else None
        for name in RECORD_LAYERS:
            frame = results.layers.get(name)
            self.tables[name] = _Columns(frame, keep) if frame is not None else None
        it = results.layers.get("commune_it")
        if it is None and results.inputs is not None and hasattr(results.inputs, "get"):
            it = results.inputs.get("commune_it")
        self.tables["commune_it"] = _Columns(it) if it is not None else None
        self.params = results.parameters

    @property
    def codes(self) -> list[str]:
        return list(self.row_of)

    def _records(self, name: str, code: str):
        table = self.tables.get(name)
        return None if table is None else table.records(code)

    def view(self, code: str) -> CommuneView:
        i = self.row_of[code]
        info = {c: a[i] for c, a in zip(self.communes.cols, self.communes.arrays)}
        it_rows = self._records("commune_it", code)
        params = {}
        if self.params is not None and code in self.params.index:
            params = {str(k): json_value(v) for k, v in self.params.loc[code].items()}
        return CommuneView(code=code, info=info, indicators=self._records("indicators", code),
                           conditions=self._records("conditions", code) or [],
                           villages=self._records("villages", code),
                           postal=self._records("postal_points", code),
                           stations=self._records("radio_stations", code),
                           it=it_rows[0] if it_rows else None, parameters=params)
