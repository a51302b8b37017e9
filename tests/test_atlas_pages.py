"""Atlas commune pages are data drawn by the shared ``assets/commune.js`` (issue 12, Speed): every layer is
built once for all communes (tc8.maps.atlas_pages), and each page shows exactly what the folium commune
map of the dossier shows — same features, popups, tooltips, colours, layer names, panel — with the village
statuses read from ``Results.village_status``. Browser navigation: test_atlas_browser.py, test_browser.py.
"""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from builders import A, B
from test_browser import Browser, browser  # noqa: F401 - the fixture is used by name
from test_maps import hostile_results

DATE = "2025-06-30"
BACK = ("../index.html", "Về bản đồ tổng quan")
#: Properties the two pages carry differently: per-operator flags (op0, op1: folium) or an operator
#: number (o: atlas); village statuses of the commune's indicators (folium) or of all (atlas).
VARYING = re.compile(r"^(op\d+|o|s_.*)$")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return hostile_results(tmp_path_factory.mktemp("atlas-pages-input"))


def atlas_pages(results, codes=None, lang="vi") -> dict[str, str]:
    from tc8.maps.atlas_pages import commune_pages

    codes = codes or results.communes["commune_code"].astype(str).tolist()
    return dict(commune_pages(results, codes, lang=lang, date=DATE, online_tiles=True, assets="../assets/",
                              back=BACK))


def page_data(html: str) -> dict:
    return json.loads(re.search(r"<script>var tc8_commune = (\{.*\});</script>", html).group(1))


def folium_data(html: str) -> tuple[list, list]:
    """(FeatureCollections in page order, overlay names in layer-control order) of a folium commune map."""
    collections = [json.loads(m) for m in re.findall(r"var tc8_data_\d+ = (\{.*?\});\n", html)]
    overlays = re.search(r"overlays\s*:\s*\{(.*?)\}", html, re.S).group(1)
    names = [json.loads(f'"{n}"') for n in re.findall(r'"((?:[^"\\]|\\.)*)"\s*:', overlays)]
    return collections, names


def _comparable(features: list, pieces: list | None = None) -> list:
    """(geometry, properties) of ``features``; a record's popup made from the layer's ``pieces`` and its own
    values, as assets/commune.js makes it."""
    from tc8.maps.popups import join_parts

    out = []
    for f in features:
        props = {k: v for k, v in f["properties"].items() if not VARYING.match(k)}
        if "pv" in props:
            props["popup"] = join_parts(pieces, props.pop("pv"))
        out.append((f["geometry"], props))
    return out


def atlas_collections(data: dict) -> list:
    pieces = {}
    for chunk, _, _, options in data["layers"]:
        pieces.setdefault(chunk, data["tpl"].get(options.get("tpl")))
    return [_comparable(chunk, pieces.get(i)) for i, chunk in enumerate(data["data"])]


def _panel(html: str) -> str:
    rest = html[html.index('<div class="tc8-panel tc8-title"'):]
    return re.split(r"<script|</body>|<div class=\"folium-map\"", rest)[0].strip()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pages_show_what_the_folium_map_shows(results, lang):
    from tc8.maps import render_commune_map

    pages = atlas_pages(results, lang=lang)
    assert set(pages) == {A, B}
    for code, html in pages.items():
        ref = render_commune_map(results, code, lang=lang, date=DATE, assets="../assets/", back=BACK)
        collections, names = folium_data(ref)
        data = page_data(html)
        assert [_comparable(c["features"]) for c in collections] == atlas_collections(data)
        assert [layer[1] for layer in data["layers"]] == names and len(names) >= 10
        assert _panel(html) == _panel(ref)
        assert re.search(r"<title>.*</title>", html).group(0) == re.search(r"<title>.*</title>", ref).group(0)
        assert "folium" not in html.replace("folium-map", "") and "L.map(" not in html
        assert '<script src="../assets/commune.js"></script>' in html


