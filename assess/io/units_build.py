"""``tc8 units build``: an input on the 2024 communes carried onto the 2025 communes.

The old commune polygons are dissolved into the new communes with the official conversion
(:func:`tc8.io.admin_units.conversion`). Rules (README, "Communes after 1 July 2025"):

* a new commune takes its code, name and province from the official 2025 list; ``population``
  is the sum over the old communes dissolved into it; ``area_km2`` is measured on the dissolved
  polygon (UTM zone of the layer's centre); other attributes (region, terrain, ...) are those
  of its largest old part;
* an old commune split between several new ones (``partly_merged``) cannot be cut without the
  new boundaries: its whole polygon (and population) goes to one successor, the one that keeps
  its code, else the first listed in the conversion;
* ``approximate`` is true for every new commune that receives a split commune or lacks a part
  (an old commune of the conversion that is not in the input); ``parts_2024`` lists the old
  codes dissolved into it, ``n_parts`` how many, ``split_parts`` and ``missing_parts`` the rest;
* an old commune the conversion does not know is left out, with a warning;
* records carrying an old ``commune_code`` (villages, postal points, radio stations,
  commune_it) get the new code through the conversion when the old commune was not split, and
  by position (the new polygon they lie in) otherwise; a warning says where the two disagree.
  A record that maps to no new commune is left out with a warning. ``commune_it`` rows of one
  new commune are added up (counts summed, yes/no true only when true for every part).

Other layers are copied unchanged, and ``tc8_layers`` too, with ``code_year`` = 2025 declared on its
``communes`` row. The input is never modified; the output
GeoPackage is written atomically.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from tc8.model.errors import InputError, OutputExistsError, Problem
from tc8.model.schema import LAYERS, METADATA
from .admin_units import conversion, pad_code, units_2025
from .atomic import atomic_path
from .read import read_inputs

CODE = "commune_code"
#: layers whose rows carry the commune code of their commune
RECORD_LAYERS = ("villages", "postal_points", "radio_stations", "commune_it")
#: point layers located by position only: rows in an old commune left out are left out too
POSITION_LAYERS = ("speakers",)
#: communes columns the build writes itself (not carried from the largest part)
OWN_COLUMNS = ("commune_code", "commune_name", "province_code", "province_name", "district_name",
               "population", "area_km2", "geometry")
FLAG_COLUMNS = ("approximate", "n_parts", "parts_2024", "split_parts", "missing_parts")


@dataclass
class UnitsBuild:
    """What :func:`build_units` wrote: every layer (communes first), warnings, old codes left out."""

    output: Path
    layers: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    unconverted: list = field(default_factory=list)
    n_old: int = 0

    @property
    def communes(self) -> gpd.GeoDataFrame:
        return self.layers["communes"]

    @property
    def n_approximate(self) -> int:
        return int(self.communes["approximate"].sum())


def _utm(frame: gpd.GeoDataFrame) -> str:
    """WGS 84 / UTM north zone of the centre of ``frame``."""
    minx, _, maxx, _ = frame.to_crs("EPSG:4326").total_bounds
    zone = int(np.clip(np.floor(((minx + maxx) / 2 + 180.0) / 6.0) + 1, 1, 60))
    return f"EPSG:{32600 + zone}"


def _read(source: Path, code_column: str):
    """Layers of ``source`` (only ``communes`` is required); InputError on what blocks the build."""
    raw, problems = read_inputs(source)
    errors = [p for p in problems if p.severity == "error"
              and not (p.code == "missing_layer" and p.layer != "communes")]
    if errors:
        raise InputError(errors)
    frames = dict(raw.frames)
    communes, file = frames["communes"], raw.files["communes"]
    if code_column != CODE and code_column in communes.columns:
        communes = communes.drop(columns=CODE, errors="ignore").rename(columns={code_column: CODE})
    if CODE not in communes.columns:
        raise InputError([Problem("error", "units_no_code", file, layer="communes", field=code_column)])
    if not isinstance(communes, gpd.GeoDataFrame) or communes.crs is None:
        raise InputError([Problem("error", "units_no_geometry", file, layer="communes")])
    frames["communes"] = communes.assign(**{CODE: communes[CODE]})
    frames["communes"].attrs["code_field"] = code_column
    return frames, raw.files, raw.metadata


def _pairs(codes: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every official pair of the new communes the input reaches, the one successor per old code
    that receives its polygon: the one keeping the old code, else the first listed)."""
    conv = conversion()
    reached = conv[conv["code_2024"].isin(codes)]
    official = conv[conv["code_2025"].isin(reached["code_2025"])].copy()
    official["present"] = official["code_2024"].isin(codes)
    keeps = (reached["code_2025"] == reached["code_2024"]).to_numpy()
    home = reached.iloc[np.argsort(~keeps, kind="stable")].drop_duplicates("code_2024")
    return official, home.set_index("code_2024")


