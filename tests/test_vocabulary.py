"""Every measure a rule file may name is produced by the engine, for every commune."""
from __future__ import annotations

import pandas as pd

from builders import make_valid_input
from tc8.measures.commune import all_measures
from tc8.engine.assess import parameter_defaults
from tc8.measures.postal import evaluate_points
from tc8.rules.model import MEASURES, load_rule_set, resolve_parameters
from tc8.validate.run import load_and_validate
from tc8.measures.villages import nearest_postal, speaker_measures, telecom_measures


def test_engine_knows_the_whole_vocabulary(tmp_path):
    inputs = load_and_validate(make_valid_input(tmp_path))
    rule_set = load_rule_set("ntm-nang-cao-2021-2025")
    communes = inputs.get("communes")
    codes = pd.Index(communes["commune_code"].astype(object))
    params = resolve_parameters(rule_set, communes)
    params.index = codes
    defaults = parameter_defaults(rule_set)
    lists = {k: list(defaults[k]) for k in ("phone_technologies", "internet_technologies", "postal_point_kinds")}
    villages = inputs.get("villages")
    telecom, _ = telecom_measures(inputs, villages, params, defaults, lists)
    speakers, _ = speaker_measures(inputs, villages, params)
    postal = inputs.get("postal_points")
    evaluation = evaluate_points(postal, rule_set.postal_point, params, defaults, lists["postal_point_kinds"])
    frame = villages.join(telecom).join(speakers).join(nearest_postal(villages, postal, evaluation["qualifies"]
                                                                      .fillna(False).to_numpy(dtype=bool)))
    measures, _ = all_measures(inputs, frame, evaluation, params, defaults, codes)
    assert set(MEASURES) <= set(measures)
    for name in MEASURES:
        m = measures[name]
        assert list(m.low.index) == list(codes), name
        assert (m.low.fillna(0) <= m.high.fillna(float("inf"))).all(), name
