"""results.gpkg and the input template opened in a real QGIS (Debian python3-qgis, QGIS 3.22).

QGIS's Python lives in the system python (``/usr/bin/python3``), not in the project's
virtualenv: the test writes the files with tc8, then runs ``tests/qgis_check.py`` with that
python, headless (``QT_QPA_PLATFORM=offscreen``), and checks what QGIS reports. ``make test``
installs python3-qgis (target ``system-deps``). Without it the test FAILS (it must not skip
in CI); set ``TC8_SKIP_QGIS=1`` to skip it on a machine without apt.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tc8.model.palette import STATUS_COLORS
from tc8.model.schema import LAYERS

SYSTEM_PYTHON = os.environ.get("TC8_QGIS_PYTHON", "/usr/bin/python3")
SCRIPT = Path(__file__).with_name("qgis_check.py")
INSTALL_HINT = ("QGIS's Python is missing: `make test` installs it (Debian python3-qgis, target system-deps); "
                "by hand: sudo apt-get install python3-qgis. TC8_SKIP_QGIS=1 skips this test.")


def _qgis_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                           env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return probe.returncode == 0


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if os.environ.get("TC8_SKIP_QGIS") == "1":
        pytest.skip("TC8_SKIP_QGIS=1")
    if not _qgis_available():
        pytest.fail(INSTALL_HINT, pytrace=False)
    from tc8.io.demo import demo_input_path
    from tc8.io.template import write_template
    from tc8.outputs.files import write_results
    from tc8.pipeline import run_assessment

    base = tmp_path_factory.mktemp("qgis")
    write_results(run_assessment(demo_input_path(), "ntm-2021-2025"), base / "out", lang="vi")
    template = write_template(base / "mau-nhap-lieu.gpkg")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["HOME"] = str(base)  # QGIS writes its profile there, not in the user's home
    done = subprocess.run([SYSTEM_PYTHON, str(SCRIPT), str(base / "out" / "results.gpkg"), str(template),
                           str(base / "communes.png")], capture_output=True, text=True, env=env, timeout=300)
    found = [line for line in done.stdout.splitlines() if line.startswith("TC8-QGIS-REPORT ")]
    assert found, f"QGIS script failed (exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return json.loads(found[0].split(" ", 1)[1])


EXPECTED_RESULTS = {"communes": 6, "villages": 1, "village_areas": 6, "postal_points": 1, "cell_sites": 1,
                    "coverage": 6, "fixed_access": 1, "radio_stations": 1, "speakers": 1}  # QGIS wkb types


def test_it_is_qgis_3(report):
    assert report["qgis"].startswith("3.")


def test_every_result_layer_is_valid_with_the_style_tc8_wrote(report):
    layers = report["results"]
    assert set(EXPECTED_RESULTS) <= set(layers)
    for name, info in layers.items():
        if name == "layer_styles":
            continue
        assert info["valid"], name
        assert info["style_loaded"], (name, info["style_message"])
    for name, wkb in EXPECTED_RESULTS.items():
        assert layers[name]["wkb"] == wkb, name  # 1 Point, 6 MultiPolygon (never the generic Unknown)


@pytest.mark.parametrize("layer", ["communes", "villages", "village_areas"])
def test_status_renderer_with_the_map_palette(report, layer):
    info = report["results"][layer]
    assert info["renderer"] == "categorizedSymbol" and info["field"] == "status_tc8"
    assert info["categories"] == [[s, label, STATUS_COLORS[s]] for s, label in
                                  (("dat", "Đạt"), ("khong_dat", "Không đạt"), ("thieu_du_lieu", "Thiếu dữ liệu"))]
    assert info["aliases"]["status_tc8_text"] == "TC8: kết quả"
    assert info["labels"] == (layer == "communes")


def test_other_layers_styled(report):
    layers = report["results"]
    assert (layers["postal_points"]["renderer"], layers["postal_points"]["field"]) == ("categorizedSymbol", "qualifies")
    assert layers["cell_sites"]["field"] == "technology" and layers["radio_stations"]["field"] == "station_ok"
    assert layers["communes"]["aliases"]["commune_name"] == "Tên xã"
    assert layers["communes"]["aliases"]["reason"] == "Lý do (tóm tắt)"


def test_rendered_communes_show_the_status_colours(report):
    colours = report["communes_png_colours"]

    def blended(hex_color):  # fill opacity 170/255 over white
        return "#" + "".join(f"{255 - (255 - int(hex_color[i:i + 2], 16)) * 170 // 255:02x}" for i in (1, 3, 5))

    for status, colour in STATUS_COLORS.items():
        near = sum(n for c, n in colours.items()
                   if all(abs(int(c[i:i + 2], 16) - int(blended(colour)[i:i + 2], 16)) <= 2 for i in (1, 3, 5)))
        assert near > 500, (status, blended(colour), sorted(colours.items(), key=lambda x: -x[1])[:6])


def test_template_choice_columns_carry_their_value_lists(report):
    template = report["template"]
    for name, layer in LAYERS.items():
        info = template[name]
        assert info["valid"] and info["style_loaded"], name
        for col in layer.columns:
            if col.kind != "enum":
                continue
            for source in ("widgets", "widgets_from_domains"):  # our style; GDAL field domain alone
                widget = info[source].get(col.name)
                assert widget and widget["type"] == "ValueMap", (name, col.name, source)
                assert sorted(widget["map"]) == sorted(col.values), (name, col.name, source)
    assert template["postal_points"]["widgets"]["kind"]["map"]["bdvhx"] == "Điểm Bưu điện - Văn hoá xã (BĐVHX)"
    assert template["communes"]["widgets_from_domains"]["terrain"]["map"]["mountainous"] == "Miền núi"


def test_missing_qgis_fails_with_the_install_hint(monkeypatch):
    """Without QGIS the fixture fails (never skips) and says how to install it."""
    monkeypatch.setattr(sys.modules[__name__], "SYSTEM_PYTHON", "/nonexistent/python3")
    assert not _qgis_available()
    assert "make test" in INSTALL_HINT and "python3-qgis" in INSTALL_HINT