def test_overlays_shown_and_styled_as_in_the_folium_map(results):
    data = page_data(atlas_pages(results, [A])[A])
    shown = {layer[1]: layer[2] for layer in data["layers"]}
    assert shown["Ranh giới xã"] == 1 and shown["Thôn — tổng hợp"] == 1 and shown["Thôn — chỉ tiêu 8.2"] == 0
    assert shown["Bán kính phủ sóng mô hình"] == 0
    options = {layer[1]: layer[3] for layer in data["layers"]}
    assert options["Thôn — chỉ tiêu 8.2"]["key"] == "s_8_2" and options["Thôn — tổng hợp"]["key"] == "s_tc8"
    cells = [o for name, o in options.items() if o.get("className") == "tc8-cell"]
    assert sorted(o["filterValue"] for o in cells) == [0, 1]  # one overlay per operator, by number
    south, west = data["bounds"][0]
    north, east = data["bounds"][1]
    assert south < north and west < east and data["map"]["base"][1].startswith("OpenStreetMap")


def test_village_colours_come_from_results_village_status(results):
    """A status tampered in Results.village_status is what the atlas page carries (nothing recomputes it)."""
    tampered = results.__class__.__new__(results.__class__)
    tampered.__dict__.update(results.__dict__)
    status = results.village_status.copy()
    first = status.index[status["commune_code"].astype(str) == A][0]
    flipped = "khong_dat" if status.at[first, "s_8_2"] != "khong_dat" else "dat"
    status.at[first, "s_8_2"] = flipped
    tampered.village_status = status
    village_id = str(results.villages.loc[first, "village_id"])
    features = [f for chunk in page_data(atlas_pages(tampered, [A])[A])["data"] for f in chunk
                if "s_8_2" in f["properties"]]
    mine = [f for f in features if f"({village_id})" in f["properties"]["popup"].replace("\\u003c", "<")]
    assert len(mine) == 1 and mine[0]["properties"]["s_8_2"] == flipped


def test_exclusion_note_only_on_affected_communes(results):
    noted = results.__class__.__new__(results.__class__)
    noted.__dict__.update(results.__dict__)
    noted.excluded = pd.DataFrame({"layer": ["postal_points"], "row": [3], "position": [2],
                                   "affected_communes": [A]})
    pages = atlas_pages(noted)
    assert 'class="tc8-synthetic tc8-excluded">Kết quả có thể thay đổi: 1 bản ghi' in pages[A]
    assert "tc8-excluded" not in pages[B]


def test_offline_page_has_no_tile_url(results):
    from tc8.maps.atlas_pages import commune_pages

    (code, html), = commune_pages(results, [A], lang="vi", date=DATE, online_tiles=False, assets="../assets/",
                                  back=BACK)
    assert "openstreetmap" not in html.lower() and page_data(html)["map"]["base"][1] is None


def test_atlas_writes_the_shared_script_once(results, tmp_path):
    from tc8.maps.atlas import write_atlas

    written = write_atlas(results, tmp_path / "a", date=DATE)
    assert (tmp_path / "a/assets/commune.js").is_file() and (tmp_path / "a/assets/map_panel.css").is_file()
    for page in written["communes"].values():
        html = page.read_text(encoding="utf-8")
        assert len(html) < 60_000 and "tc8_commune" in html



@pytest.mark.browser
def test_popups_made_in_the_browser_are_the_folium_ones(browser, results, tmp_path):  # noqa: F811
    """Opened from file:// in Chromium with the network blocked: every popup commune.js binds (records'
    popups joined from their pieces) is one the folium map has; no script error."""
    from tc8.maps import render_commune_map
    from tc8.maps.atlas import write_atlas

    write_atlas(results, tmp_path / "a", date=DATE, communes=[A])
    expected = {f["properties"].get("popup") for c in folium_data(render_commune_map(results, A, date=DATE))[0]
                for f in c["features"]}
    b = Browser(browser)
    b.open(tmp_path / "a" / "communes" / f"{A}.html")
    seen = b.page.evaluate("""() => {
        const out = [];
        window.map_tc8.eachLayer(l => { if (l.feature && l.getPopup()) out.push(l.getPopup().getContent()); });
        return out;
    }""")
    assert b.script_errors() == [] and seen and set(seen) <= expected
    assert any("2G/3G/4G/5G" in s for s in seen) and any("h/ngày" in s for s in seen)
