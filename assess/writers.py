"""Write results: ``results.gpkg`` (layers), ``results.csv`` (indicator table), ``results.json``.

Every file is written to a temporary name in the output folder and moved into place with
``os.replace``, so an interrupted run never leaves a half-written file under the final name.
Existing files are only replaced with ``overwrite=True``.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

from . import __version__
from .errors import OutputExistsError

RESULT_FILES = ("results.gpkg", "results.csv", "results.json")


def check_outputs(outdir: Path, names, *, overwrite: bool) -> None:
    """Raise :class:`OutputExistsError` when any of ``names`` exists in ``outdir`` and not ``overwrite``."""
    existing = [n for n in names if (Path(outdir) / n).exists()]
    if existing and not overwrite:
        raise OutputExistsError(
            f"{Path(outdir)}: đã có {', '.join(existing)} — dùng --overwrite để ghi đè "
            f"(already exists; use --overwrite to replace)")


@contextmanager
def atomic_path(final: Path):
    """Yield a temporary path beside ``final``; on success move it onto ``final``."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.stem}-", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    os.unlink(tmp)  # writers (GDAL) want to create the file themselves
    try:
        yield Path(tmp)
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns GDAL can write: nullable booleans/ints become floats or objects."""
    out = frame.copy()
    for col in out.columns:
        if col == "geometry":
            continue
        dtype = out[col].dtype
        if str(dtype) == "boolean":
            out[col] = out[col].astype("Int8")
        elif str(dtype) in ("string", "str"):
            out[col] = out[col].astype(object)
    return out


def rule_set_info(rule_set) -> dict:
    instruments = [{"id": i.id, "number": getattr(i, "number", ""), "date": str(getattr(i, "date", "") or "")}
                   for i in getattr(rule_set, "instruments", [])]
    return {"id": rule_set.id, "title_vi": getattr(rule_set, "title_vi", ""),
            "title_en": getattr(rule_set, "title_en", ""), "official": bool(getattr(rule_set, "official", True)),
            "sha256": getattr(rule_set, "sha256", ""), "instruments": instruments,
            "source_files": [str(p) for p in getattr(rule_set, "source_files", [])]}


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if (math.isnan(value) or math.isinf(value)) else float(value)
    if value is pd.NA or value is None:
        return None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def run_metadata(results, generated_at: str) -> dict:
    sources = results.inputs.raw.sources if results.inputs is not None else []
    return {
        "tool": {"name": "tc8", "version": __version__},
        "generated_at": generated_at,
        "rule_set": rule_set_info(results.rule_set),
        "metric_crs": results.metric_crs,
        "inputs": [{"path": s.path, "sha256": s.sha256, "size_bytes": s.size_bytes, "layers": dict(s.layers)}
                   for s in sources],
        "synthetic_layers": list(results.synthetic_layers),
        "synthetic_note_vi": ("Có lớp dữ liệu giả lập: " + ", ".join(results.synthetic_layers)
                              if results.synthetic_layers else ""),
        "synthetic_note_en": ("Synthetic layers: " + ", ".join(results.synthetic_layers)
                              if results.synthetic_layers else ""),
        "warnings": [p.as_dict("en") for p in results.warnings],
    }


def write_results(results, outdir, *, overwrite: bool = False, generated_at: str | None = None) -> dict:
    """Write the three result files into ``outdir``; return their paths."""
    outdir = Path(outdir)
    check_outputs(outdir, RESULT_FILES, overwrite=overwrite)
    generated_at = generated_at or now_iso()
    meta = run_metadata(results, generated_at)
    paths = {name: outdir / name for name in RESULT_FILES}

    with atomic_path(paths["results.gpkg"]) as tmp:
        communes = _plain(results.communes)
        pyogrio.write_dataframe(communes, tmp, layer="communes", promote_to_multi=True)
        for name, frame in (("indicators", results.indicators), ("conditions", results.conditions)):
            if len(frame):
                pyogrio.write_dataframe(_plain(frame), tmp, layer=name, append=True)
        villages = _plain(results.villages)
        pyogrio.write_dataframe(villages, tmp, layer="villages", geometry_type="Unknown", append=True)
        for name, frame in results.layers.items():
            if len(frame):
                pyogrio.write_dataframe(_plain(frame), tmp, layer=name, append=True,
                                        promote_to_multi=name == "coverage")
        info = pd.DataFrame({"key": ["tool_version", "generated_at", "rule_set", "rule_set_sha256",
                                     "metric_crs", "synthetic_layers"],
                             "value": [__version__, generated_at, meta["rule_set"]["id"],
                                       meta["rule_set"]["sha256"], results.metric_crs,
                                       ", ".join(results.synthetic_layers)]})
        pyogrio.write_dataframe(info, tmp, layer="run_info", append=True)

    table = results.indicators.copy()
    table.insert(0, "rule_set", results.rule_set.id)
    table["synthetic_inputs"] = ", ".join(results.synthetic_layers)
    with atomic_path(paths["results.csv"]) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8")

    doc = dict(meta)
    doc["rollup"] = results.rollup
    doc["indicators"] = results.indicators.to_dict("records")
    with atomic_path(paths["results.json"]) as tmp:
        Path(tmp).write_text(json.dumps(_json_safe(doc), ensure_ascii=False, indent=1), encoding="utf-8")
    return {k: str(v) for k, v in paths.items()}
