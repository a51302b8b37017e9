"""Evidence dossiers: one folder per commune plus the province roll-up workbook.

``write_dossiers(results, outdir)`` writes::

    outdir/<commune_code>/ho-so-tc8-<code>.xlsx   commune workbook (tc8.dossier.workbook_commune)
    outdir/<commune_code>/ban-do-tc8-<code>.html  commune map, when tc8.maps is installed
    outdir/<commune_code>/ban-do-tc8-<code>.png   map picture (also embedded in the workbook), when available
    outdir/<commune_code>/manifest.json           tc8.dossier.manifest
    outdir/tong-hop-tinh.xlsx                     province roll-up (tc8.dossier.workbook_province)
    outdir/run-manifest.json                      written last: the run finished (tc8.dossier.manifest)

Folder and file names come only from commune codes, never from names, and are built by
:func:`tc8.io.paths.output_path` (safe names only, always inside ``outdir``).
Existing dossiers are refused unless ``overwrite=True`` (checked for every target before
anything is written). Each commune folder is built in a hidden temporary folder beside it
and renamed into place, so an interrupted run leaves either the old folder or the new one,
never a half-written workbook. Communes are written one at a time: memory holds the
results tables plus one workbook.

A run is marked complete only at its end: ``run-manifest.json`` is removed before the first
folder is touched and written (atomically) after the roll-up, listing every commune folder
and the roll-up with their SHA-256. An interrupted run (Ctrl-C, SIGTERM, SIGHUP: the CLI turns
them into KeyboardInterrupt) removes its temporary folder and leaves no run manifest; what a
killed run left behind (hidden ``.<code>.tmp.*`` / ``.<code>.old.*`` folders and hidden
temporary files of the roll-up and run manifest) is removed by the next ``overwrite`` run.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from .view import CommuneView, Context, Slicer
from tc8.model.errors import OutputExistsError, Tc8Error
from tc8.model.results import Results
from .manifest import MANIFEST, RUN_MANIFEST, build_manifest, build_run_manifest, dumps, load_run
from .records import RecordSet
from .parallel import run_each
from .portable import portable_info
from .stable import stable_html_ids
from .workbook_commune import write_commune_workbook
from .workbook_province import write_province_workbook
from tc8.io.atomic import write_text
from tc8.io.progress import Progress
from tc8.text.messages import text
from tc8.outputs.files import now_iso
from tc8.io.paths import data_name, output_path
from tc8.text.localised import localised_error
from .names import PROVINCE_FILES, map_patterns, province_file, workbook_pattern

log = logging.getLogger(__name__)

PROVINCE_FILE = "tong-hop-tinh.xlsx"
TMP_MARK, OLD_MARK = ".tmp.", ".old."  # hidden work folders: .<code>.tmp.<random>, .<code>.old.<random>
#: names of the hidden work folders and temporary files this module (and tc8.io.atomic) creates
#: in a dossier root; ``tempfile`` adds 8 random characters from ``[a-z0-9_]``
_RANDOM = "[a-z0-9_]{8}"
_LEFTOVER = re.compile("|".join(
    [rf"\.[0-9A-Za-z_-]+{re.escape(mark)}{_RANDOM}" for mark in (TMP_MARK, OLD_MARK)]
    + [rf"\.{re.escape(Path(name).stem)}-{_RANDOM}{re.escape(Path(name).suffix)}" for name in (*PROVINCE_FILES, RUN_MANIFEST)]))
#: dossier progress (``progress=True``) is shown from this many communes on; fewer stay silent
PROGRESS_MIN = 50
WORKBOOK_NAME = "ho-so-tc8-{code}.xlsx"
MAP_NAMES = ("ban-do-tc8-{code}.html", "ban-do-tc8-{code}.png")


def workbook_name(code: str, lang: str = "vi") -> str:
    return data_name(code, workbook_pattern(lang))


def map_names(code: str, lang: str = "vi") -> tuple[str, str]:
    return tuple(data_name(code, pattern) for pattern in map_patterns(lang))


class MapRenderer:
    """The commune maps of a dossier (HTML and PNG, from :mod:`tc8.maps`).

    ``html_from``: a folder of commune maps already drawn by :func:`tc8.maps.save_maps`
    (``<code>.html``), copied instead of drawn again. A map that fails to draw is logged and
    left out; it never loses the dossier.
    """

    def __init__(self, results: Results, *, lang: str, html_from: Path | None = None) -> None:
        from tc8.maps.select import build_index

        self.results, self.lang = results, lang
        self.html_from = Path(html_from) if html_from else None
        self.index = build_index(results)  # layers grouped by commune once, not once per map

    def write(self, code: str, folder: Path, generated_at: str) -> dict:
        from tc8.maps import render_commune_map, render_commune_png
        from tc8.maps.select import commune_view

        html_name, png_name = map_names(code, self.lang)
        date = generated_at[:10]
        out = {}
        try:  # what the commune's maps show, worked out once for the picture and the HTML
            view = commune_view(self.results, code, index=self.index)
        except Exception as err:  # noqa: BLE001 - a map failure must not lose the dossier
            log.warning("%s: maps not drawn: %s", code, err)
            return out
        try:
            render_commune_png(self.results, code, folder / png_name, lang=self.lang, date=date, view=view)
            out["map_png"] = png_name
        except Exception as err:  # noqa: BLE001 - a map failure must not lose the dossier
            log.warning("%s: map picture not drawn: %s", code, err)
        drawn = output_path(self.html_from, code, "{code}.html") if self.html_from else None  # save_maps' name
        try:
            if drawn is not None and drawn.is_file():
                html = drawn.read_text(encoding="utf-8")
            else:
                html = render_commune_map(self.results, code, lang=self.lang, date=date, view=view)
            write_text(folder / html_name, stable_html_ids(html, code))
            out["map_html"] = html_name
        except Exception as err:  # noqa: BLE001
            log.warning("%s: map not drawn: %s", code, err)
        return out


def _select(slicer: Slicer, communes: Iterable[str] | None) -> list[str]:
    if not communes:
        return slicer.codes
    wanted = [str(c).strip() for c in communes]
    unknown = [c for c in wanted if c not in slicer.row_of]
    if unknown:
        raise localised_error(Tc8Error, "dossier.unknown_communes", codes=", ".join(unknown))
    return list(dict.fromkeys(wanted))


def check_existing(outdir: Path, codes: list[str], overwrite: bool, province: bool = True) -> None:
    """Raise :class:`OutputExistsError` when a commune folder of ``codes`` (or, with ``province``,
    the roll-up workbook) already exists in ``outdir`` and not ``overwrite``."""
    if overwrite or not outdir.exists():
        return
    existing = [c for c in codes if (outdir / c).exists()]
    if province:
        existing += [name for name in PROVINCE_FILES if (outdir / name).exists()]
    if existing:
        shown = ", ".join(existing[:5]) + (f" (+{len(existing) - 5})" if len(existing) > 5 else "")
        raise localised_error(OutputExistsError, "dossier.exists", f"{outdir}: ", shown=shown)


def _swap_in(tmp: Path, final: Path) -> None:
    """Move the finished temporary folder onto ``final`` (replacing an old one)."""
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}{OLD_MARK}"))
        os.replace(final, old / final.name)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old is not None:
            os.replace(old / final.name, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_leftovers(outdir: Path) -> list[str]:
    """Remove what an interrupted or killed run of this module left in ``outdir`` (only its
    own hidden work folders and temporary files, see ``_LEFTOVER``); return their names."""
    removed = []
    for path in sorted(Path(outdir).iterdir()) if Path(outdir).is_dir() else []:
        if not _LEFTOVER.fullmatch(path.name):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(path.name)
    if removed:
        log.info("%s: removed leftovers of an interrupted run: %s", outdir, ", ".join(removed))
    return removed


def _start_run(outdir: Path, overwrite: bool, province: bool) -> dict | None:
    """Before anything is written: remove an ``overwrite`` run's leftovers, and the run manifest
    (the folder is incomplete until this run ends). Returns the previous run manifest that a run
    limited to some communes (``province`` false) extends, else None."""
    if overwrite:
        remove_leftovers(outdir)
    previous = None
    if not province:
        try:
            previous = load_run(outdir)
        except (ValueError, OSError) as err:
            log.warning("%s: earlier run manifest not readable, not extended: %s", outdir, err)
    (outdir / RUN_MANIFEST).unlink(missing_ok=True)
    return previous


def write_commune_dossier(ctx: Context, view: CommuneView, outdir: Path, *, maps: MapRenderer | None = None,
                          options: dict | None = None, records: RecordSet | None = None) -> Path:
    """Write one commune folder (workbook, maps, manifest) atomically; return the folder.

    ``records``: the record set of ``ctx.results`` that the manifest hashes, built once per run
    (built here when not given)."""
    records = records if records is not None else RecordSet(ctx.results)
    code = view.code
    final = output_path(outdir, code)
    tmp = Path(tempfile.mkdtemp(dir=outdir, prefix=f".{code}{TMP_MARK}"))
    try:
        files = maps.write(code, tmp, ctx.info["generated_at"]) if maps is not None else {}
        png = tmp / files["map_png"] if "map_png" in files else None
        write_commune_workbook(ctx, view, output_path(tmp, code, workbook_pattern(ctx.lang)), map_png=png)
        files = {"workbook": workbook_name(code, ctx.lang), **files}
        manifest = build_manifest(ctx.info, view, files, options or {}, hashes=records.hashes(code))
        write_text(tmp / MANIFEST, dumps(manifest))
        _swap_in(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def write_dossiers(results: Results, outdir: str | Path, *, overwrite: bool = False, lang: str = "vi",
                   communes: Iterable[str] | None = None,
                   with_maps: bool = True, options: dict | None = None, generated_at: str | None = None,
                   maps_from: Path | None = None, province: bool = True, jobs: int | None = 1,
                   progress: bool = False) -> dict:
    """Write the dossier of every commune of ``results`` (or only ``communes``) and the roll-up.

    ``options`` (rules, population, metric_crs as given to the assessment) go into each
    manifest so ``tc8 verify`` can re-run it. ``maps_from``: folder of commune HTML maps already
    drawn in this run (copied, not drawn again). ``province=False`` skips the roll-up workbook
    (a run limited to some communes must not replace the whole province's roll-up). ``jobs``: worker
    processes for the commune folders (None: the machine's cores; :mod:`tc8.dossier.parallel`), the
    same bytes for any number; ``progress``: report on stderr (:class:`tc8.io.progress.Progress`). Returns ``{"outdir", "communes": {code: folder},
    "province": path or None, "seconds"}``. Raises :class:`OutputExistsError` before writing anything
    when a target exists and ``overwrite`` is false; :class:`Tc8Error` for an unknown code.
    """
    t0 = time.perf_counter()
    outdir = Path(outdir)
    slicer = Slicer(results)
    codes = _select(slicer, communes)
    for code in codes:
        output_path(outdir, code)
    check_existing(outdir, codes, overwrite, province)
    outdir.mkdir(parents=True, exist_ok=True)
    previous = _start_run(outdir, overwrite, province)
    ctx = Context.build(results, lang, generated_at or now_iso())
    ctx.info = portable_info(ctx.info, outdir)  # the input by name, hash and relative path
    opts = {"rules": getattr(results.rule_set, "id", ""), "lang": lang, **(options or {})}
    maps = MapRenderer(results, lang=lang, html_from=maps_from) if with_maps else None
    records = RecordSet(results)
    with Progress(len(codes), text("progress.dossiers", lang), quiet=not progress or len(codes) < PROGRESS_MIN) as bar:
        def advance() -> None:
            bar.advance()
            if bar.done % 200 == 0:
                log.info("%d/%d dossiers (%.1f s)", bar.done, len(codes), time.perf_counter() - t0)

        written = run_each(codes, lambda code: write_commune_dossier(ctx, slicer.view(code), outdir, maps=maps,
                                                                     options=opts, records=records),
                           jobs=jobs, advance=advance)
    rollup = None
    if province:
        rollup = outdir / province_file(lang)
        write_province_workbook(ctx, rollup)
    write_text(outdir / RUN_MANIFEST, dumps(build_run_manifest(ctx.info, written, rollup, previous=previous)))
    return {"outdir": outdir, "communes": written, "province": rollup,
            "seconds": time.perf_counter() - t0}
