"""Candidates of the 8.2 planner (:mod:`tc8.plan.telecom`) and the villages each one serves.

:func:`prepare` computes once what the engine computed (village samples, existing coverage per
sample and service part, radii); :func:`candidates` lists every candidate of the failing
communes with its position, reach, the service parts it provides and its price;
:func:`coverage_after` decides, for every candidate and every village not yet served, whether
the village is served with that candidate added (vectorised: one STRtree query for all);
:func:`intervention` turns a chosen candidate into an :class:`~tc8.plan.model.Intervention`
with its edits to the input.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from tc8.engine.assess import LIST_PARAMS, parameter_defaults
from tc8.measures.common import bool_array, commune_of_points
from tc8.measures.coverage import samples_covered
from tc8.measures.sampling import village_samples
from tc8.measures.telecom import modeled_radius, part_sources
from tc8.model.schema import MOBILE_TECHNOLOGIES
from tc8.rules.model import resolve_parameters

from .model import NEW_RECORD, Edit, Intervention, PlanContext
from .words import num

#: service parts, in the column order of every part array here
PARTS = ("mobile_voice", "mobile_broadband", "fixed_phone", "fixed_broadband")
#: service -> its two parts (positions in PARTS)
SERVICE_PARTS = {"phone": (0, 2), "internet": (1, 3)}
#: largest reach a planned fixed access node may have (the input schema's maximum)
MAX_REACH_M = 50_000.0
#: weight of a candidate whose action the cost file does not price (taken last)
UNPRICED = 1e15


@dataclass
class World:
    """What every commune's plan reads, computed once per call (positional arrays)."""

    ctx: PlanContext
    villages: pd.DataFrame
    samples: object              # tc8.measures.sampling.Samples of every village
    sample_cov: np.ndarray       # (n_samples, 4) existing coverage of each sample per part
    total: np.ndarray            # (n_villages,) total sample weight
    need_share: np.ndarray       # (n_villages,) polygon_covered_share (0–1)
    part_ok: np.ndarray          # (n_villages, 4) part ok now
    lists: dict
    params_all: pd.DataFrame
    defaults: dict
    site_commune: np.ndarray     # commune code each cell site stands in (None outside)
    village_ids: np.ndarray      # village_id of each village
    village_code: np.ndarray     # commune_code of each village
    operators: dict | None = None  # commune -> main cell operator (filled on first use)
    cache: dict = field(default_factory=dict)


def prepare(ctx: PlanContext) -> World:
    """Samples and existing coverage of every village, as the engine computed them."""
    results = ctx.results
    inputs = results.inputs
    villages = results.villages.reset_index(drop=True)
    defaults = parameter_defaults(results.rule_set)
    all_communes = inputs.get("communes")
    params_all = resolve_parameters(results.rule_set, all_communes)
    params_all.index = pd.Index(all_communes["commune_code"].astype(object), name="commune_code")
    lists = {name: list(defaults.get(name) or []) for name in LIST_PARAMS}
    samples = village_samples(villages.geometry.to_numpy(), raster_path=inputs.raw.population_raster,
                              metric_crs=inputs.metric_crs)
    sites = inputs.get("cell_sites")
    # the engine's radius of every site (modeled_radius), kept in Results.layers
    radius = np.empty(0) if sites is None else results.layers["cell_sites"]["radius_used_m"].to_numpy(dtype=float)
    sources = part_sources(inputs, villages, radius, lists)
    sample_cov = np.column_stack([samples_covered(samples.points, sources[p]) for p in PARTS])
    total = np.bincount(samples.village, weights=samples.weight, minlength=len(villages))
    need = params_all["polygon_covered_share"].reindex(villages["commune_code"]).to_numpy(dtype=float) / 100.0
    part_ok = np.column_stack([villages[f"{p}_ok"].fillna(False).to_numpy(dtype=bool) for p in PARTS])
    where = (np.empty(0, dtype=object) if sites is None
             else commune_of_points(sites.geometry.to_numpy(), all_communes).to_numpy(dtype=object, na_value=None))
    return World(ctx, villages, samples, sample_cov, np.where(total > 0, total, 1.0), need, part_ok, lists,
                 params_all, defaults, where, villages["village_id"].to_numpy(dtype=object),
                 villages["commune_code"].to_numpy(dtype=object))