def _flags(official: pd.DataFrame, home: pd.DataFrame) -> pd.DataFrame:
    """Per new code: approximate, n_parts, parts_2024, split_parts, missing_parts."""
    receives = official["code_2024"].map(home["code_2025"]).eq(official["code_2025"]).fillna(False).astype(bool)
    dissolved = official[official["present"] & receives]
    group = official.groupby("code_2025")
    out = pd.DataFrame({
        "n_parts": dissolved.groupby("code_2025").size(),
        "parts_2024": dissolved.groupby("code_2025")["code_2024"].agg(";".join),
        "split_parts": official[official["partly_merged"]].groupby("code_2025")["code_2024"].agg(";".join),
        "missing_parts": official[~official["present"]].groupby("code_2025")["code_2024"].agg(";".join),
    }).reindex(group.size().index)
    out["approximate"] = group["partly_merged"].any() | ~group["present"].all()
    out["n_parts"] = out["n_parts"].fillna(0).astype(int)
    return out.fillna({"parts_2024": "", "split_parts": "", "missing_parts": ""})


def _unconverted(old: gpd.GeoDataFrame, codes: pd.Series, home: pd.DataFrame, file: str) -> list[Problem]:
    lost = codes.isna() | ~codes.isin(home.index)
    return [Problem("warning", "units_unconverted", file, layer="communes", row=str(i + 1),
                    field=old.attrs.get("code_field", CODE),
                    params={"value": "" if pd.isna(v) else v}) for i, v in zip(np.flatnonzero(lost), codes[lost])]


def _dissolve(old: gpd.GeoDataFrame, code_2025: pd.Series) -> gpd.GeoDataFrame:
    """Old polygons dissolved by new code; carried attributes from the largest part."""
    metric = _utm(old)
    geom = old.geometry.where(old.geometry.is_valid, old.geometry.make_valid())
    work = old.set_geometry(geom).assign(
        _new=code_2025.to_numpy(), _area=geom.to_crs(metric).area.to_numpy(),
        _pop=pd.to_numeric(old.get("population", pd.Series(np.nan, index=old.index)), errors="coerce").to_numpy())
    work = work[work["_new"].notna()].sort_values("_area", ascending=False, kind="stable")
    carried = [c for c in work.columns if c not in OWN_COLUMNS and not c.startswith("_")]
    new = work[carried + ["_new", work.geometry.name]].dissolve(by="_new", aggfunc="first")
    new["population"] = work.groupby("_new")["_pop"].sum(min_count=1).round().astype("Int64")
    new["area_km2"] = (new.geometry.to_crs(metric).area / 1e6).round(2)
    if "synthetic" in work.columns:
        new["synthetic"] = work["synthetic"].astype(str).str.lower().isin(["true", "1", "yes"]).groupby(work["_new"]).any()
    return new


