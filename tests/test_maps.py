"""Maps rendered from real results of the tiny builders input, asserted on as HTML text.

The input carries hostile names (HTML, Jinja braces, ``</script>``) in every layer whose
names reach a popup, tooltip or layer label. The browser test (test_browser.py) opens the
same maps in Chromium.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import A, B, make_valid_input

XSS = "<img src=x onerror=alert(1)>"
BRACES = "{{ 7*7 }} Thôn </script><script>window.__xss=1</script>"
COMMUNE = "Xã <b>Hòa</b> Bình"
POSTAL = "<svg onload=alert(2)>"
OPERATOR = "Viettel<img src=y onerror=alert(3)>"
HOSTILE = (XSS, BRACES, COMMUNE, POSTAL, OPERATOR)


def hostile_input(tmp_path: Path) -> Path:
    """builders input with hostile names; P1 qualifies so villages get postal lines."""
    return make_valid_input(
        tmp_path, name="hostile",
        communes=lambda f: f.assign(commune_name=[COMMUNE, "Xã Ea Tiêu"]),
        villages=lambda f: f.assign(village_name=[BRACES, XSS, "Buôn Ea Tiêu"]),
        postal_points=lambda f: f.assign(premises=[True, False], name=[POSTAL, "Thùng thư"]),
        cell_sites=lambda f: f.assign(operator=[OPERATOR, "VNPT"]))


def hostile_results(tmp_path: Path):
    from tc8.pipeline import run_assessment

    return run_assessment(hostile_input(tmp_path), "ntm-2021-2025")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return hostile_results(tmp_path_factory.mktemp("maps"))


@pytest.fixture(scope="module")
def commune_html(results):
    from tc8.maps import render_commune_map

    return render_commune_map(results, A, date="2025-06-30")


@pytest.fixture(scope="module")
def province_html(results):
    from tc8.maps import render_province_map

    return render_province_map(results, commune_links={A: f"communes/{A}.html"}, date="2025-06-30")


def overlay_names(html: str) -> list[str]:
    """Names in the LayerControl's ``overlays`` object, in order."""
    block = re.search(r'"overlays"\s*:\s*\{(.*?)\}', html, re.S) or re.search(r"overlays\s*:\s*\{(.*?)\}", html, re.S)
    assert block, "no layer control in the page"
    return [json.loads(f'"{raw}"') for raw in re.findall(r'"((?:[^"\\]|\\.)*)"\s*:', block.group(1))]


@pytest.mark.parametrize("which", ["commune_html", "province_html"])
def test_no_remote_assets(which, request):
    from tc8.maps.offline import remote_references

    html = request.getfixturevalue(which)
    assert remote_references(html) == []
    for bad in ('<script src="http', "<link href=\"http", 'rel="stylesheet" href="http', "cdn.jsdelivr", "cdnjs",
                "code.jquery", "bootstrapcdn", "sourceMappingURL"):
        assert bad not in html
    assert "L.markerClusterGroup" in html and "Leaflet 1.9.4" in html  # inlined assets
    assert "$(" not in html  # nothing needs jQuery


@pytest.mark.parametrize("which", ["commune_html", "province_html"])
def test_names_are_escaped(which, request):
    html = request.getfixturevalue(which)
    for raw in ("<img src=x", "<svg onload", "<b>Hòa</b>", "<script>window.__xss", "<img src=y"):
        assert raw not in html
    assert "49 Thôn" not in html  # Jinja never evaluated data


def test_commune_map_content(commune_html):
    html = commune_html
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html  # escaped, then JSON-safe
    assert "{{ 7*7 }}" in html
    names = overlay_names(html)
    assert names[0] == "Ranh giới xã"
    assert names.count("Thôn — tổng hợp") == 1
    assert [n for n in names if n.startswith("Thôn — chỉ tiêu")] == [f"Thôn — chỉ tiêu 8.{i}" for i in (1, 2, 3, 4)]
    assert "Trạm BTS VNPT" in names
    assert any(n.startswith("Trạm BTS Viettel&lt;img") for n in names)
    for label in ("Bán kính phủ sóng mô hình", "Điểm phục vụ bưu chính", "Khoảng cách đến điểm bưu chính đạt",
                  "Đài truyền thanh xã", "Cụm loa"):
        assert label in names
    assert any(n.startswith("Vùng phủ nhà mạng công bố") for n in names)
    assert html.count("L.geoJson(") == len(names)
    assert "L.control.scale()" in html and "fitBounds" in html
    assert "ntm-2021-2025" in html and "2025-06-30" in html and "Không đạt" in html
    assert "Xã &lt;b&gt;Hòa&lt;/b&gt; Bình (24784)" in html  # title panel


def test_commune_map_english_and_synthetic_labels(results):
    from tc8.maps import render_commune_map

    results.synthetic_layers = ["cell_sites"]
    try:
        html = render_commune_map(results, B, lang="en")
    finally:
        results.synthetic_layers = []
    names = overlay_names(html)
    assert "Villages — overall" in names and "Commune boundary" in names
    assert "Cell sites VNPT — SYNTHETIC" in names
    assert "Synthetic data, not real records: Cell sites" in html
    assert "Vùng phủ" not in html


