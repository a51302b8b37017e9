"""Issue 7, class 3: impossible combinations (a part larger than its whole) are refused.

Each pair of :data:`tc8.validate.consistency.AT_MOST` is an error naming the record, both
fields and both values as typed; no share measure can ever exceed 100 %.
The pairs live in one table, ``tc8.validate.consistency.AT_MOST``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from builders import A, B, make_valid_input
from tc8.model.errors import InputError
from tc8.io.read import read_inputs
from tc8.measures.it import it_measures
from tc8.text.messages import render_problem
from tc8.pipeline import run_assessment
from tc8.validate.run import validate_inputs


def _problems(tmp_path, **overrides):
    raw, read_problems = read_inputs(make_valid_input(tmp_path, **overrides))
    inputs, problems = validate_inputs(raw, read_problems)
    return inputs, [p for p in problems if p.code == "inconsistent_values"]


def _it(**cols):
    return lambda frame: frame.assign(**cols)


# (layer, override, row, part field, whole field, part as typed, whole as typed)
CASES = [
    ("commune_it", _it(dossiers_online=[900, 20]), A, "dossiers_online", "dossiers_total", "900", "100"),
    ("commune_it", _it(officials_using_eoffice=pd.array([23, None], dtype="Int64")), A, "officials_using_eoffice", "officials", "23", "22"),
    ("commune_it", _it(officials_with_computer=[20, 21]), B, "officials_with_computer", "officials", "21", "20"),
    ("commune_it", _it(mobile_subscriptions=[3000, 100], smartphone_subscriptions=[2000, 150]), B,
     "smartphone_subscriptions", "mobile_subscriptions", "150", "100"),
    ("villages", _it(households=[200, 601, 210]), "V2", "households", "population", "601", "600"),
]


@pytest.mark.parametrize("layer, override, row, part, whole, part_value, whole_value", CASES,
                         ids=[c[3] for c in CASES])
def test_part_larger_than_whole_is_an_error_naming_both_fields(tmp_path, layer, override, row, part, whole,
                                                              part_value, whole_value):
    inputs, found = _problems(tmp_path, **{layer: override})
    assert inputs is None
    assert len(found) == 1, found
    p = found[0]
    assert (p.severity, p.layer, p.row, p.field) == ("error", layer, row, part)
    assert p.params["part"] == part and p.params["whole"] == whole
    assert p.params["part_value"] == part_value and p.params["whole_value"] == whole_value
    for lang in ("vi", "en"):
        what, fix = render_problem(p, lang)
        assert part in what and whole in what and part_value in what and whole_value in what, what
        assert fix and "{" not in what + fix


def test_values_are_quoted_as_typed(tmp_path):
    """A CSV cell is quoted as the user wrote it (spaces stripped), not as the parsed number."""
    frame = pd.DataFrame([{"commune_code": A, "officials": "22", "officials_with_computer": "30.0",
                           "dossiers_total": "100", "dossiers_online": "70"},
                          {"commune_code": B, "officials": "20"}])
    _, found = _problems(tmp_path, commune_it=frame)
    assert [(p.row, p.params["part_value"], p.params["whole_value"]) for p in found] == [(A, "30.0", "22")]


def test_equal_and_unknown_values_are_fine(tmp_path):
    inputs, found = _problems(tmp_path, commune_it=_it(dossiers_online=[100, None], officials_with_computer=[22, 20]),
                              villages=_it(households=[800, None, 210], population=[800, 600, None]))
    assert found == [] and inputs is not None


def test_every_pair_names_schema_columns_of_one_layer():
    from tc8.model.schema import LAYERS
    from tc8.validate.consistency import AT_MOST

    assert len(AT_MOST) >= 5
    for rel in AT_MOST:
        layer = LAYERS[rel.layer]
        assert layer.column(rel.part).kind == layer.column(rel.whole).kind == "int"


def test_many_rows_are_checked_and_capped(tmp_path):
    n = 300
    frame = pd.DataFrame({"commune_code": [A, B] + [f"{i:05d}" for i in range(n - 2)],
                          "dossiers_total": np.full(n, 10), "dossiers_online": np.full(n, 11)})
    from tc8.validate.report import CAP

    raw, read_problems = read_inputs(make_valid_input(tmp_path, commune_it=frame))
    _, problems = validate_inputs(raw, read_problems)
    listed = [p for p in problems if p.code == "inconsistent_values"]
    more = [p for p in problems if p.code == "more_problems" and p.params["problem"] == "inconsistent_values"]
    assert len(listed) == CAP and len(more) == 1 and more[0].params["count"] == n - CAP
    assert more[0].severity == "error"


# --- no share above 100 % ------------------------------------------------------------------

def test_assessment_refuses_a_share_above_100(tmp_path):
    """900 online dossiers of 100: before, 8.4 reported 900 % and passed."""
    with pytest.raises(InputError) as err:
        run_assessment(make_valid_input(tmp_path, commune_it=_it(dossiers_online=[900, 20])), "ntm-2021-2025")
    assert any(p.code == "inconsistent_values" and p.row == A for p in err.value.problems)


def test_measure_guard_raises_when_validation_was_bypassed():
    """The measure itself never reports a share above 100 %: it raises a clear internal error."""
    from tc8.measures.common import ShareAbove100

    codes = pd.Index([A, B], name="commune_code")
    table = pd.DataFrame({"commune_code": [A, B], "officials": [10, 10], "officials_with_computer": [5, 10],
                          "officials_using_eoffice": [1, 1], "dossiers_total": [10, 10],
                          "dossiers_online": [12, 1], "eoffice_system": [True, True], "website": [None, None],
                          "mobile_subscriptions": [10, 10], "smartphone_subscriptions": [5, 5],
                          "working_age_population": [8, 8], "public_wifi_points": [0, 1]})
    with pytest.raises(ShareAbove100, match=r"it_share_dossiers_online.*24784.*dossiers_online.*dossiers_total"):
        it_measures(table, codes)


def test_measures_of_valid_input_stay_within_0_and_100(tmp_path):
    results = run_assessment(make_valid_input(tmp_path), "ntm-2021-2025")
    shares = results.indicators[results.indicators["unit"] == "%"]
    assert shares["measured"].notna().sum() >= 4 and (shares["measured"].dropna() <= 100).all()
    known = results.conditions[(results.conditions["unit"] == "%")
                               & (results.conditions["measured_low"] == results.conditions["measured_high"])]
    assert len(known) and (known["measured_low"] <= 100).all()
