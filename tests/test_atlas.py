"""``tc8 map`` writes one offline atlas folder (issue 12, point 3): shared assets once, an overview
(``index.html``) whose search index reaches every commune page, pages that link back, the same
bytes for any ``--jobs``, and a title that is never empty. The browser test is test_atlas_browser.py.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from builders import A, B
from test_maps import COMMUNE, hostile_input, hostile_results

DATE = "2025-06-30"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return hostile_results(tmp_path_factory.mktemp("atlas-input"))


@pytest.fixture(scope="module")
def atlas(results, tmp_path_factory):
    from tc8.maps.atlas import write_atlas

    out = tmp_path_factory.mktemp("atlas") / "maps"
    return out, write_atlas(results, out, date=DATE)


def search_data(index: Path) -> dict:
    """The ``tc8_atlas`` object the overview's search box reads."""
    page = index.read_text(encoding="utf-8")
    raw = re.search(r"var tc8_atlas = (\{.*?\});</script>", page, re.S).group(1)
    return json.loads(raw)


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_assets_written_once_and_linked(atlas):
    out, written = atlas
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files.count("assets/leaflet/leaflet.js") == 1 and "assets/atlas.js" in files
    assert "assets/leaflet/images/layers.png" in files  # leaflet.css refers to it
    assert sorted(p.name for p in (out / "communes").iterdir()) == [f"{A}.html", f"{B}.html"]
    leaflet = (out / "assets/leaflet/leaflet.js").read_text(encoding="utf-8")
    assert "sourceMappingURL" not in leaflet
    for page in [out / "index.html", *written["communes"].values()]:
        html = page.read_text(encoding="utf-8")
        assert "/* leaflet/leaflet.js */" not in html and leaflet[:2000] not in html  # linked, not inlined
        for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
            assert (page.parent / src).resolve().is_file(), f"{page.name} links a missing {src}"
    assert written["province"] == out / "index.html"


def test_every_commune_reachable_and_back(results, atlas):
    out, written = atlas
    data = search_data(out / "index.html")
    rows = {row[0]: row for row in data["communes"]}
    assert set(rows) == set(results.communes["commune_code"].astype(str)) == {A, B}
    for code, row in rows.items():
        page = out / row[4]
        assert page == written["communes"][code] and page.is_file()
        html = page.read_text(encoding="utf-8")
        assert 'href="../index.html"' in html and "Về bản đồ tổng quan" in html
        assert '"s_tc8"' in html  # the village statuses of Results.village_status, as before
    south, west, north, east = rows[A][5]
    assert south < north and west < east and 5 < south < 25 and 100 < west < 115
    # the overview popup links the commune page too (a click on the commune)
    assert f'communes/{A}.html' in out.joinpath("index.html").read_text(encoding="utf-8")


def test_search_data_has_code_and_name(atlas):
    out, _ = atlas
    data = search_data(out / "index.html")
    row = next(r for r in data["communes"] if r[0] == A)
    assert row[1] == COMMUNE  # the name as text (the page's JSON escapes "<")
    assert "\\u003cb>" in (out / "index.html").read_text(encoding="utf-8")
    assert data["limit"] > 0 and data["none"]


