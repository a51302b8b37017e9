"""Reading inputs from disk, exactly as they are (no typing, no fixing).

An input is either one GeoPackage whose layers carry the names of :data:`tc8.model.schema.LAYERS`,
or a folder holding ``<layer>.gpkg``, ``<layer>.geojson`` or ``<layer>.csv`` per layer (a CSV
is a plain table, or a point layer when it has ``lon`` and ``lat`` columns in WGS 84). A
folder may also hold ``population.tif`` (population count raster); for a GeoPackage the
raster is passed explicitly.

Nothing here modifies the input. Problems found while reading (missing file, unreadable
file, missing required layer, missing CRS) are returned as :class:`~tc8.model.errors.Problem`
records so that validation can report them together with everything else.
"""
from __future__ import annotations

import csv
import hashlib
import io
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from tc8.model.errors import Problem, first_line
from tc8.model.inputs import RawInputs, SourceFile
from tc8.model.schema import LAYERS, METADATA
from .names import DATA_SUFFIXES, case_matches, not_a_layer

FOLDER_SUFFIXES = (".gpkg", ".geojson", ".json", ".csv")
#: Every table an input may hold: the layers of the model and the layer metadata table.
KNOWN_TABLES = {**LAYERS, METADATA.name: METADATA}
#: GeoPackage tables that GIS software keeps beside the data (QGIS styles and projects; tc8
#: template writes ``layer_styles`` too): neither read nor reported.
GIS_HOUSEKEEPING = frozenset({"layer_styles", "qgis_projects"})
POPULATION_FILE = "population.tif"


def sha256_of(path: Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file as 64 hex digits, read ``chunk`` bytes (default 1 MiB) at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _use_arrow() -> bool:
    """Read through Arrow when pyarrow is installed and GDAL has the Arrow reader (>= 3.6):
    2-4x faster on large layers."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return tuple(pyogrio.__gdal_version__[:2]) >= (3, 6)


class ReadProblem(Exception):
    """A file that cannot be read for a reason the user can fix: ``code`` keys the message,
    ``params`` fill it (raised by :func:`_read_table`, reported by :func:`read_inputs`)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


#: Candidate CSV separators; the header's count of fields decides (ties: the first).
CSV_SEPARATORS = (",", ";", "\t")


def _csv_text(path: Path) -> str:
    """The text of a CSV: UTF-8 (with or without BOM) or UTF-16 with a BOM (Excel's "Unicode
    text"). Anything else (Windows-1258, TCVN3, VNI...) raises ``ReadProblem("csv_not_utf8")``."""
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ReadProblem("csv_not_utf8", file=str(path), line=data[:err.start].count(b"\n") + 1) from None


def _csv_separator(text: str) -> tuple[str, str]:
    """(separator, text without Excel's ``sep=;`` first line). The separator is the candidate
    that splits the header line into the most fields (quotes respected); ``,`` on a tie."""
    first, _, rest = text.partition("\n")
    hint = first.strip()
    if len(hint) == 5 and hint.lower().startswith("sep="):
        return hint[4], rest
    return max(CSV_SEPARATORS, key=lambda sep: len(next(csv.reader([first], delimiter=sep), []))), text


def _coordinate(values: pd.Series) -> pd.Series:
    """lon/lat text as numbers; a decimal comma is read as a point (``108,01``): a coordinate
    has no thousands separator. Anything else that is not a number is NaN (empty geometry)."""
    text = values.str.strip()
    comma = text.str.count(",").eq(1) & ~text.str.contains(".", regex=False)
    return pd.to_numeric(text.where(~comma, text.str.replace(",", ".", regex=False)), errors="coerce")


def _read_table(path: Path, layer: str | None) -> pd.DataFrame:
    """Read one layer; GeoDataFrame when it has geometry, DataFrame otherwise.

    A CSV is read as text (UTF-8, or UTF-16 with BOM), separated by ``,``, ``;`` or tab
    (:func:`_csv_separator`). Through Arrow, a yes/no field with empty cells arrives as
    objects (True/False/None) rather than floats (1.0/0.0/NaN); validation types both the same way.
    """
    if path.suffix.lower() == ".csv":
        sep, text = _csv_separator(_csv_text(path))
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        if {"lon", "lat"} <= set(frame.columns):
            lon, lat = _coordinate(frame["lon"]), _coordinate(frame["lat"])
            return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        return frame
    frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=_use_arrow())
    if not isinstance(frame, gpd.GeoDataFrame):
        return pd.DataFrame(frame)
    return frame


def _source_for(raw: RawInputs, path: Path) -> SourceFile:
    for src in raw.sources:
        if src.path == str(path):
            return src
    src = SourceFile(path=str(path), sha256=sha256_of(path), size_bytes=path.stat().st_size)
    raw.sources.append(src)
    return src


