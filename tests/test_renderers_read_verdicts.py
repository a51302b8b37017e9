"""Renderers read verdicts, never compute them (issue 8).

* Statically: no renderer module (``tc8.maps.*``, ``tc8.dossier.*``, ``tc8.outputs.*``,
  ``tc8.writers``) imports the evaluator or the engine, defines a three-valued AND, or turns
  booleans into status names.
* The engine's per-village statuses (``Results.village_status``) follow the rule: village
  facts behind the indicator's measures, Kleene AND, else the commune's status.
* Behaviourally: a status tampered in ``Results`` is what the map, the PNG, the popups and
  the workbooks show, so nothing downstream recomputes it.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from builders import A, make_valid_input

REPO = Path(__file__).resolve().parent.parent
#: Renderer source folder -> its dotted package.
RENDERER_DIRS = {"maps": "tc8.maps", "assess/dossier": "tc8.dossier", "assess/outputs": "tc8.outputs"}
RENDERER_FILES = {"assess/writers.py": "tc8.writers"}
#: What computes a verdict: a renderer importing any of these (or a name from them) fails.
FORBIDDEN = ("tc8.rules.evaluate", "tc8.engine.assess", "tc8.engine.village_status", "tc8.measures")
#: Function names of a hand-made three-valued AND / status-from-flags helper.
AND_NAMES = re.compile(r"(^|_)(all_of|any_of|and3|kleene|three_valued|tri_and|status_of)$")
STATUS_WORDS = {"dat", "khong_dat", "STATUS_PASS", "STATUS_FAIL", "PASS", "FAIL"}


def _renderer_modules() -> dict[str, Path]:
    out = {}
    for folder, dotted in RENDERER_DIRS.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = list(path.relative_to(REPO / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join([dotted, *parts])] = path
    for rel, dotted in RENDERER_FILES.items():
        if (REPO / rel).exists():
            out[dotted] = REPO / rel
    return out


def _imported(module: str, path: Path, tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted target) of every import in ``tree``, relative ones resolved; names included."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            out.append((node.lineno, base))
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return out


def _makes_status_from_flags(node: ast.AST) -> bool:
    """``np.where(..., "dat"/STATUS_PASS, ...)``-like calls: statuses made from booleans."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("where", "select")):
        return False
    for arg in ast.walk(node):
        if isinstance(arg, ast.Constant) and arg.value in STATUS_WORDS:
            return True
        if isinstance(arg, ast.Name) and arg.id in STATUS_WORDS:
            return True
    return False


def test_renderer_modules_are_found():
    mods = _renderer_modules()
    assert {"tc8.maps.select", "tc8.maps.static", "tc8.dossier.view", "tc8.outputs.files"} <= set(mods)


@pytest.mark.parametrize("module", sorted(_renderer_modules()))
def test_renderer_never_computes_a_verdict(module):
    path = _renderer_modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [f"{path.relative_to(REPO)}:{line} imports {target}" for line, target in _imported(module, path, tree)
           if any(target == f or target.startswith(f + ".") for f in FORBIDDEN)]
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and AND_NAMES.search(node.name):
            bad.append(f"{path.relative_to(REPO)}:{node.lineno} defines {node.name}() (a three-valued AND)")
        if _makes_status_from_flags(node):
            bad.append(f"{path.relative_to(REPO)}:{node.lineno} builds status names from flags")
    assert not bad, "renderers read Results, they never decide:\n" + "\n".join(bad)


def test_checker_catches_the_old_select():
    """The static check would have caught the verdict logic maps/select.py had before issue 8."""
    old = '''
from tc8.model.results import STATUS_FAIL, STATUS_MISSING, STATUS_PASS
def _status_of(ok):
    return np.where(ok == True, STATUS_PASS, np.where(ok == False, STATUS_FAIL, STATUS_MISSING))
def _all_of(*flags):
    return flags
'''
    tree = ast.parse(old)
    names = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and AND_NAMES.search(n.name)]
    assert names == ["_status_of", "_all_of"]
    assert any(_makes_status_from_flags(n) for n in ast.walk(tree))


# --- the engine's rule, on a hand-made table ------------------------------------------------------

