"""Every measure a rule file may name is produced by the engine, for every commune."""
from __future__ import annotations

from builders import make_valid_input
from tc8.engine.assess import measures_from_inputs
from tc8.rules.model import MEASURES
from tc8.rules.load import load_rule_set
from tc8.validate.run import load_and_validate


def test_engine_knows_the_whole_vocabulary(tmp_path):
    inputs = load_and_validate(make_valid_input(tmp_path))
    rule_set = load_rule_set("ntm-nang-cao-2021-2025")
    measured = measures_from_inputs(inputs, rule_set)
    codes = measured.codes
    assert list(codes) == list(inputs.get("communes")["commune_code"].astype(object))
    assert set(MEASURES) <= set(measured.measures)
    for name in MEASURES:
        m = measured.measures[name]
        assert list(m.low.index) == list(codes), name
        assert (m.low.fillna(0) <= m.high.fillna(float("inf"))).all(), name
