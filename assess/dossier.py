"""Evidence dossiers: one folder per commune plus the province roll-up workbook.

``write_dossiers(results, outdir)`` writes::

    outdir/<commune_code>/ho-so-tc8-<code>.xlsx   commune workbook (tc8.workbook_commune)
    outdir/<commune_code>/ban-do-tc8-<code>.html  commune map, when tc8.maps is installed
    outdir/<commune_code>/ban-do-tc8-<code>.png   map picture (also embedded in the workbook), when available
    outdir/<commune_code>/manifest.json           tc8.manifest
    outdir/tong-hop-tinh.xlsx                     province roll-up (tc8.workbook_province)

Folder and file names come only from commune codes (``^[0-9A-Za-z_-]+$``), never from names.
Existing dossiers are refused unless ``overwrite=True`` (checked for every target before
anything is written). Each commune folder is built in a hidden temporary folder beside it
and renamed into place, so an interrupted run leaves either the old folder or the new one,
never a half-written workbook. Communes are written one at a time: memory holds the
results tables plus one workbook.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from .dossier_view import Context, Slicer
from .errors import OutputExistsError, Tc8Error
from .manifest import MANIFEST, build_manifest, dumps
from .workbook_commune import write_commune_workbook
from .workbook_province import write_province_workbook
from .xlsx_util import atomic_write_text, check_code

log = logging.getLogger(__name__)

PROVINCE_FILE = "tong-hop-tinh.xlsx"


def workbook_name(code: str) -> str:
    return f"ho-so-tc8-{check_code(code)}.xlsx"


def map_names(code: str) -> tuple[str, str]:
    check_code(code)
    return f"ban-do-tc8-{code}.html", f"ban-do-tc8-{code}.png"


def _now_iso() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class MapRenderer:
    """Optional maps from :mod:`tc8.maps` (HTML and PNG); absent pieces are skipped with a log line."""

    def __init__(self, results, lang: str):
        self.results, self.lang = results, lang
        self.html = self.png = self.index = None
        try:
            from . import maps as maps_pkg  # tc8.maps (the maps/ folder), optional
        except ImportError:
            return
        self.html = getattr(maps_pkg, "render_commune_map", None)
        if self.html is None:
            try:
                from .maps.commune import render_commune_map as html
                self.html = html
            except ImportError:
                self.html = None
        self.png = getattr(maps_pkg, "render_commune_png", None)
        try:  # group the layers by commune once instead of once per map (speed only)
            from .maps.select import build_index
            self.index = build_index(results)
        except Exception as err:  # noqa: BLE001 - older maps package: render without the index
            log.debug("map index not built: %s", err)

    def _kw(self, func, **optional) -> dict:
        """The ``optional`` keyword arguments ``func`` accepts (the maps API may be older or newer)."""
        import inspect

        optional["index"] = self.index
        try:
            params = inspect.signature(func).parameters
        except (TypeError, ValueError):
            return {}
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
            return {k: v for k, v in optional.items() if v is not None}
        return {k: v for k, v in optional.items() if k in params and v is not None}

    def write(self, code: str, folder: Path, generated_at: str) -> dict:
        html_name, png_name = map_names(code)
        out = {}
        if self.png is not None:
            try:
                self.png(self.results, code, folder / png_name, lang=self.lang,
                         **self._kw(self.png, date=generated_at[:10]))
                if (folder / png_name).exists():
                    out["map_png"] = png_name
            except Exception as err:  # noqa: BLE001 - a map failure must not lose the dossier
                log.warning("%s: map picture not drawn: %s", code, err)
        if self.html is not None:
            try:
                html = self.html(self.results, code, lang=self.lang, **self._kw(self.html, date=generated_at[:10]))
                atomic_write_text(folder / html_name, html)
                out["map_html"] = html_name
            except Exception as err:  # noqa: BLE001
                log.warning("%s: map not drawn: %s", code, err)
        return out


def _select(slicer: Slicer, communes) -> list[str]:
    if not communes:
        return slicer.codes
    wanted = [str(c).strip() for c in communes]
    unknown = [c for c in wanted if c not in slicer.row_of]
    if unknown:
        raise Tc8Error(f"Không có xã {', '.join(unknown)} trong kết quả / commune(s) not in the results: "
                       f"{', '.join(unknown)}")
    return list(dict.fromkeys(wanted))


def _check_existing(outdir: Path, codes: list[str], overwrite: bool) -> None:
    if overwrite or not outdir.exists():
        return
    existing = [c for c in codes if (outdir / c).exists()]
    if (outdir / PROVINCE_FILE).exists():
        existing.append(PROVINCE_FILE)
    if existing:
        shown = ", ".join(existing[:5]) + (f" (+{len(existing) - 5})" if len(existing) > 5 else "")
        raise OutputExistsError(f"{outdir}: đã có hồ sơ {shown} — dùng --overwrite để ghi đè "
                                f"(dossier already exists; use --overwrite to replace)")


def _swap_in(tmp: Path, final: Path) -> None:
    """Move the finished temporary folder onto ``final`` (replacing an old one)."""
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.old."))
        os.replace(final, old / final.name)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old is not None:
            os.replace(old / final.name, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_commune_dossier(ctx: Context, view, outdir: Path, *, maps: MapRenderer | None = None,
                          options: dict | None = None) -> Path:
    """Write one commune folder (workbook, maps, manifest) atomically; return the folder."""
    code = check_code(view.code)
    final = outdir / code
    tmp = Path(tempfile.mkdtemp(dir=outdir, prefix=f".{code}.tmp."))
    try:
        files = maps.write(code, tmp, ctx.info["generated_at"]) if maps is not None else {}
        png = tmp / files["map_png"] if "map_png" in files else None
        write_commune_workbook(ctx, view, tmp / workbook_name(code), map_png=png)
        files = {"workbook": workbook_name(code), **files}
        manifest = build_manifest(ctx.info, view, files, options or {})
        atomic_write_text(tmp / MANIFEST, dumps(manifest))
        _swap_in(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def write_dossiers(results, outdir, *, overwrite: bool = False, lang: str = "vi", communes=None,
                   with_maps: bool = True, options: dict | None = None, generated_at: str | None = None) -> dict:
    """Write the dossier of every commune of ``results`` (or only ``communes``) and the roll-up.

    ``options`` (rules, population, metric_crs as given to the assessment) go into each
    manifest so ``tc8 verify`` can re-run it. Returns ``{"outdir", "communes": {code: folder},
    "province": path, "seconds"}``. Raises :class:`OutputExistsError` before writing anything
    when a target exists and ``overwrite`` is false; :class:`Tc8Error` for an unknown code.
    """
    t0 = time.perf_counter()
    outdir = Path(outdir)
    slicer = Slicer(results, lang)
    codes = _select(slicer, communes)
    for code in codes:
        check_code(code)
    _check_existing(outdir, codes, overwrite)
    outdir.mkdir(parents=True, exist_ok=True)
    ctx = Context.build(results, lang, generated_at or _now_iso())
    opts = {"rules": getattr(results.rule_set, "id", ""), "lang": lang, **(options or {})}
    maps = MapRenderer(results, lang) if with_maps else None
    written = {}
    for n, code in enumerate(codes, 1):
        written[code] = write_commune_dossier(ctx, slicer.view(code), outdir, maps=maps, options=opts)
        if n % 200 == 0:
            log.info("%d/%d dossiers (%.1f s)", n, len(codes), time.perf_counter() - t0)
    province = outdir / PROVINCE_FILE
    write_province_workbook(ctx, province)
    return {"outdir": outdir, "communes": written, "province": province,
            "seconds": time.perf_counter() - t0}
