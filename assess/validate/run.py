"""Validation: raw layers -> typed, projected :class:`~tc8.model.inputs.Inputs`, reporting every problem.

:func:`validate_inputs` never stops at the first problem: it types every column
(:mod:`tc8.validate.columns`), checks CRS, geometries and extent
(:mod:`tc8.validate.geometry`), locates point layers in communes, checks code columns against
positions and references between layers, and opens the population raster. It returns the
Inputs only when no problem has ``error`` severity. Everything is vectorised; only the
bounded list of reported rows is formatted in Python (at most ``CAP`` rows per layer and
problem, the rest summarised).

The metric CRS is ``metric_crs`` when given (it must be projected), else the WGS 84 / UTM
zone of the longitude at the centre of the communes' bounds (Vietnam: zones 48 and 49).
Without usable communes the other layers' bounds are used; with no geometry at all, UTM 48N.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from tc8.model.errors import InputError, Problem, first_line
from tc8.model.inputs import PROVISIONAL_COLUMN, InputPolicy, Inputs
from tc8.io.raster import raster_coverage
from tc8.io.read import RawInputs, read_inputs
from tc8.io.paths import MAX_NAME, unsafe_names
from tc8.model.schema import LAYERS
from tc8.text.join import isin_text
from tc8.text.size import check_text_lengths
from .boundary import assign_communes, report_serving_outside
from .columns import type_layer
from .completeness import incomplete_layers
from .consistency import check_consistency
from .geometry import (CommuneIndex, check_extent, check_geometry, check_metric_crs, deg_text, project,
                                resolve_crs)
from .report import Collector, LayerRef
from .skip import validate_skipping
from .names import resolve_columns
from .provisional import assign_provisional_codes
from .code_year import resolve_code_year

#: Point layers whose rows belong to a commune (the boundary policy: tc8.validate.boundary).
IN_COMMUNE_LAYERS = ("villages", "postal_points", "radio_stations", "speakers")
COMMUNE_CODE_RE = re.compile(r"^\d{5}$")
DEFAULT_METRIC = "EPSG:32648"


@dataclass
class _Layer:
    """Working state of one layer during validation."""

    ref: LayerRef
    table: pd.DataFrame
    geoms: np.ndarray | None = None  # source CRS
    crs: CRS | None = None
    good: np.ndarray | None = None  # geometry usable for spatial checks
    lonlat: np.ndarray | None = None  # (n, 4) WGS 84 bounds
    metric: np.ndarray | None = None
    extra: dict = field(default_factory=dict)


def utm_for_lon(lon: float) -> str:
    """WGS 84 / UTM north zone (``EPSG:326zz``) containing longitude ``lon`` (degrees)."""
    zone = int(np.clip(np.floor((lon + 180.0) / 6.0) + 1, 1, 60))
    return f"EPSG:{32600 + zone}"


def _choose_metric(state: dict, metric_crs: str | None, report: Collector) -> CRS | None:
    if metric_crs is not None:
        try:
            crs = CRS.from_user_input(metric_crs)
        except Exception as err:  # noqa: BLE001 - any pyproj failure is a user error
            report.add("error", "bad_metric_crs", "--crs", field="metric_crs", value=metric_crs,
                       detail=first_line(err, 200))
            return None
        unit = crs.axis_info[0].unit_name if crs.axis_info else ""
        if not crs.is_projected or unit not in ("metre", "meter"):
            report.add("error", "bad_metric_crs", "--crs", field="metric_crs", value=metric_crs,
                       detail="not a projected CRS in metres")
            return None
        box = _data_lonlat(state)
        if box is not None and not check_metric_crs(crs, box, metric_crs, report):
            return None
        return crs
    box = _data_lonlat(state)
    if box is None:
        return CRS.from_user_input(DEFAULT_METRIC)
    return CRS.from_user_input(utm_for_lon((box[0] + box[2]) / 2.0))


def _data_lonlat(state: dict) -> tuple | None:
    """WGS 84 bounds (minlon, minlat, maxlon, maxlat) of the usable communes, else of the first
    layer with usable geometry; None when there is none."""
    for name in ["communes"] + [n for n in state if n != "communes"]:
        st = state.get(name)
        if st is None or st.lonlat is None or st.good is None or not st.good.any():
            continue
        box = st.lonlat[st.good]
        return (float(np.nanmin(box[:, 0])), float(np.nanmin(box[:, 1])),
                float(np.nanmax(box[:, 2])), float(np.nanmax(box[:, 3])))
    return None


def _crs_name(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def _read_layer(name: str, frame: pd.DataFrame, file: str, report: Collector) -> _Layer:
    layer = LAYERS[name]
    frame = resolve_columns(name, frame, file, report)  # case variants read, near misses named
    table, ref = type_layer(frame, layer, file, report)
    st = _Layer(ref=ref, table=table)
    is_geo = isinstance(frame, gpd.GeoDataFrame) and frame.active_geometry_name in frame.columns
    if layer.geometry is None:
        if is_geo and (~frame.geometry.isna()).any():
            report.add("warning", "unexpected_geometry", file, name, "", "geometry")
        return st
    if not is_geo:
        report.add("error", "no_geometry", file, name, "", "geometry")
        return st
    st.geoms = np.asarray(frame.geometry.values, dtype=object)
    st.crs = resolve_crs(frame, ref, report)
    st.good = check_geometry(st.geoms, layer, ref, report, csv=Path(file).suffix.lower() == ".csv")
    if st.crs is not None:
        inside, st.lonlat = check_extent(st.geoms, st.crs, st.good, ref, report)
        st.good = st.good & inside
    else:
        st.good = np.zeros(len(st.geoms), dtype=bool)
    return st


def _check_codes(state: dict, report: Collector, policy: InputPolicy) -> None:
    """Code columns vs communes (by value; positions under the boundary ``policy``,
    :mod:`tc8.validate.boundary`), speakers' villages, commune_it codes."""
    communes = state.get("communes")
    if communes is not None:
        codes = communes.table["commune_code"]
        values = codes.to_numpy(dtype=object, na_value=None)
        unsafe = unsafe_names(values)  # the codes become file names (tc8.io.paths): an error, not a warning
        report.add_rows("error", "unsafe_commune_code", communes.ref, unsafe, "commune_code",
                        per_row={"value": values}, max_len=MAX_NAME)
        bad = (codes.notna() & ~codes.str.fullmatch(COMMUNE_CODE_RE.pattern).fillna(False)).to_numpy(dtype=bool)
        bad &= ~np.asarray(communes.table.get(PROVISIONAL_COLUMN, False), dtype=bool)  # a provisional id is warned about as such
        report.add_rows("warning", "commune_code_format", communes.ref, bad & ~unsafe, "commune_code",
                        per_row={"value": codes.to_numpy(dtype=object)})
    index = None
    known: set = set()
    if communes is not None:
        known = set(communes.table["commune_code"].dropna())
        if communes.metric is not None:
            col = communes.table["commune_code"]
            index = CommuneIndex(communes.metric, col.to_numpy(dtype=object, na_value=None),
                                 communes.table["commune_name"].to_numpy(dtype=object, na_value=None))
    for name in IN_COMMUNE_LAYERS:
        st = state.get(name)
        if st is None or communes is None:
            continue
        layer = LAYERS[name]
        given = unknown = None
        if layer.code_column:
            col = st.table[layer.code_column]
            given = col.to_numpy(dtype=object, na_value=None)
            unknown = (col.notna() & ~isin_text(col, known)).to_numpy(dtype=bool)
            report.add_rows("error", "unknown_commune", st.ref, unknown, layer.code_column,
                            per_row={"value": given})
        if index is None or st.metric is None:
            continue  # no usable positions: the reason is already reported
        found = assign_communes(index, st, given, unknown, policy, report, layer.code_column)
        st.extra["commune_code"] = pd.array(found, dtype="string")
    if index is not None:
        report_serving_outside(state, index, report)  # once, with their count
    speakers, villages = state.get("speakers"), state.get("villages")
    if speakers is not None and villages is not None:
        vid = speakers.table["village_id"]
        unknown = (vid.notna() & ~isin_text(vid, villages.table["village_id"].dropna())).to_numpy(dtype=bool)
        report.add_rows("error", "unknown_village", speakers.ref, unknown, "village_id",
                        per_row={"value": vid.to_numpy(dtype=object)})
    it = state.get("commune_it")
    if it is not None and communes is not None:
        code = it.table["commune_code"]
        unknown = (code.notna() & ~isin_text(code, known)).to_numpy(dtype=bool)
        report.add_rows("warning", "commune_it_unknown_commune", it.ref, unknown, "commune_code",
                        per_row={"value": code.to_numpy(dtype=object)})


