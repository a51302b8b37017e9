"""Seeded synthetic inputs of any size, for the benchmark (and tests): one GeoPackage.

:func:`make_synthetic` writes every layer of the input model (:data:`tc8.model.schema.LAYERS`) in
WGS 84 into one GeoPackage. Everything is generated with numpy arrays, no per-feature loop:

* **communes** — a jittered grid of quadrilaterals (cells of about 0.1° ≈ 11 km, so about
  120 km² each) whose corners are shared, so the communes tile the area without gaps or
  overlaps. The grid starts at 103.6°E 11.0°N; the national preset reaches about 108.7°E, i.e.
  it spans UTM zones 48 and 49. Codes are unique 5-digit strings. About 20 % of communes are
  "remote" (few cell sites, villages without a site of their own), which gives failing verdicts.
* every point layer is placed *inside* its commune by bilinear interpolation of the commune's
  four corners at (u, v) in [0.02, 0.98]², so a code column always agrees with the position.
* **villages** — points, at least one per commune; **postal_points** 1–2 per commune;
  **cell_sites** — one active 3G/4G site near (< ~800 m) most villages of non-remote communes,
  the rest spread by a skewed weight per commune, about 5 % inactive; **coverage** — a few
  hundred declared/measured discs; **fixed_access** about one per commune; **radio_stations**
  about one per commune (some missing, not operating or unlicensed); **speakers** — about one
  operating cluster near each village, the rest spread over villages (70 % carry the
  ``village_id`` of the village they stand near, within 150 m) or loose in the commune;
  **commune_it** one row per commune.

All rows carry ``synthetic = true``. The same ``seed`` gives the same file, byte for byte in
content (GeoPackage metadata timestamps aside).

CLI::

    python benchmarks/synth.py --preset national -o benchmarks/out/national.gpkg
    python benchmarks/synth.py --communes 5 --villages 30 --cell-sites 40 --speakers 60 -o tiny.gpkg
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

try:  # pyarrow makes pyogrio's writing faster; optional
    import pyarrow  # noqa: F401
    USE_ARROW = True
except ImportError:
    USE_ARROW = False

PRESETS = {
    "tiny": dict(communes=5, villages=30, cell_sites=40, speakers=60),
    "province": dict(communes=150, villages=2_000, cell_sites=3_000, speakers=4_000),
    "national": dict(communes=2_621, villages=60_000, cell_sites=100_000, speakers=150_000),
}
ORIGIN = (103.6, 11.0)  # lon, lat of the grid's south-west corner (degrees)
CELL = 0.1  # commune cell size (degrees)
JITTER = 0.2  # corner jitter, share of a cell (keeps every quadrilateral convex)
KM_PER_DEG = 111.32
OPERATORS = np.array(["Viettel", "VNPT", "MobiFone", "Vietnamobile"], dtype=object)
FIRST = np.array(["Tân", "Hòa", "Phú", "An", "Bình", "Thạnh", "Long", "Phước", "Đức", "Xuân",
                  "Quảng", "Hưng", "Vĩnh", "Thuận", "Nghĩa", "Đông"], dtype=object)
SECOND = np.array(["Lập", "Bình", "Thịnh", "Hòa", "Phú", "Lộc", "An", "Thành", "Hưng", "Sơn",
                   "Tiến", "Lợi", "Mỹ", "Đông", "Tây", "Trung"], dtype=object)
VILLAGE_PREFIX = np.array(["Thôn", "Thôn", "Thôn", "Bản", "Buôn", "Ấp", "Tổ dân phố"], dtype=object)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return (prefix + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(width)).to_numpy(dtype=object)


def _pick(rng, values, n, p=None) -> np.ndarray:
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=n, p=p)]


def _maybe(rng, values: np.ndarray, share_null: float) -> pd.array:
    """``values`` (bool) as nullable booleans with about ``share_null`` missing."""
    out = pd.array(values, dtype="boolean")
    out[rng.random(len(values)) < share_null] = pd.NA
    return out


class Grid:
    """Jittered grid of convex quadrilaterals; ``corners[i]`` = (p00, p10, p11, p01) of commune i."""

    def __init__(self, n: int, rng: np.random.Generator):
        nx = int(np.ceil(np.sqrt(n)))
        ny = int(np.ceil(n / nx))
        gx, gy = np.meshgrid(np.arange(nx + 1), np.arange(ny + 1))
        nodes = np.stack([gx, gy], axis=-1).astype(float)
        nodes += rng.uniform(-JITTER, JITTER, nodes.shape)
        nodes = np.array(ORIGIN) + nodes * CELL
        i = np.arange(n)
        self.row, self.col, self.nx = i // nx, i % nx, nx
        r, c = self.row, self.col
        self.corners = np.stack([nodes[r, c], nodes[r, c + 1], nodes[r + 1, c + 1], nodes[r + 1, c]], axis=1)

    def polygons(self) -> np.ndarray:
        ring = np.concatenate([self.corners, self.corners[:, :1]], axis=1)
        return shapely.polygons(ring)

    def area_km2(self) -> np.ndarray:
        x, y = self.corners[..., 0], self.corners[..., 1]
        shoelace = 0.5 * np.abs((x * np.roll(y, -1, 1) - np.roll(x, -1, 1) * y).sum(1))
        return shoelace * KM_PER_DEG ** 2 * np.cos(np.radians(y.mean(1)))

    def point(self, commune: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """(n, 2) lon/lat of parameters (u, v) in the communes' quadrilaterals (inside if 0<u,v<1)."""
        p = self.corners[commune]
        u, v = u[:, None], v[:, None]
        return ((1 - u) * (1 - v) * p[:, 0] + u * (1 - v) * p[:, 1] + u * v * p[:, 2]
                + (1 - u) * v * p[:, 3])

    @staticmethod
    def uv(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.uniform(0.02, 0.98, n), rng.uniform(0.02, 0.98, n)


def _near(rng, u, v, metres: float) -> tuple[np.ndarray, np.ndarray]:
    """Parameters moved by up to about ``metres`` (a cell is ~11 km), kept inside the commune."""
    d = metres / (CELL * KM_PER_DEG * 1000.0)
    return (np.clip(u + rng.uniform(-d, d, len(u)) * 0.7, 0.01, 0.99),
            np.clip(v + rng.uniform(-d, d, len(v)) * 0.7, 0.01, 0.99))


def _frame(columns: dict, xy: np.ndarray | None = None, geoms=None) -> gpd.GeoDataFrame:
    geometry = shapely.points(xy) if geoms is None else geoms
    return gpd.GeoDataFrame(columns, geometry=geometry, crs="EPSG:4326")


def _communes(rng, grid: Grid, codes: np.ndarray, village_pop: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(codes)
    national = n > 300
    prov = (grid.row // 6) * int(np.ceil(grid.nx / 7)) + grid.col // 7 if national else np.zeros(n, int)
    district = (grid.row // 2) * int(np.ceil(grid.nx / 3)) + grid.col // 3
    prov_code = pd.Series(prov + 1).astype(str).str.zfill(2).to_numpy(dtype=object)
    remote = rng.random(n) < 0.2
    terrain = np.where(remote, _pick(rng, ["hilly", "mountainous"], n, [0.3, 0.7]),
                       _pick(rng, ["flat", "hilly", "mountainous"], n, [0.45, 0.35, 0.2]))
    frame = _frame({
        "commune_code": codes,
        "commune_name": "Xã " + _pick(rng, FIRST, n) + " " + _pick(rng, SECOND, n),
        "province_code": prov_code,
        "province_name": "Tỉnh Giả lập " + prov_code,
        "district_name": "Huyện " + pd.Series(district + 1).astype(str).to_numpy(dtype=object),
        "region": np.where(remote, "mien_nui", "dong_bang").astype(object),
        "commune_group": np.where(remote, "kho_khan", "chung").astype(object),
        "terrain": terrain,
        "population": village_pop.astype(np.int64),
        "area_km2": np.round(grid.area_km2(), 2),
        "island": rng.random(n) < 0.01,
        "difficult": remote | (rng.random(n) < 0.05),
        "synthetic": np.ones(n, dtype=bool),
    }, geoms=grid.polygons())
    return frame, remote


def _villages(rng, codes, n_communes: int, n: int):
    commune = np.sort(np.concatenate([np.arange(n_communes), rng.integers(0, n_communes, max(n - n_communes, 0))]))
    commune = commune[:n]
    first = np.r_[0, np.flatnonzero(np.diff(commune)) + 1]
    rank = np.arange(len(commune)) - np.repeat(first, np.diff(np.r_[first, len(commune)]))
    pop = np.round(rng.lognormal(np.log(900), 0.5, len(commune))).astype(np.int64)
    m = len(commune)
    cols = {
        "village_id": _ids("V", m, 6),
        "commune_code": codes[commune],
        "village_name": _pick(rng, VILLAGE_PREFIX, m) + " " + pd.Series(rank + 1).astype(str).to_numpy(dtype=object),
        "population": pop,
        "households": np.maximum(1, np.round(pop / rng.uniform(3.5, 4.5, m))).astype(np.int64),
        "fixed_phone": _maybe(rng, rng.random(m) < 0.5, 0.5),
        "fixed_broadband": _maybe(rng, rng.random(m) < 0.4, 0.5),
        "synthetic": np.ones(m, dtype=bool),
    }
    return cols, commune


def _cell_sites(rng, grid, v_commune, v_uv, remote, n: int) -> gpd.GeoDataFrame:
    own = ~remote[v_commune] & (rng.random(len(v_commune)) < 0.97)
    own_idx = np.flatnonzero(own)[:n]
    k = n - len(own_idx)
    weight = rng.gamma(1.5, 1.0, len(remote)) * np.where(remote, 0.1, 1.0)
    spread = rng.choice(len(remote), size=k, p=weight / weight.sum())
    su, sv = Grid.uv(rng, k)
    ou, ov = _near(rng, v_uv[0][own_idx], v_uv[1][own_idx], 800)
    xy = np.concatenate([grid.point(v_commune[own_idx], ou, ov), grid.point(spread, su, sv)])
    tech = np.concatenate([_pick(rng, ["4G", "3G"], len(own_idx), [0.85, 0.15]),
                           _pick(rng, ["2G", "3G", "4G", "5G"], k, [0.25, 0.25, 0.45, 0.05])])
    radius = np.where(rng.random(n) < 0.1, np.round(rng.uniform(1500, 5000, n), -1), np.nan)
    return _frame({"site_id": _ids("S", n, 6), "operator": _pick(rng, OPERATORS, n, [0.5, 0.25, 0.2, 0.05]),
                   "technology": tech, "active": rng.random(n) >= 0.05, "radius_m": radius,
                   "synthetic": np.ones(n, dtype=bool)}, xy)


def _coverage(rng, grid, n_communes: int, n: int) -> gpd.GeoDataFrame:
    where = rng.integers(0, n_communes, n)
    centre = shapely.points(grid.point(where, *Grid.uv(rng, n)))
    radius_deg = rng.uniform(1.5, 6.0, n) / KM_PER_DEG
    evidence = _pick(rng, ["declared", "measured"], n, [0.8, 0.2])
    return _frame({"coverage_id": _ids("C", n, 5), "operator": _pick(rng, OPERATORS[:3], n),
                   "technology": _pick(rng, ["3G", "4G", "5G"], n, [0.3, 0.6, 0.1]), "evidence": evidence,
                   "source": np.where(evidence == "measured", "Đo kiểm (giả lập)", "Nhà mạng công bố (giả lập)"),
                   "synthetic": np.ones(n, dtype=bool)}, geoms=shapely.buffer(centre, radius_deg, quad_segs=8))


def _postal(rng, grid, codes, remote) -> gpd.GeoDataFrame:
    nc = len(codes)
    second = rng.random(nc) < 0.5
    commune = np.concatenate([np.arange(nc), np.flatnonzero(second)])
    n = len(commune)
    main = np.arange(n) < nc
    kind = np.where(main, np.where(rng.random(n) < 0.93 - 0.3 * remote[commune], _pick(rng, ["bdvhx", "buu_cuc"], n),
                                   "thung_thu"), _pick(rng, ["dai_ly", "ki_ot", "thung_thu", "other"], n))
    box = kind == "thung_thu"
    good = rng.random(n) < 0.96
    hours = np.where(box, 0.0, np.where(good, rng.choice([4.0, 6.0, 8.0, 10.0], n), rng.choice([2.0, 3.0], n)))
    yes = lambda p: (rng.random(n) < p) & ~box  # noqa: E731
    return _frame({
        "point_id": _ids("P", n, 5), "kind": kind.astype(object),
        "name": "Điểm " + kind.astype(object) + " " + codes[commune], "commune_code": codes[commune],
        "operator": np.full(n, "VNPost", dtype=object), "staffed": yes(0.99), "premises": yes(0.99),
        "hours_per_day": hours, "signboard": yes(0.98), "posted_hours": yes(0.98),
        "letters_2kg": (rng.random(n) < 0.995), "parcels_5kg": yes(0.98),
        "collections_per_day": rng.choice([0.5, 1.0, 1.0, 2.0], n), "telecom_service": yes(0.7),
        "online_public_services": yes(0.5), "synthetic": np.ones(n, dtype=bool),
    }, grid.point(commune, *Grid.uv(rng, n)))


def _fixed(rng, grid, n_communes: int) -> gpd.GeoDataFrame:
    commune = np.flatnonzero(rng.random(n_communes) < 0.95)
    n = len(commune)
    return _frame({"node_id": _ids("N", n, 5), "operator": _pick(rng, OPERATORS[:3], n),
                   "technology": _pick(rng, ["ftth", "adsl", "cable", "other"], n, [0.7, 0.15, 0.1, 0.05]),
                   "reach_m": np.round(rng.uniform(1000, 5000, n), -1), "voice": rng.random(n) < 0.6,
                   "synthetic": np.ones(n, dtype=bool)}, grid.point(commune, *Grid.uv(rng, n)))


def _stations(rng, grid, codes) -> gpd.GeoDataFrame:
    commune = np.flatnonzero(rng.random(len(codes)) < 0.93)
    n = len(commune)
    kind = _pick(rng, ["wired", "fm", "ip"], n, [0.2, 0.6, 0.2])
    return _frame({"station_id": _ids("R", n, 5), "commune_code": codes[commune], "type": kind,
                   "operating": rng.random(n) < 0.95, "compliant": _maybe(rng, rng.random(n) < 0.95, 0.02),
                   "licensed": _maybe(rng, (kind != "fm") | (rng.random(n) < 0.93), 0.02),
                   "synthetic": np.ones(n, dtype=bool)}, grid.point(commune, *Grid.uv(rng, n)))


def _speakers(rng, grid, v_ids, v_commune, v_uv, remote, n: int) -> gpd.GeoDataFrame:
    m = len(v_ids)
    base = np.flatnonzero(rng.random(m) < np.where(remote[v_commune], 0.85, 0.995))[:n]
    extra = rng.integers(0, m, max(n - len(base), 0))
    village = np.concatenate([base, extra])
    loose = np.r_[np.zeros(len(base), bool), rng.random(len(extra)) < 0.3]
    u, v = _near(rng, v_uv[0][village], v_uv[1][village], 150)
    lu, lv = Grid.uv(rng, int(loose.sum()))
    u[loose], v[loose] = lu, lv
    tagged = ~loose & (rng.random(len(village)) < 0.7)
    operating = np.where(np.arange(len(village)) < len(base), rng.random(len(village)) < 0.995,
                         rng.random(len(village)) < 0.85)
    return _frame({"cluster_id": _ids("K", len(village), 6),
                   "type": _pick(rng, ["wired", "fm", "ip"], len(village), [0.3, 0.5, 0.2]),
                   "operating": operating, "village_id": np.where(tagged, v_ids[village], None),
                   "synthetic": np.ones(len(village), dtype=bool)}, grid.point(v_commune[village], u, v))


def _commune_it(rng, codes, population) -> pd.DataFrame:
    n = len(codes)
    officials = rng.integers(15, 31, n)
    dossiers = rng.integers(50, 2000, n)
    mobile = np.round(population * rng.uniform(0.9, 1.4, n)).astype(np.int64)
    return pd.DataFrame({
        "commune_code": codes, "officials": officials,
        "officials_with_computer": np.minimum(officials, np.round(officials * rng.uniform(0.7, 1.05, n))).astype(int),
        "officials_using_eoffice": np.round(officials * rng.beta(8, 1.2, n)).astype(int),
        "eoffice_system": rng.random(n) < 0.93,
        "website": np.where(rng.random(n) < 0.9, "https://xa" + codes + ".example.vn", None),
        "dossiers_total": dossiers, "dossiers_online": np.round(dossiers * rng.beta(6, 2.5, n)).astype(int),
        "mobile_subscriptions": mobile,
        "smartphone_subscriptions": np.round(mobile * rng.uniform(0.5, 0.95, n)).astype(np.int64),
        "working_age_population": np.round(population * rng.uniform(0.55, 0.7, n)).astype(np.int64),
        "public_wifi_points": rng.integers(0, 6, n), "synthetic": np.ones(n, dtype=bool)})


def synthetic_layers(*, communes: int, villages: int, cell_sites: int, speakers: int, seed: int = 8,
                     coverage: int | None = None) -> dict[str, pd.DataFrame]:
    """Every layer as (Geo)DataFrames in WGS 84 (see the module docstring). ``coverage`` defaults
    to about one polygon per 10 communes, between 5 and 400."""
    if communes < 1 or villages < communes:
        raise ValueError("need at least one commune and one village per commune")
    rng = np.random.default_rng(seed)
    grid = Grid(communes, rng)
    codes = np.sort(rng.choice(90_000, size=communes, replace=False) + 10_000).astype(str).astype(object)
    vcols, v_commune = _villages(rng, codes, communes, villages)
    v_uv = Grid.uv(rng, len(v_commune))
    pop = np.bincount(v_commune, weights=vcols["population"], minlength=communes)
    com, remote = _communes(rng, grid, codes, pop)
    n_cov = coverage if coverage is not None else int(np.clip(communes // 10, 5, 400))
    return {
        "communes": com,
        "villages": _frame(vcols, grid.point(v_commune, *v_uv)),
        "postal_points": _postal(rng, grid, codes, remote),
        "cell_sites": _cell_sites(rng, grid, v_commune, v_uv, remote, cell_sites),
        "coverage": _coverage(rng, grid, communes, n_cov),
        "fixed_access": _fixed(rng, grid, communes),
        "radio_stations": _stations(rng, grid, codes),
        "speakers": _speakers(rng, grid, vcols["village_id"], v_commune, v_uv, remote, speakers),
        "commune_it": _commune_it(rng, codes, pop),
    }


def write_gpkg(layers: dict[str, pd.DataFrame], out_path: str | Path) -> Path:
    """Write ``layers`` into one GeoPackage atomically (temp file in the same folder, then rename)."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp.gpkg")
    try:
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", use_arrow=USE_ARROW)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def make_synthetic(out_path: str | Path, *, communes: int, villages: int, cell_sites: int, speakers: int,
                   seed: int = 8, coverage: int | None = None) -> Path:
    """Generate a synthetic input of the given size and write it to ``out_path`` (GeoPackage)."""
    layers = synthetic_layers(communes=communes, villages=villages, cell_sites=cell_sites,
                              speakers=speakers, seed=seed, coverage=coverage)
    return write_gpkg(layers, out_path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a seeded synthetic tc8 input (GeoPackage).")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="size preset (overridden by explicit sizes)")
    for name in ("communes", "villages", "cell-sites", "speakers", "coverage"):
        parser.add_argument(f"--{name}", type=int)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("-o", "--output", required=True, help="output .gpkg")
    args = parser.parse_args(argv)
    sizes = dict(PRESETS[args.preset or "province"])
    for key in ("communes", "villages", "cell_sites", "speakers"):
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    t0 = time.perf_counter()
    path = make_synthetic(args.output, seed=args.seed, coverage=args.coverage, **sizes)
    print(f"{path}: {sizes}, {time.perf_counter() - t0:.1f} s, {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
