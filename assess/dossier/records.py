"""The record set a dossier's ``manifest.json`` hashes, so ``tc8 verify`` can re-run and compare.

It is chosen from :class:`~tc8.model.results.Results` — the records that decided a commune's
verdicts — and never from the workbook layout: editing ``templates/workbook_commune.yaml``
changes no hash. It is versioned (``RECORD_SET_VERSION``, the manifest's
``record_set_version``); any change to the lists below is a new version.

Record set v1, per commune:

``tables_sha256`` — one hash per indicator (and ``*`` over all of them):
  - indicator row: ``indicator, status, measured, threshold, op, unit, basis, evidence_class,
    evidence_ids``;
  - its condition rows: ``indicator, condition_id, measure, op, threshold, threshold_param, unit,
    measured_low, measured_high, status, basis, evidence_class``.
  Names, reasons and citations (texts) are left out.

``records_sha256`` — one hash per record group:
  - ``villages``: each village of the commune (``village_id, village_name, commune_code``, the
    self-reported ``fixed_phone, fixed_broadband, mobile_phone, mobile_broadband``, ``synthetic``;
    per service part ``mobile_voice / mobile_broadband / fixed_phone / fixed_broadband``:
    ``_ok, _evidence, _share, _record``; ``phone_ok, phone_evidence, internet_ok,
    internet_evidence, population_weighted, speakers_operating, speakers_total, speaker_ids,
    speaker_ok, nearest_postal_id, nearest_postal_m``), with the input records the villages
    name as evidence: ``cell_sites`` and ``coverage`` named in ``mobile_*_record``
    (site: ``site_id, technology, active, radius_m, radius_used_m, synthetic``; area:
    ``coverage_id, technology, evidence, synthetic``), ``fixed_access`` named in
    ``fixed_*_record`` (``node_id, technology, reach_m, voice, synthetic``) and ``speakers``
    named in ``speaker_ids`` (``cluster_id, type, operating, village_id, village_id_used,
    synthetic``);
  - ``postal``: the commune's postal points and those named in ``nearest_postal_id``
    (``point_id, name, kind, commune_code, staffed, premises, hours_per_day, signboard,
    posted_hours, letters_2kg, parcels_5kg, collections_per_day, telecom_service,
    online_public_services, synthetic, kind_ok, qualifies`` and every ``cond_*`` column);
  - ``stations``: the commune's radio stations (``station_id, commune_code, type, operating,
    compliant, licensed, synthetic, station_ok``);
  - ``it``: the commune's IT figures (every column of the ``commune_it`` layer's schema).
  A group whose layer the input lacks (postal, stations, it) is left out; an evidence layer
  the input lacks is an empty list. Geometry is not hashed: its effect is (shares, distances,
  radii). A column a Results table lacks is ``null``.

Canonical form: JSON with keys sorted, UTF-8 (no escapes), separators ``,`` and ``:``; text
NFC-normalised; every number (integer or float, not a boolean) as a float rounded to 10
significant digits (``120`` and ``120.0`` hash alike); NaN, infinities and missing values
``null``; rows sorted by their id (conditions by indicator, condition id). The hash is the
SHA-256 (hex) of that text.
"""
from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from tc8.model.results import Results
from tc8.model.schema import LAYERS

RECORD_SET_VERSION = 1

INDICATOR_COLUMNS = ("indicator", "status", "measured", "threshold", "op", "unit", "basis", "evidence_class",
                     "evidence_ids")
CONDITION_COLUMNS = ("indicator", "condition_id", "measure", "op", "threshold", "threshold_param", "unit",
                     "measured_low", "measured_high", "status", "basis", "evidence_class")
SERVICE_PARTS = ("mobile_voice", "mobile_broadband", "fixed_phone", "fixed_broadband")
VILLAGE_COLUMNS = (("village_id", "village_name", "commune_code", "fixed_phone", "fixed_broadband", "mobile_phone",
                    "mobile_broadband", "synthetic")
                   + tuple(f"{p}_{s}" for p in SERVICE_PARTS for s in ("ok", "evidence", "share", "record"))
                   + ("phone_ok", "phone_evidence", "internet_ok", "internet_evidence", "population_weighted",
                      "speakers_operating", "speakers_total", "speaker_ids", "speaker_ok", "nearest_postal_id",
                      "nearest_postal_m"))
