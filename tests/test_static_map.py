"""The commune PNG (tc8.maps.static, drawn with Pillow): a valid picture of the expected size,
villages in the colours of the statuses Results gives them, the same bytes on every run."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import shapely
from PIL import Image

from builders import A, make_valid_input

from tc8.maps.raster import mix
from tc8.maps.select import commune_view
from tc8.maps.static import MAP_INCHES, VILLAGE_ALPHA, compose, render_commune_png
from tc8.maps.style import STATUS_COLORS

DATE = "2025-06-30"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from tc8.pipeline import run_assessment

    return run_assessment(make_valid_input(tmp_path_factory.mktemp("static")), "ntm-2021-2025")


@pytest.fixture
def three_statuses(results):
    """Commune A with one village of each status: V1 dat, V2 khong_dat and an added V9 thieu_du_lieu
    (inside A, where nothing else is drawn)."""
    res = copy.copy(results)
    villages, status = results.villages.copy(), results.village_status.copy()
    v1 = villages.index[villages["village_id"] == "V1"][0]
    v2 = villages.index[villages["village_id"] == "V2"][0]
    commune = results.communes.geometry[results.communes["commune_code"].astype(str) == A].iloc[0]
    minx, miny, maxx, maxy = commune.bounds  # an empty part of A's square (the others are not there)
    spot = shapely.Point(minx + 0.7 * (maxx - minx), miny + 0.3 * (maxy - miny))
    assert commune.contains(spot)
    new = villages.index.max() + 1
    villages.loc[new] = villages.loc[v2]
    villages.loc[new, "village_id"] = "V9"
    villages.loc[new, "nearest_postal_id"] = None
    villages = villages.set_geometry(villages.geometry.where(villages.index != new, spot), crs=results.villages.crs)
    status.loc[new] = status.loc[v2]
    cols = [c for c in status.columns if c.startswith("s_")]
    status.loc[v1, cols], status.loc[v2, cols], status.loc[new, cols] = "dat", "khong_dat", "thieu_du_lieu"
    res.villages, res.village_status = villages, status
    return res, {"V1": v1, "V2": v2, "V9": new}


def _pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).reshape(-1, 3)


def _count(pixels: np.ndarray, status: str) -> int:
    """Pixels painted exactly in a village's colour for ``status`` (legend markers use the pure colour)."""
    return int((pixels == mix(STATUS_COLORS[status], VILLAGE_ALPHA)).all(axis=1).sum())


def test_png_is_valid_and_of_the_expected_size(results, tmp_path):
    path = render_commune_png(results, A, tmp_path / "a.png", date=DATE)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        image.verify()
    picture = compose(commune_view(results, A), results, date=DATE)
    with Image.open(path) as image:
        assert image.size == picture.image.size and image.mode == "RGB"
        width, height = image.size
    # the map panel: 6.4 inches on its longer side at 120 dpi = 768 px; legend to its right
    assert max(picture.frame.width, picture.frame.height) == round(MAP_INCHES * 120) == 768
    assert width > picture.frame.width + 200 and height > picture.frame.height + 40
    small = compose(commune_view(results, A), results, dpi=60, date=DATE)
    assert max(small.frame.width, small.frame.height) == 384


def test_villages_have_the_colour_of_their_status(three_statuses, tmp_path):
    res, rows = three_statuses
    pixels = _pixels(render_commune_png(res, A, tmp_path / "a.png", date=DATE))
    for status in ("dat", "khong_dat", "thieu_du_lieu"):
        assert _count(pixels, status) >= 40, status  # a village marker is ~130 px, its inside exactly this colour
    picture = compose(commune_view(res, A), res, date=DATE)
    image = np.asarray(Image.open(tmp_path / "a.png").convert("RGB"))
    for vid, status in (("V1", "dat"), ("V2", "khong_dat"), ("V9", "thieu_du_lieu")):
        point = shapely.point_on_surface(res.villages.geometry.loc[[rows[vid]]].values)
        x, y = np.round(picture.at(shapely.get_coordinates(point))[0]).astype(int)
        window = image[y - 3:y + 4, x - 3:x + 4].reshape(-1, 3)
        assert (window == mix(STATUS_COLORS[status], VILLAGE_ALPHA)).all(axis=1).sum() >= 10, vid


def test_a_tampered_village_changes_colour(three_statuses, tmp_path):
    res, rows = three_statuses
    before = _pixels(render_commune_png(res, A, tmp_path / "before.png", date=DATE))
    tampered = copy.copy(res)
    tampered.village_status = res.village_status.copy()
    tampered.village_status.loc[rows["V1"], "s_tc8"] = "khong_dat"
    after = _pixels(render_commune_png(tampered, A, tmp_path / "after.png", date=DATE))
    assert _count(before, "dat") >= 40 and _count(after, "dat") == 0
    assert _count(after, "khong_dat") >= _count(before, "khong_dat") + 40
    assert _count(after, "thieu_du_lieu") == _count(before, "thieu_du_lieu")


def test_same_results_same_bytes(three_statuses, tmp_path):
    res, _ = three_statuses
    one = render_commune_png(res, A, tmp_path / "one.png", date=DATE, lang="vi").read_bytes()
    two = render_commune_png(res, A, tmp_path / "two.png", date=DATE, lang="vi").read_bytes()
    assert one == two
    english = render_commune_png(res, A, tmp_path / "en.png", date=DATE, lang="en").read_bytes()
    assert english != one
