"""What the dossier writers render: run-wide context and one commune's slice of a Results.

The :class:`Slicer` groups every results table by ``commune_code`` once (no per-commune scan
of the national tables) and hands out :class:`CommuneView` objects one at a time, so writing
2,621 dossiers holds only the shared tables plus one commune's rows. Geometry is dropped:
workbooks show records, maps draw geometry.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import __version__
from .results import CRITERION
from .xlsx_util import Labels, layout, plain

RECORD_LAYERS = ("postal_points", "radio_stations")


def attr(obj, name: str, default=None):
    """``obj.name`` or ``obj[name]`` (rule-set parts may be objects or dicts)."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def json_value(value):
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


def rule_set_info(rule_set) -> dict:
    instruments = [{"id": str(attr(i, "id", "") or ""), "number": str(attr(i, "number", "") or ""),
                    "date": str(attr(i, "date", "") or ""), "title_vi": str(attr(i, "title_vi", "") or "")}
                   for i in (attr(rule_set, "instruments", None) or [])]
    return {"id": str(attr(rule_set, "id", "")), "title_vi": str(attr(rule_set, "title_vi", "") or ""),
            "title_en": str(attr(rule_set, "title_en", "") or ""),
            "official": bool(attr(rule_set, "official", True)),
            "sha256": str(attr(rule_set, "sha256", "") or ""),
            "source_files": [str(p) for p in (attr(rule_set, "source_files", None) or [])],
            "instruments": instruments}


def parameter_meta(rule_set) -> dict:
    """Parameter name -> {label_vi, label_en, unit, basis} from the rule set (empty when unknown)."""
    out = {}
    for name, param in (attr(rule_set, "parameters", None) or {}).items():
        out[str(name)] = {k: str(attr(param, k, "") or "") for k in ("label_vi", "label_en", "unit", "basis")}
    return out


def run_info(results, generated_at: str) -> dict:
    """Run-wide facts shared by every manifest and every "Nguồn dữ liệu" sheet."""
    raw = getattr(results.inputs, "raw", None)
    sources = list(getattr(raw, "sources", []) or [])
    root = getattr(raw, "root", None)
    pop = getattr(raw, "population_raster", None)
    return {
        "tool": {"name": "tc8", "version": __version__},
        "generated_at": generated_at,
        "rule_set": rule_set_info(results.rule_set),
        "metric_crs": str(results.metric_crs or ""),
        "input": {"path": str(root.resolve()) if root is not None else "",
                  "population_raster": str(pop.resolve()) if pop is not None else None},
        "inputs": [{"path": str(_abs(s.path)), "sha256": s.sha256, "size_bytes": int(s.size_bytes),
                    "layers": {str(k): int(v) for k, v in dict(s.layers).items()}, "crs": str(s.crs or "")}
                   for s in sources],
        "synthetic_layers": [str(x) for x in (results.synthetic_layers or [])],
    }


def _abs(path) -> str:
    from pathlib import Path

    return str(Path(path).resolve())


@dataclass
class Context:
    """Everything the writers need that is the same for every commune."""

    results: object
    lang: str
    labels: Labels
    spec: dict
    info: dict
    indicator_ids: list
    names: dict                # indicator id -> name in lang
    kinds: dict                # indicator id -> record kinds (postal, telecom, radio, it)
    sheet_names: dict = field(default_factory=dict)
    param_meta: dict = field(default_factory=dict)

    @classmethod
    def build(cls, results, lang: str, generated_at: str) -> "Context":
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
                   param_meta=parameter_meta(results.rule_set))


@dataclass
class CommuneView:
    code: str
    info: dict
    indicators: pd.DataFrame
    conditions: pd.DataFrame
    villages: pd.DataFrame
    postal: pd.DataFrame | None
    stations: pd.DataFrame | None
    it: dict | None
    parameters: dict


def _table(frame) -> pd.DataFrame | None:
    if frame is None:
        return None
    if "geometry" in frame.columns:
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name if hasattr(frame, "geometry") else "geometry"))
    return frame


class Slicer:
    """Per-commune views of a Results, grouped once."""

    def __init__(self, results):
        self.results = results
        self.communes = _table(results.communes)
        self.frames = {"indicators": results.indicators, "conditions": results.conditions,
                       "villages": _table(results.villages)}
        for name in RECORD_LAYERS:
            if name in results.layers:
                self.frames[name] = _table(results.layers[name])
        it = results.layers.get("commune_it")
        if it is None and results.inputs is not None:
            it = results.inputs.get("commune_it") if hasattr(results.inputs, "get") else None
        self.frames["commune_it"] = _table(it)
        self.groups = {name: (f.groupby(f["commune_code"].astype(str), sort=False).indices
                              if f is not None and "commune_code" in f.columns else {})
                       for name, f in self.frames.items()}
        self.row_of = {str(c): i for i, c in enumerate(self.communes["commune_code"])}

    @property
    def codes(self) -> list[str]:
        return list(self.row_of)

    def _rows(self, name: str, code: str):
        frame = self.frames.get(name)
        if frame is None:
            return None
        idx = self.groups[name].get(code)
        return frame.iloc[idx] if idx is not None else frame.iloc[0:0]

    def view(self, code: str) -> CommuneView:
        info = {k: plain(v) for k, v in self.communes.iloc[self.row_of[code]].items()}
        it_rows = self._rows("commune_it", code)
        it = None if it_rows is None or it_rows.empty else {k: plain(v) for k, v in it_rows.iloc[0].items()}
        params = {}
        if self.results.parameters is not None and code in self.results.parameters.index:
            params = {str(k): json_value(v) for k, v in self.results.parameters.loc[code].items()}
        return CommuneView(code=code, info=info, indicators=self._rows("indicators", code),
                           conditions=self._rows("conditions", code), villages=self._rows("villages", code),
                           postal=self._rows("postal_points", code), stations=self._rows("radio_stations", code),
                           it=it, parameters=params)