POSTAL_COLUMNS = ("point_id", "name", "kind", "commune_code", "staffed", "premises", "hours_per_day", "signboard",
                  "posted_hours", "letters_2kg", "parcels_5kg", "collections_per_day", "telecom_service",
                  "online_public_services", "synthetic", "kind_ok", "qualifies")
STATION_COLUMNS = ("station_id", "commune_code", "type", "operating", "compliant", "licensed", "synthetic",
                   "station_ok")
IT_COLUMNS = tuple(c.name for c in LAYERS["commune_it"].columns)
#: evidence layer -> (id column, hashed columns, village columns naming its records)
EVIDENCE = {
    "cell_sites": ("site_id", ("site_id", "technology", "active", "radius_m", "radius_used_m", "synthetic"),
                   ("mobile_voice_record", "mobile_broadband_record")),
    "coverage": ("coverage_id", ("coverage_id", "technology", "evidence", "synthetic"),
                 ("mobile_voice_record", "mobile_broadband_record")),
    "fixed_access": ("node_id", ("node_id", "technology", "reach_m", "voice", "synthetic"),
                     ("fixed_phone_record", "fixed_broadband_record")),
    "speakers": ("cluster_id", ("cluster_id", "type", "operating", "village_id", "village_id_used", "synthetic"),
                 ("speaker_ids",)),
}
#: record group -> (Results layer, id column, hashed columns) of the groups selected by commune
COMMUNE_GROUPS = {"postal": ("postal_points", "point_id", POSTAL_COLUMNS),
                  "stations": ("radio_stations", "station_id", STATION_COLUMNS),
                  "it": ("commune_it", "commune_code", IT_COLUMNS)}


def canonical_value(value: object) -> object:
    """The canonical JSON value of one cell (see the module docstring)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return float(f"{number:.10g}") if math.isfinite(number) else None
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return unicodedata.normalize("NFC", str(value))


def canonical_json(obj: object) -> str:
    """Canonical JSON text of already canonical values (sorted keys, no NaN, UTF-8)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def sha256_of_json(obj: object) -> str:
    """SHA-256 (hex) of :func:`canonical_json` of ``obj``."""
    return hashlib.sha256(canonical_json(obj).encode("utf-8")).hexdigest()


def split_ids(values: Iterable) -> set[str]:
    """Record ids of ``;``-joined cells (blanks and missing values dropped)."""
    out: set[str] = set()
    for value in values:
        if isinstance(value, str):
            out.update(part.strip() for part in value.split(";") if part.strip())
    return out


class _Rows:
    """One Results table reduced to the hashed ``columns`` (plus every column starting with one of
    ``prefixes``), grouped by commune and indexed by ``key``. Values are made canonical only
    for the rows asked for (a national table is mostly rows no commune names)."""

    def __init__(self, frame: pd.DataFrame, columns: tuple, *, key: str, prefixes: tuple = ()) -> None:
        extra = sorted(c for c in frame.columns if prefixes and str(c).startswith(prefixes))
        self.cols = list(columns) + extra
        self.key = key
        n = len(frame)
        self.arrays = [frame[c].astype(object).to_numpy() if c in frame.columns else np.full(n, None, dtype=object)
                       for c in self.cols]
        codes = frame["commune_code"].astype(str) if "commune_code" in frame.columns else None
        self.by_commune = codes.groupby(codes, sort=False).indices if codes is not None and n else {}
        ids = self.arrays[self.cols.index(key)].tolist()
        self.by_id: dict = {}
        for i, value in enumerate(ids):
            self.by_id.setdefault(canonical_value(value), i)

    def row(self, i: int) -> dict:
        return {c: canonical_value(a[i]) for c, a in zip(self.cols, self.arrays)}

    def of_commune(self, code: str) -> list[dict]:
        return [self.row(i) for i in self.by_commune.get(code, [])]

    def of_ids(self, ids: Iterable[str]) -> list[dict]:
        return [self.row(self.by_id[i]) for i in ids if i in self.by_id]

    def sort(self, rows: Iterable[dict]) -> list[dict]:
        """Rows sorted by their id, one row per id."""
        unique = {str(r.get(self.key)): r for r in rows}
        return [unique[k] for k in sorted(unique)]


