"""Issue 7, class 6 (a, b): misspelt columns, layer files and GeoPackage layers are named, never
dropped silently; names that differ from the model only by case are read."""
from __future__ import annotations

import pyogrio
import pytest

from builders import make_valid_input, valid_layers, write_layers
from tc8.io.read import read_inputs
from tc8.model.schema import LAYERS
from tc8.validate.run import validate_inputs


def _problems(path):
    raw, read_problems = read_inputs(path)
    inputs, problems = validate_inputs(raw, read_problems)
    return inputs, problems


def _rename(layer_name, old, new):
    return {layer_name: lambda f: f.rename(columns={old: new})}


@pytest.mark.parametrize("layer,column,typed", [
    ("commune_it", "officials", "officals"),
    ("postal_points", "hours_per_day", "hours_per_days"),
    ("villages", "population", "populaton"),
    ("postal_points", "hours_per_day", "Hours per day"),
    ("postal_points", "hours_per_day", "HOURS-PER-DAY "),
    ("communes", "difficult", "dificult"),
])
def test_misspelt_column_is_a_warning_naming_the_schema_column(tmp_path, layer, column, typed):
    path = make_valid_input(tmp_path, **_rename(layer, column, typed))
    inputs, problems = _problems(path)
    assert inputs is not None  # a warning, not an error
    hits = [p for p in problems if p.code == "unknown_column_similar"]
    assert len(hits) == 1, problems
    hit = hits[0]
    assert (hit.severity, hit.layer, hit.field) == ("warning", layer, typed)
    assert hit.file.endswith((".geojson", ".csv"))
    rendered = hit.as_dict("en")
    assert column in rendered["message"] and typed in rendered["message"]
    assert column in hit.as_dict("vi")["message"]


def test_fixed_phon_is_named(tmp_path):
    path = make_valid_input(tmp_path, villages=lambda v: v.assign(fixed_phon=True))
    _, problems = _problems(path)
    assert [(p.layer, p.field, p.params.get("suggestion")) for p in problems
            if p.code == "unknown_column_similar"] == [("villages", "fixed_phon", "fixed_phone")]


def test_no_warning_when_the_schema_column_is_present_or_the_name_is_far(tmp_path):
    path = make_valid_input(tmp_path, commune_it=lambda f: f.assign(officals=1, source="x", ghi_chu="y"),
                            villages=lambda v: v.assign(lon=1.0, lat=2.0, fid=1, notes="n"))
    inputs, problems = _problems(path)
    assert inputs is not None
    assert [p for p in problems if p.severity != "error"] == []


def test_case_only_difference_is_read(tmp_path):
    path = make_valid_input(tmp_path, **_rename("commune_it", "officials", "Officials"))
    inputs, problems = _problems(path)
    assert [p.code for p in problems] == []
    assert inputs.get("commune_it")["officials"].tolist() == [22, 20]


def test_case_variants_of_both_spellings_are_not_guessed(tmp_path):
    """``Officials`` and ``OFFICIALS`` together: neither is read, the user is told."""
    path = make_valid_input(tmp_path, commune_it=lambda f: f.rename(columns={"officials": "Officials"})
                            .assign(OFFICIALS=f["officials"]))
    inputs, problems = _problems(path)
    assert inputs.get("commune_it")["officials"].isna().all()
    assert {p.field for p in problems if p.code == "unknown_column_similar"} == {"Officials", "OFFICIALS"}


def test_every_schema_column_typo_gets_a_suggestion():
    """Generality: one character dropped from any schema column (of 4+ letters) is suggested back."""
    from tc8.validate.names import suggest_column

    for layer in LAYERS.values():
        for col in layer.columns:
            if len(col.name) < 4:
                continue
            typo = col.name[:-2] + col.name[-1]
            assert suggest_column(layer, typo) == col.name, (layer.name, typo)


# ---------------------------------------------------------------- files and GeoPackage layers

def _folder(tmp_path, **renames):
    layers = valid_layers()
    path = write_layers(layers, tmp_path / "in")
    for old, new in renames.items():
        (path / old).rename(path / new)
    return path


@pytest.mark.parametrize("new", ["villages.GeoJSON", "Villages.geojson", "VILLAGES.GEOJSON"])
def test_layer_file_differing_only_by_case_is_read(tmp_path, new):
    path = _folder(tmp_path, **{"villages.geojson": new})
    raw, problems = read_inputs(path)
    assert "villages" in raw.frames and raw.files["villages"].endswith(new)
    assert problems == []


def test_layer_gpkg_differing_by_case_is_read(tmp_path):
    layers = valid_layers()
    path = write_layers(layers, tmp_path / "in", fmt="gpkg-folder")
    (path / "villages.gpkg").rename(path / "Villages.gpkg")
    raw, problems = read_inputs(path)
    assert "villages" in raw.frames and problems == []


@pytest.mark.parametrize("old,new,suggestion", [
    ("villages.geojson", "thon.geojson", "villages"),
    ("postal_points.geojson", "postal_point.geojson", "postal_points"),
    ("commune_it.csv", "commune-IT.csv", None),  # case + separator: a near miss, not read
    ("speakers.geojson", "notes.geojson", ""),
])
def test_file_that_is_not_a_layer_is_named(tmp_path, old, new, suggestion):
    path = _folder(tmp_path, **{old: new})
    raw, problems = read_inputs(path)
    hits = [p for p in problems if p.code in ("unknown_file", "unknown_file_similar")]
    assert len(hits) == 1, problems
    assert hits[0].severity == "warning" and hits[0].file.endswith(new)
    expected = old.split(".")[0] if suggestion is None else suggestion
    assert hits[0].params.get("suggestion", "") == expected
    assert hits[0].code == ("unknown_file_similar" if expected else "unknown_file")
    assert new in hits[0].as_dict("en")["message"]
    if expected:
        assert expected in hits[0].as_dict("vi")["message"]


def test_unrelated_files_are_not_reported(tmp_path):
    path = _folder(tmp_path)
    (path / "README.md").write_text("x")
    (path / ".DS_Store").write_text("x")
    _, problems = read_inputs(path)
    assert problems == []


def test_gpkg_layer_names_get_suggestions_and_case_is_read(tmp_path):
    layers = valid_layers()
    gpkg = tmp_path / "in.gpkg"
    renamed = {"villages": "Villages", "postal_points": "postal_point", "cell_sites": "thong_tin"}
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, gpkg, layer=renamed.get(name, name), driver="GPKG")
    raw, problems = read_inputs(gpkg)
    assert "villages" in raw.frames
    unknown = {p.layer: p.params.get("suggestion", "") for p in problems
               if p.code in ("unknown_layer", "unknown_layer_similar")}
    assert unknown == {"postal_point": "postal_points", "thong_tin": ""}