def test_unknown_commune_is_key_error(results):
    from tc8.maps import render_commune_map

    with pytest.raises(KeyError):
        render_commune_map(results, "00000")


def test_province_map_content(province_html):
    html = province_html
    names = overlay_names(html)
    assert names == ["Xã — kết luận TC8"] + [f"Xã — chỉ tiêu 8.{i}" for i in (1, 2, 3, 4)]
    assert html.count("L.geoJson(") == 5
    assert html.count('"type":"Feature"') == 2  # geometry embedded once, shared by the 5 layers
    assert f'href=\\"communes/{A}.html\\"' in html
    assert f"communes/{B}.html" not in html
    assert "Tổng hợp tỉnh" in html and "0/2" in html and "3,09 km" in html and "4.650" in html


def test_simplify_keeps_polygons_and_rounds():
    import geopandas as gpd
    from shapely.geometry import Polygon

    from tc8.maps.geo import to_display
    from tc8.maps.province import tolerance_for

    ring = [(500000 + 1000 * __import__("math").cos(t / 50 * 6.283), 1300000 + 1000 * __import__("math").sin(t / 50 * 6.283))
            for t in range(50)]
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[Polygon(ring)], crs="EPSG:32649")
    shown = to_display(frame, tolerance_m=200, decimals=4)
    geom = shown.geometry.iloc[0]
    assert geom.is_valid and not geom.is_empty and len(geom.exterior.coords) < 50
    assert all(round(x, 4) == x for x, _ in geom.exterior.coords)
    assert tolerance_for(frame)[0] == 10.0
    wide = gpd.GeoDataFrame(geometry=[Polygon([(0, 0), (1_500_000, 0), (0, 1_500_000)])], crs="EPSG:32649")
    tol, decimals = tolerance_for(wide)
    assert 800 < tol < 900 and decimals == 4


def test_save_maps_writes_and_refuses_overwrite(results, tmp_path):
    from tc8.model.errors import OutputExistsError
    from tc8.maps import save_maps

    out = save_maps(results, tmp_path / "maps", png=True)
    assert out["province"] == tmp_path / "maps" / "index.html"
    assert sorted(out["communes"]) == [A, B]
    for path in [out["province"], *out["communes"].values()]:
        assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    for path in out["png"].values():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    assert not list((tmp_path / "maps").rglob(".*"))  # no temp file left
    with pytest.raises(OutputExistsError):
        save_maps(results, tmp_path / "maps")
    again = save_maps(results, tmp_path / "maps", overwrite=True, communes=[B])
    assert list(again["communes"]) == [B]
    with pytest.raises(KeyError):
        save_maps(results, tmp_path / "other", communes=["00000"])


def test_png_in_english(results, tmp_path):
    from tc8.maps import render_commune_png

    path = render_commune_png(results, A, tmp_path / "a.png", lang="en")
    assert path.stat().st_size > 10_000


