"""The maps opened in a real browser: Debian's Chromium, headless, with every network request blocked.

This test needs ``/usr/bin/chromium`` (``make system-deps`` installs it). When Chromium is
missing it FAILS — it never skips — so CI cannot pass without having run it. Screenshots
are written to ``tests/artifacts/`` (git-ignored) for a human to look at.
"""
from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import pytest

from builders import A, B
from test_maps import COMMUNE, XSS, hostile_results
from tc8.maps.base import PROBE_URL

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

COUNTS_JS = """() => ({
    communes: document.querySelectorAll('path.tc8-commune').length,
    villages: document.querySelectorAll('path.tc8-village').length,
    cells: document.querySelectorAll('path.tc8-cell').length,
    postal: document.querySelectorAll('path.tc8-postal').length,
    lines: document.querySelectorAll('path.tc8-line').length,
    radius: document.querySelectorAll('path.tc8-radius').length,
    selectors: document.querySelectorAll('.leaflet-control-layers-selector').length,
    overlays: document.querySelectorAll('.leaflet-control-layers-overlays input').length,
    leaflet: typeof L === 'object' ? L.version : null,
    cluster: typeof L === 'object' && typeof L.markerClusterGroup === 'function',
    xss: window.__xss === undefined ? null : window.__xss,
})"""


class Browser:
    """One Chromium page with the network blocked and every error, dialog and request recorded."""

    def __init__(self, context):
        self.context = context
        self.errors: list[str] = []      # console errors and uncaught exceptions
        self.dialogs: list[str] = []     # alert/confirm/prompt (an XSS would open one)
        self.blocked: list[str] = []     # non-file requests (all aborted)
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}")
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("dialog", self._dialog)

    def _route(self, route):
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path) -> dict:
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("() => document.querySelectorAll('path.leaflet-interactive').length > 0")
        self.page.wait_for_timeout(300)
        return self.counts()

    def script_errors(self) -> list[str]:
        """Errors other than a blocked network resource (which the tile probe causes offline)."""
        return [e for e in self.errors if "Failed to load resource" not in e]

    def base_layer(self) -> str:
        """Label of the selected base layer in the layer control."""
        return self.page.locator(".leaflet-control-layers-base label",
                                 has=self.page.locator("input:checked")).inner_text().strip()

    def counts(self) -> dict:
        return self.page.evaluate(COUNTS_JS)

    def toggle(self, label: str) -> dict:
        self.page.locator(".leaflet-control-layers label", has_text=label).locator("input").first.click()
        self.page.wait_for_timeout(200)
        return self.counts()


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: the browser tests need Debian's chromium (run 'make system-deps'). "
        "This test fails rather than skips so that CI cannot silently pass without it.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # fail, never skip: CI must not pass without a browser run
        pytest.fail(f"playwright is not installed ({exc}): pip install -e '.[test]'", pytrace=False)

    with tempfile.TemporaryDirectory(prefix="tc8-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=ARGS, headless=True,
            viewport={"width": 1280, "height": 860})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return hostile_results(tmp_path_factory.mktemp("browser-input"))


@pytest.fixture(scope="module")
def maps(tmp_path_factory, results):
    from tc8.maps import save_maps

    return save_maps(results, tmp_path_factory.mktemp("browser") / "maps", date="2025-06-30")