def _frames():
    villages = gpd.GeoDataFrame({
        "village_id": ["v1", "v2", "v3", "v4", "w1"],
        "commune_code": ["A", "A", "A", "A", "B"],
        "phone_ok": pd.array([True, True, False, pd.NA, pd.NA], dtype="boolean"),
        "internet_ok": pd.array([True, pd.NA, True, True, pd.NA], dtype="boolean"),
        "speaker_ok": pd.array([True, False, pd.NA, True, True], dtype="boolean"),
    }, geometry=[Point(i, 0) for i in range(5)], crs="EPSG:32648")
    communes = pd.DataFrame({"commune_code": ["A", "B"], "status_8_1": ["dat", "khong_dat"],
                             "status_8_2": ["dat", "thieu_du_lieu"], "status_8_3": ["khong_dat", "dat"],
                             "status_8_4": ["thieu_du_lieu", "dat"], "status_tc8": ["khong_dat", "khong_dat"]})
    conditions = pd.DataFrame({
        "commune_code": ["A"] * 6,
        "indicator": ["8.1", "8.2", "8.2", "8.3", "8.3", "8.4"],
        "measure": ["postal_points_qualifying", "share_villages_phone_and_internet",
                    "smartphone_share_subscriptions", "radio_station_ok", "share_villages_speakers",
                    "smartphone_per_working_age"]})
    return villages, communes, conditions


def test_village_statuses_three_valued():
    from tc8.engine.village_status import village_statuses

    villages, communes, conditions = _frames()
    got = village_statuses(villages, communes, conditions, indicator_ids=["8.1", "8.2", "8.3", "8.4"])
    assert list(got.columns) == ["commune_code", "s_8_1", "s_8_2", "s_8_3", "s_8_4", "s_tc8"]
    assert got.index.equals(villages.index)
    # commune-level indicators show the commune's status
    assert got["s_8_1"].tolist() == ["dat"] * 4 + ["khong_dat"]
    # a smartphone measure is commune-level: 8.4 does not pick up phone_ok from "smartphone"
    assert got["s_8_4"].tolist() == ["thieu_du_lieu"] * 4 + ["dat"]
    # phone AND internet: False wins, then unknown
    assert got["s_8_2"].tolist() == ["dat", "thieu_du_lieu", "khong_dat", "thieu_du_lieu", "thieu_du_lieu"]
    assert got["s_8_3"].tolist() == ["dat", "khong_dat", "thieu_du_lieu", "dat", "dat"]
    # criterion: every village fact some indicator uses
    assert got["s_tc8"].tolist() == ["dat", "khong_dat", "khong_dat", "thieu_du_lieu", "thieu_du_lieu"]


def test_village_statuses_without_village_facts_show_the_commune():
    from tc8.engine.village_status import village_statuses

    villages, communes, conditions = _frames()
    bare = villages.drop(columns=["phone_ok", "internet_ok", "speaker_ok"])
    got = village_statuses(bare, communes, conditions, indicator_ids=["8.2"])
    assert got["s_8_2"].tolist() == ["dat"] * 4 + ["thieu_du_lieu"]
    assert got["s_tc8"].tolist() == ["khong_dat"] * 5


# --- behaviour: a tampered Results is drawn as is --------------------------------------------------

@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from tc8.pipeline import run_assessment

    return run_assessment(make_valid_input(tmp_path_factory.mktemp("verdicts")), "ntm-2021-2025")


def test_engine_returns_village_statuses(results):
    vs = results.village_status
    assert vs is not None and vs.index.equals(results.villages.index)
    ids = [i for i in pd.unique(results.indicators["indicator"]) if i != "TC8"]
    assert list(vs.columns) == ["commune_code"] + ["s_" + i.replace(".", "_") for i in ids] + ["s_tc8"]
    assert set(np.unique(vs.drop(columns="commune_code").to_numpy())) <= {"dat", "khong_dat", "thieu_du_lieu"}


def _tampered(results, village_id: str):
    """A copy of ``results`` whose village ``village_id`` shows khong_dat everywhere, and the
    columns whose value was something else before (so the test proves a change)."""
    import copy

    res = copy.copy(results)
    res.village_status = results.village_status.copy()
    row = results.villages.index[results.villages["village_id"] == village_id][0]
    cols = [c for c in res.village_status.columns if c.startswith("s_")]
    changed = [c for c in cols if res.village_status.at[row, c] != "khong_dat"]
    res.village_status.loc[row, cols] = "khong_dat"
    return res, row, changed


