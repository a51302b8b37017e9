"""``tc8 plan`` writes the atlas with a "Kế hoạch" / "Plan" overlay on the commune pages
(tc8.maps.plan_layer): one feature per intervention with a geometry, popups naming the action
(the cost file's label) and the cost, the example-prices warning, interventions without a location
listed in the legend; pages of communes without interventions are those of ``tc8 map``."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from test_browser import ARTIFACTS, Browser, browser  # noqa: F401 - the fixture is used by name
from tc8.io.demo import demo_input_path
from tc8.maps.atlas import write_atlas
from tc8.outputs.plan_files import action_text
from tc8.pipeline import run_assessment
from tc8.plan.costs import load_costs
from tc8.plan.run import make_plan
from tc8.text.messages import text

RULES = "ntm-2021-2025"


@pytest.fixture(scope="module")
def atlases(tmp_path_factory):
    """(plan, atlas with the plan, atlas without), both of the demo, same date and options."""
    results = run_assessment(demo_input_path(), RULES)
    plan = make_plan(results, load_costs(None), lang="vi")
    root = tmp_path_factory.mktemp("plan-maps")
    write_atlas(results, root / "with", date="2026-01-01", online_tiles=False, plan=plan)
    write_atlas(results, root / "without", date="2026-01-01", online_tiles=False)
    return plan, root / "with", root / "without"


def _page_data(path) -> dict:
    page = path.read_text(encoding="utf-8")
    return json.loads(re.search(r"var tc8_commune = (\{.*\});</script>", page).group(1))


def _plan_features(path) -> list:
    data = _page_data(path)
    name = text("plan_maps.layer", "vi")
    specs = [s for s in data["layers"] if s[1] == name]
    assert len(specs) <= 1
    return data["data"][specs[0][0]] if specs else []


def test_plan_pages_carry_one_feature_per_located_intervention(atlases):
    plan, with_plan, _ = atlases
    located = Counter(i.commune_code for i in plan.interventions if i.geometry is not None)
    assert located and sum(located.values()) == 51  # demo: 15 postal, 2 cell, 11 fibre, 18 radio, 5 speaker (not the 7 of 8.4)
    for code, n in located.items():
        feats = _plan_features(with_plan / "communes" / f"{code}.html")
        assert len(feats) == n, code
    kinds = {f["geometry"]["type"] for code in located for f in _plan_features(with_plan / "communes" / f"{code}.html")}
    assert kinds == {"Point", "LineString"}  # sites/points and fibre extensions


def test_popup_names_action_cost_and_example_warning(atlases):
    plan, with_plan, _ = atlases
    item = next(i for i in plan.interventions if i.action == "postal_fix_parcels_5kg")
    assert item.cost == 5_000_000
    feats = _plan_features(with_plan / "communes" / f"{item.commune_code}.html")
    popups = [f["properties"]["popup"] for f in feats]
    mine = [p for p in popups if action_text(plan, "postal_fix_parcels_5kg", "vi") in p]
    assert mine and "5.000.000 VND" in mine[0]
    assert "GIÁ VÍ DỤ" in mine[0]


def test_unlocated_it_interventions_listed_in_the_legend(atlases):
    plan, with_plan, _ = atlases
    it = [i for i in plan.interventions if i.geometry is None]
    assert it and {i.indicator for i in it} == {"8.4"}
    page = (with_plan / "communes" / f"{it[0].commune_code}.html").read_text(encoding="utf-8")
    n = sum(1 for i in it if i.commune_code == it[0].commune_code)
    assert f"8.4: {n} can thiệp không có vị trí, xem plan.xlsx" in page
    assert action_text(plan, it[0].action, "vi") in page


def test_pages_without_interventions_unchanged(atlases):
    plan, with_plan, without = atlases
    planned = {i.commune_code for i in plan.interventions}
    pages = sorted(p.name for p in (without / "communes").glob("*.html"))
    untouched = [n for n in pages if n[:-5] not in planned]
    assert untouched and len(untouched) + len(planned) == len(pages)
    for name in untouched:
        assert (with_plan / "communes" / name).read_bytes() == (without / "communes" / name).read_bytes()
    for name in sorted(planned)[:3]:
        assert (with_plan / "communes" / f"{name}.html").read_bytes() != (without / "communes" / f"{name}.html").read_bytes()
    assert (with_plan / "index.html").read_bytes() == (without / "index.html").read_bytes()


def test_cli_plan_writes_maps_and_no_maps_skips(tmp_path):
    from click.testing import CliRunner

    from tc8.cli.main import cli

    args = ["plan", str(demo_input_path()), "--rules", RULES, "--commune", "24898", "-q", "--lang", "en"]
    run = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "a"), "--no-tiles"])
    assert run.exit_code == 0, run.output
    page = (tmp_path / "a" / "maps" / "communes" / "24898.html").read_text(encoding="utf-8")
    assert '"Plan"' in page and "EXAMPLE PRICES" in page and "openstreetmap" not in page.lower()
    run = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "b"), "--no-maps"])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "b" / "plan.csv").exists() and not (tmp_path / "b" / "maps").exists()


@pytest.mark.browser
def test_plan_page_in_browser_offline(browser, atlases):  # noqa: F811
    plan, with_plan, _ = atlases
    code = Counter(i.commune_code for i in plan.interventions if i.geometry is not None).most_common(1)[0][0]
    b = Browser(browser)
    b.open(with_plan / "communes" / f"{code}.html")
    b.page.wait_for_function("() => document.querySelectorAll('path.tc8-plan').length > 0")
    assert b.page.locator(".leaflet-control-layers-overlays", has_text="Kế hoạch").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    b.page.screenshot(path=str(ARTIFACTS / "plan_commune.png"))
    assert not b.script_errors(), b.script_errors()