def _check_raster(path: Path | None, report: Collector, state: dict | None = None) -> None:
    """The population raster opens, declares a CRS and gives weights to at least one village
    (error ``raster_outside_villages`` / ``raster_no_population`` otherwise, naming the file);
    villages it misses are warned about per village by the engine."""
    if path is None:
        return
    import rasterio
    from rasterio.warp import transform_bounds

    villages = (state or {}).get("villages")
    usable = villages is not None and villages.crs is not None and villages.good is not None and villages.good.any()
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                report.add("error", "raster_missing_crs", str(path), "population_raster", field="crs")
                return
            if not usable:
                return
            found = raster_coverage(src, project(villages.geoms[villages.good], villages.crs, CRS(src.crs)))
            box = transform_bounds(src.crs, "EPSG:4326", *src.bounds) if found == "outside" else None
    except Exception as err:  # noqa: BLE001 - any GDAL failure means "cannot open"
        report.add("error", "raster_unreadable", str(path), "population_raster",
                   detail=first_line(err, 200))
        return
    if found == "empty":
        report.add("error", "raster_no_population", str(path), "population_raster")
    elif found == "outside":
        ll = villages.lonlat[villages.good]
        report.add("error", "raster_outside_villages", str(path), "population_raster",
                   west=deg_text(box[0]), south=deg_text(box[1]), east=deg_text(box[2]),
                   north=deg_text(box[3]),
                   data_west=deg_text(np.nanmin(ll[:, 0])), data_south=deg_text(np.nanmin(ll[:, 1])),
                   data_east=deg_text(np.nanmax(ll[:, 2])), data_north=deg_text(np.nanmax(ll[:, 3])))


