"""Hand-computed verdicts: every indicator of every shipped rule set against its fixtures.

The fixtures are written by ``tests/fixtures/make_indicator_fixtures.py`` (see
``tests/fixtures/README.md``); each scenario's ``expected.yaml`` lists, per rule set and
indicator, which communes pass, fail or lack data, and why. A (rule set, indicator) pair
that no scenario covers fails: a new rule needs a fixture.
"""
from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pytest
import yaml

from tc8.io.read import read_inputs
from tc8.pipeline import run_assessment
from tc8.model.results import STATUSES
from tc8.rules.load import list_rule_sets
from tc8.validate.run import validate_inputs

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = FIXTURES / "indicators"
SCENARIOS = sorted(p for p in ROOT.iterdir() if (p / "expected.yaml").exists())


@functools.lru_cache(maxsize=None)
def expected(scenario: str) -> dict:
    return yaml.safe_load((ROOT / scenario / "expected.yaml").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def statuses(scenario: str, rule_set_id: str) -> dict:
    """(indicator, commune_code) -> (status, reasons_en, missing_en) from one assessment."""
    results = run_assessment(ROOT / scenario, rule_set_id)
    ind = results.indicators
    return {(r.indicator, str(r.commune_code)): (r.status, r.reasons_en, r.missing_en)
            for r in ind.itertuples(index=False)}


def _pairs() -> list[tuple[str, str]]:
    return [(rs.id, ind.id) for rs in list_rule_sets() for ind in rs.indicators]


@pytest.mark.parametrize(("rule_set_id", "indicator_id"), _pairs(), ids=lambda v: str(v))
def test_indicator_verdicts_match_hand_computation(rule_set_id, indicator_id):
    covering = [s.name for s in SCENARIOS
                if indicator_id in (expected(s.name)["expect"].get(rule_set_id) or {})]
    if not covering:
        pytest.fail(f"no fixture scenario covers {rule_set_id} / {indicator_id}: add communes for it to "
                    "tests/fixtures/make_indicator_fixtures.py and regenerate")
    wrong = []
    for scenario in covering:
        exp = expected(scenario)
        want = {code: status for status, codes in exp["expect"][rule_set_id][indicator_id].items()
                for code in (codes or [])}
        got = statuses(scenario, rule_set_id)
        got_codes = {code for (ind, code) in got if ind == indicator_id}
        assert got_codes == set(want), (
            f"{scenario}: the expectation must list every commune of the scenario exactly once "
            f"(missing {sorted(got_codes - set(want))}, unknown {sorted(set(want) - got_codes)})")
        for code, status in sorted(want.items()):
            status_got, reasons, missing = got[(indicator_id, code)]
            if status_got != status:
                wrong.append(f"{scenario} {code}: expected {status}, got {status_got} — why: "
                             f"{exp['why'].get(code)} | reasons: {reasons[:300]} | missing: {missing[:300]}")
    assert not wrong, f"{rule_set_id} / {indicator_id}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("scenario", [s.name for s in SCENARIOS])
def test_scenario_validates_without_errors(scenario):
    raw, read_problems = read_inputs(ROOT / scenario)
    inputs, problems = validate_inputs(raw, read_problems)
    errors = [p for p in problems if p.severity == "error"]
    assert inputs is not None and not errors, errors


@pytest.mark.parametrize("scenario", [s.name for s in SCENARIOS])
def test_expected_file_is_well_formed(scenario):
    exp = expected(scenario)
    assert exp["description"].strip()
    import json

    communes = json.loads((ROOT / scenario / "communes.geojson").read_text(encoding="utf-8"))
    codes = {f["properties"]["commune_code"] for f in communes["features"]}
    assert set(exp["why"]) == codes, "every commune needs a one-line why"
    assert all(str(w).strip() for w in exp["why"].values())
    for rs, inds in exp["expect"].items():
        for ind, buckets in inds.items():
            assert set(buckets) <= set(STATUSES), (rs, ind, buckets)
            listed = [c for codes_ in buckets.values() for c in (codes_ or [])]
            assert len(listed) == len(set(listed)), f"{rs} {ind}: a commune is listed twice"
            assert set(listed) <= codes, f"{rs} {ind}: unknown commune codes"


def test_committed_fixtures_match_the_generator(tmp_path):
    spec = importlib.util.spec_from_file_location("make_indicator_fixtures",
                                                  FIXTURES / "make_indicator_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_all(tmp_path)
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(ROOT) for p in ROOT.rglob("*") if p.is_file())
    assert fresh == committed
    for rel in fresh:
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes(), (
            f"{rel} differs from the generator's output: run tests/fixtures/make_indicator_fixtures.py")