def _layer(results: Results, name: str) -> pd.DataFrame | None:
    frame = results.layers.get(name)
    if frame is None and name == "commune_it" and results.inputs is not None and hasattr(results.inputs, "get"):
        frame = results.inputs.get("commune_it")
    return frame


class RecordSet:
    """Record set v1 of a Results, converted once; :meth:`hashes` per commune (see the module docstring)."""

    version = RECORD_SET_VERSION

    def __init__(self, results: Results) -> None:
        cond = results.conditions
        self.indicators = _Rows(results.indicators, INDICATOR_COLUMNS, key="indicator")
        self.conditions = _Rows(cond, CONDITION_COLUMNS, key="condition_id") if len(cond) else None
        self.villages = _Rows(results.villages, VILLAGE_COLUMNS, key="village_id")
        self.evidence = {name: _Rows(frame, cols, key=key) for name, (key, cols, _) in EVIDENCE.items()
                         if (frame := _layer(results, name)) is not None}
        self.groups = {group: _Rows(frame, cols, key=key, prefixes=("cond_",) if group == "postal" else ())
                       for group, (layer, key, cols) in COMMUNE_GROUPS.items()
                       if (frame := _layer(results, layer)) is not None}

    def table_hashes(self, code: str) -> dict[str, str]:
        """Indicator id -> SHA-256 of its indicator row and condition rows; ``*`` -> all of them."""
        indicators = self.indicators.sort(self.indicators.of_commune(code))
        conditions = sorted(self.conditions.of_commune(code) if self.conditions else [],
                            key=lambda r: (str(r["indicator"]), str(r["condition_id"])))
        out = {}
        for row in indicators:
            ind = row["indicator"]
            out[str(ind)] = sha256_of_json({"indicator": row,
                                            "conditions": [c for c in conditions if c["indicator"] == ind]})
        out["*"] = sha256_of_json({"indicators": indicators, "conditions": conditions})
        return out

    def village_group(self, code: str) -> dict[str, list]:
        """The commune's villages and the evidence records they name (what ``villages`` hashes)."""
        villages = self.villages.sort(self.villages.of_commune(code))
        block: dict[str, list] = {"villages": villages}
        for name, (_, _, refs) in EVIDENCE.items():
            rows = self.evidence.get(name)
            ids = split_ids(v[ref] for v in villages for ref in refs)
            block[name] = rows.sort(rows.of_ids(ids)) if rows is not None else []
        return block

    def group(self, code: str, name: str) -> list[dict]:
        """The rows of the record group ``name`` (postal, stations, it) for the commune."""
        rows = self.groups[name]
        chosen = rows.of_commune(code)
        if name == "postal":
            named = {v["nearest_postal_id"] for v in self.villages.of_commune(code)} - {None}
            chosen = chosen + rows.of_ids(sorted(named))
        return rows.sort(chosen)

    def record_hashes(self, code: str) -> dict[str, str]:
        """Record group -> SHA-256 of the commune's canonical rows (groups of absent layers left out)."""
        out = {"villages": sha256_of_json(self.village_group(code))}
        out.update({name: sha256_of_json(self.group(code, name)) for name in self.groups})
        return out

    def hashes(self, code: str) -> dict:
        """What a manifest records: ``record_set_version``, ``tables_sha256``, ``records_sha256``."""
        return {"record_set_version": self.version, "tables_sha256": self.table_hashes(code),
                "records_sha256": self.record_hashes(code)}
