#!/usr/bin/env python3
"""Build tc8 inputs from the real open data copied in ``tests/real_data/`` (dev and test time).

Usage::

    python scripts/build_real_inputs.py national OUT      # 11,163 communes, the whole country
    python scripts/build_real_inputs.py lam_dong OUT      # the 148 communes of (old) Lâm Đồng
    options: --src DIR (default tests/real_data)  --no-cell-sites

``OUT`` is a GeoPackage path (``*.gpkg``) or a folder (then ``OUT/<scenario>.gpkg``). Next to
the GeoPackage, ``<scenario>.build.json`` records what was matched and how (counts only).
Only the four files of ``tests/real_data/`` are read; no network, no other folder. The output
is the same, byte for byte, on every run with the same sources and library versions (rows in
a fixed order, GeoPackage timestamps pinned by ``OGR_CURRENT_DATE``).

What the input holds (the rules are repeated in ``tests/real_data/README.md``):

``communes`` — every 2009 polygon of the scenario (censusVN2009, low resolution), unchanged.
  ``commune_code`` is the official GSO 2024 code matched **by name** to
  ``admin_units_2024_legacy.csv``: first district + type + name within the province, then
  type + name within the province among the codes still free; a match must be one-to-one (two
  polygons claiming one code, or one polygon with two candidates, stay unmatched). Names are
  compared without the type word (``Xã``/``Phường``/``Thị trấn``; ``Huyện``/``Quận``/``Thị
  xã``/``Thành phố`` for districts), folded to lower-case letters and digits without any
  diacritic, space or apostrophe, numbers without leading zeros (``Đạ M'Rông`` = ``Đạ M' Rong``,
  ``Đam Bri`` = ``Đạm Bri``); the one-to-one rule keeps the folding from pairing two different
  names that fold alike. Unmatched
  polygons (merged or renamed since 2009) get **no code**: tc8 assesses them under a
  provisional id. ``population`` is the 2019 census total, matched to a 2024 code the same way
  and joined on it (empty where either match failed). ``province_code`` is the 2024 province
  code, found by which province's commune list shares the most names. Extra columns:
  ``commune_id_2009``, ``code_match``, ``population_source``. Four polygons have no name in the
  source; they are named ``Không tên (id 2009 <id>)``.

``postal_points`` — the OpenStreetMap ``amenity=post_office`` nodes (nodes only), with no
  ``commune_code`` (tc8 finds the commune from the position). ``kind`` from the name, first
  rule that applies: a *bưu điện văn hóa xã* (``văn hóa xã``, ``BĐVHX``, ``VHX``) is
  ``bdvhx``; an *đại lý bưu điện* (postal agent) is ``dai_ly``; another *bưu điện* or *bưu
  cục* (also ``VNPost``, ``Vietnam Post``, ``post office``, unaccented spellings) is
  ``buu_cuc``, whoever runs it; anything else (unnamed, couriers such as Viettel Post or DHL,
  mistagged shops) is ``other``, which no rule set counts. Every attribute a rule checks
  (staffed, hours, collections, telecom service) is left empty: unknown, so a point can make
  8.1 undecided but never passed; the kind only decides whether it is looked at. ``source`` = ``OpenStreetMap``, which marks the layer as crowd-sourced,
  i.e. incomplete.

``cell_sites`` (unless ``--no-cell-sites``) — OSM ``man_made`` = mast, antenna or
  communications_tower nodes, and ``tower`` only where the name says telecom (the others are
  pagodas, clock and water towers). The technology is not in OSM; the schema requires one, so
  it is ``2G`` (the weakest claim) with ``technology_known`` = false, ``operator`` =
  ``không rõ`` and ``active`` **empty**: an unknown site can never give coverage, only leave it
  undecided, so no verdict rests on the guess.

``tc8_layers`` — the layer metadata table: ``postal_points`` and ``cell_sites`` are
  ``complete`` = no (OpenStreetMap holds only what volunteers mapped), so not finding a post
  office in a commune gives ``thieu_du_lieu``, never ``khong_dat``.

No villages (no open source exists). Nothing else is invented.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "tests" / "real_data"
FILES = {"communes": "communes_2009_lowres.gpkg", "osm": "osm_postal_telecom_points.gpkg",
         "codes": "admin_units_2024_legacy.csv", "census": "census2019_commune_population.csv"}
SCENARIOS = {"national": None, "lam_dong": "Lâm Đồng"}
METRIC = "EPSG:32648"          # UTM 48N; only used to keep OSM points near the chosen province
PROVINCE_MARGIN_M = 200.0      # points this close to the province (outside) are kept
PINNED_DATE = "2000-01-01T00:00:00.000Z"
OSM = "OpenStreetMap"
METADATA_TABLE = "tc8_layers"
COMMUNE_TYPES = {"xã": "xa", "phường": "phuong", "thị trấn": "thi_tran"}
DISTRICT_WORDS = ("thành phố", "thị xã", "huyện", "quận")
PROVINCE_WORDS = ("thành phố", "tỉnh")
BDVHX = re.compile(r"văn hóa xã|văn hoá xã|van hoa xa|bđvhx|bdvhx|bđ-vhx|bđvh xã|\bvhx\b", re.I)
DAI_LY = re.compile(r"(?:đại lý|dai ly).*(?:bưu|buu|post)", re.I)
BUU_CUC = re.compile(r"bưu đi[eêệ]n|bưu cục|buu dien|buu cuc|vn ?post|vietnam ?post|post office", re.I)
MAST_KINDS = {"mast", "antenna", "communications_tower"}
TELECOM_TOWER = re.compile(r"viễn thông|vien thong|bts|vnpt|viettel|mobifone|vinaphone|cellular|"
                           r"telecom|truyền hình|phát sóng|bưu điện", re.I)


def fold(text: str) -> str:
    """Lower case without any diacritic (``đ`` -> ``d``)."""
    chars = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in chars if not unicodedata.combining(c))


def strip_type(name, words) -> tuple[str | None, str]:
    """(type word or None, rest) of a lower-cased NFC name."""
    text = unicodedata.normalize("NFC", str(name)).lower().strip()
    for w in words:
        if text.startswith(w + " "):
            return w, text[len(w) + 1:]
    return None, text


def name_key(rest: str) -> str:
    """The comparison key of a name without its type word: folded letters and digits only, no
    spaces or apostrophes, numbers without leading zeros (``Đạ M'Rông`` = ``Đạ M' Rong``)."""
    tokens = re.findall(r"[a-z0-9]+", fold(rest))
    return "".join(t.lstrip("0") or "0" if t.isdigit() else t for t in tokens)


def commune_keys(names: pd.Series) -> pd.DataFrame:
    parts = [strip_type(n, tuple(COMMUNE_TYPES)) if isinstance(n, str) else (None, "") for n in names]
    return pd.DataFrame({"type": [COMMUNE_TYPES.get(t) for t, _ in parts],
                         "nkey": [name_key(r) for _, r in parts]}, index=names.index)


def district_keys(names: pd.Series) -> pd.Series:
    return pd.Series([name_key(strip_type(n, DISTRICT_WORDS)[1]) if isinstance(n, str) else ""
                      for n in names], index=names.index)


def read_codes(src: Path) -> pd.DataFrame:
    codes = pd.read_csv(src / FILES["codes"], dtype=str, keep_default_na=False)
    codes = codes.assign(code=codes["ward_code_2024"].str.zfill(5),
                         prov=codes["province_code_2024"].str.zfill(2),
                         type=codes["ward_type_2024"],
                         nkey=commune_keys(codes["ward_name_2024"])["nkey"],
                         dkey=district_keys(codes["district_name_2024"]))
    return codes


def province_codes(prov_names: pd.Series, keys: pd.DataFrame, codes: pd.DataFrame) -> pd.Series:
    """2024 province code per row: the province whose list shares the most type+name keys."""
    left = keys.assign(pname=prov_names.to_numpy())[["pname", "type", "nkey"]].dropna()
    votes = left.merge(codes[["prov", "type", "nkey"]].drop_duplicates(), on=["type", "nkey"])
    counts = votes.groupby(["pname", "prov"]).size().rename("n").reset_index()
    best = counts.sort_values(["pname", "n", "prov"], ascending=[True, False, True]).drop_duplicates("pname")
    return prov_names.map(dict(zip(best["pname"], best["prov"])))


def _one_to_one(left: pd.DataFrame, cand: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """Pairs (left index -> code) where the key is unique on both sides."""
    lk = left.dropna(subset=["type"])
    lk = lk[~lk.duplicated(on, keep=False)]
    ck = cand[~cand.duplicated(on, keep=False)]
    pairs = lk.reset_index().merge(ck[on + ["code"]], on=on)
    return pairs.set_index(lk.index.name or "index")["code"]


def match_codes(prov: pd.Series, districts: pd.Series, names: pd.Series,
                codes: pd.DataFrame) -> pd.DataFrame:
    """``code`` (or <NA>) and ``method`` per row: district+type+name, then type+name_in_province."""
    left = commune_keys(names).assign(prov=prov.to_numpy(), dkey=district_keys(districts).to_numpy())
    left.index.name = "index"
    out = pd.DataFrame({"code": pd.Series(pd.NA, index=left.index, dtype="string"),
                        "method": pd.Series(pd.NA, index=left.index, dtype="string")})
    first = _one_to_one(left, codes, ["prov", "dkey", "type", "nkey"])
    out.loc[first.index, ["code", "method"]] = np.c_[first.to_numpy(), np.full(len(first), "district+type+name")]
    rest = left[out["code"].isna()]
    free = codes[~codes["code"].isin(first.to_numpy())]
    second = _one_to_one(rest, free, ["prov", "type", "nkey"])
    out.loc[second.index, ["code", "method"]] = np.c_[second.to_numpy(), np.full(len(second), "type+name_in_province")]
    return out


def build_communes(src: Path, codes: pd.DataFrame, province: str | None) -> tuple[gpd.GeoDataFrame, dict]:
    com = gpd.read_file(src / FILES["communes"], layer="communes")
    com = com.sort_values("commune_id_2009", kind="stable").reset_index(drop=True)
    prov = province_codes(com["province_name"], commune_keys(com["commune_name"]), codes)
    if province is not None:
        keep = (com["province_name"] == province).to_numpy()
        com, prov = com[keep].reset_index(drop=True), prov[keep].reset_index(drop=True)
    match = match_codes(prov, com["district_name"], com["commune_name"], codes)
    pop, pop_report = census_population(src, codes)
    ids = com["commune_id_2009"].astype("int64").astype(str)
    names = com["commune_name"].where(com["commune_name"].notna(), "Không tên (id 2009 " + ids + ")")
    population = match["code"].map(pop).astype("Int64")
    out = gpd.GeoDataFrame({
        "commune_code": match["code"], "commune_name": names,
        "province_code": prov.astype("string"), "province_name": com["province_name"],
        "district_name": com["district_name"], "population": population,
        "commune_id_2009": ids, "code_match": match["method"],
        "population_source": pd.Series(np.where(population.notna(), "GSO census 2019", None),
                                       dtype="string"),
    }, geometry=com.geometry.to_numpy(), crs=com.crs)
    report = {"communes": len(out), "with_code": int(out["commune_code"].notna().sum()),
              "by_method": {k: int(v) for k, v in match["method"].value_counts().sort_index().items()},
              "with_population": int(population.notna().sum()),
              "population_total": int(population.sum()), "census": pop_report}
    return out, report


def census_population(src: Path, codes: pd.DataFrame) -> tuple[dict, dict]:
    """2019 census total per 2024 code (rows matched by name, like the polygons)."""
    cen = pd.read_csv(src / FILES["census"], dtype={"pop2019_total": "Int64"},
                      converters={c: str for c in ("province_2019", "district_2019", "commune_2019")})
    pkey = cen["province_2019"].map(lambda n: name_key(strip_type(n, PROVINCE_WORDS)[1]))
    prov = province_codes(pkey, commune_keys(cen["commune_2019"]), codes)
    match = match_codes(prov, cen["district_2019"], cen["commune_2019"].where(cen["commune_2019"] != ""),
                        codes)
    ok = match["code"].notna()
    pop = dict(zip(match.loc[ok, "code"], cen.loc[ok, "pop2019_total"]))
    return pop, {"rows": len(cen), "matched": int(ok.sum())}


def postal_kind(names: pd.Series) -> pd.Series:
    """``bdvhx`` / ``buu_cuc`` / ``other`` from the OSM name (rule in the module docstring)."""
    text = names.fillna("").map(lambda s: unicodedata.normalize("NFC", s))
    return pd.Series(np.select([text.str.contains(BDVHX), text.str.contains(DAI_LY), text.str.contains(BUU_CUC)],
                               ["bdvhx", "dai_ly", "buu_cuc"], "other"), index=names.index)


def select_points(osm: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, province: str | None) -> gpd.GeoDataFrame:
    if province is None:
        return osm
    area = communes.to_crs(METRIC).union_all().buffer(PROVINCE_MARGIN_M)
    return osm[osm.to_crs(METRIC).within(area).to_numpy()]


def build_points(src: Path, communes: gpd.GeoDataFrame, province: str | None,
                 cell_sites: bool) -> dict[str, gpd.GeoDataFrame]:
    osm = gpd.read_file(src / FILES["osm"], layer="points")
    osm = osm.assign(osm_id=osm["osm_id"].astype("int64")).sort_values("osm_id", kind="stable")
    osm = select_points(osm.reset_index(drop=True), communes, province)
    post = osm[osm["t8_category"] == "post_office"]
    layers = {"postal_points": gpd.GeoDataFrame({
        "point_id": "osm-" + post["osm_id"].astype(str), "kind": postal_kind(post["name"]),
        "name": post["name"].astype("string"), "commune_code": pd.Series(pd.NA, index=post.index, dtype="string"),
        "source": OSM, "osm_id": post["osm_id"].astype(str)}, geometry=post.geometry, crs=osm.crs)}
    if cell_sites:
        made = osm["man_made"].fillna("")
        mast = (osm["t8_category"] == "mast_or_tower") & (
            made.isin(MAST_KINDS) | ((made == "tower") & osm["name"].fillna("").str.contains(TELECOM_TOWER)))
        m = osm[mast.to_numpy()]
        layers["cell_sites"] = gpd.GeoDataFrame({
            "site_id": "osm-" + m["osm_id"].astype(str), "operator": "không rõ", "technology": "2G",
            "active": pd.Series(pd.NA, index=m.index, dtype="boolean"),
            "technology_known": False, "name": m["name"].astype("string"), "man_made": m["man_made"],
            "source": OSM, "osm_id": m["osm_id"].astype(str)}, geometry=m.geometry, crs=osm.crs)
    return layers


def metadata(layers: dict) -> pd.DataFrame:
    """The ``tc8_layers`` rows of the OSM layers: incomplete, with their source and caveat."""
    notes = {"postal_points": "OSM amenity=post_office nodes: only what volunteers mapped; kind inferred "
                              "from the name; service attributes unknown",
             "cell_sites": "OSM man_made=mast/antenna/communications_tower nodes: technology and "
                           "activity unknown (technology 2G is a placeholder)"}
    rows = [(name, "no", f"{OSM} (ODbL)", notes[name]) for name in layers if name in notes]
    return pd.DataFrame(rows, columns=["layer", "complete", "source", "note"])


def write(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": PINNED_DATE})
    tmp = path.with_name(path.stem + ".partial.gpkg")
    tmp.unlink(missing_ok=True)
    for name, frame in layers.items():
        frame.reset_index(drop=True).to_file(tmp, layer=name, driver="GPKG", append=tmp.exists())
    pyogrio.write_dataframe(metadata(layers), tmp, layer=METADATA_TABLE, driver="GPKG", append=True)
    tmp.replace(path)


def build(scenario: str, out: Path, *, src: Path = SRC, cell_sites: bool = True) -> Path:
    """Write the scenario's GeoPackage (and ``.build.json``); return the GeoPackage path."""
    province = SCENARIOS[scenario]
    path = out if out.suffix == ".gpkg" else out / f"{scenario}.gpkg"
    path.parent.mkdir(parents=True, exist_ok=True)
    codes = read_codes(src)
    communes, report = build_communes(src, codes, province)
    layers = {"communes": communes, **build_points(src, communes, province, cell_sites)}
    write(path, layers)
    report["layers"] = {k: len(v) for k, v in layers.items()}
    report["postal_kinds"] = {k: int(v) for k, v in layers["postal_points"]["kind"].value_counts().sort_index().items()}
    path.with_suffix(".build.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("out", type=Path, help="a .gpkg path or a folder")
    parser.add_argument("--src", type=Path, default=SRC, help="folder with the real files (default %(default)s)")
    parser.add_argument("--no-cell-sites", action="store_true", help="leave the OSM masts out")
    args = parser.parse_args(argv)
    path = build(args.scenario, args.out, src=args.src, cell_sites=not args.no_cell_sites)
    print(path)
    print(path.with_suffix(".build.json").read_text(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