def service_ok(part_ok: np.ndarray, services) -> np.ndarray:
    """Whether each row of ``part_ok`` (..., 4) has every service of ``services``."""
    out = np.ones(part_ok.shape[:-1], dtype=bool)
    for service in services:
        a, b = SERVICE_PARTS[service]
        out &= part_ok[..., a] | part_ok[..., b]
    return out


def _mobile_parts(world: World, tech: str) -> tuple[bool, bool, bool, bool]:
    return (tech in world.lists["phone_technologies"], tech in world.lists["internet_technologies"], False, False)


def _frame(rows: dict) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _site_candidates(world: World, codes: list[str]) -> list[pd.DataFrame]:
    """Reactivations and upgrades of existing sites whose disk reaches a failing commune."""
    inputs = world.ctx.results.inputs
    sites = inputs.get("cell_sites")
    if sites is None or sites.empty:
        return []
    radius = world.ctx.results.layers["cell_sites"]["radius_used_m"].to_numpy(dtype=float)
    upgrade_to = str(world.ctx.costs.setting("upgrade_to"))
    active = bool_array(sites["active"])
    tech = sites["technology"].astype(str).to_numpy(dtype=object)
    rank = pd.Series(tech).str.upper().map({t: k for k, t in enumerate(MOBILE_TECHNOLOGIES)}).fillna(-1).to_numpy()
    reactivate = ~active & ~np.isnan(radius)
    upgrade = active & (rank < tech_rank(upgrade_to))
    up_radius = np.full(len(sites), np.nan)
    if upgrade.any():  # the rule set's radius of the new technology where the site stands
        up = sites[upgrade].assign(technology=upgrade_to, radius_m=np.nan)
        up_radius[upgrade] = modeled_radius(inputs, up, world.params_all, world.defaults)
    upgrade &= up_radius >= np.nan_to_num(radius, nan=0.0)  # never less coverage than now
    communes = inputs.get("communes")
    communes = communes[communes["commune_code"].isin(codes)]
    out = []
    for action, mask, reach, techs in (("cell_reactivate", reactivate, radius, tech),
                                       ("cell_upgrade", upgrade, up_radius, np.full(len(sites), upgrade_to))):
        pos = np.flatnonzero(mask)
        if not pos.size:
            continue
        tree = shapely.STRtree(communes.geometry.to_numpy())
        s_i, c_i = tree.query(sites.geometry.to_numpy()[pos], predicate="dwithin", distance=reach[pos])
        p = pos[s_i]
        parts = np.array([_mobile_parts(world, t) for t in techs[p]], dtype=bool).reshape(-1, 4)
        out.append(_frame({"commune_code": communes["commune_code"].to_numpy(dtype=object)[c_i], "action": action,
                           "geometry": sites.geometry.to_numpy()[p], "reach": reach[p], "site_pos": p,
                           "node_pos": -1, "tech": techs[p], **_part_columns(parts)}))
    return out


def _part_columns(parts: np.ndarray) -> dict:
    return {f"p{k}": parts[:, k] for k in range(4)}


def tech_rank(tech) -> int:
    """Position of a mobile technology in 2G < 3G < 4G < 5G (-1 unknown)."""
    t = str(tech).upper()
    return MOBILE_TECHNOLOGIES.index(t) if t in MOBILE_TECHNOLOGIES else -1


def grid_points(polygon, spacing: float, limit: int) -> np.ndarray:
    """A regular grid of points inside ``polygon``, ``spacing`` widened (x1.25) until at most
    ``limit`` points."""
    xmin, ymin, xmax, ymax = polygon.bounds
    spacing = max(float(spacing), math.sqrt(max(polygon.area, 1.0) / max(limit, 1)))
    shapely.prepare(polygon)
    while True:
        xs = np.arange(xmin + spacing / 2, xmax, spacing)
        ys = np.arange(ymin + spacing / 2, ymax, spacing)
        gx, gy = np.meshgrid(xs, ys)
        inside = shapely.contains_xy(polygon, gx.ravel(), gy.ravel())
        if inside.sum() <= limit:
            return shapely.points(gx.ravel()[inside], gy.ravel()[inside])
        spacing *= 1.25


def _positions(codes: np.ndarray) -> dict:
    """code -> positions of ``codes`` holding it (missing codes left out)."""
    if not len(codes):
        return {}
    keys = pd.Series(codes, dtype=object)
    return pd.Series(np.arange(len(codes))).groupby(keys.to_numpy(), dropna=True).indices


