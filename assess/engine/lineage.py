"""Carry an assessment made on 2024 communes onto the 2025 communes (``tc8 lineage``).

The official conversion (:func:`tc8.io.admin_units.conversion`, one row per old -> new pair)
says which old communes (*parts*) make each new commune. For every new commune that receives at
least one assessed old commune:

* each part: code and name (2024), ``partly_merged`` (the old commune was split between several
  new ones), whether it is in the assessment, its status per indicator, and its share of the new
  commune's area and population. Shares are of the *summed parts* (area from the polygons in a
  metric CRS, population from the communes layer); they are unknown (NaN) for every part of a
  new commune when one part lacks a polygon / population or is missing from the assessment. A
  partly merged part counts with the whole old commune: its share is flagged approximate.
* the carried status per indicator and for the criterion (``TC8``), the engine's three-valued
  logic: any part ``khong_dat`` -> ``khong_dat``; else any part ``thieu_du_lieu`` or not in the
  assessment -> ``thieu_du_lieu``; else ``dat``.
* ``needs_reassessment`` (``can_danh_gia_lai``): a part is partly merged or missing.

Basis ``practice``: guidance 5424/BNN-VPĐP (2023) recognised a merged commune whose parts were all
recognised, and had the others reviewed. A carried status is a planning aid, not a recognition.

Codes are compared as 5-digit text (``4`` = ``"00004"``); an assessed code is always read as a
**2024** code (24781 is Phường 2, never the 2025 Phường Xuân Hương – Đà Lạt of the same number).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tc8.io.admin_units import conversion as official_conversion
from tc8.io.admin_units import pad_code
from tc8.model.errors import InputError, Problem
from tc8.model.results import CRITERION, status_column
from tc8.model.vocab import STATUS_FAIL, STATUS_MISSING, STATUS_PASS
from tc8.text.join import join_by_group
from tc8.text.messages import text

#: the basis of the carrying rule (a rule-set basis tag: the 2023 precedent, not a legal text)
BASIS = "practice"
#: a part's status when it is not in the assessment (carried as ``thieu_du_lieu``)
NOT_ASSESSED = "chua_danh_gia"
#: the flag's name in Vietnamese, as the province office writes it
NEEDS_REASSESSMENT = "can_danh_gia_lai"
_RANK = {STATUS_PASS: 0, STATUS_MISSING: 1, NOT_ASSESSED: 1, STATUS_FAIL: 2}
_FROM_RANK = {0: STATUS_PASS, 1: STATUS_MISSING, 2: STATUS_FAIL}
LANGS = ("vi", "en")


@dataclass(frozen=True)
class Assessment:
    """What lineage needs of an assessment: ``indicators`` (``commune_code, commune_name,
    indicator, status``, optional ``name_vi, name_en``; ``TC8`` rows for the criterion),
    ``communes`` (``commune_code``, optional ``commune_name``, ``population`` and polygons) and
    the rule-set id."""

    indicators: pd.DataFrame
    communes: pd.DataFrame | None = None
    rule_set: str = ""
    source: str = ""


@dataclass(frozen=True)
class Lineage:
    """The carried assessment. ``rows``: one row per new commune × indicator (long, like
    ``results.csv``; ``commune_code`` = 2025 code); ``parts``: one row per new commune × old part;
    ``communes``: one row per new commune (wide statuses, union of the parts' polygons when the
    assessment has them); ``unmatched``: assessed codes absent from the conversion."""

    rows: pd.DataFrame
    parts: pd.DataFrame
    communes: pd.DataFrame
    indicators: list[str]
    rule_set: str = ""
    unmatched: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        """New communes, and how many of them are dat / khong_dat / thieu_du_lieu for TC8, and how
        many need re-assessment."""
        tc8 = self.communes[status_column(CRITERION)].value_counts()
        return {"communes": len(self.communes), **{s: int(tc8.get(s, 0)) for s in _FROM_RANK.values()},
                "needs_reassessment": int(self.communes["needs_reassessment"].sum())}


# --- reading a results folder ---------------------------------------------------------------------

def _problem(code: str, file, layer: str = "", field_: str = "", **params) -> InputError:
    return InputError([Problem("error", code, str(file), layer, "", field_, params)])


def _read_layer(path: Path, layer: str):
    import pyogrio

    try:
        return pyogrio.read_dataframe(path, layer=layer)
    except Exception as err:  # noqa: BLE001 - any GDAL failure is the user's file: say which
        raise _problem("lineage_unreadable", path, layer, detail=str(err).splitlines()[0][:200]) from None


def _rule_set_id(folder: Path) -> str:
    try:
        return str(json.loads((folder / "results.json").read_text(encoding="utf-8"))["rule_set"]["id"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def read_assessment(results_dir) -> Assessment:
    """The ``indicators`` and ``communes`` layers of ``results_dir/results.gpkg`` (polygons and
    population), or ``results.csv`` alone (no shares) when there is no GeoPackage. Raises
    :class:`InputError` naming the file, layer and field that is missing or unreadable."""
    folder = Path(results_dir)
    gpkg, csv = folder / "results.gpkg", folder / "results.csv"
    if gpkg.is_file():
        indicators = pd.DataFrame(_read_layer(gpkg, "indicators"))
        communes, source = _read_layer(gpkg, "communes"), gpkg
    elif csv.is_file():
        try:
            indicators = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, ValueError, UnicodeDecodeError) as err:
            raise _problem("lineage_unreadable", csv, detail=str(err)[:200]) from None
        communes, source = None, csv
    else:
        raise _problem("lineage_no_results", folder, folder=folder)
    for column in ("commune_code", "indicator", "status"):
        if column not in indicators.columns:
            raise _problem("lineage_missing_column", source, "indicators", column)
    if communes is not None and "commune_code" not in communes.columns:
        raise _problem("lineage_missing_column", source, "communes", "commune_code")
    rule_set = _rule_set_id(folder) or str(indicators.get("rule_set", pd.Series([""])).iloc[0] or "")
    return Assessment(indicators, communes, rule_set, str(source))


# --- carrying -------------------------------------------------------------------------------------

def _indicator_table(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicator ids in the assessment's order (the criterion last) with their names."""
    table = indicators.drop_duplicates("indicator")[["indicator"]].copy()
    for lang in LANGS:
        name = f"name_{lang}"
        table[name] = indicators.loc[table.index, name].fillna("") if name in indicators.columns else ""
    table["_last"] = table["indicator"] == CRITERION
    return table.sort_values("_last", kind="stable").drop(columns="_last").reset_index(drop=True)