def test_overview_popups_are_light_commune_pages_have_reasons(results, atlas):
    out, written = atlas
    reason = next(r for r in results.indicators["reasons_vi"].dropna().astype(str) if len(r) > 20)
    assert reason[:20] in _unescaped(written["communes"][A].read_text(encoding="utf-8")) or \
        reason[:20] in _unescaped(written["communes"][B].read_text(encoding="utf-8"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert reason[:20] not in _unescaped(index)
    assert '"popup":"\\u003cdiv' not in index  # no popup HTML per commune: the page builds it (templates/atlas.js) from
    words = search_data(out / "index.html")["popup"]  # the statuses, these words and the search index
    assert words["rows"] == [["TC8", "status_tc8"], ["8.1", "status_8_1"], ["8.2", "status_8_2"],
                             ["8.3", "status_8_3"], ["8.4", "status_8_4"]]
    assert words["labels"]["dat"] == "Đạt" and words["open"] == "Mở bản đồ xã"


def _unescaped(html: str) -> str:
    return html.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&").replace('\\"', '"')


def test_overview_only_writes_no_commune_file(results, tmp_path):
    from tc8.maps.atlas import write_atlas

    written = write_atlas(results, tmp_path / "o", date=DATE, overview_only=True)
    assert written["communes"] == {} and not (tmp_path / "o" / "communes").exists()
    assert (tmp_path / "o" / "index.html").is_file() and (tmp_path / "o" / "assets/leaflet/leaflet.js").is_file()
    data = search_data(tmp_path / "o" / "index.html")
    assert {r[0] for r in data["communes"]} == {A, B} and all(r[4] == "" for r in data["communes"])
    assert "communes/" not in (tmp_path / "o" / "index.html").read_text(encoding="utf-8")


def test_same_bytes_with_one_and_two_processes(results, tmp_path):
    from tc8.maps.atlas import write_atlas

    write_atlas(results, tmp_path / "j1", date=DATE, jobs=1, png=True)
    write_atlas(results, tmp_path / "j2", date=DATE, jobs=2, png=True)
    one, two = tree_hashes(tmp_path / "j1"), tree_hashes(tmp_path / "j2")
    assert len(one) > 10 and f"communes/{A}.png" in one
    assert one == two


def test_refuses_existing_atlas_unless_overwrite(results, tmp_path):
    from tc8.maps.atlas import write_atlas
    from tc8.model.errors import OutputExistsError

    write_atlas(results, tmp_path / "x", date=DATE, overview_only=True)
    with pytest.raises(OutputExistsError):
        write_atlas(results, tmp_path / "x", date=DATE)
    write_atlas(results, tmp_path / "x", date=DATE, overwrite=True, communes=[B])
    assert [p.name for p in (tmp_path / "x" / "communes").iterdir()] == [f"{B}.html"]


def _title(communes, lang="vi") -> str:
    from tc8.maps.province import _province_name

    return _province_name(communes, lang)


def test_title_is_never_empty():
    one = pd.DataFrame({"province_name": ["Lâm Đồng"] * 3, "province_code": ["68"] * 3})
    assert _title(one) == "Lâm Đồng"
    blank = pd.DataFrame({"province_name": ["", None, " "], "province_code": ["68"] * 3})
    assert _title(blank) == "Tỉnh 68"
    none = pd.DataFrame({"commune_name": ["a", "b"]})
    assert _title(none) == "2 xã" and _title(none, "en") == "2 communes"
    two = pd.DataFrame({"province_name": [None] * 3, "province_code": ["68", "68", "67"]})
    assert _title(two) == "2 tỉnh — 3 xã"
    country = pd.DataFrame({"province_name": [""] * 11163, "province_code": [str(i % 63) for i in range(11163)]})
    assert _title(country) == "Toàn quốc — 11.163 xã"
    assert _title(country, "en") == "Whole country — 11,163 communes"


def test_overview_title_in_page_without_province_name(results, tmp_path):
    from tc8.maps.atlas import write_atlas

    res = results.__class__.__new__(results.__class__)
    res.__dict__.update(results.__dict__)
    res.communes = results.communes.assign(province_name=None, province_code=["66", "67"])
    write_atlas(res, tmp_path / "t", date=DATE, overview_only=True)
    html = (tmp_path / "t" / "index.html").read_text(encoding="utf-8")
    assert "<title>2 tỉnh — 2 xã — Tiêu chí số 8 theo xã</title>" in html
    assert "<h1>2 tỉnh — 2 xã — Tiêu chí số 8 theo xã</h1>" in html


def test_cli_map_overview_only_progress_and_jobs(tmp_path):
    from tc8.cli.main import cli

    src = hostile_input(tmp_path)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["map", str(src), "--rules", "ntm-2021-2025", "-o", str(out), "--overview-only"])
    assert res.exit_code == 0, res.output
    assert (out / "index.html").is_file() and not (out / "communes").exists()
    assert "Vẽ bản đồ xã: 1/1 (100 %)" in res.stderr
    res = CliRunner().invoke(cli, ["map", str(src), "--rules", "ntm-2021-2025", "-o", str(out), "--overwrite",
                                   "-q", "--jobs", "2", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert res.stderr == "" and f"Province map: {out / 'index.html'}" in res.stdout
    assert sorted(p.name for p in (out / "communes").iterdir()) == [f"{A}.html", f"{B}.html"]
    res = CliRunner().invoke(cli, ["map", str(src), "--rules", "ntm-2021-2025", "-o", str(out), "--jobs", "0"])
    assert res.exit_code == 2