def _new_site_candidates(world: World, codes: list[str]) -> list[pd.DataFrame]:
    """New ``upgrade_to`` sites at existing sites, villages and a grid of each failing commune."""
    inputs = world.ctx.results.inputs
    communes = inputs.get("communes")
    communes = communes[communes["commune_code"].isin(codes)]
    sites = inputs.get("cell_sites")
    spacing = float(world.ctx.costs.setting("grid_spacing_m"))
    limit = int(world.ctx.costs.setting("max_grid_candidates"))
    v_pts = shapely.point_on_surface(world.villages.geometry.to_numpy())
    v_of = _positions(world.village_code)
    s_of = _positions(world.site_commune)
    site_pts = sites.geometry.to_numpy() if sites is not None else np.empty(0, dtype=object)
    none = np.empty(0, dtype=int)
    geoms, owner = [], []
    for code, poly in zip(communes["commune_code"], communes.geometry):
        here = [grid_points(poly, spacing, limit), v_pts[v_of.get(code, none)], site_pts[s_of.get(code, none)]]
        pts = np.concatenate(here)
        geoms.append(pts)
        owner.append(np.full(len(pts), code, dtype=object))
    if not geoms:
        return []
    geoms, owner = np.concatenate(geoms), np.concatenate(owner)
    upgrade_to = str(world.ctx.costs.setting("upgrade_to"))
    frame = pd.DataFrame({"technology": upgrade_to, "radius_m": np.full(len(geoms), np.nan)})
    import geopandas as gpd
    reach = modeled_radius(inputs, gpd.GeoDataFrame(frame, geometry=geoms, crs=inputs.metric_crs),
                           world.params_all, world.defaults)
    parts = np.tile(np.array(_mobile_parts(world, upgrade_to), dtype=bool), (len(geoms), 1))
    ok = ~np.isnan(reach)
    return [_frame({"commune_code": owner[ok], "action": "cell_new_site", "geometry": geoms[ok], "reach": reach[ok],
                    "site_pos": -1, "node_pos": -1, "tech": upgrade_to, **_part_columns(parts[ok])})]


def _fibre_candidates(world: World, targets: list[dict]) -> list[pd.DataFrame]:
    """A new FTTH node at each village not served, fed from the nearest fixed access node."""
    nodes = world.ctx.results.inputs.get("fixed_access")
    wanted = np.unique(np.concatenate([t["villages"] for t in targets])) if targets else np.empty(0, int)
    if nodes is None or nodes.empty or not wanted.size:
        return []
    geoms = world.villages.geometry.to_numpy()[wanted]
    at = shapely.point_on_surface(geoms)
    tree = shapely.STRtree(nodes.geometry.to_numpy())
    (g_i, n_i), dist = tree.query_nearest(at, return_distance=True, all_matches=False)
    node_reach = nodes["reach_m"].to_numpy(dtype=float, na_value=0.0)[n_i]
    length = np.ceil(np.maximum(dist - node_reach, 0.0))
    reach = _reach_to_cover(world, wanted[g_i], at[g_i])
    ok = reach <= MAX_REACH_M
    v = wanted[g_i][ok]
    parts = np.tile(np.array([False, False, True, True]), (int(ok.sum()), 1))
    return [_frame({"commune_code": world.villages["commune_code"].to_numpy(dtype=object)[v],
                    "action": "fibre_extend", "geometry": at[g_i][ok], "reach": reach[ok], "site_pos": -1,
                    "node_pos": n_i[ok], "tech": "ftth", "quantity": length[ok], **_part_columns(parts)})]