def test_commune_map_in_chromium(browser, maps):
    b = Browser(browser)
    counts = b.open(maps["communes"][A])
    assert counts["leaflet"] == "1.9.4" and counts["cluster"]
    # commune A: 1 boundary, 2 villages (overall layer only), 1 active + 1 inactive site nearby,
    # 1 qualifying postal point, 2 village -> postal lines; radius circles hidden by default
    assert counts["communes"] == 1
    assert counts["villages"] == 2
    assert counts["cells"] == 2 and counts["postal"] == 1 and counts["lines"] == 2 and counts["radius"] == 0
    # 2 base layers + boundary, coverage, 2 operators, radius, overall + 4 indicators, lines, postal,
    # station, speakers
    assert counts["overlays"] == 14 and counts["selectors"] == 16

    after = b.toggle("Thôn — chỉ tiêu 8.2")
    assert after["villages"] == 4
    after = b.toggle("Thôn — tổng hợp")
    assert after["villages"] == 2
    after = b.toggle("Bán kính phủ sóng mô hình")
    assert after["radius"] == 2

    # the village named <img src=x onerror=alert(1)>: popup and tooltip show the text, run nothing
    b.page.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        map.eachLayer(l => {
            if (l.feature && l.options.className === 'tc8-village' && l._path &&
                String(l.getPopup() && l.getPopup().getContent()).includes('onerror=alert(1)'))
                l._path.setAttribute('data-test', 'xss-village');
        });
    }""")
    target = b.page.locator("path[data-test=xss-village]").first
    target.hover()
    b.page.wait_for_timeout(150)
    assert XSS in b.page.locator(".leaflet-tooltip:not(.tc8-dist)").first.inner_text()
    target.click()
    popup = b.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert XSS in popup.inner_text()
    assert popup.locator("img").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    b.page.wait_for_timeout(400)  # popup fade-in
    b.page.screenshot(path=str(ARTIFACTS / "map_commune.png"))
    b.page.keyboard.press("Escape")

    # layer-control label with an HTML operator name is text too
    assert b.page.locator(".leaflet-control-layers label", has_text="<img src=y").count() == 1
    assert b.page.locator(".leaflet-control-layers img").count() == 0

    final = b.counts()
    assert final["xss"] is None and b.dialogs == []
    assert b.script_errors() == []
    # network off: the only request is the tile probe, and the plain background stays
    assert b.blocked == [PROBE_URL]
    assert b.base_layer() == "Nền trơn (không cần mạng)"


def test_online_base_layer_offline_is_harmless(browser, maps):
    b = Browser(browser)
    b.open(maps["communes"][B])
    b.toggle("OpenStreetMap")
    b.page.wait_for_timeout(500)
    assert b.blocked and all(u.startswith("https://tile.openstreetmap.org/") for u in b.blocked)
    # aborted tiles are logged as failed resources, never as script errors
    assert b.script_errors() == []
    assert b.counts()["communes"] == 1


def test_online_tiles_are_used_when_reachable(browser, maps):
    """A tile server that answers: the probe switches the base layer to OpenStreetMap by itself."""
    b = Browser(browser)
    served = []

    def tile(route):
        served.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG_1PX)

    b.page.route("https://tile.openstreetmap.org/**", tile)
    b.open(maps["communes"][B])
    b.page.wait_for_function("() => document.querySelectorAll('img.leaflet-tile').length > 0")
    assert b.base_layer() == "OpenStreetMap (cần Internet)"
    assert PROBE_URL in served and len(served) > 1
    assert b.counts()["communes"] == 1 and b.script_errors() == [] and b.blocked == []


def test_fully_offline_maps_request_nothing(browser, results, tmp_path):
    """``online_tiles=False`` (``tc8 map --no-tiles``): not a single network request."""
    from tc8.maps import render_province_map

    path = tmp_path / "province.html"
    path.write_text(render_province_map(results, online_tiles=False), encoding="utf-8")
    b = Browser(browser)
    assert b.open(path)["communes"] == 2
    assert b.errors == [] and b.blocked == []
    assert b.page.locator(".leaflet-control-layers-base label").count() == 1


def test_clustered_points_draw_without_errors(browser, results, tmp_path):
    """Point layers above the threshold go through MarkerCluster (which needs the map's maxZoom)."""
    from tc8.maps import render_commune_map

    path = tmp_path / "clustered.html"
    path.write_text(render_commune_map(results, A, cluster_above=0), encoding="utf-8")
    b = Browser(browser)
    counts = b.open(path)
    speakers = "() => document.querySelectorAll('path.tc8-speaker').length"
    assert counts["cells"] == 2 and counts["villages"] == 2 and b.page.evaluate(speakers) == 2
    b.page.evaluate("() => Object.values(window).find(v => v instanceof L.Map).setZoom(5, {animate: false})")
    b.page.wait_for_function(speakers + " === 0")  # K1 and K3 are now one cluster icon
    assert b.page.locator(".marker-cluster", has_text="2").count() >= 1
    assert b.script_errors() == [] and b.dialogs == []


def test_province_map_in_chromium(browser, maps):
    b = Browser(browser)
    counts = b.open(maps["province"])
    assert counts["communes"] == 2 and counts["overlays"] == 5 and counts["selectors"] == 7
    assert b.page.locator("#tc8-rollup").inner_text().count("0/2") == 1
    after = b.toggle("Xã — chỉ tiêu 8.1")
    assert after["communes"] == 4
    after = b.toggle("Xã — kết luận TC8")
    assert after["communes"] == 2
    b.page.mouse.click(*_centre(b, A))
    popup = b.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert COMMUNE in popup.inner_text() and popup.locator("b b").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    b.page.wait_for_timeout(400)
    b.page.screenshot(path=str(ARTIFACTS / "map_province.png"))
    popup.locator("a").click()  # the link opens the commune map
    b.page.wait_for_url(f"**/communes/{A}.html")
    b.page.wait_for_function("() => document.querySelectorAll('path.tc8-village').length === 2")
    assert b.script_errors() == [] and b.dialogs == []
    assert set(b.blocked) <= {PROBE_URL}


def _centre(b: Browser, code: str) -> tuple[float, float]:
    """Page coordinates of the centre of commune ``code`` in the visible layer."""
    point = b.page.evaluate("""(code) => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        let found = null;
        map.eachLayer(l => {
            if (!found && l.feature && l._path && String(l.getPopup().getContent()).includes('(' + code + ')'))
                found = map.latLngToContainerPoint(l.getBounds().getCenter());
        });
        const box = map.getContainer().getBoundingClientRect();
        return [box.left + found.x, box.top + found.y];
    }""", code)
    return point[0], point[1]