def _locate_layers(root: Path) -> tuple[dict, list]:
    """Map layer name -> (file, layer-in-file) for a GeoPackage or a folder.

    A layer or file name that differs from the model's only by letter case (``Villages``,
    ``villages.GeoJSON``) is taken; every other GeoPackage layer, and every other file of a
    folder with a data suffix, is named in a warning, with the layer it resembles
    (:mod:`tc8.io.names`). Several files for one layer are an error.
    """
    problems: list[Problem] = []
    found: dict[str, tuple[Path, str | None]] = {}
    if root.is_file():
        try:
            names = [str(n) for n, _ in pyogrio.list_layers(root)]
        except Exception as err:  # noqa: BLE001 - any GDAL failure means "cannot open"
            problems.append(Problem("error", "unreadable_file", str(root), params={"detail": str(err)}))
            return found, problems
        variants = case_matches(names, KNOWN_TABLES)
        for name in names:
            if name in KNOWN_TABLES or name in variants:
                found[variants.get(name, name)] = (root, name)
        for name in sorted(set(names) - set(KNOWN_TABLES) - set(variants) - GIS_HOUSEKEEPING):
            problems.append(not_a_layer(str(root), name, found, layer=name))
        return found, problems
    rank = {suffix: i for i, suffix in enumerate(FOLDER_SUFFIXES)}
    by_layer: dict[str, list[Path]] = {}
    others: list[Path] = []
    try:
        files = sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError as err:
        return found, [Problem("error", "unreadable_file", str(root), params={"detail": first_line(err)})]
    for file in files:
        suffix = file.suffix.lower()
        if suffix in rank and file.stem.lower() in KNOWN_TABLES:
            by_layer.setdefault(file.stem.lower(), []).append(file)
        elif suffix in DATA_SUFFIXES:
            others.append(file)
    for name in KNOWN_TABLES:
        candidates = sorted(by_layer.get(name, []), key=lambda p: (rank[p.suffix.lower()], p.stem != name, p.name))
        if len(candidates) > 1:
            problems.append(Problem("error", "ambiguous_layer", str(root), layer=name,
                                    params={"files": ", ".join(p.name for p in candidates)}))
        if candidates:
            found[name] = (candidates[0], None)
    for file in others:
        problems.append(not_a_layer(str(file), file.stem, found, name=file.name))
    return found, problems


def _read_metadata(raw: RawInputs, where: tuple | None, problems: list[Problem]) -> None:
    """Read the layer metadata table (``tc8_layers``, optional) into ``raw.metadata``, as is;
    validation types it and merges it with the ``--incomplete`` flags."""
    if where is None:
        return
    file, inner = where
    try:
        frame = _read_table(file, inner)
    except ReadProblem as err:
        problems.append(Problem("error", err.code, str(file), layer=METADATA.name, params=err.params))
        return
    except Exception as err:  # noqa: BLE001 - report, never a traceback
        problems.append(Problem("error", "unreadable_layer", str(file), layer=METADATA.name,
                                params={"detail": first_line(err)}))
        return
    _source_for(raw, file).layers[METADATA.name] = len(frame)
    raw.metadata, raw.metadata_file = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")), str(file)


def read_inputs(path: str | Path, *, population: str | Path | None = None) -> tuple[RawInputs, list[Problem]]:
    """Read every known layer under ``path``; return the raw layers and reading problems.

    Missing optional layers are simply absent from ``frames``; a missing required layer is a
    problem. ``population`` overrides a ``population.tif`` found in an input folder.
    """
    root = Path(path)
    raw = RawInputs(root=root)
    problems: list[Problem] = []
    if not root.exists():
        return raw, [Problem("error", "input_missing", str(root))]
    found, located = _locate_layers(root)
    problems += located
    for name, layer in LAYERS.items():
        if name not in found:
            if layer.required:
                problems.append(Problem("error", "missing_layer", str(root), layer=name))
            continue
        file, inner = found[name]
        try:
            frame = _read_table(file, inner)
        except ReadProblem as err:
            problems.append(Problem("error", err.code, str(file), layer=name, params=err.params))
            continue
        except Exception as err:  # noqa: BLE001 - report, never a traceback
            problems.append(Problem("error", "unreadable_layer", str(file), layer=name,
                                    params={"detail": first_line(err)}))
            continue
        src = _source_for(raw, file)
        src.layers[name] = len(frame)
        if getattr(frame, "crs", None) is not None:  # a missing CRS is a validation error
            src.layer_crs[name] = frame.crs.to_string()
        raw.frames[name] = frame
        raw.files[name] = str(file)
    _read_metadata(raw, found.get(METADATA.name), problems)
    if population is not None:
        pop = Path(population)
        if not pop.exists():
            problems.append(Problem("error", "input_missing", str(pop)))
        else:
            raw.population_raster = pop
    elif root.is_dir() and (root / POPULATION_FILE).exists():
        raw.population_raster = root / POPULATION_FILE
    if raw.population_raster is not None:
        _source_for(raw, raw.population_raster).layers["population_raster"] = 1
    return raw, problems