def _build(raw: RawInputs, state: dict, metric: CRS, warnings: list, policy: InputPolicy) -> Inputs:
    layers, source_crs = {}, {}
    for name, st in state.items():
        table = st.table.copy()
        for col, values in st.extra.items():
            table[col] = values
        if st.geoms is None:
            layers[name] = table
            continue
        layers[name] = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(st.metric, crs=metric),
                                        crs=metric)
        source_crs[name] = _crs_name(st.crs)
    return Inputs(layers=layers, metric_crs=_crs_name(metric), raw=raw, source_crs=source_crs,
                  warnings=warnings, policy=policy)


def validate_inputs(raw: RawInputs, read_problems: list[Problem] | None = None, *,
                    metric_crs: str | None = None,
                    policy: InputPolicy | None = None) -> tuple[Inputs | None, list[Problem]]:
    """Check ``raw`` (as read by :func:`tc8.io.read.read_inputs`); return (Inputs or None, problems).

    ``problems`` starts with ``read_problems`` and lists every problem found, errors and
    warnings. Inputs is None when any problem is an error. Absent optional layers are not a
    problem; an empty layer is valid (0 rows). ``raw`` is not modified. ``policy``: how strictly
    the input is taken (:class:`~tc8.model.inputs.InputPolicy`; default: the defaults).
    """
    policy = policy or InputPolicy()
    report = Collector()
    state: dict[str, _Layer] = {}
    for name in LAYERS:
        if name in raw.frames:
            state[name] = _read_layer(name, raw.frames[name], raw.files.get(name, str(raw.root)), report)
    metric = _choose_metric(state, metric_crs, report)
    if metric is not None:
        for st in state.values():
            if st.geoms is not None and st.crs is not None:
                st.metric = project(st.geoms, st.crs, metric)
    assign_provisional_codes(state.get("communes"), report)  # communes without a code (tc8.validate.provisional)
    _check_codes(state, report, policy)
    code_year = resolve_code_year(raw, state.get("communes"), policy, report)  # 2024 or 2025 codes (tc8.validate.code_year)
    check_consistency(state, raw.frames, report)  # a part larger than its whole
    check_text_lengths(state, report)  # names/free text too long to show (tc8.text.size)
    _check_raster(raw.population_raster, report, state)
    incomplete = incomplete_layers(raw, {n: st.table for n, st in state.items()}, policy, report)
    rank = {name: i for i, name in enumerate(LAYERS)}
    found = sorted(report.finish(),  # stable: general first, then by layer order
                   key=lambda p: rank.get(p.layer, len(rank) if p.layer else -1))
    problems = list(read_problems or []) + found
    if any(p.severity == "error" for p in problems) or metric is None:
        if policy.skip_invalid and metric is not None:  # go on without the rows in error (tc8.validate.skip)
            return validate_skipping(raw, read_problems, problems, report, state, validate=validate_inputs,
                                     metric_crs=metric_crs, policy=policy)
        return None, problems
    warnings = [p for p in problems if p.severity != "error"]
    inputs = _build(raw, state, metric, warnings, policy)
    inputs.incomplete_layers = incomplete
    inputs.code_year = code_year
    return inputs, problems


def load_and_validate(path: str | Path, *, population: str | Path | None = None,
                      metric_crs: str | None = None, policy: InputPolicy | None = None) -> Inputs:
    """Read and validate ``path``; raise :class:`~tc8.model.errors.InputError` listing every problem."""
    raw, read_problems = read_inputs(path, population=population)
    inputs, problems = validate_inputs(raw, read_problems, metric_crs=metric_crs, policy=policy)
    if inputs is None:
        raise InputError(problems)
    return inputs
