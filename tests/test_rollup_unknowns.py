"""Issue 7, class 7: unknowns stay unknown in the province roll-up, counted beside each figure.

Before: fixed broadband unknown in every village gave "0,0 %" of villages with fixed
broadband, and a commune without population counted as 0 people (so 2 points for 4,100
known people gave "2.050 people per point" for a two-commune province).
"""
from __future__ import annotations

import json
import math

import openpyxl
import pytest

from builders import make_valid_input
from tc8.dossier.write import write_dossiers
from tc8.dossier.write import PROVINCE_FILE
from tc8.pipeline import run_assessment
from tc8.outputs.terminal import summary_table
from tc8.outputs.files import write_results


def _assess(tmp_path, **overrides):
    return run_assessment(make_valid_input(tmp_path, **overrides), "ntm-2021-2025")


def _unknown(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@pytest.fixture(scope="module")
def no_fixed(tmp_path_factory):
    """No fixed-access layer and no self-report: fixed broadband unknown in all 3 villages."""
    return _assess(tmp_path_factory.mktemp("nofixed"), fixed_access=None)


@pytest.fixture(scope="module")
def no_population(tmp_path_factory):
    """Commune 24784 (which has the BĐVHX point) has no population."""
    return _assess(tmp_path_factory.mktemp("nopop"), communes=lambda c: c.assign(population=[None, 4100]))


def test_all_unknown_share_is_unknown_not_zero(no_fixed):
    r = no_fixed.rollup
    assert _unknown(r["share_villages_fixed_broadband_pct"])
    assert r["villages_fixed_broadband_unknown"] == 3
    assert r["villages_mobile_broadband_unknown"] == 0
    assert r["share_villages_mobile_broadband_pct"] == pytest.approx(100 * 2 / 3)


def test_share_is_over_known_villages(tmp_path):
    # V3 reports fixed broadband itself; V1, V2 stay unknown (no access node)
    results = _assess(tmp_path, fixed_access=None,
                      villages=lambda v: v.assign(fixed_broadband=[None, None, True]))
    r = results.rollup
    assert r["villages_fixed_broadband_unknown"] == 2
    assert r["share_villages_fixed_broadband_pct"] == pytest.approx(100.0)
    vi = summary_table(results, lang="vi")
    assert "Thôn có băng rộng cố định 100,0% (2 thôn chưa rõ)" in vi
    assert "Villages with fixed broadband 100.0% (2 villages unknown)" in summary_table(results, lang="en")


def test_terminal_says_unknown(no_fixed):
    vi, en = summary_table(no_fixed, lang="vi"), summary_table(no_fixed, lang="en")
    line = next(x for x in vi.splitlines() if x.startswith("Thôn có băng rộng"))
    assert line == "Thôn có băng rộng cố định chưa rõ (3 thôn chưa rõ), di động 66,7%"
    line = next(x for x in en.splitlines() if x.startswith("Villages with"))
    assert line == "Villages with fixed broadband unknown (3 villages unknown), mobile broadband 66.7%"


def test_missing_population_is_not_zero(no_population):
    r = no_population.rollup
    assert r["communes_population_unknown"] == 1
    assert r["population"] == 4100  # the known communes only, and said so
    assert _unknown(r["population_per_postal_point"])  # not 4100 / 2
    vi, en = summary_table(no_population, lang="vi"), summary_table(no_population, lang="en")
    assert "người/điểm chưa rõ (1 xã thiếu dân số)" in vi and "2.050" not in vi
    assert "people/point unknown (1 commune without population)" in en


def test_no_postal_layer_is_unknown_not_zero(tmp_path):
    r = _assess(tmp_path, postal_points=None).rollup
    assert _unknown(r["postal_points"]) and _unknown(r["communes_with_bdvhx"])
    assert _unknown(r["share_communes_with_bdvhx_pct"])


def test_every_consumer_shows_the_unknown_counts(no_fixed, no_population, tmp_path):
    # results.json
    write_results(no_population, tmp_path / "res")
    doc = json.loads((tmp_path / "res" / "results.json").read_text(encoding="utf-8"))
    assert doc["rollup"]["communes_population_unknown"] == 1
    assert doc["rollup"]["population_per_postal_point"] is None
    # province workbook: the share cell says "chưa rõ" with the count, never 0
    write_dossiers(no_fixed, tmp_path / "dos", with_maps=False)
    ws = openpyxl.load_workbook(tmp_path / "dos" / PROVINCE_FILE)["Chỉ tiêu tỉnh"]
    rows = {r[2]: r[1] for r in ws.iter_rows(min_row=4, values_only=True) if r[2]}
    assert rows["share_villages_fixed_broadband_pct"] == "chưa rõ (3 thôn chưa rõ)"
    assert rows["villages_fixed_broadband_unknown"] == 3


def test_map_panel_shows_the_unknown_counts(no_fixed, no_population):
    from tc8.maps.province import _rollup_rows

    text = " | ".join(f"{r['label']}: {r['value']}" for r in _rollup_rows(no_fixed.rollup, "vi"))
    assert "chưa rõ (3 thôn chưa rõ)" in text, text
    text = " | ".join(f"{r['label']}: {r['value']}" for r in _rollup_rows(no_population.rollup, "en"))
    assert "unknown (1 commune without population)" in text, text
