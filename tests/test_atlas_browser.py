"""The atlas of ``tc8 map`` opened from ``file://`` in Debian's Chromium with the network blocked:
overview -> commune (by the search box, and by a click on the commune) -> back, no script error.

Like test_browser.py it FAILS (never skips) without ``/usr/bin/chromium`` and playwright.
Screenshots go to ``tests/artifacts/``.
"""
from __future__ import annotations

import pytest

from builders import A, B
from test_browser import ARTIFACTS, Browser, _centre, browser  # noqa: F401 - the fixture is used by name
from test_maps import COMMUNE, hostile_results
from tc8.maps.base import PROBE_URL

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def atlas(tmp_path_factory):
    from tc8.maps.atlas import write_atlas

    results = hostile_results(tmp_path_factory.mktemp("atlas-browser-input"))
    out = tmp_path_factory.mktemp("atlas-browser") / "maps"
    write_atlas(results, out, date="2025-06-30", jobs=1)
    return out


def _commune_page_loaded(b: Browser, code: str) -> None:
    b.page.wait_for_url(f"**/communes/{code}.html")
    b.page.wait_for_function("() => document.querySelectorAll('path.tc8-village').length > 0")


def _back(b: Browser) -> None:
    b.page.locator("a.tc8-back").click()
    b.page.wait_for_url("**/index.html")
    b.page.wait_for_function("() => document.querySelectorAll('path.tc8-commune').length === 2")


def test_search_then_back(browser, atlas):  # noqa: F811
    b = Browser(browser)
    counts = b.open(atlas / "index.html")
    assert counts["communes"] == 2 and counts["leaflet"] == "1.9.4" and counts["cluster"]
    box = b.page.locator("#tc8-q")
    box.fill("hoa binh")  # no accents, as typed on any keyboard
    hit = b.page.locator("#tc8-hits a.tc8-hit")
    assert hit.count() == 1 and COMMUNE in hit.first.inner_text()
    assert b.page.locator("#tc8-hits b").count() == 0  # the name's <b> is text
    ARTIFACTS.mkdir(exist_ok=True)
    b.page.screenshot(path=str(ARTIFACTS / "atlas_search.png"))
    hit.first.click()
    _commune_page_loaded(b, A)
    assert b.counts()["communes"] == 1
    b.page.screenshot(path=str(ARTIFACTS / "atlas_commune.png"))
    _back(b)
    box = b.page.locator("#tc8-q")
    box.fill(B)  # by code, then Enter opens the first hit
    box.press("Enter")
    _commune_page_loaded(b, B)
    _back(b)
    box.fill("không có xã này")
    assert b.page.locator("#tc8-hits li").inner_text() == "Không tìm thấy xã nào"
    assert b.script_errors() == [] and b.dialogs == []
    assert set(b.blocked) <= {PROBE_URL}


def test_click_commune_then_back(browser, atlas):  # noqa: F811
    b = Browser(browser)
    b.open(atlas / "index.html")
    b.page.mouse.click(*_centre(b, A))
    popup = b.page.locator(".leaflet-popup-content")
    popup.wait_for()
    popup.locator("a").click()
    _commune_page_loaded(b, A)
    _back(b)
    assert b.script_errors() == [] and b.dialogs == []
    assert set(b.blocked) <= {PROBE_URL}


def test_overview_only_search_zooms(browser, tmp_path):  # noqa: F811
    from tc8.maps.atlas import write_atlas

    results = hostile_results(tmp_path)
    write_atlas(results, tmp_path / "o", date="2025-06-30", overview_only=True, online_tiles=False)
    b = Browser(browser)
    b.open(tmp_path / "o" / "index.html")
    the_map = "Object.values(window).find(v => v instanceof L.Map)"
    b.page.evaluate(f"() => {the_map}.setView([0, 0], 3, {{animate: false}})")  # far away
    b.page.locator("#tc8-q").fill(A)
    b.page.locator("#tc8-hits a.tc8-hit").first.click()
    b.page.wait_for_timeout(600)
    assert b.page.url.endswith(("index.html#", "index.html"))  # no page to go to: the overview zooms
    inside = b.page.evaluate(f"""() => {{
        const box = tc8_atlas.communes.find(c => c[0] === "{A}")[5], c = {the_map}.getCenter();
        return c.lat >= box[0] && c.lat <= box[2] && c.lng >= box[1] && c.lng <= box[3];
    }}""")
    assert inside and b.page.evaluate(f"() => {the_map}.getZoom()") > 8
    assert b.errors == [] and b.blocked == []
