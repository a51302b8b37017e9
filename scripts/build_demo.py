#!/usr/bin/env python3
"""Build the bundled demo province ``data/demo/lam_dong/`` (dev-time only).

Usage::

    .venv/bin/python scripts/build_demo.py [--src /work/shared/data/real/lam_dong] [--out data/demo/lam_dong]

Reads the real Lâm Đồng bundle (commune polygons of censusVN2009 with GSO 2024 codes, 2019
census population, WorldPop 2020 1 km raster, OpenStreetMap points) and writes one input
folder in the model of ``assess/schema.py``: ``<layer>.geojson`` (WGS 84, coordinates rounded
to 6 decimals except the commune polygons, which are copied as they are), ``commune_it.csv``
and ``population.tif`` (the WorldPop raster, unchanged).

Everything that does not exist as open data is generated with ``numpy.random.default_rng(SEED)``
(SEED = 2026): the output is identical on every run with the same sources and library versions.
Every row carries ``synthetic`` (true when any attribute that decides a verdict is invented)
and ``source`` (where the row came from). The rules are listed in ``data/demo/README.md``;
the short version is in the docstring of each ``make_*`` function below.

Nothing at run time or test time imports this script or reads the source folder.
"""
from __future__ import annotations

import argparse
import json
import shutil
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely

SEED = 2026
METRIC = "EPSG:32648"                    # UTM 48N: distances and areas in metres
SYN = f"giả lập, seed {SEED}"            # source text of fully synthetic rows
ROOT = Path(__file__).resolve().parents[1]
# Modeled radii used to aim the site placement (criteria.md defaults, metres).
R4G = {"flat": 3000, "hilly": 2000, "mountainous": 1500}
R2G = {"flat": 5000, "hilly": 3000, "mountainous": 2000}
# 2009 communes whose code is NULL in the source but that were renamed / upgraded, not merged
# (2019 census lists them under the new name): TT Đồng Nai -> TT Cát Tiên, Xã Phước Cát 1 ->
# TT Phước Cát. Both are thị trấn in 2024, so they are not in the demo (xã only).
RENAMED = {6072101: 25159, 6072117: 25180}
# OSM post_office nodes that are obviously not post offices (kind 'other' if ever inside the demo).
MISTAGGED_POST = {"Cơm tấm Minh Phát"}
# OSM mast_or_tower nodes that are not telecom sites (dropped).
NOT_TELECOM = {"Tháp bút Lycée Yersin"}
HAMLET_DEG = 0.011                        # ≈ 1.2 km: radius of a polygon village around its point
CITY_DISTRICTS = {"Thành phố Đà Lạt", "Thành phố Bảo Lộc"}
ETHNIC_PREFIX = ["Đạ", "Liêng", "Păng", "Kon", "Bơ", "Ma", "Đưng", "Krông", "Cil", "Ting", "Yang", "R'"]
ETHNIC_SUFFIX = ["Nghịt", "Rhong", "Tiêng", "Klơ", "Sar", "Pơr", "Dơng", "Mur", "Ya", "Kră", "Rsal", "Đơng"]

rng = np.random.default_rng(SEED)


def nfc(text):
    return unicodedata.normalize("NFC", text) if isinstance(text, str) else text


def slug(name: str) -> str:
    """'Xã Tà Nung' -> 'tanung' (ASCII, no prefix)."""
    base = name.split(" ", 1)[1] if name.startswith("Xã ") else name
    base = base.replace("Đ", "D").replace("đ", "d")
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    return "".join(ch for ch in base.lower() if ch.isalnum())