def build_communes(old: gpd.GeoDataFrame, file: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[Problem]]:
    """(the new communes layer, the successor of each old code, warnings)."""
    codes = pad_code(old[CODE])
    official, home = _pairs(codes.dropna())
    warnings = _unconverted(old, codes, home, file)
    new = _dissolve(old, codes.map(home["code_2025"]))
    names = units_2025().set_index("code")
    flags = _flags(official, home).reindex(new.index)
    head = pd.DataFrame({CODE: new.index, "commune_name": names["name"].reindex(new.index).to_numpy(),
                         "province_code": names["province_code"].reindex(new.index).to_numpy(),
                         "province_name": names["province_name"].reindex(new.index).to_numpy()}, index=new.index)
    body = new.drop(columns=new.geometry.name)
    frame = pd.concat([head, body, flags[list(FLAG_COLUMNS)]], axis=1)
    frame["approximate"] = frame["approximate"].astype(bool)
    out = gpd.GeoDataFrame(frame, geometry=new.geometry, crs=old.crs).reset_index(drop=True)
    return out, home.assign(split=home.index.isin(official.loc[official["partly_merged"], "code_2024"])), warnings


def _position(frame: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.Series:
    """New code of the polygon each record lies in (<NA> outside all; the first when on a border)."""
    points = frame.geometry.to_crs(communes.crs)
    points = points.where(points.geom_type.isin(["Point", "MultiPoint"]), points.representative_point())
    hits = gpd.sjoin(gpd.GeoDataFrame(geometry=points), communes[[CODE, communes.geometry.name]],
                     predicate="intersects", how="inner")
    return hits[~hits.index.duplicated()][CODE].reindex(frame.index).astype("string")


def map_codes(frame: pd.DataFrame, layer: str, file: str, home: pd.DataFrame,
              communes: gpd.GeoDataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """``frame`` with ``commune_code`` carried to the new codes; records that reach no new
    commune left out. Warnings: position disagrees with the conversion; record left out."""
    old = pad_code(frame[CODE]) if CODE in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="string")
    table = old.map(home["code_2025"]).astype("string")
    split = old.isin(home.index[home["split"]])
    has_geometry = isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None
    where = _position(frame, communes) if has_geometry else pd.Series(pd.NA, index=frame.index, dtype="string")
    new = table.where(~split | where.isna(), where).where(table.notna(), where)
    new = new.where(new.isin(communes[CODE]), where)
    differ = table.notna() & where.notna() & (table != where) & ~split
    lost = new.isna()
    warnings = [Problem("warning", "units_position_differs", file, layer=layer, row=str(i + 1), field=CODE,
                        params={"value": o, "by_table": t, "by_position": w})
                for i, o, t, w in zip(np.flatnonzero(differ), old[differ], table[differ], where[differ])]
    warnings += [Problem("warning", "units_record_dropped", file, layer=layer, row=str(i + 1), field=CODE,
                         params={"value": "" if pd.isna(o) else o}) for i, o in zip(np.flatnonzero(lost), old[lost])]
    out = frame.assign(**{CODE: new})
    return out[~lost.to_numpy()].reset_index(drop=True), warnings


def _yes(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    return text.map({"true": True, "1": True, "yes": True, "có": True, "false": False, "0": False,
                     "no": False, "không": False}).astype("boolean")


def combine_commune_it(frame: pd.DataFrame) -> pd.DataFrame:
    """One ``commune_it`` row per new code: counts summed, yes/no true when true for every part
    (``synthetic``: for any), text kept when every part has one (the first); <NA> where a part
    lacks the value."""
    kinds = {c.name: c.kind for c in LAYERS["commune_it"].columns}
    key = frame[CODE]
    out = {}
    for column in (c for c in frame.columns if c != CODE):
        kind = kinds.get(column, "str")
        values = (pd.to_numeric(frame[column], errors="coerce") if kind in ("int", "float")
                  else _yes(frame[column]) if kind == "bool" else frame[column].replace("", pd.NA))
        gaps = values.isna().groupby(key).any()
        if kind in ("int", "float"):
            summed = values.groupby(key).sum().where(~gaps)
            out[column] = summed.round().astype("Int64") if kind == "int" else summed
        elif kind == "bool":
            filled = values.fillna(False).astype(bool).groupby(key)
            out[column] = (filled.any() if column == "synthetic" else filled.all().where(~gaps)).astype("boolean")
        else:
            out[column] = values.groupby(key).first().where(~gaps)
    return pd.DataFrame(out).rename_axis(CODE).reset_index()


def drop_left_out(frame: gpd.GeoDataFrame, layer: str, file: str, left_out: gpd.GeoDataFrame,
                  communes: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Rows of a position-only layer that lie in an old commune left out of the build and in no
    new commune, left out with a warning (they would lie in no commune of the output)."""
    if left_out.empty or frame.crs is None:
        return frame, []
    outside = _position(frame, communes).isna()
    inside_lost = _position(frame, left_out.assign(**{CODE: "x"})).notna()
    lost = (outside & inside_lost).to_numpy()
    rows = np.flatnonzero(lost)
    return frame[~lost].reset_index(drop=True), [
        Problem("warning", "units_record_dropped", file, layer=layer, row=str(i + 1), params={"value": ""})
        for i in rows]


def _records(frames: dict, files: dict, home: pd.DataFrame, communes: gpd.GeoDataFrame) -> tuple[dict, list]:
    """Every other layer: record layers carried to the new codes, the rest as read."""
    out, warnings = {}, []
    old = frames["communes"]
    left_out = old[~pad_code(old[CODE]).isin(home.index).to_numpy()]
    for name, frame in frames.items():
        if name == "communes":
            continue
        if name in POSITION_LAYERS and isinstance(frame, gpd.GeoDataFrame):
            frame, found = drop_left_out(frame, name, files[name], left_out, communes)
            warnings += found
        if name in RECORD_LAYERS and (CODE in frame.columns or isinstance(frame, gpd.GeoDataFrame)):
            frame, found = map_codes(frame, name, files[name], home, communes)
            warnings += found
            if name == "commune_it":
                frame = combine_commune_it(frame)
        out[name] = frame
    return out, warnings


def declare_2025(metadata) -> pd.DataFrame:
    """The ``tc8_layers`` table of the output: as given (or empty), with ``code_year`` = 2025 on
    the ``communes`` row (added when absent), so the output's codes are known to be 2025 units."""
    table = pd.DataFrame(metadata) if metadata is not None else pd.DataFrame({"layer": pd.Series(dtype=object)})
    table = table.astype({"layer": object}).reset_index(drop=True)
    if "code_year" not in table.columns:
        table["code_year"] = pd.Series([None] * len(table), dtype=object)
    table["code_year"] = table["code_year"].astype(object)
    is_communes = table["layer"].astype(str).str.strip().str.lower() == "communes"
    if not is_communes.any():
        table = pd.concat([table, pd.DataFrame({"layer": ["communes"]})], ignore_index=True)
        is_communes = table["layer"] == "communes"
    table.loc[is_communes, "code_year"] = 2025
    return table


def _write(path: Path, layers: dict, metadata) -> None:
    with atomic_path(path, placeholder=False) as tmp:  # GDAL creates the GeoPackage itself
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
        if metadata is not None:
            pyogrio.write_dataframe(pd.DataFrame(metadata), tmp, layer=METADATA.name, driver="GPKG")


def build_units(source: str | Path, output: str | Path, *, overwrite: bool = False,
                code_column: str = CODE) -> UnitsBuild:
    """Read the input at ``source`` (a tc8 input folder or GeoPackage, or any GeoPackage with a
    ``communes`` layer whose ``code_column`` holds 2024 codes), carry it onto the 2025 communes
    and write the GeoPackage ``output``. OutputExistsError when ``output`` exists and not
    ``overwrite``; InputError when the communes cannot be read."""
    output = Path(output)
    if output.exists() and not overwrite:
        raise OutputExistsError(str(output))
    if output.suffix.lower() != ".gpkg":
        raise ValueError(f"not a .gpkg file name: {output}")
    frames, files, metadata = _read(Path(source), code_column)
    communes, home, warnings = build_communes(frames["communes"], files["communes"])
    unconverted = [p.params["value"] for p in warnings]
    others, found = _records(frames, files, home, communes)
    layers = {"communes": communes, **others}
    _write(output, layers, declare_2025(metadata))
    return UnitsBuild(output=output, layers=layers, warnings=warnings + found, unconverted=unconverted,
                      n_old=len(frames["communes"]))