def _reach_to_cover(world: World, villages: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Reach (m) a node at ``at`` needs to cover every sample of its village (1 m margin)."""
    smp = world.samples
    pos = np.full(len(world.villages), -1)
    pos[villages] = np.arange(len(villages))
    mine = pos[smp.village] >= 0
    d = shapely.distance(smp.points[mine], at[pos[smp.village[mine]]])
    far = np.zeros(len(villages))
    np.maximum.at(far, pos[smp.village[mine]], d)
    return np.ceil(far) + 1.0


def _terrains(ctx: PlanContext, codes: list[str]) -> pd.Series:
    """``ctx.terrain`` of each commune of ``codes`` (the terrain column read once)."""
    communes = ctx.results.communes
    given = (communes.drop_duplicates("commune_code").set_index("commune_code")["terrain"]
             if "terrain" in communes.columns else pd.Series(dtype=object))
    out = given.reindex(codes).astype(object)
    fill = [c for c, t in out.items() if not (isinstance(t, str) and t)]
    for code in fill:
        out[code] = ctx.terrain(code)
    return out


def candidates(world: World, codes: list[str], targets: list[dict]) -> pd.DataFrame:
    """Every candidate of the failing communes ``codes``, priced (``weight`` for the solver)."""
    parts = _site_candidates(world, codes) + _new_site_candidates(world, codes) + _fibre_candidates(world, targets)
    if not parts:
        return pd.DataFrame(columns=["commune_code", "action", "geometry", "reach", "site_pos", "node_pos", "tech",
                                     "p0", "p1", "p2", "p3", "quantity", "unit_cost", "cost", "weight"])
    cands = pd.concat(parts, ignore_index=True)
    if "quantity" not in cands:
        cands["quantity"] = np.nan
    cands["quantity"] = cands["quantity"].fillna(1.0)
    costs = world.ctx.costs
    terrain = _terrains(world.ctx, codes)
    pairs = pd.DataFrame({"action": cands["action"].astype(object),
                          "terrain": terrain.reindex(cands["commune_code"].astype(object)).to_numpy()})
    unique = pairs.drop_duplicates()
    price = {(a, t): costs.price(a, t) for a, t in zip(unique["action"], unique["terrain"])}
    unit = np.array([price[k] if price[k] is not None else np.nan
                     for k in zip(pairs["action"], pairs["terrain"])], dtype=float)
    total = np.round(unit * cands["quantity"].to_numpy(dtype=float))  # as CostBook.cost: rounded
    cands["unit_cost"] = unit
    cands["cost"] = total
    cands["weight"] = np.where(np.isnan(total), UNPRICED, total)
    return cands.sort_values(["commune_code"], kind="stable").reset_index(drop=True)


def coverage_after(world: World, cands: pd.DataFrame, targets: list[dict]) -> dict:
    """``(condition_id, commune) -> bool array (candidates of the commune, villages of the
    target)``: the village is served for the condition with that candidate added."""
    smp = world.samples
    wanted = np.unique(np.concatenate([t["villages"] for t in targets]))
    in_t = np.isin(smp.village, wanted)
    s_pos = np.flatnonzero(in_t)
    tree = shapely.STRtree(smp.points[s_pos])
    c_i, s_l = tree.query(cands.geometry.to_numpy() if hasattr(cands, "geometry") else cands["geometry"].to_numpy(),
                          predicate="dwithin", distance=cands["reach"].to_numpy(dtype=float))
    s = s_pos[s_l]
    v = smp.village[s]
    code = cands["commune_code"].to_numpy(dtype=object)
    same = code[c_i] == world.village_code[v]
    c_i, s, v = c_i[same], s[same], v[same]
    provides = cands[["p0", "p1", "p2", "p3"]].to_numpy(dtype=bool)
    add = smp.weight[s][:, None] * (provides[c_i] & ~world.sample_cov[s])
    key, inv = np.unique(c_i.astype(np.int64) * len(world.villages) + v, return_inverse=True)
    summed = np.column_stack([np.bincount(inv, weights=add[:, k], minlength=key.size) for k in range(4)])
    kc, kv = key // len(world.villages), key % len(world.villages)
    existing = np.column_stack([np.bincount(smp.village, weights=smp.weight * world.sample_cov[:, k],
                                            minlength=len(world.villages)) for k in range(4)])
    share = (existing[kv] + summed) / world.total[kv][:, None]
    reached = provides[kc] & (share >= world.need_share[kv][:, None] - 1e-12)
    part_after = world.part_ok[kv] | reached
    return _per_target(world, targets, code, kc, kv, part_after)


def _per_target(world, targets, code, kc, kv, part_after) -> dict:
    out = {}
    rows = _positions(code)
    by_commune = {c: rows.get(c, np.empty(0, dtype=int)) for c in {t["commune_code"] for t in targets}}
    for t in targets:
        mine = by_commune[t["commune_code"]]
        grid = np.zeros((len(mine), len(t["villages"])), dtype=bool)
        row = np.full(len(code), -1)
        row[mine] = np.arange(len(mine))
        col = np.full(len(world.villages), -1)
        col[t["villages"]] = np.arange(len(t["villages"]))
        hit = (row[kc] >= 0) & (col[kv] >= 0) & service_ok(part_after, t["services"])
        grid[row[kc[hit]], col[kv[hit]]] = True
        out[t["condition_id"], t["commune_code"]] = grid
    return out


def main_operator(world: World, code: str) -> str:
    """The most common operator of the cell sites in a commune, else ``KH``."""
    sites = world.ctx.results.inputs.get("cell_sites")
    if sites is None or sites.empty:
        return "KH"
    if world.operators is None:
        frame = pd.DataFrame({"c": world.site_commune, "op": sites["operator"].to_numpy(dtype=object)}).dropna()
        counts = frame.groupby(["c", "op"]).size().reset_index(name="n").sort_values(["c", "n"], ascending=[True, False],
                                                                                    kind="stable")
        world.operators = counts.drop_duplicates("c").set_index("c")["op"].to_dict()
    return str(world.operators.get(code, "KH"))


def _records(world: World, layer: str, columns: tuple[str, ...]) -> dict:
    """Columns (and ``geometry``) of an input layer as arrays, cached on ``world``."""
    key = ("records", layer)
    if key not in world.cache:
        frame = world.ctx.results.inputs.get(layer)
        world.cache[key] = {**{c: frame[c].to_numpy(dtype=object) for c in columns},
                            "geometry": frame.geometry.to_numpy()}
    return world.cache[key]


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def intervention(world: World, cand, target: dict, covers: tuple[str, ...], serial: int) -> Intervention:
    """The intervention (with its edits) of a chosen candidate ``cand`` (a row of
    :func:`candidates`) for the condition ``target``."""
    code, action = target["commune_code"], cand["action"]
    base = dict(commune_code=code, indicator=target["indicator"], condition_id=target["condition_id"],
                action=action, quantity=float(cand["quantity"]), unit=world.ctx.costs.unit(action),
                unit_cost=_number(cand["unit_cost"]), cost=_number(cand["cost"]), covers=covers)
    reach = num(cand["reach"])
    if action in ("cell_reactivate", "cell_upgrade"):
        sites, pos = _records(world, "cell_sites", ("site_id", "technology", "radius_m")), int(cand["site_pos"])
        site_id, tech, geom = str(sites["site_id"][pos]), str(sites["technology"][pos]), sites["geometry"][pos]
        values = {"active": True} if action == "cell_reactivate" else {"technology": cand["tech"]}
        if action == "cell_upgrade" and pd.notna(sites["radius_m"][pos]):
            values["radius_m"] = None
        detail = {"site": site_id, "from": tech, "to": cand["tech"], "radius_m": reach, "villages": len(covers)}
        return Intervention(**base, target=f"cell_sites:{site_id}", detail=detail,
                            edits=(Edit("cell_sites", site_id, values),), geometry=geom)
    if action == "cell_new_site":
        new_id = f"KH-{code}-S{serial}"
        values = {"site_id": new_id, "operator": main_operator(world, code), "technology": cand["tech"],
                  "active": True}
        detail = {"site": new_id, "to": cand["tech"], "radius_m": reach, "villages": len(covers)}
        return Intervention(**base, detail=detail, edits=(Edit("cell_sites", NEW_RECORD, values, cand["geometry"]),),
                            geometry=cand["geometry"])
    nodes, pos = _records(world, "fixed_access", ("node_id", "operator")), int(cand["node_pos"])
    node_geom = nodes["geometry"][pos]
    new_id = f"KH-{code}-F{serial}"
    values = {"node_id": new_id, "operator": str(nodes["operator"][pos]), "technology": "ftth", "reach_m": reach,
              "voice": True}
    detail = {"node": new_id, "from_node": str(nodes["node_id"][pos]), "length_m": num(cand["quantity"]),
              "villages": len(covers)}
    line = shapely.linestrings([[node_geom.x, node_geom.y], [cand["geometry"].x, cand["geometry"].y]])
    return Intervention(**base, detail=detail, edits=(Edit("fixed_access", NEW_RECORD, values, cand["geometry"]),),
                        geometry=line)
