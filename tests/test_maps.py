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
    from tc8.errors import OutputExistsError
    from tc8.maps import save_maps

    out = save_maps(results, tmp_path / "maps", png=True)
    assert out["province"] == tmp_path / "maps" / "province.html"
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
    assert f"Province map: {out / 'province.html'}" in res.output
    assert (out / "communes" / f"{A}.html").exists() and (out / "communes" / f"{B}.html").exists()
    res = runner.invoke(cli, ["map", str(src), "--rules", "ntm-2021-2025", "-o", str(out)])
    assert res.exit_code == 1 and "--overwrite" in res.output
    res = runner.invoke(cli, ["map", str(src), "--rules", "ntm-2021-2025", "-o", str(out), "--overwrite",
                              "--commune", B, "--png"])
    assert res.exit_code == 0, res.output
    assert (out / "communes" / f"{B}.png").exists()