def test_cli_map(tmp_path):
    from tc8.cli.main import cli

    src = hostile_input(tmp_path)
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(cli, ["map", str(src), "--rules", "ntm-2021-2025", "-o", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert f"Province map: {out / 'index.html'}" in res.output
    assert (out / "communes" / f"{A}.html").exists() and (out / "communes" / f"{B}.html").exists()
    res = runner.invoke(cli, ["map", str(src), "--rules", "ntm-2021-2025", "-o", str(out)])
    assert res.exit_code == 1 and "--overwrite" in res.output
    res = runner.invoke(cli, ["map", str(src), "--rules", "ntm-2021-2025", "-o", str(out), "--overwrite",
                              "--commune", B, "--png", "--no-tiles"])
    assert res.exit_code == 0, res.output
    assert (out / "communes" / f"{B}.png").exists()
    assert "tile.openstreetmap.org" not in (out / "communes" / f"{B}.html").read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in (out / "communes" / f"{A}.html").read_text(encoding="utf-8")  # untouched


def _popups(html: str) -> str:
    """The page with JSON string escapes undone, so popup HTML can be searched as written."""
    return html.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&").replace('\\"', '"')


def test_commune_map_popups_carry_results(results):
    from tc8.maps import render_commune_map
    from tc8.maps.style import km

    html = _popups(render_commune_map(results, B, date="2025-06-30"))
    postal = results.layers["postal_points"].set_index("point_id")
    # postal point P2 (in B) does not qualify: verdict and the failed conditions from the results
    assert "không đạt điều kiện" in html and "Điều kiện không đạt" in html
    assert f"<td>{postal.loc['P2', 'failed_vi']}</td>" in html
    # loudspeaker K2 is not operating; the station R2 is unknown
    assert '<div class="tc8-pop"><b>K2</b><table><tr><td colspan=2><b>không hoạt động</b>' in html
    assert '<div class="tc8-pop"><b>R2</b><table><tr><td colspan=2><b>chưa rõ</b>' in html
    # the village popup shows the evidence class and reasons from the results, and the postal distance
    v3 = results.villages.set_index("village_id").loc["V3"]
    assert "Loại minh chứng: " in html
    assert f"P1 — {km(v3['nearest_postal_m'], 'vi')}" in html
    # the line V3 -> P1 is labelled with that distance (permanent tooltip)
    assert f'"tip":"{km(v3["nearest_postal_m"], "vi")}"' in html
    assert '"tipPermanent":true' in html
    # a covered village names the records (coverage area C1 for mobile, access node N1 for fixed
    # broadband in the builder's input) that decided its Internet
    v2 = results.villages.set_index("village_id").loc["V2"]
    assert (v2["mobile_broadband_record"], v2["fixed_broadband_record"]) == ("C1", "N1")
    html_a = _popups(render_commune_map(results, A, date="2025-06-30"))
    assert "bản ghi: C1, N1" in html_a and "bản ghi: C1" not in html


def test_commune_map_legend_and_title_in_both_languages(results):
    from tc8.maps import render_commune_map

    for lang, words in (("vi", ["Trạng thái", "Công nghệ trạm BTS", "Bộ tiêu chí ntm-2021-2025 · lập ngày 2025-06-30",
                                "Đài truyền thanh xã / Cụm loa: không hoạt động"]),
                        ("en", ["Status", "Cell technology", "Rule set ntm-2021-2025 · generated 2025-06-30",
                                "Commune radio station / Loudspeaker clusters: not operating"])):
        html = render_commune_map(results, A, lang=lang, date="2025-06-30")
        legend = html[html.index('id="tc8-legend"'):]
        for word in words:
            assert word in html, (lang, word)
        for tech in ("2G", "3G", "4G", "5G"):
            assert f"</span>{tech}</span>" in legend


def test_base_map_probe_and_fully_offline_option(results):
    from tc8.maps import render_commune_map, render_province_map
    from tc8.maps.base import PROBE_URL

    online = render_commune_map(results, A)
    assert PROBE_URL in online and "img.onerror" in online and "tile.openstreetmap.org/{z}" in online
    assert '"maxZoom": 19' in online  # MarkerCluster refuses a map without maxZoom
    for html in (render_commune_map(results, A, online_tiles=False), render_province_map(results, online_tiles=False)):
        assert "tile.openstreetmap.org" not in html and "L.tileLayer(" not in html and "new Image()" not in html


def test_points_are_clustered_above_threshold(results):
    from tc8.maps import render_commune_map

    assert '"cluster":true' not in render_commune_map(results, A)
    clustered = render_commune_map(results, A, cluster_above=0)
    assert clustered.count('"cluster":true') == 4  # cell sites of 2 operators, the station, the loudspeakers


def test_cli_assess_with_maps(tmp_path):
    from tc8.cli.main import cli

    src = hostile_input(tmp_path)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["assess", str(src), "--rules", "ntm-2021-2025", "-o", str(out), "--maps"])
    assert res.exit_code == 0, res.output
    assert str(out / "maps" / "index.html") in res.output
    assert sorted(p.name for p in (out / "maps" / "communes").iterdir()) == [f"{A}.html", f"{B}.html"]


def test_png_labels_distances_and_synthetic_layers(results, tmp_path, monkeypatch):
    import tc8.maps.static as static
    from tc8.maps import render_commune_png
    from tc8.maps.style import km

    written = []
    original = static._text  # every word of the PNG is drawn through it
    monkeypatch.setattr(static, "_text", lambda draw, xy, value, *a, **k: written.append(value)
                        or original(draw, xy, value, *a, **k))
    results.synthetic_layers = ["speakers"]
    try:
        render_commune_png(results, A, tmp_path / "a.png", date="2025-06-30")
    finally:
        results.synthetic_layers = []
    villages = results.villages[results.villages["commune_code"] == A]
    for metres in villages["nearest_postal_m"]:
        assert km(metres, "vi") in written
    assert any("Dữ liệu giả lập" in t and "Cụm loa" in t for t in written)
    assert any(t.endswith(" km") or t.endswith(" m") for t in written)  # the scale bar


def test_coverage_simplify_keeps_shared_borders():
    """Two communes sharing a wiggly border: after simplification no gap and no overlap appear."""
    import math

    import geopandas as gpd
    import shapely
    from shapely.geometry import Polygon

    from tc8.maps.geo import to_display

    border = [(500_000 + 30 * math.sin(i / 3), 1_300_000 + 100 * i) for i in range(101)]
    west = Polygon([(495_000, 1_300_000), *border, (495_000, 1_310_000)])
    east = Polygon([(505_000, 1_300_000), *border, (505_000, 1_310_000)])
    frame = gpd.GeoDataFrame({"c": ["w", "e"]}, geometry=[west, east], crs="EPSG:32648")
    shown = to_display(frame, tolerance_m=100, decimals=5, coverage=True).to_crs("EPSG:32648")
    a, b = shown.geometry
    assert len(a.exterior.coords) < 60 and len(b.exterior.coords) < 60  # simplified
    assert a.intersection(b).area < 1.0  # no overlap (m²)
    assert shapely.union(a, b).geom_type == "Polygon"  # no gap between them