def _part_areas(communes) -> pd.DataFrame:
    """``code_2024, area_m2, population, geometry`` of the assessed communes (NaN where unknown)."""
    frame = communes.copy()
    frame["code_2024"] = pad_code(frame["commune_code"])
    frame = frame.drop_duplicates("code_2024")
    out = pd.DataFrame({"code_2024": frame["code_2024"].to_numpy()})
    out["population"] = pd.to_numeric(frame["population"], errors="coerce").to_numpy() \
        if "population" in frame.columns else np.nan
    geometry = getattr(frame, "geometry", None) if "geometry" in frame.columns else None
    if geometry is None or frame.crs is None:
        out["area_m2"], out["geometry"] = np.nan, None
        return out
    metric = frame.to_crs(frame.estimate_utm_crs()) if frame.crs.is_geographic else frame
    area = metric.geometry.area.to_numpy(dtype=float)
    out["area_m2"] = np.where(metric.geometry.is_empty | metric.geometry.isna(), np.nan, area)
    out["geometry"] = metric.geometry.to_numpy()
    out.attrs["crs"] = metric.crs
    return out


def _shares(parts: pd.DataFrame, column: str) -> pd.Series:
    """Each part's share of the summed ``column`` of its new commune; NaN for every part of a new
    commune where one part's value is unknown."""
    values = parts[column].astype(float)
    known = values.notna().groupby(parts["code_2025"]).transform("all")
    total = values.groupby(parts["code_2025"]).transform("sum")
    return (values / total.where(total > 0)).where(known)


