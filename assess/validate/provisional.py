"""Provisional ids for communes that have no code (e.g. polygons merged away since 2009).

A commune row with an empty ``commune_code`` is not refused: it is assessed under a
*provisional id* derived from its own data, and flagged (``code_provisional`` true in
``Inputs.layers["communes"]`` and so in every output; warning ``provisional_commune_code``
naming the row ``#n`` and the id).

The id is ``TAM-`` + 8 hexadecimal digits (upper case) of the SHA-256 of

    folded commune name | folded district name | lon | lat

where *folded* is :func:`tc8.validate.columns.fold_word` (case, accents and runs of spaces do
not matter: ``Xã Pró`` = ``XA  PRO``) and lon/lat are the planar centroid of the polygon in
WGS 84, rounded to 3 decimals (about 110 m: redrawing a boundary slightly keeps the id;
moving the commune does not). It depends on nothing else, so it is the same across runs, row
orders, input formats and ``--crs``. Ids that still coincide (the same name, district and
rounded centroid, or an id already used as a code in the input) are told apart
deterministically: sorted by full-precision centroid, then by the geometry's WKB, the first
keeps the id and the others get ``-2``, ``-3``, … Every id is a safe file name
(:mod:`tc8.io.paths`: ASCII letters, digits and ``-``; 12-15 characters).
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from tc8.model.inputs import PROVISIONAL_COLUMN
from .columns import fold_word
from .geometry import project

#: prefix of every provisional id ("tạm": provisional)
PREFIX = "TAM-"
#: hexadecimal digits of the hash kept in the id
HASH_DIGITS = 8
#: decimals of the WGS 84 centroid (degrees) in the fingerprint
CENTROID_DECIMALS = 3


def provisional_id(name, district, lon: float, lat: float) -> str:
    """The provisional id of one commune (see the module docstring); NaN lon/lat when the
    geometry is unusable (the id then rests on the names alone)."""
    parts = [fold_word(str(v)) if isinstance(v, str) else "" for v in (name, district)]
    where = [f"{v:.{CENTROID_DECIMALS}f}" if np.isfinite(v) else "" for v in (lon, lat)]
    digest = hashlib.sha256("|".join(parts + where).encode("utf-8")).hexdigest()
    return PREFIX + digest[:HASH_DIGITS].upper()


def _centroids(st, rows: np.ndarray) -> np.ndarray:
    """(len(rows), 2) WGS 84 planar centroids (lon, lat) of ``rows``; NaN where unusable."""
    out = np.full((len(rows), 2), np.nan)
    if st.geoms is None or st.crs is None or st.good is None:
        return out
    usable = st.good[rows]
    if usable.any():
        wgs = project(st.geoms[rows[usable]], st.crs, CRS.from_epsg(4326))
        cent = shapely.centroid(wgs)
        out[usable] = np.column_stack([shapely.get_x(cent), shapely.get_y(cent)])
    return out


def _tie_key(st, row: int, lonlat: np.ndarray) -> tuple:
    """Order of rows sharing an id: full-precision centroid, then the geometry's WKB."""
    geom = st.geoms[row] if st.geoms is not None else None
    wkb = shapely.to_wkb(geom, hex=True) if geom is not None and not shapely.is_missing(geom) else ""
    lon, lat = (float(v) if np.isfinite(v) else np.inf for v in lonlat)
    return lon, lat, wkb


def _disambiguate(ids: list[str], st, rows: np.ndarray, lonlat: np.ndarray, taken: set) -> list[str]:
    """``ids`` made unique among themselves and against ``taken`` (codes in the input)."""
    groups: dict[str, list[int]] = {}
    for k, pid in enumerate(ids):
        groups.setdefault(pid, []).append(k)
    out = list(ids)
    for pid, members in groups.items():
        if len(members) == 1 and pid not in taken:
            continue
        members.sort(key=lambda k: _tie_key(st, int(rows[k]), lonlat[k]))
        suffix = 1 if pid not in taken else 2
        for k in members:
            while suffix > 1 and f"{pid}-{suffix}" in taken:
                suffix += 1
            out[k] = pid if suffix == 1 else f"{pid}-{suffix}"
            taken.add(out[k])
            suffix += 1
    return out


def assign_provisional_codes(st, report) -> None:
    """Give every commune row of ``st`` (the communes' working layer of
    :mod:`tc8.validate.run`) without a code its provisional id, in place: ``commune_code``
    filled, ``code_provisional`` added (true for those rows, false elsewhere), one warning per
    row. Nothing happens to a layer whose rows all have a code but the false column."""
    if st is None or st.ref.ids is None:  # no code column at all: missing_column, not provisional ids
        return
    codes = st.table["commune_code"]
    missing = codes.isna().to_numpy(dtype=bool)
    st.table[PROVISIONAL_COLUMN] = missing
    if not missing.any():
        return
    rows = np.flatnonzero(missing)
    lonlat = _centroids(st, rows)
    names = st.table["commune_name"].to_numpy(dtype=object, na_value=None)
    district = st.table["district_name"].to_numpy(dtype=object, na_value=None)
    ids = [provisional_id(names[r], district[r], lonlat[k, 0], lonlat[k, 1]) for k, r in enumerate(rows)]
    ids = _disambiguate(ids, st, rows, lonlat, set(codes.dropna()))
    filled = codes.to_numpy(dtype=object, na_value=None)
    filled[rows] = ids
    st.table["commune_code"] = pd.array(filled, dtype="string")
    report.add_rows("warning", "provisional_commune_code", st.ref, missing, "commune_code",
                    per_row={"value": filled, "name": np.where(names == None, "", names)})  # noqa: E711