# --------------------------------------------------------------------------- communes
def make_communes(src: Path):
    """Rural communes (xã) of 2024, dissolved by GSO code, in the metric CRS.

    2009 communes with a NULL code (merged away before 2024) are unioned into the coded
    neighbour of the same 2009 district with which they share the longest border (the length
    of the orphan's boundary within 300 m of the neighbour, because the source polygons
    overlap by up to ~0.3 km² instead of sharing edges); their 2019 census population
    (listed under the old name) is added to the host.
    """
    raw_ll = gpd.read_file(src / "communes_2009.gpkg")
    raw = raw_ll.to_crs(METRIC)
    census = pd.read_csv(src / "census2019_commune_population.csv")
    wards = pd.read_csv(src / "wards_2024_lam_dong.csv", dtype={"ward_code_2024": str})
    for cid, code in RENAMED.items():
        raw.loc[raw.commune_id_2009 == cid, "ward_code_2024"] = code
    raw["code"] = raw.ward_code_2024.map(lambda v: None if pd.isna(v) else f"{int(v):05d}")
    orphan_pop = census[census.ward_code_2024.isna()].set_index(["district_2019", "commune_2019"]).pop2019_total
    raw["pop_extra"] = 0.0
    merges = []
    todo = list(raw.index[raw.code.isna()])
    while todo:                                   # a few rounds at most (8 orphans)
        left = []
        for i in todo:
            geom, district = raw.geometry[i], raw.district_name[i]
            cand = raw[(raw.district_name == district) & raw.code.notna()]
            # the low-resolution polygons overlap their neighbours slightly instead of sharing
            # edges exactly: count the orphan's boundary lying within 300 m of each candidate
            shared = shapely.length(shapely.intersection(geom.boundary, shapely.buffer(cand.geometry.values, 300)))
            if len(cand) == 0 or shared.max() <= 0:
                left.append(i)
                continue
            host = cand.index[int(np.argmax(shared))]
            raw.loc[i, "code"] = raw.code[host]
            pop = orphan_pop.get((district, raw.commune_name[i]), 0)
            raw.loc[i, "pop_extra"] = pop
            merges.append((raw.commune_name[i], district, raw.commune_name[host], raw.code[host],
                           nfc(wards.set_index("ward_code_2024").ward_name_2024.get(raw.code[host], "")),
                           round(float(shared.max()) / 1000, 1), int(pop)))
        if len(left) == len(todo):
            raise SystemExit(f"cannot place orphan communes {left}")
        todo = left
    raw["pop2019"] = raw.pop2019_total.fillna(0) + raw.pop_extra
    raw["has2019"] = raw.pop2019_total.notna() | (raw.pop_extra > 0)
    raw = raw.set_geometry(raw_ll.geometry.values, crs=raw_ll.crs)     # dissolve the original lon/lat
    agg = raw.dissolve(by="code", aggfunc={"pop2019": "sum", "has2019": "all", "pop2020_worldpop_1km": "sum",
                                           "ward_type_2024": "first"}).reset_index()
    names = wards.set_index("ward_code_2024")
    agg = agg[agg.code.map(names.ward_type_2024) == "xa"].copy()
    com = gpd.GeoDataFrame({
        "commune_code": agg.code.values,
        "commune_name": [nfc(n) for n in agg.code.map(names.ward_name_2024)],
        "province_code": "68", "province_name": "Lâm Đồng",
        "district_name": [nfc(n) for n in agg.code.map(names.district_name_2024)],
        "region": "tay_nguyen",
    }, geometry=agg.geometry.values, crs=raw_ll.crs)
    com["geometry_ll"] = com.geometry
    com = com.to_crs(METRIC)
    com["population"] = np.where(agg.has2019, agg.pop2019, agg.pop2020_worldpop_1km).round().astype(int)
    pop_src = np.where(agg.has2019, "dân số: TĐTDS 2019 (GSO)", "dân số: tổng WorldPop 2020 (CC BY 4.0)")
    com["area_km2"] = (com.geometry.area / 1e6).round(2)
    density = com.population / com.area_km2
    com["terrain"] = np.select([density >= 250, density >= 80], ["flat", "hilly"], "mountainous")
    com["difficult"] = density.rank(method="first") <= round(0.15 * len(com))
    com["commune_group"] = np.select(
        [com.difficult, com.district_name.isin(CITY_DISTRICTS) | (com.terrain == "flat")], ["3", "1"], "2")
    com["island"] = False
    com["synthetic"] = False
    com["source"] = [f"Ranh giới: censusVN2009 (MIT); mã, tên: GSO 2025-01; {p}; "
                     f"terrain, commune_group, difficult: quy tắc giả lập" for p in pop_src]
    com["density"] = density
    return com.sort_values("commune_code").reset_index(drop=True), merges