def _village_features(html: str) -> list[dict]:
    out = []
    for payload in re.findall(r"var tc8_data_\d+ = (\{.*?\});\n", html, flags=re.S):
        for feature in json.loads(payload)["features"]:
            if "s_tc8" in feature["properties"]:
                out.append(feature["properties"])
    return out


def test_commune_map_draws_the_tampered_status(results):
    from tc8.maps import render_commune_map

    res, _, changed = _tampered(results, "V1")
    assert changed, "V1 already fails everything: the fixture no longer proves anything"
    before = {p["popup"]: p for p in _village_features(render_commune_map(results, A, date="2025-06-30"))}
    after = {p["popup"]: p for p in _village_features(render_commune_map(res, A, date="2025-06-30"))}
    v1 = next(k for k in after if "(V1)" in k)
    v2 = next(k for k in after if "(V2)" in k)
    for col in [c for c in res.village_status.columns if c.startswith("s_")]:
        assert after[v1][col] == "khong_dat"
        assert after[v2][col] == before[v2][col]  # the other village is untouched
    assert any(before[v1][c] != "khong_dat" for c in changed)


def test_png_draws_the_tampered_status(results, tmp_path):
    """The tampered village is painted in the khong_dat colour where it stands in the PNG."""
    import shapely
    from PIL import Image

    from tc8.maps import render_commune_png
    from tc8.maps.raster import mix
    from tc8.maps.select import commune_view
    from tc8.maps.static import VILLAGE_ALPHA, compose
    from tc8.maps.style import STATUS_COLORS

    res, row, _ = _tampered(results, "V1")
    path = render_commune_png(res, A, tmp_path / "a.png", date="2025-06-30")
    pixels = np.asarray(Image.open(path).convert("RGB"))
    where = compose(commune_view(res, A), res, date="2025-06-30").at(
        shapely.get_coordinates(shapely.point_on_surface(res.villages.geometry.loc[[row]].values)))[0]
    x, y = int(round(where[0])), int(round(where[1]))
    window = pixels[y - 3:y + 4, x - 3:x + 4].reshape(-1, 3)
    want = mix(STATUS_COLORS["khong_dat"], VILLAGE_ALPHA)
    assert (window == want).all(axis=1).sum() >= 10


def test_popups_and_workbooks_show_the_tampered_indicator(results, tmp_path):
    """An indicator status set to khong_dat in Results is what the commune popup and both workbooks say."""
    import copy

    from tc8.dossier.write import PROVINCE_FILE, workbook_name, write_dossiers
    from tc8.maps.popups import commune_popups
    from tc8.maps.style import status_label

    ind = results.indicators
    at = ind.index[(ind["indicator"] != "TC8") & (ind["status"] != "khong_dat")]
    assert len(at), "every indicator already fails: the fixture no longer proves anything"
    at = at[0]
    ind_id, code = ind.at[at, "indicator"], str(ind.at[at, "commune_code"])
    res = copy.copy(results)
    res.indicators = ind.copy()
    res.indicators.loc[at, "status"] = "khong_dat"

    rows = res.indicators[res.indicators["commune_code"].astype(str) == code]
    popup = commune_popups(res.communes[res.communes["commune_code"].astype(str) == code], rows, "vi")[0]
    cell = re.search(rf"<tr><th>{re.escape(ind_id)}</th><td>.*?</td></tr>", popup, flags=re.S).group(0)
    assert status_label("khong_dat", "vi") in cell

    out = tmp_path / "out"
    write_dossiers(res, out, with_maps=False, generated_at="2026-01-02T03:04:05Z", communes=[code])
    summary = openpyxl.load_workbook(out / code / workbook_name(code)).worksheets[0]
    codes = [r for r in summary.iter_rows(values_only=True) if r and r[0] == ind_id]
    assert codes and codes[0][-1] == "khong_dat"  # the "Mã kết quả" column
    province = openpyxl.load_workbook(out / PROVINCE_FILE).worksheets[0]
    header = next(r for r in province.iter_rows(values_only=True) if r and ind_id in r)
    col = list(header).index(ind_id)
    line = next(r for r in province.iter_rows(values_only=True) if r and code in r)
    assert line[col] == status_label("khong_dat", "vi")
