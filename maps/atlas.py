"""One offline atlas folder: shared Leaflet assets once, an overview with search, a page per commune.

::

    OUT/index.html              overview: communes coloured by verdict, search by code or name
    OUT/assets/...              Leaflet + MarkerCluster (vendored, written once), atlas.js, commune.js, CSS
    OUT/communes/<code>.html    one small page per commune (links ../assets/, back to ../index.html)
    OUT/communes/<code>.png     with png=True

The overview is the map :mod:`tc8.maps.province` draws, with the assets linked by relative path
instead of inlined, so the folder works from ``file://`` with no network and no server. A commune
page is its panel and its data, drawn in the browser by ``assets/commune.js``: the same layers,
legend and popups as :mod:`tc8.maps.commune` (the dossier's folium maps), with every layer built
once for all communes (:mod:`tc8.maps.atlas_pages`). PNGs are drawn by ``jobs`` processes (forked:
they share the results); nothing written depends on ``jobs``.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from importlib.resources import files
from pathlib import Path

import numpy as np
import shapely

from tc8.io.atomic import atomic_path, write_text
from tc8.io.paths import output_path
from tc8.io.progress import Progress
from tc8.model.errors import OutputExistsError
from tc8.text.messages import text
from tc8.text.size import bounded

from .geo import js_json
from .offline import asset_files
from .select import build_index
from .style import render_fragment

INDEX_FILE = "index.html"
COMMUNE_DIR = "communes"
ASSET_DIR = "assets"
#: Own files of the atlas in ``templates/`` copied into ``assets/``.
OWN_ASSETS = ("atlas.js", "atlas.css", "commune.js", "map_panel.css")
#: Search hits listed at most.
SEARCH_LIMIT = 30
#: With ``jobs=None`` (the machine's cores), fewer communes than this are drawn in-process.
PARALLEL_FROM = 40

_WORK: dict = {}  # what forked workers draw from (set by the parent just before the pool starts)


def commune_file(outdir, code: str, suffix: str) -> Path:
    """``outdir/communes/<code><suffix>`` (safe name inside ``outdir``, else UnsafeNameError)."""
    return output_path(outdir, code, "{code}" + suffix, folder=COMMUNE_DIR)


def atlas_assets() -> dict[str, bytes]:
    """Relative path under ``assets/`` -> bytes: the vendored Leaflet files and the atlas script."""
    out = asset_files()
    for name in OWN_ASSETS:
        out[name] = files("tc8.templates").joinpath(name).read_bytes()
    return out


def write_assets(outdir: Path) -> list[Path]:
    """Write the shared assets once into ``outdir/assets`` (atomically, file by file)."""
    written = []
    for rel, data in atlas_assets().items():
        path = outdir / ASSET_DIR / Path(*rel.split("/"))
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
        written.append(path)
    return written


def _draw_one(code: str) -> None:
    """The PNG of ``code`` (the HTML pages are written by :func:`write_pages`)."""
    from .static import render_commune_png

    w = _WORK
    render_commune_png(w["results"], code, w["pngs"][code], lang=w["lang"], date=w["date"], index=w["index"])


def write_pages(results, targets: dict, *, lang: str, date: str | None, online_tiles: bool, progress: Progress,
                plan=None) -> None:
    """Write the commune pages of ``targets`` ({code: path}): data drawn by assets/commune.js
    (:mod:`tc8.maps.atlas_pages`: every layer built once for all communes, then page by page)."""
    from .atlas_pages import commune_pages

    back = ("../" + INDEX_FILE, text("atlas.back", lang))
    for code, page in commune_pages(results, list(targets), lang=lang, date=date, online_tiles=online_tiles,
                                    assets="../" + ASSET_DIR + "/", back=back, plan=plan):
        write_text(targets[code], page)
        progress.advance()


def _draw_chunk(codes: list[str]) -> int:
    for code in codes:
        _draw_one(code)
    return len(codes)


def _chunks(codes: list[str], jobs: int) -> list[list[str]]:
    size = max(1, min(25, len(codes) // (jobs * 8) or 1))
    return [codes[i:i + size] for i in range(0, len(codes), size)]


def draw_communes(work: dict, codes: list[str], *, jobs: int | None, progress: Progress) -> None:
    """Draw the PNGs of ``codes`` with ``jobs`` processes (None: the machine's cores)."""
    n_jobs = jobs or os.cpu_count() or 1
    if jobs is None and len(codes) < PARALLEL_FROM:
        n_jobs = 1
    _WORK.clear()
    _WORK.update(work)
    try:
        if n_jobs <= 1 or len(codes) <= 1:
            for code in codes:
                _draw_one(code)
                progress.advance()
            return
        _in_processes(codes, n_jobs, progress)
    finally:
        _WORK.clear()


def _init_worker() -> None:
    """Workers leave Ctrl-C to the parent and die on SIGTERM (the parent's handlers are inherited by fork)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _in_processes(codes: list[str], n_jobs: int, progress: Progress) -> None:
    """Draw ``codes`` in ``n_jobs`` forked processes; on an error or an interruption (Ctrl-C) the pages
    not drawn are cancelled, the workers stopped, and the error raised (pages written stay whole)."""
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=min(n_jobs, len(codes)), mp_context=context, initializer=_init_worker)
    try:
        futures = [pool.submit(_draw_chunk, chunk) for chunk in _chunks(codes, n_jobs)]
        for future in as_completed(futures):
            progress.advance(future.result())
    except BaseException:
        workers = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:  # the pages already queued too
            process.terminate()
        raise
    pool.shutdown(wait=True)


def search_entries(results, links: dict[str, str]) -> list[list]:
    """One ``[code, name, district, province, href, [s, w, n, e], provisional 0/1]`` per commune, in results
    order: what the overview's search box looks through (href "" when the commune has no page)."""
    communes = results.communes
    codes = communes["commune_code"].astype(str).tolist()
    boxes = _latlon_boxes(communes)

    def col(name):
        if name not in communes.columns:
            return [""] * len(communes)
        return [bounded(v, name) if isinstance(v, str) else "" for v in communes[name].tolist()]

    from tc8.model.inputs import PROVISIONAL_COLUMN

    tam = communes[PROVISIONAL_COLUMN].fillna(False).astype(bool).tolist() if PROVISIONAL_COLUMN in communes \
        else [False] * len(codes)
    return [[code, name, district, province, links.get(code, ""), box, int(t)]
            for code, name, district, province, box, t in zip(
                codes, col("commune_name"), col("district_name"), col("province_name"), boxes, tam)]


def _latlon_boxes(communes) -> list:
    """``[south, west, north, east]`` (4 decimals) of each commune, None when it has no geometry."""
    geoms = np.asarray(communes.geometry.values, dtype=object)
    bounds = shapely.bounds(geoms)
    if communes.crs is not None and not communes.crs.is_geographic:
        from pyproj import Transformer
        to_wgs = Transformer.from_crs(communes.crs, "EPSG:4326", always_xy=True)
        x0, y0 = to_wgs.transform(bounds[:, 0], bounds[:, 1])
        x1, y1 = to_wgs.transform(bounds[:, 2], bounds[:, 3])
        bounds = np.column_stack([x0, y0, x1, y1])
    out = []
    for w, s, e, n in np.round(bounds, 4).tolist():
        out.append(None if not np.all(np.isfinite([w, s, e, n])) else [s, w, n, e])
    return out


def popup_words(results, lang: str) -> dict:
    """What the overview's popups are built from in the page (templates/atlas.js): the status property
    of each row (TC8 first, then the indicators), status words and colours, the link text."""
    from tc8.model.results import CRITERION, STATUSES, status_column
    from tc8.outputs.provisional import provisional_label

    from .style import STATUS_COLORS, status_label

    ids = [i for i in results.indicators["indicator"].astype(str).unique() if i != CRITERION]
    return {"rows": [[CRITERION, "status_tc8"], *([i, status_column(i)] for i in ids)],
            "labels": {**{s: status_label(s, lang) for s in STATUSES}, "": status_label(None, lang)},
            "colors": dict(STATUS_COLORS), "open": text("map.open_commune_map", lang),
            "provisional": provisional_label(lang)}


def search_panel(results, links: dict[str, str], lang: str) -> str:
    """The overview's search box, its data and script (trusted HTML for ``render_page``'s body)."""
    data = {"communes": search_entries(results, links), "limit": SEARCH_LIMIT,
            "none": text("atlas.search_none", lang), "popup": popup_words(results, lang)}
    panel = render_fragment("atlas_search.html", label=text("atlas.search_label", lang),
                            placeholder=text("atlas.search_placeholder", lang))
    return (panel + f"\n<script>var tc8_atlas = {js_json(data)};</script>\n"
            f'<script src="{ASSET_DIR}/atlas.js"></script>')


def atlas_css() -> str:
    return "<style>" + files("tc8.templates").joinpath("atlas.css").read_text(encoding="utf-8") + "</style>"


def _targets(outdir: Path, codes: list[str], png: bool, overview_only: bool) -> tuple[dict, dict]:
    if overview_only:
        return {}, {}
    return ({c: commune_file(outdir, c, ".html") for c in codes},
            {c: commune_file(outdir, c, ".png") for c in codes} if png else {})


def _refuse_existing(paths: list[Path], overwrite: bool) -> None:
    existing = [p for p in paths if p.exists()]
    if existing and not overwrite:
        names = ", ".join(str(p) for p in existing[:3]) + (" …" if len(existing) > 3 else "")
        raise OutputExistsError(f"{names}: đã có — dùng --overwrite để ghi đè (already exists; use --overwrite)")


def write_atlas(results, outdir, *, lang: str = "vi", overwrite: bool = False, communes=None, png: bool = False,
                date: str | None = None, online_tiles: bool = True, overview_only: bool = False,
                jobs: int | None = 1, quiet: bool = True, plan=None) -> dict:
    """Write the atlas of ``results`` into ``outdir`` (see the module docstring).

    ``communes``: codes given a page (default all; ``KeyError`` for an unknown one); the overview
    shows every commune and links those with a page. ``overview_only``: no commune page at all.
    ``jobs``: processes drawing the PNGs (None: the machine's cores; the HTML pages are written in-process). ``quiet=False``: progress
    on stderr. Existing files are refused (:class:`OutputExistsError`, before anything is written)
    unless ``overwrite``. Returns ``{"province": index, "communes": {code: Path}, "png": {code: Path},
    "assets": [Path]}``. ``plan``: a :class:`tc8.plan.model.Plan` of ``results``, drawn on the commune
    pages as the overlay "Kế hoạch" (:mod:`tc8.maps.plan_layer`); None: the pages are unchanged.
    """
    from .province import render_province_map

    outdir = Path(outdir)
    all_codes = results.communes["commune_code"].astype(str).tolist()
    codes = all_codes if not communes else [str(c) for c in communes]
    unknown = sorted(set(codes) - set(all_codes))
    if unknown:
        raise KeyError(", ".join(unknown))
    targets, pngs = _targets(outdir, codes, png, overview_only)
    index_path = outdir / INDEX_FILE
    _refuse_existing([index_path, *targets.values(), *pngs.values()], overwrite)
    assets = write_assets(outdir)
    work = {"results": results, "index": build_index(results) if pngs else None, "lang": lang, "date": date,
            "online_tiles": online_tiles, "targets": targets, "pngs": pngs}
    with Progress(len(targets) + len(pngs) + 1, text("atlas.progress", lang), quiet=quiet) as bar:
        write_pages(results, targets, lang=lang, date=date, online_tiles=online_tiles, progress=bar, plan=plan)
        draw_communes(work, list(pngs), jobs=jobs, progress=bar)
        links = {c: p.relative_to(outdir).as_posix() for c, p in targets.items()}
        write_text(index_path, render_province_map(
            results, lang=lang, commune_links=links, date=date, online_tiles=online_tiles,
            assets=ASSET_DIR + "/", extra_head=atlas_css(), extra_body=search_panel(results, links, lang),
            popup_detail=False))
        bar.advance()
    return {"province": index_path, "communes": targets, "png": pngs, "assets": assets}


__all__ = ["write_atlas", "search_entries", "atlas_assets", "INDEX_FILE", "COMMUNE_DIR", "ASSET_DIR"]
