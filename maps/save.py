"""Write a province's maps: the offline atlas of :mod:`tc8.maps.atlas` (``index.html``, ``assets/``,
``communes/<code>.html`` and optional ``.png``).

File names come from commune codes through :func:`tc8.io.paths.output_path` only (safe names,
always inside the output folder); every path is checked before anything is written.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from .atlas import COMMUNE_DIR, INDEX_FILE, commune_file, write_atlas

log = logging.getLogger(__name__)
#: The overview page (``index.html`` of the atlas).
PROVINCE_FILE = INDEX_FILE


def save_maps(results, outdir, *, lang: str = "vi", overwrite: bool = False, communes=None,
              png: bool = False, date: str | None = None, online_tiles: bool = True,
              overview_only: bool = False, jobs: int | None = 1, quiet: bool = True) -> dict:
    """Render and write the maps of ``results`` under ``outdir`` as one atlas folder.

    ``communes``: codes to draw (default: every assessed commune); the overview always
    shows every commune and links those drawn. Existing files are kept unless
    ``overwrite`` (then :class:`~tc8.model.errors.OutputExistsError` is raised before anything is
    written). ``online_tiles=False``: no OpenStreetMap base layer, so the pages request
    nothing. ``overview_only``, ``jobs``, ``quiet``: see :func:`tc8.maps.atlas.write_atlas`.
    Returns ``{"province": Path, "communes": {code: Path}, "png": {code: Path}, "assets": [Path]}``.
    """
    t0 = time.perf_counter()
    out = write_atlas(results, outdir, lang=lang, overwrite=overwrite, communes=communes, png=png, date=date,
                      online_tiles=online_tiles, overview_only=overview_only, jobs=jobs, quiet=quiet)
    log.info("maps: atlas of %d commune pages in %.2f s -> %s", len(out["communes"]), time.perf_counter() - t0,
             Path(outdir))
    return out


__all__ = ["save_maps", "commune_file", "PROVINCE_FILE", "COMMUNE_DIR"]
