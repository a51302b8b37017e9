"""Choice (enum) values typed in Vietnamese or other usual spellings (tc8.validate.choices)."""
from __future__ import annotations

import unicodedata

import pytest

from builders import make_valid_input
from tc8.io.read import read_inputs
from tc8.model.schema import CHOICE_ALIASES, LAYERS
from tc8.validate.choices import Ambiguous, build_reader, fold_choice, reader_for
from tc8.validate.run import validate_inputs

ENUM_LISTS = sorted({c.values for layer in LAYERS.values() for c in layer.columns if c.kind == "enum"})


def _bare(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).replace("đ", "d")


def _cases():
    for values in ENUM_LISTS:
        for code, spellings in CHOICE_ALIASES.get(values, {}).items():
            for spelling in spellings:
                yield values, spelling, code


@pytest.mark.parametrize("values,spelling,code", list(_cases()))
def test_every_alias_reads_to_its_code(values, spelling, code):
    reader = reader_for(values)
    assert reader.read(spelling) == code
    assert reader.read(spelling.upper()) == code
    assert reader.read(_bare(spelling)) == code  # typed without accents
    assert reader.read(" " + spelling.replace(" ", "  ") + " ") == code


def test_every_enum_list_has_aliases_for_known_values_only_and_no_accent_free_clash():
    for values in ENUM_LISTS:
        aliases = CHOICE_ALIASES.get(values, {})
        assert set(aliases) <= set(values)
        reader = reader_for(values)
        clashes = {k: v for k, v in reader.bare.items() if len(v) > 1}
        assert not clashes, clashes


@pytest.mark.parametrize("typed,code", [("BĐVHX", "bdvhx"), ("Bưu cục", "buu_cuc"), ("bưu điện văn hoá xã", "bdvhx"),
                                        ("đại lý", "dai_ly"), ("ki-ốt", "ki_ot"), ("kiốt", "ki_ot"),
                                        ("Thùng thư", "thung_thu"), ("BDVHX", "bdvhx"), ("Ki_Ot", "ki_ot")])
def test_issue_spellings_of_postal_kind(typed, code):
    from tc8.model.schema import POSTAL_KINDS
    assert reader_for(POSTAL_KINDS).read(typed) == code


def test_other_lists():
    from tc8.model.schema import COVERAGE_EVIDENCE, FIXED_TECHNOLOGIES, SPEAKER_TYPES, STATION_TYPES, TERRAINS
    terrain = reader_for(TERRAINS)
    assert [terrain.read(t) for t in ("núi", "Miền núi", "đồi", "trung du", "Đồng bằng")] == \
        ["mountainous", "mountainous", "hilly", "hilly", "flat"]
    assert reader_for(FIXED_TECHNOLOGIES).read("Cáp quang") == "ftth"
    for values in (STATION_TYPES, SPEAKER_TYPES):
        assert [reader_for(values).read(t) for t in ("hữu tuyến", "FM", "vô tuyến", "IP", "ứng dụng CNTT")] == \
            ["wired", "fm", "fm", "ip", "ip"]
    assert [reader_for(COVERAGE_EVIDENCE).read(t) for t in ("đo kiểm", "công bố")] == ["measured", "declared"]
    assert reader_for(TERRAINS).read("sa mạc") is None


def test_accent_free_form_of_two_values_is_ambiguous_but_exact_spelling_wins():
    reader = build_reader(("a", "b"), {"a": ("đồi",), "b": ("dối",)})
    assert reader.read("doi") == Ambiguous(("a", "b"))
    assert reader.read("ĐỒI") == "a" and reader.read("dối") == "b"
    assert reader.read("dội") == Ambiguous(("a", "b"))  # other accents: accent-free comparison


def test_fold_choice():
    assert fold_choice("Ki-Ốt  bưu_điện") == "kiốtbưuđiện"
    assert fold_choice("Ki-Ốt", accents=False) == "kiot"


def _validate(tmp_path, **overrides):
    raw, problems = read_inputs(make_valid_input(tmp_path, **overrides))
    return validate_inputs(raw, problems)


def test_validation_reads_vietnamese_spellings_to_codes(tmp_path):
    inputs, problems = _validate(
        tmp_path,
        postal_points=lambda f: f.assign(kind=["BĐVHX", "Thùng thư công cộng"]),
        communes=lambda f: f.assign(terrain=["Trung du", "đồng bằng"]),
        cell_sites=lambda f: f.assign(technology=["lte", "3g"]))
    assert not [p for p in problems if p.severity == "error"], [(p.code, p.layer, p.row) for p in problems]
    assert list(inputs.layers["postal_points"]["kind"]) == ["bdvhx", "thung_thu"]
    assert list(inputs.layers["communes"]["terrain"]) == ["hilly", "flat"]
    assert list(inputs.layers["cell_sites"]["technology"]) == ["4G", "3G"]


def test_validation_refuses_an_ambiguous_spelling_naming_both(tmp_path, monkeypatch):
    import tc8.validate.columns as columns
    from tc8.model.schema import POSTAL_KINDS

    clash = build_reader(POSTAL_KINDS, {"bdvhx": ("đồi",), "dai_ly": ("dối",)})
    monkeypatch.setattr(columns, "reader_for", lambda values: clash if values == POSTAL_KINDS else reader_for(values))
    _, problems = _validate(tmp_path, postal_points=lambda f: f.assign(kind=["Doi", "bdvhx"]))
    found = [p for p in problems if p.code == "ambiguous_enum"]
    assert [(p.layer, p.row, p.field) for p in found] == [("postal_points", "P1", "kind")]
    assert found[0].params["value"] == "Doi" and found[0].params["meanings"] == "bdvhx / dai_ly"
    from tc8.text.messages import render_problem
    what, fix = render_problem(found[0], "vi")
    assert "'Doi'" in what and "bdvhx / dai_ly" in what and "bdvhx / dai_ly" in fix


def test_unknown_spelling_is_still_bad_enum_quoted_as_typed(tmp_path):
    _, problems = _validate(tmp_path, postal_points=lambda f: f.assign(kind=["Bưu  điện ABC", "bdvhx"]))
    bad = [p for p in problems if p.code == "bad_enum"]
    assert [p.params["value"] for p in bad] == ["Bưu  điện ABC"]


def test_the_demo_is_unchanged():
    """Every choice value of the bundled demo reads to itself, and the demo still passes 55 of 109."""
    import pyogrio

    from tc8.io.demo import demo_input_path
    from tc8.pipeline import run_assessment

    path = demo_input_path()  # a folder of one file per layer
    for name, layer in LAYERS.items():
        enums = [c for c in layer.columns if c.kind == "enum"]
        files = sorted(path.glob(f"{name}.*"))
        if not enums or not files:
            continue
        frame = pyogrio.read_dataframe(files[0], read_geometry=False)
        for col in enums:
            for value in frame[col.name].dropna().unique():
                assert reader_for(col.values).read(value) == value, (name, col.name, value)
    communes = run_assessment(path, "ntm-2021-2025").communes
    assert ((communes["status_tc8"] == "dat").sum(), len(communes)) == (55, 109)
