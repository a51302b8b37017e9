"""tc8.plan.lookup: a commune's rows found from a grouping made once give exactly what the
boolean selection gives (rows, order, index, columns), and the grouping follows the frame."""
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from tc8.plan.lookup import commune_rows, first_value, group, grouped_records, positions


@pytest.fixture
def frame():
    codes = pd.array(["02", "01", "02", None, "03", "01", "02"], dtype="string")
    return gpd.GeoDataFrame({"commune_code": codes, "village_id": [f"V{i}" for i in range(7)],
                             "population": pd.array([5, None, 7, 1, 2, 3, 4], dtype="Int64")},
                            geometry=[Point(i, i) for i in range(7)], index=[10, 11, 12, 13, 14, 15, 16])


@pytest.mark.parametrize("code", ["01", "02", "03", "99"])
def test_same_rows_as_the_boolean_selection(frame, code):
    expected = frame.loc[frame["commune_code"] == code]
    got = commune_rows(frame, code)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got.index) == list(expected.index)
    assert isinstance(got, gpd.GeoDataFrame)


def test_only_some_columns(frame):
    got = commune_rows(frame, "02", columns=("population", "absent", "geometry"))
    assert list(got.columns) == ["population", "geometry"]
    assert list(got.index) == [10, 12, 16]
    assert list(got["population"]) == [5, 7, 4]
    assert got.geometry.iloc[2].equals(Point(6, 6))


def test_first_value(frame):
    assert first_value(frame, "01", "village_id") == "V1"
    assert first_value(frame, "02", "population") == 5
    assert first_value(frame, "99", "village_id") is None


def test_grouping_follows_a_longer_frame(frame):
    assert list(positions(frame)["01"]) == [1, 5]
    longer = frame  # same object, one more row: grouped again
    longer.loc[17] = ["01", "V7", 8, Point(7, 7)]
    assert list(positions(longer)["01"]) == [1, 5, 7]
    assert list(commune_rows(longer, "01")["village_id"]) == ["V1", "V5", "V7"]


def test_grouped_records_like_groupby(frame):
    frame["indicator"] = ["8.2", "8.1", "8.1", "8.1", "8.3", "8.1", "8.2"]
    got = [(key, [r.Index for r in rows]) for key, rows in grouped_records(frame, ("commune_code", "indicator"))]
    expected = [(key, list(rows.index)) for key, rows in frame.groupby(["commune_code", "indicator"], sort=True)]
    assert got == expected
    assert got[0] == (("01", "8.1"), [11, 15])


def test_group_positions():
    got = group(pd.Series(["b", None, "a", "b"], dtype="string"))
    assert {k: list(v) for k, v in got.items()} == {"b": [0, 3], "a": [2]}
