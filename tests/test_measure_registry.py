"""The measure registry (:mod:`tc8.model.vocab`) is the one declaration of each measure.

Copies that must stay in files equal it (the rule schema's enum, the workbook layout's record
kinds, the criteria README's table); every family module builds exactly its registry measures
in the registry's unit; the inputs and village columns the registry names exist.
"""
from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import yaml

from builders import make_valid_input
from tc8.engine.assess import measures_from_inputs
from tc8.engine.preview import NEEDS
from tc8.measures.common import MeasureInputs
from tc8.measures.families import RegistryMismatch, family_measures
from tc8.model import vocab
from tc8.model.schema import LAYERS
from tc8.rules.model import MEASURES as RULE_MEASURES
from tc8.rules.load import load_rule_set
from tc8.validate.run import load_and_validate

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    inputs = load_and_validate(make_valid_input(tmp_path_factory.mktemp("registry")))
    return inputs, measures_from_inputs(inputs, load_rule_set("ntm-nang-cao-2021-2025"))


def test_rule_schema_enum_is_the_registry():
    schema = json.loads((REPO / "data" / "criteria" / "schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["measure"]["enum"] == list(vocab.MEASURES)


def test_rule_model_and_preview_read_the_registry():
    assert RULE_MEASURES == {n: s.rule_unit for n, s in vocab.MEASURES.items()}
    assert NEEDS == {n: s.needs for n, s in vocab.MEASURES.items()}
    assert set(vocab.postal_rule_measures()) == {"postal_points_qualifying", "postal_points_online_services"}


def test_workbook_record_kinds_are_the_registry():
    spec = yaml.safe_load((REPO / "templates" / "workbook_commune.yaml").read_text(encoding="utf-8"))
    named = [m for ms in spec["measure_records"].values() for m in ms]
    assert len(named) == len(set(named))
    assert not set(named) - set(vocab.MEASURES), "the workbook layout names unknown measures"
    assert {m: kind for kind, ms in spec["measure_records"].items() for m in ms} == \
        {n: s.record_kind for n, s in vocab.MEASURES.items()}


def test_criteria_readme_documents_every_measure_with_its_unit():
    text = (REPO / "data" / "criteria" / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([^|]+?) \|", text, flags=re.M))
    assert {n: rows.get(n) for n in vocab.MEASURES} == {n: s.rule_unit for n, s in vocab.MEASURES.items()}


def test_needs_name_real_layers_and_columns():
    for spec in vocab.MEASURES.values():
        assert spec.needs, spec.name
        for clause in spec.needs:
            for layer, column in clause:
                assert layer in LAYERS, (spec.name, layer)
                if column is not None and not column.startswith("@"):
                    LAYERS[layer].column(column)  # raises on an unknown column


def test_lookup_helpers():
    assert vocab.measure("share_villages_phone").module == "tc8.measures.telecom"
    assert vocab.village_columns("share_villages_phone_and_internet") == ("phone_ok", "internet_ok")
    assert vocab.village_columns("it_website") == ()
    assert vocab.village_fact_columns() == ("phone_ok", "internet_ok", "speaker_ok")
    assert [s.name for s in vocab.measures_of_family("radio")] == [
        "share_villages_speakers", "radio_station_ok", "radio_station_it_based"]
    assert vocab.measure("it_share_dossiers_online").columns_of("commune_it") == ("dossiers_online", "dossiers_total")
    with pytest.raises(KeyError, match="unknown measure"):
        vocab.measure("share_villages_tv")


@pytest.mark.parametrize("family", vocab.FAMILIES)
def test_each_family_module_builds_exactly_its_measures(measured, family):
    inputs, m = measured
    ctx = MeasureInputs(inputs=inputs, villages=m.villages, postal_eval=m.records.get("postal_points"),
                        params=m.params, defaults=m.defaults, codes=m.codes)
    specs = vocab.measures_of_family(family)
    assert specs, family
    module = importlib.import_module(specs[0].module)
    source = Path(module.__file__).read_text(encoding="utf-8")
    built = family_measures(ctx, family)
    for spec in specs:
        assert f'"{spec.name}"' in source, f"{spec.name} is not named in {spec.module}"  # one hop from the registry
        assert built[spec.name].unit == spec.unit, spec.name
        assert list(built[spec.name].low.index) == list(m.codes), spec.name


def test_a_family_module_out_of_step_with_the_registry_is_an_error(measured, monkeypatch):
    inputs, m = measured
    ctx = MeasureInputs(inputs=inputs, villages=m.villages, postal_eval=m.records.get("postal_points"),
                        params=m.params, defaults=m.defaults, codes=m.codes)
    extra = vocab.MeasureSpec("it_extra_figure", "count", "it", ((("commune_it", "public_wifi_points"),),))
    monkeypatch.setitem(vocab.MEASURES, extra.name, extra)
    with pytest.raises(RegistryMismatch, match="it_extra_figure"):
        family_measures(ctx, "it")


def test_village_columns_are_columns_of_the_village_frame(measured):
    _, m = measured
    for spec in vocab.MEASURES.values():
        for column in spec.village_columns:
            assert str(m.villages[column].dtype) == "boolean", (spec.name, column)
    for service, parts in vocab.SERVICE_PARTS.items():
        assert {f"{service}_ok", *(f"{p}_ok" for p in parts)} <= set(m.villages.columns)


def test_service_parts_and_statuses_are_declared_once():
    from tc8.model import results, schema
    from tc8.rules.evaluate import FAIL, MISSING, PASS, STATUS_NAMES
    from tc8.text import reasons

    assert reasons.SERVICE_PARTS is vocab.SERVICE_PARTS
    assert (results.STATUS_PASS, results.STATUS_FAIL, results.STATUS_MISSING) == vocab.STATUSES
    assert schema.EVIDENCE_ORDER is vocab.EVIDENCE_ORDER and schema.BASIS_ORDER is vocab.BASIS_ORDER
    assert (STATUS_NAMES[PASS], STATUS_NAMES[FAIL], STATUS_NAMES[MISSING]) == vocab.STATUSES
