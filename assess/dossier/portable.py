"""Portable dossiers: the input recorded so a dossier folder moved to another machine (with
its input) can still be verified (``tc8 verify DIR [--input PATH]``).

Recording (:func:`portable_info`, when the dossiers are written): the manifest's ``input``
keeps the absolute path (``path``, only a hint once moved) and gains ``name`` (the input file or
folder name), ``relative`` (the input's path relative to the commune folder, e.g.
``../../province``; None where none exists) and ``population_relative`` (the same for the
population raster). Each entry of ``inputs`` (every file read, with its SHA-256) gains
``name``: its path inside the input folder (``villages.geojson``; for a one-file input the
file name; a file outside the folder keeps ``../``).

Locating (:func:`locate_input`, when verifying): the input is looked for at ``--input`` when
given, else at the recorded relative path (from the commune folder the manifest is in), else
at the absolute hint. Each recorded file is then expected at the same place inside the input
found (``name``) and compared by SHA-256: a file that differs means *this is not the input the
dossiers were made from*. A manifest written before these fields (no ``name``) derives the
names from the absolute paths it holds, and the report notes it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tc8.io.read import sha256_of


def _relative(target: str | None, start: Path) -> str | None:
    """``target`` relative to ``start`` (POSIX separators); None without a target or across drives."""
    if not target:
        return None
    try:
        return Path(os.path.relpath(Path(target).resolve(), start.resolve())).as_posix()
    except ValueError:  # Windows: another drive
        return None


def _is_file_input(inp: dict, inputs: list) -> bool:
    """Whether the recorded input is one file (a GeoPackage) rather than a folder."""
    if "is_file" in inp:
        return bool(inp["is_file"])
    root = inp.get("path") or ""
    return any(rec.get("path") == root for rec in inputs)  # a manifest made before the field


def _inner_name(path: str, root: str, is_file: bool) -> str:
    """The file ``path`` named from the input ``root``: inside a folder input, its path in the
    folder; for a one-file input, the name beside that file ("" for the input file itself)."""
    if not root:
        return Path(path).name
    if is_file and Path(path) == Path(root):
        return ""
    base = Path(root).parent if is_file else Path(root)
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:
        return Path(path).name


def portable_info(info: dict, outdir: Path) -> dict:
    """``info`` (:func:`tc8.dossier.view.run_info`) with the portable input fields added (see the
    module docstring), for commune folders ``outdir/<code>``; a copy."""
    inp = dict(info.get("input") or {})
    folder = Path(outdir) / "_"  # every commune folder is one level below outdir
    root = inp.get("path") or ""
    inp["name"] = Path(root).name if root else ""
    inp["relative"] = _relative(root, folder)
    inp["population_relative"] = _relative(inp.get("population_raster"), folder)
    inp["is_file"] = bool(root) and Path(root).is_file()
    files = [{**rec, "name": _inner_name(rec["path"], root, inp["is_file"]) or Path(rec["path"]).name}
             for rec in info.get("inputs") or []]
    return {**info, "input": inp, "inputs": files}


@dataclass
class Located:
    """Where the input of a manifest was found (``root`` None: nowhere) and how it compares."""

    root: Path | None
    how: str = ""                      # "given" | "relative" | "absolute"
    tried: list = field(default_factory=list)   # places looked at, in order
    differ: list = field(default_factory=list)  # (file found, recorded name, recorded sha, found sha)
    missing: list = field(default_factory=list)  # files the manifest lists that are not in the input found
    legacy: bool = False               # manifest without the portable fields
    population: str | None = None      # the population raster to re-run with

    @property
    def same(self) -> bool:
        return self.root is not None and not self.differ and not self.missing


def _candidates(manifest: dict, folder: Path, given: str | None) -> list[tuple[str, Path]]:
    inp = manifest.get("input") or {}
    out = []
    if given:
        return [("given", Path(given))]
    if inp.get("relative"):
        out.append(("relative", folder / inp["relative"]))
    if inp.get("path"):
        out.append(("absolute", Path(inp["path"])))
    return out


def _file_at(root: Path, rec: dict, recorded_root: str, is_file: bool) -> Path:
    """Where the recorded file ``rec`` is in the input found at ``root`` (a one-file input found
    under another name is still that file)."""
    if is_file and rec.get("path") == recorded_root:
        return root
    name = _inner_name(rec["path"], recorded_root, is_file) if "name" not in rec or is_file else rec["name"]
    return (root.parent if root.is_file() else root) / name


def locate_input(manifest: dict, folder: Path, *, given: str | None = None) -> Located:
    """Find the input of ``manifest`` (read from the commune folder ``folder``) and compare its
    files with the recorded SHA-256 (see the module docstring)."""
    inp = manifest.get("input") or {}
    legacy = "name" not in inp
    found = Located(root=None, legacy=legacy)
    for how, path in _candidates(manifest, Path(folder), given):
        found.tried.append(str(path))
        if path.exists():
            found.root, found.how = path.resolve(), how
            break
    if found.root is None:
        return found
    recorded_root = inp.get("path") or ""
    is_file = _is_file_input(inp, manifest.get("inputs") or [])
    for rec in manifest.get("inputs") or []:
        path = _file_at(found.root, rec, recorded_root, is_file)
        name = rec.get("name") or Path(rec["path"]).name
        if not path.is_file():
            found.missing.append((str(path), name))
        elif sha256_of(path) != rec.get("sha256"):
            found.differ.append((str(path), name, rec.get("sha256") or "", sha256_of(path)))
    found.population = _population(inp, Path(folder), found)
    return found


def _population(inp: dict, folder: Path, found: Located) -> str | None:
    """The population raster to re-run with: at its place in the input found, else by the recorded
    relative path, else the absolute hint (None when the run used none)."""
    hint = inp.get("population_raster")
    if not hint:
        return None
    recorded_root = inp.get("path") or ""
    is_file = bool(inp.get("is_file"))
    name = _inner_name(hint, recorded_root, is_file)
    base = found.root.parent if found.root.is_file() else found.root
    candidates = [base / name] if name and not name.startswith("..") else []
    if inp.get("population_relative"):
        candidates.append(folder / inp["population_relative"])
    candidates.append(Path(hint))
    return str(next((p.resolve() for p in candidates if p.is_file()), Path(hint)))
