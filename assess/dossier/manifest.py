"""``manifest.json`` of a commune dossier: what was read, with which rules, and what came out.

The manifest records the tool version, the rule set (id, SHA-256, files, instruments), the
parameters resolved for the commune, every input file (absolute path, SHA-256, rows per
layer), the metric CRS, the input policy (``policy``: :meth:`tc8.model.inputs.InputPolicy.as_dict`,
re-applied by ``tc8 verify``), the generation time (UTC, ISO 8601), the verdict per indicator, and
the hashes of the record set that decided the verdicts (:mod:`tc8.dossier.records`, chosen
from the Results, never from the workbook layout): ``record_set_version``, ``tables_sha256``
(per indicator: its indicator and condition rows) and ``records_sha256`` (per record group:
villages with the evidence records they name, postal points, stations, IT figures), so
``tc8 verify`` can re-run and compare without the workbook.

Manifests written before ``record_set_version`` existed (tc8 before issue 8) hashed every
column of the indicator/condition rows (:func:`legacy_table_hashes`, still checked) and the
record columns the workbook showed at the time (no longer checked: they depended on the
workbook layout).

``run-manifest.json`` at the dossier root (:func:`build_run_manifest`) marks a finished run:
it is written last, atomically, and lists every commune dossier the run was to write (each
file of the folder with its SHA-256) and the province roll-up (``null`` for a run limited to
some communes that found no earlier run to extend). A dossier folder without it is an
interrupted run (or one written by an older tc8); ``tc8 verify`` says so.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .view import CommuneView, json_value
from tc8.io.read import sha256_of
from tc8.model.results import CRITERION

FORMAT = "tc8-dossier-manifest/1"
MANIFEST = "manifest.json"
RUN_FORMAT = "tc8-dossier-run/1"
RUN_MANIFEST = "run-manifest.json"


def canonical(obj: object) -> str:
    """JSON text with keys sorted, UTF-8, no spaces; NaN refused."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _rows(records: list, sort: list[str]) -> list[dict]:
    rows = [{str(k): json_value(v) for k, v in rec.items() if k != "geometry"} for rec in records or []]
    return sorted(rows, key=lambda r: tuple(str(r.get(k, "")) for k in sort))


def legacy_table_hashes(indicators: list[dict], conditions: list[dict]) -> dict[str, str]:
    """Indicator id -> SHA-256 of its rows with every column (indicator row + condition rows);
    ``*`` = all. The table hashes of manifests without ``record_set_version``; canonical JSON:
    keys sorted, NFC, NaN -> null, floats to 10 significant digits.

    ``indicators`` / ``conditions`` are one commune's rows as dicts (:class:`~tc8.dossier.view.CommuneView`).
    """
    ind_rows = _rows(indicators, ["indicator"])
    cond_rows = _rows(conditions, ["indicator", "condition_id"])
    out = {}
    for ind_id in sorted({r["indicator"] for r in ind_rows}):
        block = {"indicator": [r for r in ind_rows if r["indicator"] == ind_id],
                 "conditions": [r for r in cond_rows if r["indicator"] == ind_id]}
        out[ind_id] = hashlib.sha256(canonical(block).encode("utf-8")).hexdigest()
    out["*"] = hashlib.sha256(canonical({"indicators": ind_rows, "conditions": cond_rows})
                              .encode("utf-8")).hexdigest()
    return out


def verdicts(indicators: list[dict]) -> dict[str, str]:
    """Indicator id (and ``TC8``) -> status code."""
    return {str(r["indicator"]): str(r["status"]) for r in indicators}


def build_manifest(info: dict, view: CommuneView, files: dict, options: dict, *, hashes: dict) -> dict:
    """The manifest of one commune. ``files`` maps role -> file name inside the commune folder;
    ``hashes``: :meth:`tc8.dossier.records.RecordSet.hashes` of the commune."""
    return {
        "format": FORMAT,
        "tool": info["tool"],
        "generated_at": info["generated_at"],
        "commune": {"code": view.code, "name": view.info.get("commune_name"),
                    "district": view.info.get("district_name"), "province_code": view.info.get("province_code"),
                    "province": view.info.get("province_name")},
        "rule_set": info["rule_set"],
        "parameters": view.parameters,
        "input": {**info["input"], **options},
        "inputs": info["inputs"],
        "synthetic_layers": info["synthetic_layers"],
        "metric_crs": info["metric_crs"],
        "policy": info.get("policy"),
        "incomplete_layers": info.get("incomplete_layers", []),
        "code_year": info.get("code_year"),
        "verdict": verdicts(view.indicators).get(CRITERION),
        "verdicts": verdicts(view.indicators),
        "record_set_version": hashes["record_set_version"],
        "tables_sha256": hashes["tables_sha256"],
        "records_sha256": hashes["records_sha256"],
        "files": files,
    }


def dumps(manifest: dict) -> str:
    return json.dumps(json_value(manifest), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def load(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a tc8 dossier manifest")
    return data


def find_manifests(root: Path) -> list[Path]:
    """``root/manifest.json`` (one commune folder) or ``root/*/manifest.json`` (a dossier root)."""
    root = Path(root)
    if (root / MANIFEST).is_file():
        return [root / MANIFEST]
    return sorted(p for p in root.glob(f"*/{MANIFEST}") if p.is_file())


def folder_hashes(folder: Path) -> dict:
    """File name -> SHA-256 of every file directly in ``folder`` (sorted by name)."""
    return {p.name: sha256_of(p) for p in sorted(Path(folder).iterdir()) if p.is_file()}


def build_run_manifest(info: dict, communes: dict, rollup: Path | None, *, previous: dict | None = None) -> dict:
    """The run manifest of a dossier root. ``communes``: code -> folder written by this run;
    ``rollup``: the roll-up workbook written (None when not written). ``previous``: the run
    manifest found before a run limited to some communes; its other communes and roll-up are
    kept (the folders this run did not touch)."""
    entries = dict((previous or {}).get("communes") or {})
    entries.update({code: {"folder": Path(folder).name, "files": folder_hashes(folder)}
                    for code, folder in communes.items()})
    return {
        "format": RUN_FORMAT,
        "tool": info["tool"],
        "generated_at": info["generated_at"],
        "rule_set": {"id": info["rule_set"]["id"], "sha256": info["rule_set"]["sha256"]},
        "input": info["input"],
        "complete": True,
        "communes": dict(sorted(entries.items())),
        "rollup": ({"file": rollup.name, "sha256": sha256_of(rollup)} if rollup is not None
                   else (previous or {}).get("rollup")),
    }


def load_run(root: Path) -> dict | None:
    """The run manifest of the dossier root ``root``; None when there is none.
    Raises ValueError for a file that is not a tc8 run manifest."""
    path = Path(root) / RUN_MANIFEST
    if not path.is_file():
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: {err}") from None
    if not isinstance(data, dict) or data.get("format") != RUN_FORMAT or not isinstance(data.get("communes"), dict):
        raise ValueError(f"{path}: not a tc8 run manifest")
    return data
