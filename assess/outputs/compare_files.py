"""Write a :class:`tc8.engine.compare.Comparison` (``tc8 compare``): ``compare.csv`` and ``compare.gpkg``
(the workbook ``compare.xlsx`` comes from :mod:`tc8.dossier.workbook_compare`, passed in ``extra``).

* ``compare.csv`` (UTF-8 with BOM, text made formula-inert like ``results.csv``): one row per
  commune x indicator whose status differs, the criterion row ``TC8`` included —
  ``rule_set_a, rule_set_b``, then :data:`tc8.engine.compare.ROW_COLUMNS`;
* ``compare.gpkg``: layer ``communes_changed`` (the communes whose TC8 status differs: polygons in
  the metric CRS, ``status_tc8_a``, ``status_tc8_b``, ``indicators_changed``), layer ``changes``
  (the CSV's rows, no geometry), layer ``moves`` (communes per indicator and move) and
  ``run_info``.

Every file goes to a temporary name and is moved into place once all are complete; existing
files are refused unless ``overwrite``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tc8 import __version__
from tc8.io.inert import inert_text_columns
from tc8.model.results import CRITERION
from .files import _plain, atomic_files, now_iso

if TYPE_CHECKING:
    from tc8.engine.compare import Comparison

COMPARE_CSV, COMPARE_GPKG, COMPARE_XLSX = "compare.csv", "compare.gpkg", "compare.xlsx"
COMPARE_FILES = (COMPARE_CSV, COMPARE_GPKG)


def compare_table(comparison: Comparison) -> pd.DataFrame:
    """The rows of ``compare.csv``: both rule set ids, then the comparison's rows."""
    table = comparison.rows.copy()
    table.insert(0, "rule_set_b", comparison.b.rule_set.id)
    table.insert(0, "rule_set_a", comparison.a.rule_set.id)
    return table


def changed_communes(comparison: Comparison):
    """The communes whose TC8 status differs: code, name, district, both statuses, the indicators
    that changed, and the polygon (A's communes layer, else B's)."""
    rows = comparison.rows
    crit = rows[rows["indicator"] == CRITERION].set_index("commune_code")
    inds = rows[rows["indicator"] != CRITERION].groupby("commune_code")["indicator"].agg(";".join)
    communes = pd.concat([comparison.a.communes, comparison.b.communes]).drop_duplicates("commune_code")
    keep = [c for c in ("commune_code", "commune_name", "district_name", "geometry") if c in communes.columns]
    out = communes.loc[communes["commune_code"].isin(crit.index), keep].copy()
    out["status_tc8_a"] = out["commune_code"].map(crit["status_a"]).to_numpy()
    out["status_tc8_b"] = out["commune_code"].map(crit["status_b"]).to_numpy()
    out["indicators_changed"] = out["commune_code"].map(inds).fillna("").to_numpy()
    return out.reset_index(drop=True)


def run_info(comparison: Comparison, generated_at: str) -> pd.DataFrame:
    a, b = comparison.a, comparison.b
    return pd.DataFrame({"key": ["tool_version", "generated_at", "rule_set_a", "rule_set_a_sha256", "rule_set_b",
                                 "rule_set_b_sha256", "metric_crs", "communes", "communes_changed"],
                         "value": [__version__, generated_at, a.rule_set.id, a.rule_set.sha256, b.rule_set.id,
                                   b.rule_set.sha256, a.metric_crs, str(len(a.communes)),
                                   str(len(comparison.changed_communes))]})


def _write_gpkg(comparison: Comparison, path: Path, generated_at: str) -> None:
    import pyogrio

    changed = changed_communes(comparison)
    options = {"promote_to_multi": True, "geometry_type": "MultiPolygon"} if "geometry" in changed.columns else {}
    if "geometry" in changed.columns and comparison.a.metric_crs:
        changed = changed.set_crs(comparison.a.metric_crs, allow_override=True)
    layers = [("communes_changed", changed, options), ("changes", compare_table(comparison), {}),
              ("moves", comparison.moves, {}), ("run_info", run_info(comparison, generated_at), {})]
    for i, (name, frame, opts) in enumerate(layers):
        pyogrio.write_dataframe(_plain(frame), path, layer=name, append=i > 0, **opts)


def write_compare_files(comparison: Comparison, outdir, *, overwrite: bool = False, generated_at: str | None = None,
                        extra=None) -> dict[str, Path]:
    """Write ``compare.csv`` and ``compare.gpkg`` (and ``extra``: name -> ``writer(path)``, e.g. the
    workbook) into ``outdir``, all atomically together; return name -> path. Raises
    :class:`~tc8.model.errors.OutputExistsError` when one exists and not ``overwrite``."""
    outdir = Path(outdir)
    extra = dict(extra or {})
    names = (*COMPARE_FILES, *extra)
    stamp = generated_at or now_iso()
    paths = {name: outdir / name for name in names}
    with atomic_files(outdir, names, overwrite=overwrite, gpkg=(COMPARE_GPKG,)) as tmp:
        inert_text_columns(compare_table(comparison)).to_csv(tmp[COMPARE_CSV], index=False, encoding="utf-8-sig")
        _write_gpkg(comparison, tmp[COMPARE_GPKG], stamp)
        for name, writer in extra.items():
            writer(tmp[name])
    return paths
