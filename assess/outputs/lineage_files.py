"""Write a carried assessment (:class:`tc8.engine.lineage.Lineage`): ``lineage.csv``,
``lineage_parts.csv`` and ``lineage.gpkg``.

* ``lineage.csv`` / GeoPackage layer ``lineage``: one row per new (2025) commune × indicator, the
  long format of ``results.csv`` (``commune_code`` = the 2025 code) plus the parts, their
  statuses and shares, ``needs_reassessment``, ``basis`` (``practice``) and the note saying so;
* ``lineage_parts.csv`` / layer ``parts``: one row per new commune × old (2024) part;
* layer ``communes``: one row per new commune, geometry = union of the assessed parts' polygons
  (approximate where a part was split or is missing: ``needs_reassessment``);
* layer ``run_info``: tool, time, rule set, basis, the assessment read.

CSV text is made formula-inert like ``results.csv`` (:mod:`tc8.io.inert`); every file goes to a
temporary name and is moved into place once all are complete. Existing files are refused unless
``overwrite``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tc8 import __version__
from tc8.io.inert import inert_text_columns
from .files import _plain, atomic_files, now_iso

if TYPE_CHECKING:
    from tc8.engine.lineage import Lineage

LINEAGE_CSV, PARTS_CSV, LINEAGE_GPKG = "lineage.csv", "lineage_parts.csv", "lineage.gpkg"
LINEAGE_FILES = (LINEAGE_CSV, PARTS_CSV, LINEAGE_GPKG)


def run_info(lineage: Lineage, generated_at: str, source: str) -> pd.DataFrame:
    """Key/value facts of the run, as in ``results.gpkg``'s ``run_info``."""
    return pd.DataFrame({"key": ["tool_version", "generated_at", "rule_set", "basis", "code_year",
                                 "source_code_year", "source", "unmatched_codes"],
                         "value": [__version__, generated_at, lineage.rule_set, "practice", "2025", "2024",
                                   source, ", ".join(lineage.unmatched)]})


def _write_gpkg(lineage: Lineage, path: Path, info: pd.DataFrame) -> None:
    import pyogrio

    communes = lineage.communes
    layers = [("communes", communes, {"promote_to_multi": True}) if "geometry" in communes.columns
              else ("communes", pd.DataFrame(communes), {}),
              ("lineage", lineage.rows, {}), ("parts", lineage.parts, {}), ("run_info", info, {})]
    for i, (name, frame, options) in enumerate(layers):
        pyogrio.write_dataframe(_plain(frame), path, layer=name, append=i > 0, **options)


def write_lineage_files(lineage: Lineage, outdir, *, overwrite: bool = False, generated_at: str | None = None,
                        source: str = "", extra=None) -> dict[str, Path]:
    """Write ``lineage.csv``, ``lineage_parts.csv``, ``lineage.gpkg`` (and ``extra``: name ->
    ``writer(path)`` for more files of the same job, e.g. the workbook) into ``outdir``, all
    atomically together; return name -> path. Raises
    :class:`~tc8.model.errors.OutputExistsError` when one exists and not ``overwrite``."""
    outdir = Path(outdir)
    extra = dict(extra or {})
    names = (*LINEAGE_FILES, *extra)
    stamp = generated_at or now_iso()
    paths = {name: outdir / name for name in names}
    with atomic_files(outdir, names, overwrite=overwrite, gpkg=(LINEAGE_GPKG,)) as tmp:
        inert_text_columns(lineage.rows).to_csv(tmp[LINEAGE_CSV], index=False, encoding="utf-8-sig")
        inert_text_columns(lineage.parts).to_csv(tmp[PARTS_CSV], index=False, encoding="utf-8-sig")
        _write_gpkg(lineage, tmp[LINEAGE_GPKG], run_info(lineage, stamp, source))
        for name, writer in extra.items():
            writer(tmp[name])
    return paths