def _parts(assessment: Assessment, table: pd.DataFrame, conversion: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """One row per new commune × old part, with the part's status per indicator."""
    ind = assessment.indicators.copy()
    ind["code_2024"] = pad_code(ind["commune_code"])
    assessed = ind["code_2024"].dropna().unique()
    cv = conversion.copy()
    cv["code_2024"], cv["code_2025"] = pad_code(cv["code_2024"]), pad_code(cv["code_2025"])
    unmatched = sorted(set(assessed) - set(cv["code_2024"]))
    receiving = cv.loc[cv["code_2024"].isin(assessed), "code_2025"].unique()
    parts = cv[cv["code_2025"].isin(receiving)].drop_duplicates(["code_2025", "code_2024"])
    parts = parts.sort_values(["code_2025", "code_2024"]).reset_index(drop=True)
    wide = ind.drop_duplicates(["code_2024", "indicator"]).pivot(index="code_2024", columns="indicator",
                                                                    values="status")
    wide = wide.reindex(columns=table["indicator"]).rename(columns=status_column)
    parts["in_assessment"] = parts["code_2024"].isin(assessed)
    parts = parts.merge(wide, left_on="code_2024", right_index=True, how="left")
    status_cols = [status_column(i) for i in table["indicator"]]
    absent = np.where(parts["in_assessment"], STATUS_MISSING, NOT_ASSESSED)
    for col in status_cols:
        parts[col] = parts[col].where(parts[col].notna(), absent)
    if assessment.communes is not None:
        sizes = _part_areas(assessment.communes)
        parts = parts.merge(sizes.drop(columns="geometry"), on="code_2024", how="left")
        parts.attrs["geometry"] = sizes
    else:
        parts["population"], parts["area_m2"] = np.nan, np.nan
    parts["area_share"] = _shares(parts, "area_m2")
    parts["population_share"] = _shares(parts, "population")
    parts["share_approximate"] = parts["partly_merged"].astype(bool)
    return parts, unmatched


def _carried(parts: pd.DataFrame, status_cols: list[str]) -> pd.DataFrame:
    """Per new commune: the carried status of every indicator (three-valued), the flags."""
    ranks = parts[status_cols].apply(lambda col: col.map(_RANK)).fillna(1).astype(int)
    carried = ranks.groupby(parts["code_2025"]).max().apply(lambda col: col.map(_FROM_RANK))
    grouped = parts.groupby("code_2025")
    carried["n_parts"] = grouped.size()
    carried["n_not_assessed"] = (~parts["in_assessment"]).groupby(parts["code_2025"]).sum().astype(int)
    carried["n_partly_merged"] = grouped["partly_merged"].sum().astype(int)
    carried["needs_reassessment"] = (carried["n_not_assessed"] > 0) | (carried["n_partly_merged"] > 0)
    return carried


def carry(assessment: Assessment, *, conversion: pd.DataFrame | None = None) -> Lineage:
    """Carry ``assessment`` (codes of 2024) onto the 2025 communes with ``conversion`` (default the
    official one). Raises :class:`InputError` when no assessed commune is in the conversion."""
    conversion = official_conversion() if conversion is None else conversion
    table = _indicator_table(assessment.indicators)
    parts, unmatched = _parts(assessment, table, conversion)
    if not len(parts):
        raise _problem("lineage_no_2024_codes", assessment.source, "indicators", "commune_code",
                       codes=", ".join(unmatched[:10]))
    status_cols = [status_column(i) for i in table["indicator"]]
    carried = _carried(parts, status_cols)
    communes = _commune_table(parts, carried, status_cols)
    rows = _long_rows(parts, communes, table, assessment.rule_set)
    return Lineage(rows=rows, parts=_parts_table(parts, status_cols, assessment.rule_set), communes=communes,
                   indicators=list(table["indicator"]), rule_set=assessment.rule_set, unmatched=unmatched)


# --- tables ---------------------------------------------------------------------------------------

def _listing(parts: pd.DataFrame, values: pd.Series, mask: pd.Series | None = None, *, sep: str = ": ") -> pd.Series:
    """Per new commune: ``"24805: v; 24808: w"`` of the parts (``mask`` selects some)."""
    keep = np.ones(len(parts), bool) if mask is None else mask.to_numpy(dtype=bool)
    items = parts["code_2024"].to_numpy(dtype=object) + sep + values.astype(str).to_numpy(dtype=object)
    return join_by_group(parts["code_2025"].to_numpy(dtype=object)[keep], items[keep])


def _share_text(shares: pd.Series) -> pd.Series:
    return shares.map(lambda x: "" if pd.isna(x) else f"{x:.3f}")


def _commune_table(parts: pd.DataFrame, carried: pd.DataFrame, status_cols: list[str]) -> pd.DataFrame:
    """One row per new commune: name, province, its parts, the carried statuses and flags,
    geometry = union of the assessed parts' polygons (when the assessment has polygons)."""
    first = parts.drop_duplicates("code_2025").set_index("code_2025")
    out = pd.DataFrame({"commune_code": carried.index, "commune_name": first.loc[carried.index, "name_2025"].values,
                        "province_code": first.loc[carried.index, "province_code_2025"].values})
    names = parts["name_2024"]
    listings = {"parts": _listing(parts, names, sep=" "),
                "parts_partly_merged": _listing(parts, names, parts["partly_merged"].astype(bool), sep=" "),
                "parts_not_assessed": _listing(parts, names, ~parts["in_assessment"], sep=" "),
                "area_shares": _listing(parts, _share_text(parts["area_share"]), parts["area_share"].notna()),
                "population_shares": _listing(parts, _share_text(parts["population_share"]),
                                              parts["population_share"].notna())}
    for name, series in listings.items():
        found = series.to_dict()
        out[name] = [found.get(code, "") for code in out["commune_code"]]
    for name in ("n_parts", "n_not_assessed", "n_partly_merged", "needs_reassessment", *status_cols):
        out[name] = carried[name].to_numpy()
    out["shares_approximate"] = out["n_partly_merged"] > 0
    out["basis"] = BASIS
    return _with_geometry(out, parts)


def _with_geometry(out: pd.DataFrame, parts: pd.DataFrame):
    """``out`` as a GeoDataFrame whose geometry is the union of each new commune's assessed parts."""
    sizes = parts.attrs.get("geometry")
    if sizes is None or "crs" not in sizes.attrs:
        return out
    import geopandas as gpd

    pieces = parts[["code_2025", "code_2024"]].merge(sizes[["code_2024", "geometry"]], on="code_2024")
    pieces = gpd.GeoDataFrame(pieces, geometry="geometry", crs=sizes.attrs["crs"])
    pieces = pieces[pieces.geometry.notna() & ~pieces.geometry.is_empty]
    union = pieces.dissolve(by="code_2025").geometry
    return gpd.GeoDataFrame(out, geometry=out["commune_code"].map(union).values, crs=sizes.attrs["crs"])


def _parts_table(parts: pd.DataFrame, status_cols: list[str], rule_set: str) -> pd.DataFrame:
    """The parts table: one row per new commune × old part."""
    out = pd.DataFrame({
        "rule_set": rule_set, "commune_code": parts["code_2025"], "commune_name": parts["name_2025"],
        "part_code": parts["code_2024"], "part_name": parts["name_2024"],
        "part_district": parts["district_name_2024"], "partly_merged": parts["partly_merged"].astype(bool),
        "in_assessment": parts["in_assessment"], "area_share": parts["area_share"],
        "population_share": parts["population_share"], "share_approximate": parts["share_approximate"]})
    for col in status_cols:
        out[col] = parts[col]
    out["basis"] = BASIS
    return out.reset_index(drop=True)


def _reasons(parts: pd.DataFrame, indicator: str, lang: str) -> pd.Series:
    """Per new commune, why the carried status of ``indicator`` is what it is (in ``lang``)."""
    status = parts[status_column(indicator)].to_numpy(dtype=object)
    named = (parts["code_2024"] + " " + parts["name_2024"]).to_numpy(dtype=object)
    new = parts["code_2025"].to_numpy(dtype=object)
    keys, pieces = [], []
    for key, mask in (("lineage.reason_fail", status == STATUS_FAIL),
                      ("lineage.reason_missing", status == STATUS_MISSING),
                      ("lineage.reason_not_assessed", status == NOT_ASSESSED),
                      ("lineage.reason_split", parts["partly_merged"].to_numpy(dtype=bool))):
        listed = join_by_group(new[mask], named[mask], sep=", ")
        keys.append(listed.index.to_numpy(dtype=object))
        template = text(key, lang, parts="\0")  # one lookup; the names go in by string replacement
        pieces.append(np.array([template.replace("\0", names) for names in listed.to_numpy()], dtype=object))
    joined = join_by_group(np.concatenate(keys), np.concatenate(pieces)) if len(np.concatenate(keys)) \
        else pd.Series(dtype=object)
    codes = pd.unique(new)
    found = joined.to_dict()
    return pd.Series([found.get(code, text("lineage.reason_all_pass", lang)) for code in codes], index=codes,
                     dtype=object)


def _long_rows(parts: pd.DataFrame, communes: pd.DataFrame, table: pd.DataFrame, rule_set: str) -> pd.DataFrame:
    """One row per new commune × indicator, in the long format of ``results.csv``."""
    base = pd.DataFrame(communes.drop(columns="geometry", errors="ignore"))
    frames = []
    for _, ind in table.iterrows():
        col = status_column(ind["indicator"])
        part_status = _listing(parts, parts[col])
        frame = pd.DataFrame({
            "rule_set": rule_set, "commune_code": base["commune_code"], "commune_name": base["commune_name"],
            "province_code": base["province_code"], "indicator": ind["indicator"], "name_vi": ind["name_vi"],
            "name_en": ind["name_en"], "status": base[col], "basis": BASIS})
        for lang in LANGS:
            frame[f"reasons_{lang}"] = base["commune_code"].map(_reasons(parts, ind["indicator"], lang)).values
        frame["part_statuses"] = base["commune_code"].map(part_status).values
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    extra = ["parts", "parts_partly_merged", "parts_not_assessed", "area_shares", "population_shares",
             "shares_approximate", "n_parts", "needs_reassessment"]
    rows = rows.merge(base[["commune_code", *extra]], on="commune_code", how="left")
    for lang in LANGS:
        rows[f"note_{lang}"] = text("lineage.note", lang)
    rows["code_year"] = 2025
    order = {code: i for i, code in enumerate(base["commune_code"])}
    rank = {ind: i for i, ind in enumerate(table["indicator"])}
    key = rows["commune_code"].map(order) * len(rank) + rows["indicator"].map(rank)
    return rows.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)
