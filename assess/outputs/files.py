"""Write results: ``results.gpkg`` (layers), ``results.csv`` (indicator table), ``results.json``.

Text cells of ``results.csv`` that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``, tab or CR) get a single quote ``'`` in front (:mod:`tc8.io.inert`, the OWASP
convention); numbers, the GeoPackage and the JSON are written unchanged.

Every file is written to a temporary name in the output folder and moved into place with
``os.replace`` once all three are complete, so an interrupted run never leaves a half-written
file under the final name. Existing files are only replaced with ``overwrite=True``.

Speed (national benchmark, 2 cores): the GeoPackage goes through Arrow batches
(``use_arrow``) with SQLite's fsync off for the temporary file; the JSON indicator records
are encoded column by column, byte-identical to ``json.dumps(..., indent=1)``.
"""
from __future__ import annotations

import json
import math
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from json.encoder import encode_basestring
from pathlib import Path

import numpy as np
import pandas as pd

from tc8 import __version__
from tc8.io.atomic import atomic_path
from tc8.model.errors import OutputExistsError
from tc8.model.inputs import InputPolicy
from tc8.model.results import Results
from tc8.io.inert import inert_text_columns
from .gpkg_styles import qgis_layers, style_gpkg
from .provisional import provisional_codes, with_flag
from tc8.text.localised import localised_error
from tc8.text.messages import text
from tc8.text.problems import problem_dict

RESULT_FILES = ("results.gpkg", "results.csv", "results.json")


def check_outputs(outdir: Path, names, *, overwrite: bool) -> None:
    """Raise :class:`OutputExistsError` when any of ``names`` exists in ``outdir`` and not ``overwrite``."""
    existing = [n for n in names if (Path(outdir) / n).exists()]
    if existing and not overwrite:
        raise localised_error(OutputExistsError, "outputs.exists", str_lang="vi", outdir=Path(outdir),
                              names=", ".join(existing))


@contextmanager
def atomic_files(outdir, names, *, overwrite: bool, gpkg: tuple[str, ...] = ()):
    """The files ``names`` of one job in ``outdir``, written together: yields name -> temporary
    path; all are moved into place only when the block ends without error (a failure leaves the
    previous files untouched). ``gpkg``: the names written by GDAL (no placeholder file may
    exist at their temporary path). Raises :class:`OutputExistsError` as :func:`check_outputs`."""
    outdir = Path(outdir)
    check_outputs(outdir, names, overwrite=overwrite)
    with ExitStack() as stack:
        yield {name: stack.enter_context(atomic_path(outdir / name, placeholder=name not in gpkg))
               for name in names}


def synthetic_note(layers, lang: str) -> str:
    """``Có lớp dữ liệu giả lập: a, b`` / ``Synthetic layers: a, b``; "" without synthetic layers."""
    return text("results.synthetic_note", lang, layers=", ".join(layers)) if layers else ""


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@lru_cache(maxsize=1)
def _has_arrow() -> bool:
    """True when pyarrow (and a GDAL with the Arrow writer) can be used for GeoPackage output."""
    try:
        import pyarrow  # noqa: F401
        import pyogrio
    except ImportError:
        return False
    return tuple(pyogrio.__gdal_version__[:2]) >= (3, 8)


@contextmanager
def _gdal_config(options: dict):
    """Set GDAL configuration options for the duration of the block, then restore them."""
    import pyogrio

    old = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(old)


def _plain(frame: pd.DataFrame, *, arrow: bool = False) -> pd.DataFrame:
    """Columns GDAL can write: nullable booleans become small integers (0/1, NULL when unknown);
    text columns become objects (kept as they are for the Arrow writer, which takes them directly)."""
    out = frame.copy(deep=False)
    for col in out.columns:
        if col == "geometry":
            continue
        dtype = str(out[col].dtype)
        if dtype == "boolean":
            out[col] = out[col].astype("Int8")
        elif dtype in ("string", "str") and not arrow:
            out[col] = out[col].astype(object)
    return out


def rule_set_info(rule_set) -> dict:
    """What identifies a rule set in run metadata, manifests and the "Nguồn dữ liệu" sheet."""
    instruments = [{"id": i.id, "number": i.number, "date": i.date, "title_vi": i.title_vi}
                   for i in rule_set.instruments]
    return {"id": rule_set.id, "title_vi": rule_set.title_vi, "title_en": rule_set.title_en,
            "official": bool(rule_set.official), "sha256": rule_set.sha256,
            "source_files": [str(p) for p in rule_set.source_files], "instruments": instruments}


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


