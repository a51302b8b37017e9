"""Write a province's maps: ``communes/<code>.html`` (+ optional ``.png``) and ``province.html``.

File names come from commune codes through :func:`tc8.io.paths.output_path` only (safe names,
always inside the output folder); every path is checked before anything is written.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from tc8.model.errors import OutputExistsError

from .commune import render_commune_map
from tc8.io.atomic import write_text
from tc8.io.paths import output_path
from .province import render_province_map
from .select import build_index

log = logging.getLogger(__name__)
PROVINCE_FILE = "province.html"
COMMUNE_DIR = "communes"


def commune_file(outdir, code: str, suffix: str) -> Path:
    """``outdir/communes/<code><suffix>``, refused (:class:`~tc8.io.paths.UnsafeNameError`) when
    ``code`` is not a safe file name or the path would leave ``outdir``."""
    return output_path(outdir, code, "{code}" + suffix, folder=COMMUNE_DIR)


def save_maps(results, outdir, *, lang: str = "vi", overwrite: bool = False, communes=None,
              png: bool = False, date: str | None = None, online_tiles: bool = True) -> dict:
    """Render and write the maps of ``results`` under ``outdir``.

    ``communes``: codes to draw (default: every assessed commune); the overview always
    shows every commune and links those drawn. Existing files are kept unless
    ``overwrite`` (then :class:`~tc8.model.errors.OutputExistsError` is raised before anything is
    written). ``online_tiles=False``: no OpenStreetMap base layer, so the pages request
    nothing. Returns ``{"province": Path, "communes": {code: Path}, "png": {code: Path}}``.
    """
    outdir = Path(outdir)
    all_codes = results.communes["commune_code"].astype(str).tolist()
    codes = all_codes if not communes else [str(c) for c in communes]
    unknown = sorted(set(codes) - set(all_codes))
    if unknown:
        raise KeyError(", ".join(unknown))
    targets = {c: commune_file(outdir, c, ".html") for c in codes}
    pngs = {c: commune_file(outdir, c, ".png") for c in codes} if png else {}
    province = outdir / PROVINCE_FILE
    existing = [p for p in [province, *targets.values(), *pngs.values()] if p.exists()]
    if existing and not overwrite:
        names = ", ".join(str(p) for p in existing[:3]) + (" …" if len(existing) > 3 else "")
        raise OutputExistsError(f"{names}: đã có — dùng --overwrite để ghi đè (already exists; use --overwrite)")
    t0 = time.perf_counter()
    index = build_index(results)
    for code, path in targets.items():
        write_text(path, render_commune_map(results, code, lang=lang, date=date, index=index,
                                            online_tiles=online_tiles))
    t1 = time.perf_counter()
    if png:
        from .static import render_commune_png
        for code, path in pngs.items():
            render_commune_png(results, code, path, lang=lang, date=date, index=index)
    links = {c: path.relative_to(outdir).as_posix() for c, path in targets.items()}
    write_text(province, render_province_map(results, lang=lang, commune_links=links, date=date,
                                             online_tiles=online_tiles))
    log.info("maps: %d commune maps in %.2f s, overview in %.2f s -> %s",
             len(targets), t1 - t0, time.perf_counter() - t1, outdir)
    return {"province": province, "communes": targets, "png": pngs}
