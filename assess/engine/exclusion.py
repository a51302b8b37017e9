"""Which communes records excluded by ``--skip-invalid`` could have changed, and marking them.

:func:`mark_exclusions` runs at the end of :func:`tc8.engine.assess.assess`. Without
``--skip-invalid`` it does nothing (``Results.excluded`` stays None, no column is added). With
it, for every excluded record (:mod:`tc8.validate.skip`) the communes it could affect are:

* the commune its ``commune_code`` names, when that is a commune of the input;
* every commune within its reach of its position: its own ``radius_m`` (cell sites) or
  ``reach_m`` (fixed access nodes) when usable, else the largest modeled radius the rule set
  gives (``radius_m_*`` parameters, per-commune overrides included) or, for fixed access
  nodes, the largest reach of the layer; loudspeaker clusters the rule set's
  ``speaker_reach_m``; coverage areas the communes they touch; any other record the commune it
  lies in (1 m tolerance on shared edges);
* when neither finds one: the nearest commune within ``code_far_m`` of the policy (5 km by
  default: farther, the record could not plausibly belong to any).

``Results.excluded`` gets the records with ``affected_communes`` (``;``-joined codes) and a
representative point as geometry (None when the record had no usable geometry);
``Results.communes`` gets ``affected_by_exclusion`` (bool); and in every indicator row of an
affected commune whose measures read an excluded record's layer (registry ``needs``), and its
``TC8`` row, ``missing_vi/en`` end with the note "the result may change: N records excluded …".
Verdicts are not changed.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tc8.model.results import CRITERION, Results
from tc8.model.vocab import MEASURES
from tc8.text.join import join_by_group, join_pair
from tc8.text.messages import LANGS, text

#: A record lying this close (metres) to a commune touches it.
TOUCH_M = 1.0
#: Excluded records named in a commune's note before "and N more".
NOTE_LIMIT = 5
#: Layers whose records serve around them (reach from their own column, else the rule set).
REACH_PARAMS = {"cell_sites": "radius_m_", "speakers": "speaker_reach_m"}


def _largest(results: Results, prefix: str) -> float:
    """Largest value of the rule set's parameters named ``prefix*`` (defaults and the resolved
    per-commune values); 0 when there is none."""
    values = [p.value for name, p in results.rule_set.parameters.items() if name.startswith(prefix)]
    params = results.parameters
    if params is not None:
        cols = [c for c in params.columns if str(c).startswith(prefix)]
        values += list(pd.to_numeric(params[cols].stack(), errors="coerce")) if cols else []
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").dropna()
    return float(numbers.max()) if len(numbers) else 0.0


def _reach(excluded: pd.DataFrame, results: Results, inputs) -> np.ndarray:
    """Reach of every excluded record (metres) for the commune search."""
    reach = np.full(len(excluded), TOUCH_M)
    own = excluded["reach_m"].to_numpy(dtype="float64", na_value=np.nan)
    layer = excluded["layer"].to_numpy(dtype=object)
    for name, prefix in REACH_PARAMS.items():
        reach[layer == name] = max(_largest(results, prefix), TOUCH_M)
    nodes = inputs.get("fixed_access") if inputs is not None else None
    if nodes is not None and len(nodes):
        reach[layer == "fixed_access"] = max(float(pd.to_numeric(nodes["reach_m"]).max(skipna=True) or 0), TOUCH_M)
    usable = np.isfinite(own) & (own > 0) & np.isin(layer, ("cell_sites", "fixed_access"))
    reach[usable] = own[usable]
    return reach


def affected_communes(excluded: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, reach: np.ndarray,
                      near_m: float) -> pd.DataFrame:
    """(record index, commune code) pairs: the communes each excluded record could affect
    (see the module docstring). ``communes``: every commune of the input (metric CRS)."""
    codes = communes["commune_code"].to_numpy(dtype=object, na_value=None)
    known = set(c for c in codes if c is not None)
    given = excluded["commune_code"].to_numpy(dtype=object)
    pairs = [(i, g) for i, g in enumerate(given) if g in known]
    geoms = np.asarray(excluded.geometry.values, dtype=object)
    has = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    usable = ~(shapely.is_missing(communes.geometry.values) | shapely.is_empty(communes.geometry.values))
    tree_rows = np.flatnonzero(usable & np.array([c is not None for c in codes], dtype=bool))
    if has.any() and len(tree_rows):
        tree = shapely.STRtree(np.asarray(communes.geometry.values, dtype=object)[tree_rows])
        at = np.flatnonzero(has)
        q, c = tree.query(geoms[at], predicate="dwithin", distance=reach[at])
        pairs += list(zip(at[q].tolist(), codes[tree_rows[c]].tolist()))
        lone = np.setdiff1d(at, np.array([i for i, _ in pairs], dtype=int))
        if len(lone):
            q, c = tree.query_nearest(geoms[lone], max_distance=near_m)
            pairs += list(zip(lone[q].tolist(), codes[tree_rows[c]].tolist()))
    out = pd.DataFrame(pairs, columns=["record", "commune_code"]).drop_duplicates(ignore_index=True)
    return out.sort_values(["record", "commune_code"], ignore_index=True)


def _indicator_layers(results: Results) -> dict[str, set]:
    """Indicator id -> the input layers its conditions' measures read (registry ``needs``)."""
    out: dict[str, set] = {}
    conds = results.conditions
    if not len(conds):
        return out
    for ind, measure in conds[["indicator", "measure"]].drop_duplicates().itertuples(index=False):
        spec = MEASURES.get(measure)
        layers = {lay for clause in spec.needs for lay, _ in clause} if spec is not None else set()
        if spec is not None and spec.village_columns:
            layers.add("villages")
        out.setdefault(ind, set()).update(layers)
    return out