# --------------------------------------------------------------------------- helpers
def near(polys, x, y, rmin, rmax, inside=None):
    """One random point per (x, y) at rmin..rmax metres, inside ``polys`` (per row); else (x, y).

    Polygons are shrunk by 25 m so that the point stays inside after reprojection to lon/lat
    and rounding to 6 decimals (projected and geographic edges differ by a few metres).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    polys = shapely.buffer(np.asarray(polys), -25)
    if inside is not None:
        inside = shapely.buffer(np.asarray(inside), -25)
    out = np.column_stack([x, y])
    todo = np.arange(len(x))
    for _ in range(30):
        if not len(todo):
            break
        ang = rng.uniform(0, 2 * np.pi, len(todo))
        dist = rng.uniform(rmin, rmax, len(todo))
        px, py = x[todo] + dist * np.cos(ang), y[todo] + dist * np.sin(ang)
        pts = shapely.points(px, py)
        ok = shapely.contains(polys[todo], pts)
        if inside is not None:
            ok &= shapely.contains(inside[todo], pts)
        out[todo[ok]] = np.column_stack([px[ok], py[ok]])
        todo = todo[~ok]
    return out


def ethnic_name(used: set) -> str:
    for _ in range(50):
        name = f"{rng.choice(['Bon', 'Buôn'])} {rng.choice(ETHNIC_PREFIX)} {rng.choice(ETHNIC_SUFFIX)}"
        if name not in used:
            return name
    return name + " 2"


# --------------------------------------------------------------------------- villages
def make_villages(com, src: Path):
    """4–14 villages per commune (≈ 1 per 800–1500 people) on populated WorldPop cells."""
    with rasterio.open(src / "worldpop_2020_1km_UNadj.tif") as ras:
        band = ras.read(1)
        t = ras.transform
    rows, cols = np.nonzero(band > 0)
    lon, lat = t.c + (cols + 0.5) * t.a, t.f + (rows + 0.5) * t.e
    cells = gpd.GeoDataFrame({"w": band[rows, cols], "lon": lon, "lat": lat},
                             geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    com_ll = gpd.GeoDataFrame(com.drop(columns=["geometry", "geometry_ll"]),
                              geometry=np.asarray(com.geometry_ll.values), crs="EPSG:4326")
    hit = gpd.sjoin(cells, com_ll[["commune_code", "geometry"]], predicate="within")
    half = abs(t.a) / 2
    recs = []
    for ci, c in com_ll.iterrows():
        n = int(np.clip(round(c.population / rng.uniform(800, 1500)), 4, 14))
        mine = hit[hit.commune_code == c.commune_code]
        poly = c.geometry
        if len(mine):
            p = mine.w.to_numpy() / mine.w.sum()
            pick = rng.choice(len(mine), n, replace=len(mine) < n, p=p)
            cx, cy, w = mine.lon.to_numpy()[pick], mine.lat.to_numpy()[pick], mine.w.to_numpy()[pick]
        else:                                      # no cell centre inside: uniform inside the polygon
            b = poly.bounds
            cx, cy = rng.uniform(b[0], b[2], 200), rng.uniform(b[1], b[3], 200)
            keep = shapely.contains_xy(poly, cx, cy)
            cx, cy, w = cx[keep][:n], cy[keep][:n], np.ones(n)
        jx = np.round(cx + rng.uniform(-half, half, n), 6)
        jy = np.round(cy + rng.uniform(-half, half, n), 6)
        ok = shapely.contains_xy(poly, jx, jy)
        jx, jy = np.where(ok, jx, np.round(cx, 6)), np.where(ok, jy, np.round(cy, 6))
        share = w / w.sum()
        pop = np.floor(c.population * share).astype(int)
        pop[np.argmax(share)] += c.population - pop.sum()
        ethnic_p = {"mountainous": 0.4, "hilly": 0.2, "flat": 0.0}[c.terrain]
        used, k = set(), 0
        for i in np.argsort(-pop):                 # Thôn 1 is the most populous
            if rng.random() < ethnic_p:
                name = ethnic_name(used)
            else:
                k += 1
                name = f"Thôn {k}"
            used.add(name)
            recs.append({"commune_code": c.commune_code, "village_name": name, "population": int(pop[i]),
                         "lon": jx[i], "lat": jy[i]})
    vil = pd.DataFrame(recs)
    vil["rank"] = vil.groupby("commune_code").cumcount() + 1
    vil["village_id"] = vil.commune_code + "-" + vil["rank"].map("{:02d}".format)
    vil["households"] = (vil.population / 4).round().astype(int)
    vil = gpd.GeoDataFrame(vil, geometry=gpd.points_from_xy(vil.lon, vil.lat), crs="EPSG:4326")
    return vil.drop(columns=["lon", "lat"])


def polygon_villages(vil, com, n=6):
    """Turn the villages of ``n`` communes into polygons: the Voronoi cell of the village point,
    clipped to the commune and to a disc of about 1.2 km around the point (a hamlet, not a
    slice of forest). Done in lon/lat so that the written polygons lie inside the written
    commune polygon; returned in the metric CRS."""
    counts = vil.groupby("commune_code").size()
    choice = rng.choice(counts[(counts >= 4) & (counts <= 9)].index.to_numpy(), n, replace=False)
    geoms = vil.geometry.values.copy()
    cpoly = com.set_index("commune_code").geometry_ll
    for code in sorted(choice):
        idx = np.flatnonzero(vil.commune_code.to_numpy() == code)
        poly = cpoly[code]
        cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(geoms[idx]), extend_to=poly))
        for i in idx:
            cell = cells[shapely.contains(cells, geoms[i])][0]
            part = shapely.intersection(shapely.intersection(cell, poly), shapely.buffer(geoms[i], HAMLET_DEG))
            part = shapely.union_all([g for g in shapely.get_parts(part) if g.geom_type == "Polygon"])
            geoms[i] = shapely.set_precision(part, 1e-6)
    vil = vil.set_geometry(gpd.GeoSeries(geoms, crs="EPSG:4326")).to_crs(METRIC)
    return vil, sorted(choice)


# --------------------------------------------------------------------------- telecom
def make_cell_sites(vil, com, src: Path):
    """OSM masts (real positions, invented operator/technology) + synthetic sites near villages.

    Viettel covers every village of a commune greedily (4G site near the most populous
    uncovered village, reach 0.85 × modeled 4G radius) except "lõm sóng" villages (remote
    villages > 3.5 km from every other village in ~30 % of mountainous communes) and a few
    "2G only" villages; VinaPhone / MobiFone add sites near the main villages; a few 5G sites
    in the xã of Đà Lạt and Bảo Lộc; ~5 % of synthetic sites inactive (1.5 % of the
    Viettel 4G sites that carry the coverage, 7 % of the others).
    """
    terrain = com.set_index("commune_code").terrain
    district = com.set_index("commune_code").district_name
    cpoly = com.set_index("commune_code").geometry
    vx, vy = vil.geometry.representative_point().x.to_numpy(), vil.geometry.representative_point().y.to_numpy()
    codes = vil.commune_code.to_numpy()
    lom = np.zeros(len(vil), bool)
    only2g = np.zeros(len(vil), bool)
    recs = []

    def add(op, tech, x, y, code, note=SYN):
        recs.append({"operator": op, "technology": tech, "x": x, "y": y, "commune_code": code, "source": note})

    for code in np.unique(codes):
        idx = np.flatnonzero(codes == code)
        ter = terrain[code]
        poly = np.array([cpoly[code]])
        d = np.hypot(vx[idx, None] - vx[None, idx], vy[idx, None] - vy[None, idx])
        np.fill_diagonal(d, np.inf)
        remote = idx[d.min(axis=1) > 3500]
        if ter == "mountainous" and len(remote) and rng.random() < 0.3:
            lom[remote[0]] = True
            if len(remote) > 1 and rng.random() < 0.5:
                only2g[remote[1]] = True
        elif ter != "flat" and len(remote) and rng.random() < 0.08:
            only2g[remote[0]] = True
        todo = [i for i in idx if not lom[i] and not only2g[i]]
        pop = vil.population.to_numpy()
        reach = 0.85 * R4G[ter]
        while todo:
            i = max(todo, key=lambda j: pop[j])
            sx, sy = near(poly, [vx[i]], [vy[i]], 100, 500)[0]
            add("Viettel", "4G", sx, sy, code)
            if rng.random() < 0.7:
                add("Viettel", "2G", sx, sy, code)
            todo = [j for j in todo if j != i and np.hypot(vx[j] - sx, vy[j] - sy) > reach]
        for i in idx[only2g[idx]]:
            sx, sy = near(poly, [vx[i]], [vy[i]], 300, 900)[0]
            add("Viettel", "2G", sx, sy, code)
        main = idx[np.argmax(vil.population.to_numpy()[idx])]
        for op, p4, p3 in (("VinaPhone", 0.8, 0.4), ("MobiFone", 0.5, 0.2)):
            if rng.random() < p4:
                sx, sy = near(poly, [vx[main]], [vy[main]], 200, 900)[0]
                add(op, "4G", sx, sy, code)
            if rng.random() < p3 and len(idx) > 1:
                second = idx[np.argsort(-vil.population.to_numpy()[idx])[1]]
                sx, sy = near(poly, [vx[second]], [vy[second]], 100, 600)[0]
                add(op, "3G", sx, sy, code)
        if district[code] in CITY_DISTRICTS and rng.random() < 0.6:
            sx, sy = near(poly, [vx[main]], [vy[main]], 50, 400)[0]
            add("Viettel", "5G", sx, sy, code)
    syn = pd.DataFrame(recs)
    vt4 = ((syn.operator == "Viettel") & (syn.technology == "4G")).to_numpy()
    syn["active"] = rng.random(len(syn)) >= np.where(vt4, 0.015, 0.07)   # ≈ 5 % inactive overall
    syn["synthetic"] = True
    syn["site_id"] = [f"{ {'Viettel': 'VTL', 'VinaPhone': 'VNP', 'MobiFone': 'MBF'}[o]}-{i + 1:04d}"
                      for i, o in enumerate(syn.operator)]
    syn = gpd.GeoDataFrame(syn, geometry=gpd.points_from_xy(syn.x, syn.y), crs=METRIC)

    poi = gpd.read_file(src / "osm_pois.gpkg")
    masts = poi[(poi.t8_category == "mast_or_tower") & ~poi.name.isin(NOT_TELECOM)].to_crs(METRIC)
    osm = gpd.GeoDataFrame({
        "site_id": [f"osm-{i}" for i in masts.osm_id],
        "operator": rng.choice(["Viettel", "VinaPhone", "MobiFone"], len(masts), p=[0.5, 0.3, 0.2]),
        "technology": rng.choice(["4G", "3G", "2G"], len(masts), p=[0.6, 0.25, 0.15]),
        "active": True, "synthetic": True,
        "source": [f"OSM node {i} (ODbL), vị trí thật; nhà mạng, công nghệ giả lập" for i in masts.osm_id],
    }, geometry=masts.geometry.values, crs=METRIC)
    sites = pd.concat([osm, syn[osm.columns.tolist() + ["commune_code"]]], ignore_index=True)
    sites["radius_m"] = np.nan
    vil = vil.assign(lom=lom, only2g=only2g)
    return gpd.GeoDataFrame(sites, crs=METRIC), vil


def make_coverage(sites, com):
    """Declared Viettel 4G areas (2.5 km buffers around active Viettel 4G sites in non-mountainous
    communes of 6 districts, dissolved per district) + 3 small measured VinaPhone 4G polygons."""
    terrain = com.set_index("commune_code").terrain
    district = com.set_index("commune_code").district_name
    districts = sorted(com.district_name.unique())
    chosen = set(rng.choice(districts, 6, replace=False))
    s = sites[(sites.operator == "Viettel") & (sites.technology == "4G") & sites.active & sites.commune_code.notna()]
    s = s[s.commune_code.map(terrain).ne("mountainous") & s.commune_code.map(district).isin(chosen)]
    recs = []
    for name, grp in s.groupby(s.commune_code.map(district)):
        geom = shapely.union_all(grp.geometry.buffer(2500, quad_segs=4).values).simplify(150)
        recs.append({"operator": "Viettel", "technology": "4G", "evidence": "declared", "geometry": geom,
                     "source": f"giả lập: vùng phục vụ 4G công bố, {name} (đệm 2,5 km quanh trạm; {SYN})"})
    vnp = sites[(sites.operator == "VinaPhone") & (sites.technology == "4G") & sites.active
                & sites.commune_code.map(terrain).eq("hilly")]
    for _, row in vnp.sample(3, random_state=SEED).iterrows():
        geom = row.geometry.buffer(1200, quad_segs=3).simplify(50)
        recs.append({"operator": "VinaPhone", "technology": "4G", "evidence": "measured", "geometry": geom,
                     "source": f"giả lập: vùng đo kiểm i-Speed quanh {row.site_id} ({SYN})"})
    cov = gpd.GeoDataFrame(recs, crs=METRIC)
    cov.insert(0, "coverage_id", [f"COV-{i + 1:02d}" for i in range(len(cov))])
    cov["synthetic"] = True
    return cov


def make_fixed(vil, com):
    """FTTH nodes near the most populous village of ~60 % of communes (denser communes first)."""
    main = vil.loc[vil.groupby("commune_code").population.idxmax()].set_index("commune_code")
    dens = com.set_index("commune_code").density
    p = dens.rank(pct=True) * 0.6 + 0.3
    has_lom = vil.groupby("commune_code").lom.any()
    pick = [c for c in com.commune_code if rng.random() < p[c] * (0.3 if has_lom[c] else 1.0)]
    cpoly = com.set_index("commune_code").geometry
    rp = main.loc[pick].geometry.representative_point()
    pts = near(cpoly[pick].values, rp.x, rp.y, 50, 400)
    fx = gpd.GeoDataFrame({
        "node_id": [f"FTTH-{c}" for c in pick],
        "operator": rng.choice(["VNPT", "Viettel", "FPT"], len(pick), p=[0.5, 0.35, 0.15]),
        "technology": "ftth",
        "reach_m": (rng.uniform(1500, 4000, len(pick)) / 100).round() * 100,
        "voice": rng.random(len(pick)) < 0.5,
        "synthetic": True, "source": SYN, "commune_code": pick,
    }, geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]), crs=METRIC)
    return fx


def report_attributes(vil, com):
    """Self-reported service attributes for ~20 % of communes (False where the village is lõm)."""
    picked = set(com.commune_code[rng.random(len(com)) < 0.2])
    mask = vil.commune_code.isin(picked).to_numpy()
    n = len(vil)
    cols = {"fixed_phone": 0.4, "fixed_broadband": 0.5, "mobile_phone": 0.97, "mobile_broadband": 0.9}
    for col, p in cols.items():
        val = pd.Series(rng.random(n) < p, dtype="boolean")
        if col.startswith("mobile"):
            val[vil.lom.to_numpy()] = False
        if col == "mobile_broadband":
            val[vil.only2g.to_numpy()] = False
        val[~mask] = pd.NA
        vil[col] = val
    return vil, sorted(picked)


# --------------------------------------------------------------------------- post
def make_postal(vil, com, src: Path):
    """OSM post offices inside the demo communes (kind buu_cuc, invented attributes) + one
    synthetic BĐVHX near the most populous village in 87 % of the other communes (8 % with a
    failing attribute, 2 % with unknown hours), a letter box only in 4 %, else an agent (that
    meets the conditions with p = 0.8); extra agents in ~8 %."""
    cpoly = com.set_index("commune_code").geometry
    poi = gpd.read_file(src / "osm_pois.gpkg")
    po = poi[poi.t8_category == "post_office"].to_crs(METRIC)
    po = gpd.sjoin(po, com[["commune_code", "geometry"]], predicate="within")
    recs = []
    base = dict(staffed=True, premises=True, signboard=True, posted_hours=True, letters_2kg=True,
                parcels_5kg=True, telecom_service=True)
    for _, r in po.iterrows():
        name = nfc(r["name"]) if isinstance(r["name"], str) else "Bưu cục (OSM, không tên)"
        kind = "other" if name in MISTAGGED_POST else "buu_cuc"
        recs.append(dict(base, point_id=f"osm-{r.osm_id}", kind=kind, name=name, commune_code=r.commune_code,
                         operator="Viettel Post" if "Viettel" in name else "Vietnam Post",
                         hours_per_day=8.0, collections_per_day=2.0, online_public_services=True,
                         x=r.geometry.x, y=r.geometry.y,
                         source=f"OSM node {r.osm_id} (ODbL), vị trí và tên thật; thuộc tính giả lập"))
    main = vil.loc[vil.groupby("commune_code").population.idxmax()].set_index("commune_code")
    mx, my = main.geometry.representative_point().x, main.geometry.representative_point().y
    others = [c for c in com.commune_code if c not in set(po.commune_code)]
    # stratified draws (a shuffled even grid in 0..1): the shares below are exact, not luck
    roll = (rng.permutation(len(others)) + 0.5) / len(others)
    nb, na = int((roll < 0.87).sum()), int((roll >= 0.91).sum())
    fails = iter((rng.permutation(nb) + 0.5) / nb)
    goods = iter((rng.permutation(na) + 0.5) / na)
    nbdvhx = 0
    for code, u in zip(others, roll):
        poly = np.array([cpoly[code]])
        x, y = near(poly, [mx[code]], [my[code]], 50, 300)[0]
        if u < 0.87:
            nbdvhx += 1
            rec = dict(base, point_id=f"BDVHX-{code}", kind="bdvhx", name=f"Điểm BĐVHX {com.set_index('commune_code').commune_name[code][3:]}",
                       commune_code=code, operator="Vietnam Post", hours_per_day=float(rng.choice([4, 5, 6, 8])),
                       collections_per_day=float(rng.choice([1, 1, 2])),
                       telecom_service=bool(rng.random() < 0.92),
                       online_public_services=bool(rng.random() < 0.4), x=x, y=y, source=SYN)
            fail = next(fails)
            if fail < 0.03:
                rec["hours_per_day"] = 3.0
            elif fail < 0.05:
                rec["signboard"] = False
            elif fail < 0.08:
                rec["parcels_5kg"] = False
            elif fail < 0.10:
                rec["hours_per_day"] = None          # unknown -> missing data
            recs.append(rec)
        elif u < 0.91:
            recs.append(dict(point_id=f"TT-{code}", kind="thung_thu", name="Thùng thư công cộng", commune_code=code,
                             operator="Vietnam Post", staffed=False, premises=False, signboard=True,
                             posted_hours=False, letters_2kg=True, parcels_5kg=False, hours_per_day=None,
                             collections_per_day=1.0, telecom_service=False, online_public_services=False,
                             x=x, y=y, source=SYN))
        if u >= 0.91 or rng.random() < 0.08:
            good = u >= 0.91 and next(goods) < 0.8           # the commune's only point: usually fine
            ax, ay = near(poly, [mx[code]], [my[code]], 300, 1500)[0]
            recs.append(dict(point_id=f"DL-{code}", kind="dai_ly", name="Đại lý bưu điện", commune_code=code,
                             operator="Vietnam Post", staffed=True, premises=True,
                             signboard=good or bool(rng.random() < 0.7), posted_hours=good or bool(rng.random() < 0.6),
                             letters_2kg=True, parcels_5kg=good or bool(rng.random() < 0.5),
                             hours_per_day=float(rng.choice([6, 8]) if good else rng.choice([3, 4, 6])),
                             collections_per_day=1.0, telecom_service=bool(rng.random() < 0.5),
                             online_public_services=False, x=ax, y=ay, source=SYN))
    pts = pd.DataFrame(recs)
    pts["synthetic"] = True
    return gpd.GeoDataFrame(pts.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(pts.x, pts.y), crs=METRIC)


# --------------------------------------------------------------------------- radio
def make_radio(vil, com):
    """One station for ~92 % of communes near the main village; loudspeaker clusters per village.

    Station type: wired 45 %, fm 40 %, ip 15 %; 3 not operating, 3 non-compliant, 2 with
    compliance unknown, 3 FM stations unlicensed (disjoint). Speakers: 1–3 clusters within 30–200 m of
    each village (inside the village polygon for polygon villages); in 4 % of communes one
    village has none or only broken clusters; elsewhere every village keeps ≥ 1 operating one.
    """
    cpoly = com.set_index("commune_code").geometry
    main = vil.loc[vil.groupby("commune_code").population.idxmax()].set_index("commune_code")
    roll = (rng.permutation(len(com)) + 0.5) / len(com)
    pick = list(com.commune_code[roll < 0.92])
    pts = near(cpoly[pick].values, main.loc[pick].geometry.representative_point().x,
               main.loc[pick].geometry.representative_point().y, 50, 400)
    n = len(pick)
    st = gpd.GeoDataFrame({
        "station_id": [f"DTT-{c}" for c in pick], "commune_code": pick,
        "type": rng.choice(["wired", "fm", "ip"], n, p=[0.45, 0.40, 0.15]),
        "operating": True, "compliant": pd.array(np.ones(n, bool), dtype="boolean"),
        "synthetic": True, "source": SYN,
    }, geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]), crs=METRIC)
    order = rng.permutation(n)                     # disjoint problem stations, exact counts
    bad_op, bad_comp, unk_comp = order[:3], order[3:6], order[6:8]
    st.loc[bad_op, "operating"] = False
    st.loc[bad_comp, "compliant"] = False
    st.loc[unk_comp, "compliant"] = pd.NA
    st["licensed"] = pd.array(np.where(st["type"] == "fm", True, pd.NA), dtype="boolean")
    fm_ok = [i for i in order[8:] if st["type"].iat[i] == "fm"]
    st.loc[fm_ok[:3], "licensed"] = False
    stype = st.set_index("commune_code")["type"]

    n = len(vil)
    vpop = vil.population.to_numpy()
    nclus = np.clip(1 + vpop // 1200, 1, 3)
    bad_communes = set(rng.choice(com.commune_code, round(0.04 * len(com)), replace=False))
    state = np.zeros(n, int)                       # 0 ok, 1 none, 2 all broken
    for code in sorted(bad_communes):
        idx = np.flatnonzero(vil.commune_code.to_numpy() == code)
        state[rng.choice(idx)] = rng.choice([1, 2])
    rep = np.repeat(np.arange(n), nclus)
    rep = rep[state[rep] != 1]
    rp = vil.geometry.representative_point()
    vpoly = vil.geometry.values
    inside = np.where(shapely.get_type_id(vpoly) == 0, vil.commune_code.map(cpoly).values, vpoly)
    xy = near(vil.commune_code.map(cpoly).values[rep], rp.x.values[rep], rp.y.values[rep], 30, 200,
              inside=inside[rep])
    first = np.r_[True, rep[1:] != rep[:-1]]
    operating = np.where(state[rep] == 2, False, np.where(first, True, rng.random(len(rep)) >= 0.25))
    own = vil.commune_code.map(stype).to_numpy()[rep]
    typ = np.where(pd.isna(own) | (rng.random(len(rep)) < 0.15), rng.choice(["wired", "fm", "ip"], len(rep)), own)
    vid = np.where(rng.random(len(rep)) < 0.5, vil.village_id.to_numpy()[rep], None)
    sp = gpd.GeoDataFrame({
        "cluster_id": [f"LOA-{i + 1:05d}" for i in range(len(rep))], "type": typ,
        "operating": operating, "village_id": vid, "synthetic": True, "source": SYN,
    }, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=METRIC)
    return st, sp


# --------------------------------------------------------------------------- IT
def make_commune_it(com):
    """One row per commune except ~5 %. About 15 % of rows have one weak figure (computers < 80 %,
    online dossiers < 60 %, e-office users < 80 %, no website, no e-office system); 3 blank cells."""
    c = com[(rng.permutation(len(com)) + 0.5) / len(com) >= 0.05].reset_index(drop=True)
    n = len(c)
    officials = rng.integers(18, 26, n)
    weak = (rng.permutation(n) + 0.5) / n          # stratified: the shares below are exact
    computer = np.where(weak < 0.04, np.round(officials * rng.uniform(0.55, 0.75, n)),
                        officials - rng.integers(0, 3, n)).astype(int)
    dossiers = rng.integers(300, 3000, n)
    share = np.where((weak >= 0.04) & (weak < 0.08), rng.uniform(0.35, 0.58, n), rng.uniform(0.62, 0.97, n))
    eoffice = np.round(officials * np.where((weak >= 0.08) & (weak < 0.11), rng.uniform(0.55, 0.75, n),
                                            rng.uniform(0.85, 1.0, n))).astype(int)
    no_site = (weak >= 0.11) & (weak < 0.13)
    website = ["" if miss else f"https://{slug(name)}.lamdong.gov.vn" for name, miss in zip(c.commune_name, no_site)]
    mobile = np.round(c.population * rng.uniform(0.9, 1.3, n)).astype(int)
    it = pd.DataFrame({
        "commune_code": c.commune_code, "officials": officials, "officials_with_computer": computer,
        "officials_using_eoffice": eoffice, "eoffice_system": ~((weak >= 0.13) & (weak < 0.15)), "website": website,
        "dossiers_total": dossiers, "dossiers_online": np.round(dossiers * share).astype(int),
        "mobile_subscriptions": mobile,
        "smartphone_subscriptions": np.round(mobile * rng.uniform(0.5, 0.85, n)).astype(int),
        "working_age_population": np.round(c.population * rng.uniform(0.6, 0.68, n)).astype(int),
        "public_wifi_points": rng.integers(0, 6, n), "synthetic": True, "source": SYN,
    }).astype({"dossiers_online": "Int64", "officials_using_eoffice": "Int64"})
    it.loc[rng.choice(n, 2, replace=False), "dossiers_online"] = pd.NA
    it.loc[rng.choice(n, 1), "officials_using_eoffice"] = pd.NA
    return it


# --------------------------------------------------------------------------- writing
def layer_metadata(n_osm_post: int, n_osm_sites: int) -> pd.DataFrame:
    """The layer metadata table (tc8_layers): every layer is complete (generated for every
    commune); the few OSM positions in postal_points and cell_sites would otherwise make tc8
    take those layers as incomplete (a source naming OpenStreetMap)."""
    osm_note = "lớp giả lập đầy đủ; vài vị trí lấy từ OpenStreetMap không làm lớp thiếu"
    rows = [("villages", f"giả lập trên ô dân số WorldPop 2020, seed {SEED}", "mọi thôn của các xã mẫu (giả lập)"),
            ("postal_points", f"giả lập, seed {SEED}; {n_osm_post} vị trí bưu cục thật từ OSM (ODbL)", osm_note),
            ("cell_sites", f"giả lập, seed {SEED}; {n_osm_sites} vị trí cột thật từ OSM (ODbL)", osm_note)]
    rows += [(name, SYN, "") for name in ("coverage", "fixed_access", "radio_stations", "speakers", "commune_it")]
    return pd.DataFrame({"layer": [r[0] for r in rows], "complete": "yes", "source": [r[1] for r in rows],
                         "note": [r[2] for r in rows]})


def _round(coords, nd):
    if isinstance(coords[0], (int, float)):
        return [round(v, nd) for v in coords]
    return [_round(c, nd) for c in coords]


def _value(v):
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return nfc(v) if isinstance(v, str) else v


def write_geojson(frame, columns, path: Path, digits=6, geometry=None):
    """Write WGS 84 GeoJSON with the given property columns; coordinates rounded unless digits=None.

    ``geometry`` names a column already in lon/lat to write instead of the projected geometry.
    """
    geoms = frame[geometry].values if geometry else frame.to_crs("EPSG:4326").geometry.values
    feats = []
    for props, geom in zip(frame[columns].itertuples(index=False), geoms):
        g = json.loads(shapely.to_geojson(geom))
        if digits is not None:
            g["coordinates"] = _round(g["coordinates"], digits)
        feats.append({"type": "Feature", "properties": {k: _value(v) for k, v in zip(columns, props)},
                      "geometry": g})
    doc = {"type": "FeatureCollection", "name": path.stem, "features": feats}
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def diagnose(com, vil, sites, cov, fixed):
    """Rough 8.2 preview with the default radii (the real verdicts come from ``tc8 assess``)."""
    radius = {"2G": R2G, "3G": {"flat": 2500, "hilly": 1500, "mountainous": 1000}, "4G": R4G,
              "5G": {"flat": 1000, "hilly": 700, "mountainous": 500}}
    ter = vil.commune_code.map(com.set_index("commune_code").terrain).to_numpy()
    pts = np.asarray(vil.geometry.representative_point().values)
    act = sites[sites.active]
    d = shapely.distance(pts[:, None], np.asarray(act.geometry.values)[None, :])
    rad = np.array([[radius[t][tr] for t in act.technology] for tr in ter])
    within = d <= rad
    bb = act.technology.isin(["3G", "4G", "5G"]).to_numpy()
    phone = within.any(axis=1)
    net = within[:, bb].any(axis=1)
    poly = shapely.union_all(cov.geometry.values)
    inpoly = shapely.contains(poly, pts)
    fd = shapely.distance(pts[:, None], np.asarray(fixed.geometry.values)[None, :]) <= fixed.reach_m.to_numpy()[None, :]
    phone |= inpoly | fd[:, fixed.voice.to_numpy()].any(axis=1) | vil.mobile_phone.fillna(False).to_numpy()
    net |= inpoly | fd.any(axis=1) | vil.mobile_broadband.fillna(False).to_numpy()
    bad = ~(phone & net)
    per = pd.Series(bad).groupby(vil.commune_code.to_numpy()).sum()
    planned = vil.lom.to_numpy() | vil.only2g.to_numpy()
    print(f"  failing villages: {int(bad.sum())} ({int((bad & planned).sum())} planned lõm/2G-only, "
          f"{int((bad & ~planned).sum())} from inactive sites or gaps; "
          f"{int((bad & (shapely.get_type_id(vil.geometry.values) != 0)).sum())} polygon villages)")
    print(f"  8.2 preview: {int((~phone).sum())} villages without phone, {int((~net).sum())} without internet; "
          f"communes failing: {int((per > 0).sum())}/{len(per)}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=Path("/work/shared/data/real/lam_dong"))
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "demo" / "lam_dong")
    args = ap.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    com, merges = make_communes(args.src)
    vil = make_villages(com, args.src)
    vil, poly_communes = polygon_villages(vil, com)
    sites, vil = make_cell_sites(vil, com, args.src)
    cov = make_coverage(sites, com)
    fixed = make_fixed(vil, com)
    vil, reporting = report_attributes(vil, com)
    post = make_postal(vil, com, args.src)
    stations, speakers = make_radio(vil, com)
    it = make_commune_it(com)
    vil["synthetic"] = True
    vil["source"] = np.where(shapely.get_type_id(vil.geometry.values) == 0,
                             f"giả lập trên ô dân số WorldPop 2020, {SYN}",
                             f"giả lập: ô Voronoi của điểm thôn cắt theo ranh giới xã, {SYN}")

    write_geojson(com, ["commune_code", "commune_name", "province_code", "province_name", "district_name",
                        "region", "commune_group", "terrain", "population", "area_km2", "island", "difficult",
                        "synthetic", "source"], out / "communes.geojson", digits=None, geometry="geometry_ll")
    write_geojson(vil, ["village_id", "commune_code", "village_name", "population", "households", "fixed_phone",
                        "fixed_broadband", "mobile_phone", "mobile_broadband", "synthetic", "source"],
                  out / "villages.geojson")
    write_geojson(post, ["point_id", "kind", "name", "commune_code", "operator", "staffed", "premises",
                         "hours_per_day", "signboard", "posted_hours", "letters_2kg", "parcels_5kg",
                         "collections_per_day", "telecom_service", "online_public_services", "synthetic", "source"],
                  out / "postal_points.geojson")
    write_geojson(sites, ["site_id", "operator", "technology", "active", "radius_m", "synthetic", "source"],
                  out / "cell_sites.geojson")
    write_geojson(cov, ["coverage_id", "operator", "technology", "evidence", "source", "synthetic"],
                  out / "coverage.geojson")
    write_geojson(fixed, ["node_id", "operator", "technology", "reach_m", "voice", "synthetic", "source"],
                  out / "fixed_access.geojson")
    write_geojson(stations, ["station_id", "commune_code", "type", "operating", "compliant", "licensed",
                             "synthetic", "source"], out / "radio_stations.geojson")
    write_geojson(speakers, ["cluster_id", "type", "operating", "village_id", "synthetic", "source"],
                  out / "speakers.geojson")
    it.to_csv(out / "commune_it.csv", index=False, encoding="utf-8", lineterminator="\n")
    layer_metadata(int(post["source"].str.startswith("OSM").sum()), int(sites["source"].str.startswith("OSM").sum())).to_csv(
        out / "tc8_layers.csv", index=False, encoding="utf-8", lineterminator="\n")
    shutil.copyfile(args.src / "worldpop_2020_1km_UNadj.tif", out / "population.tif")

    print(f"seed {SEED}; written to {out}")
    for name, n in (("communes", len(com)), ("villages", len(vil)), ("postal_points", len(post)),
                    ("cell_sites", len(sites)), ("coverage", len(cov)), ("fixed_access", len(fixed)),
                    ("radio_stations", len(stations)), ("speakers", len(speakers)), ("commune_it", len(it))):
        print(f"  {name:15s} {n:5d}")
    print("  merged 2009 communes (name, district, host, host code, shared border km, 2019 pop added):")
    for m in merges:
        print("   ", m)
    print("  polygon-village communes:", ", ".join(poly_communes))
    print("  self-reporting communes:", len(reporting))
    print("  terrain:", com.terrain.value_counts().to_dict(), "difficult:", int(com.difficult.sum()),
          "groups:", com.commune_group.value_counts().to_dict())
    print("  lõm villages:", int(vil.lom.sum()), "2G-only villages:", int(vil.only2g.sum()))
    diagnose(com, vil, sites, cov, fixed)
    print("  size on disk: %.2f MB" % (sum(p.stat().st_size for p in out.iterdir()) / 1e6))


if __name__ == "__main__":
    main()