def _json_scalar(value) -> str:
    """JSON text of one scalar exactly as ``json.dumps(_json_safe(value), ensure_ascii=False)``."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, (dict, list, tuple)):
        raise TypeError("not a scalar")
    return json.dumps(_json_safe(value), ensure_ascii=False)


def _json_column(values: pd.Series) -> list[str]:
    """JSON text of every value of a column (NaN and infinities -> ``null``)."""
    if values.dtype.kind == "f":
        arr = values.to_numpy(dtype=float)
        text_ = [float.__repr__(x) for x in arr.tolist()]
        bad = np.flatnonzero(~np.isfinite(arr))
        for i in bad.tolist():
            text_[i] = "null"
        return text_
    if values.dtype.kind in "iu":
        return [str(x) for x in values.tolist()]
    if values.dtype.kind == "b":
        return ["true" if x else "false" for x in values.tolist()]
    return [_json_scalar(v) for v in values.to_numpy(dtype=object)]


def json_records(frame: pd.DataFrame, *, indent: int = 1, level: int = 1) -> str:
    """``frame.to_dict("records")`` as JSON text, byte for byte what ``json.dumps(..., indent=indent,
    ensure_ascii=False)`` writes for that list nested ``level`` deep, built column by column
    (the standard encoder is pure Python once ``indent`` is set: ~10x slower on 10^5 rows).
    Falls back to the standard encoder for columns holding lists or dicts."""
    if not len(frame):
        return "[]"
    pad = " " * indent
    item, key_pad = "\n" + pad * (level + 1), "\n" + pad * (level + 2)
    try:
        cols = [[f"{key_pad}{encode_basestring(str(name))}: {v}" for v in _json_column(frame[name])]
                for name in frame.columns]
    except TypeError:
        text_ = json.dumps(_json_safe(frame.to_dict("records")), ensure_ascii=False, indent=indent)
        return text_.replace("\n", "\n" + pad * level)
    if not cols:
        return "[" + ",".join(item + "{}" for _ in range(len(frame))) + "\n" + pad * level + "]"
    close = item + "}"
    records = [item + "{" + ",".join(parts) + close for parts in zip(*cols)]
    return "[" + ",".join(records) + "\n" + pad * level + "]"


def _splice_last_list(head: str, body: str) -> str:
    """Put ``body`` in place of the last ``[]`` of ``head`` (the empty placeholder list)."""
    at = head.rindex("[]")
    return head[:at] + body + head[at + 2:]


def _input_files(results: Results, *, full: bool) -> list[dict]:
    """Every input file read: path, SHA-256, size (bytes), rows per layer; ``full``: absolute path and CRS."""
    raw = getattr(results.inputs, "raw", None)
    out = []
    for s in list(getattr(raw, "sources", None) or []):
        if not full:
            out.append({"path": s.path, "sha256": s.sha256, "size_bytes": s.size_bytes, "layers": dict(s.layers)})
            continue
        out.append({"path": str(Path(s.path).resolve()), "sha256": s.sha256, "size_bytes": int(s.size_bytes),
                    "layers": {str(k): int(v) for k, v in dict(s.layers).items()}, "crs": str(s.crs or "")})
    return out


def _input_origin(results: Results) -> dict:
    """The input folder and population raster (absolute paths; "" / None when unknown)."""
    raw = getattr(results.inputs, "raw", None)
    root, pop = getattr(raw, "root", None), getattr(raw, "population_raster", None)
    return {"path": str(Path(root).resolve()) if root is not None else "",
            "population_raster": str(Path(pop).resolve()) if pop is not None else None}


def run_metadata(results: Results, generated_at: str, *, full: bool = False) -> dict:
    """Run-wide facts: tool, generation time (UTC, ISO 8601), rule set, metric CRS, the input
    files read (path, SHA-256, size in bytes, rows per layer), synthetic layers (with a note in
    each language), the input warnings, the input policy (``policy``) and the layers taken as
    incomplete (``incomplete_layers``: by flag, by the ``tc8_layers`` table or by an OSM source) and
    the year of the commune codes (``code_year``: :func:`code_year`) — what ``results.json`` carries.

    ``full=True`` (dossier manifests, the "Nguồn dữ liệu" sheet: what ``tc8 verify`` needs to
    re-run) also gives ``input`` (input folder and population raster), each file's absolute
    path and declared CRS, and the metric CRS as text ("" when none). A Results without
    inputs (built by hand) lists no files.
    """
    layers = list(results.synthetic_layers or [])
    meta = {
        "tool": {"name": "tc8", "version": __version__},
        "generated_at": generated_at,
        "rule_set": rule_set_info(results.rule_set),
        "metric_crs": str(results.metric_crs or "") if full else results.metric_crs,
        "inputs": _input_files(results, full=full),
        "synthetic_layers": [str(x) for x in layers] if full else layers,
        "synthetic_note_vi": synthetic_note(layers, "vi"),
        "synthetic_note_en": synthetic_note(layers, "en"),
        "warnings": [problem_dict(p, "en") for p in results.warnings],
        "policy": input_policy(results),
        "incomplete_layers": results.incomplete_layers,
        "code_year": code_year(results),
    }
    if full:
        meta["input"] = _input_origin(results)
    return meta


def code_year(results: Results) -> dict:
    """The year of the commune codes and how it was decided (``Inputs.code_year``,
    :mod:`tc8.validate.code_year`): ``{"year": 2024|2025|None, "basis": "flag"|"declared"|
    "inferred"|"unknown"}``; unknown for a Results without inputs."""
    found = getattr(results.inputs, "code_year", None)
    return found.as_dict() if found is not None else {"year": None, "basis": "unknown"}


def input_policy(results: Results) -> dict:
    """The input policy the run applied (:meth:`tc8.model.inputs.InputPolicy.as_dict`): what
    ``results.json``, the GeoPackage's ``run_info`` and every dossier manifest record, and
    ``tc8 verify`` re-applies."""
    policy = getattr(results.inputs, "policy", None) or InputPolicy()
    return policy.as_dict()


def excluded_table(results: Results) -> pd.DataFrame | None:
    """``Results.excluded`` without geometry (None without ``--skip-invalid``), for results.json."""
    excluded = results.excluded
    if excluded is None:
        return None
    return pd.DataFrame(excluded.drop(columns=[excluded.geometry.name]))


def _excluded_layer(results: Results):
    """The ``excluded_records`` layer: points where the records had a usable geometry, a plain
    table when none had; None when nothing was excluded."""
    excluded = results.excluded
    if excluded is None or not len(excluded):
        return None
    if excluded.geometry.isna().all():
        return excluded_table(results)
    return excluded


def _gpkg_layers(results):
    """(layer name, frame, write options) in the order they go into ``results.gpkg``."""
    yield "communes", results.communes, {"promote_to_multi": True}
    for name in ("indicators", "conditions"):
        frame = getattr(results, name)
        if len(frame):
            yield name, with_flag(frame, results) if name == "indicators" else frame, {}
    yield "villages", results.villages, {"geometry_type": "Unknown"}
    for name, frame in results.layers.items():
        if len(frame):
            yield name, frame, {"promote_to_multi": name == "coverage"}
    excluded = _excluded_layer(results)  # --skip-invalid
    if excluded is not None:
        yield "excluded_records", excluded, {"geometry_type": "Point"} if "geometry" in excluded.columns else {}


def write_gpkg(results, path: Path, meta: dict, generated_at: str, lang: str = "vi") -> None:
    """Write every result layer into a new GeoPackage at ``path`` (a temporary name).

    Arrow batches when pyarrow is installed (several times faster than feature by feature);
    SQLite is told not to fsync each commit — the file is a temporary one until it is
    complete and moved into place.
    """
    import pyogrio

    arrow = _has_arrow()
    with _gdal_config({"OGR_SQLITE_SYNCHRONOUS": "OFF"}):
        first = True
        for name, frame, options in qgis_layers(_gpkg_layers(results), results, lang):  # QGIS-ready
            pyogrio.write_dataframe(_plain(frame, arrow=arrow), path, layer=name, append=not first,
                                    use_arrow=arrow, **options)
            first = False
        info = pd.DataFrame({"key": ["tool_version", "generated_at", "rule_set", "rule_set_sha256",
                                     "metric_crs", "synthetic_layers", "policy", "code_year"],
                             "value": [__version__, generated_at, meta["rule_set"]["id"],
                                       meta["rule_set"]["sha256"], results.metric_crs,
                                       ", ".join(results.synthetic_layers),
                                       json.dumps(meta["policy"], ensure_ascii=False, sort_keys=True),
                                       json.dumps(meta["code_year"], sort_keys=True)]})
        pyogrio.write_dataframe(info, path, layer="run_info", append=True)
    style_gpkg(path, results, lang)  # default QGIS style per layer (layer_styles)


def write_results(results, outdir, *, overwrite: bool = False, generated_at: str | None = None,
                  lang: str = "vi") -> dict:
    """Write the three result files into ``outdir``; return their paths.

    All three go to temporary names first and are moved into place only when all three are
    complete: a failure leaves the previous results untouched. (Writing the GeoPackage in a
    second thread was tried: no gain on the 2-core benchmark machine.)
    """
    outdir = Path(outdir)
    check_outputs(outdir, RESULT_FILES, overwrite=overwrite)
    generated_at = generated_at or now_iso()
    meta = run_metadata(results, generated_at)
    paths = {name: outdir / name for name in RESULT_FILES}

    with ExitStack() as stack:
        tmp = {name: stack.enter_context(atomic_path(path, placeholder=False)) for name, path in paths.items()}
        write_gpkg(results, tmp["results.gpkg"], meta, generated_at, lang)

        table = results.indicators.copy()
        table.insert(0, "rule_set", results.rule_set.id)
        table["synthetic_inputs"] = ", ".join(results.synthetic_layers)
        table = with_flag(table, results)  # code_provisional: the commune has no official code
        inert_text_columns(table).to_csv(tmp["results.csv"], index=False, encoding="utf-8-sig")

        doc = dict(meta)
        doc["rollup"] = results.rollup
        excluded = excluded_table(results)
        if excluded is not None:  # --skip-invalid: every record left out, and the communes it could affect
            doc["excluded_records"] = _json_safe(excluded.to_dict("records"))
        doc["provisional_codes"] = sorted(provisional_codes(results))  # communes without an official code
        doc["indicators"] = []  # placeholder: the records are encoded column-wise below
        head = json.dumps(_json_safe(doc), ensure_ascii=False, indent=1)
        body = json_records(with_flag(results.indicators, results), indent=1, level=1)
        Path(tmp["results.json"]).write_text(_splice_last_list(head, body), encoding="utf-8")
    return {k: str(v) for k, v in paths.items()}