def _notes(excluded: pd.DataFrame, pairs: pd.DataFrame, codes, lang: str) -> pd.Series:
    """Commune code -> its note in ``lang`` (only affected communes)."""
    pairs = pairs.sort_values("record", kind="stable")  # the order of Results.excluded
    records = excluded[["layer", "row"]].iloc[pairs["record"].to_numpy()].reset_index(drop=True)
    records["commune_code"] = pairs["commune_code"].to_numpy()
    records = records.drop_duplicates()
    names = join_by_group(records["commune_code"].to_numpy(), (records["layer"] + " " + records["row"]).to_numpy(),
                          limit=NOTE_LIMIT, lang=lang)
    counts = records.groupby("commune_code").size()
    return pd.Series({code: text("results.exclusion_note", lang, n=int(counts[code]), records=names[code])
                      for code in codes if code in counts.index}, dtype=object)


def _mark_indicators(results: Results, excluded: pd.DataFrame, pairs: pd.DataFrame) -> None:
    """Append the note to ``missing_vi/en`` of the affected indicator rows (and their TC8 row)."""
    layer_of = excluded["layer"].to_numpy(dtype=object)[pairs["record"].to_numpy()]
    touched = pd.DataFrame({"commune_code": pairs["commune_code"].to_numpy(), "layer": layer_of}).drop_duplicates()
    reads = _indicator_layers(results)
    ind = results.indicators
    hit = np.zeros(len(ind), dtype=bool)
    keys = set(zip(touched["commune_code"], touched["layer"]))
    for ind_id, layers in reads.items():
        rows = (ind["indicator"] == ind_id).to_numpy()
        codes = ind["commune_code"].to_numpy(dtype=object)
        hit |= rows & np.array([any((c, lay) in keys for lay in layers) for c in codes], dtype=bool)
    crit = (ind["indicator"] == CRITERION).to_numpy()
    hit_codes = set(ind["commune_code"].to_numpy(dtype=object)[hit])
    hit |= crit & ind["commune_code"].isin(hit_codes).to_numpy()
    for lang in LANGS:
        notes = _notes(excluded, pairs, sorted(hit_codes), lang)
        mapped = ind["commune_code"].astype(object).map(dict(notes))
        add = np.where(hit & mapped.notna().to_numpy(), mapped.to_numpy(dtype=object), "")
        col = f"missing_{lang}"
        ind[col] = join_pair(ind[col].fillna("").to_numpy(dtype=object), add.astype(object))


def mark_exclusions(results: Results, inputs) -> None:
    """Fill ``Results.excluded`` and mark the communes excluded records could affect (module
    docstring); nothing without ``--skip-invalid``."""
    policy = getattr(inputs, "policy", None)
    if policy is None or not policy.skip_invalid:
        return
    excluded = inputs.excluded
    if excluded is None:  # nothing had to be skipped
        from tc8.validate.skip import COLUMNS

        excluded = gpd.GeoDataFrame(pd.DataFrame(columns=COLUMNS), geometry=gpd.GeoSeries([], crs=results.metric_crs))
    pairs = affected_communes(excluded, inputs.get("communes"), _reach(excluded, results, inputs), policy.code_far_m)
    out = excluded.copy()
    per_record = (join_by_group(pairs["record"].to_numpy(), pairs["commune_code"].to_numpy(), sep=";")
                  if len(pairs) else pd.Series(dtype=object))
    out["affected_communes"] = pd.Series(range(len(out))).map(per_record).fillna("").to_numpy(dtype=object)
    points = np.asarray(excluded.geometry.values, dtype=object)
    present = ~(shapely.is_missing(points) | shapely.is_empty(points))
    points[present] = shapely.point_on_surface(points[present])
    out = out.set_geometry(gpd.GeoSeries(points, crs=results.metric_crs))
    results.excluded = out
    affected = set(pairs["commune_code"])
    results.communes["affected_by_exclusion"] = results.communes["commune_code"].isin(affected).to_numpy()
    if len(pairs):
        _mark_indicators(results, excluded, pairs)
