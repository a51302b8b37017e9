"""The shipped official lists (tc8.io.admin_units): sizes, 5-digit codes, codes of two years."""
from tc8.io.admin_units import conversion, pad_code, units, units_2024, units_2025

import pandas as pd


def test_lists_have_the_official_sizes_and_five_digit_codes():
    a, b, c = units_2024(), units_2025(), conversion()
    assert (len(a), len(b), len(c)) == (10_051, 3_321, 10_565)
    assert c["code_2024"].nunique() == 10_033
    assert (a["code"].str.len() == 5).all() and (b["code"].str.len() == 5).all()
    assert b["type"].value_counts().to_dict() == {"xã": 2621, "phường": 687, "đặc khu": 13}


def test_one_number_two_places():
    """24781 is Phường 2 (Đà Lạt) in 2024 and Phường Xuân Hương – Đà Lạt in 2025 (issue 10)."""
    assert units(2024).set_index("code").loc["24781", "name"] == "Phường 2"
    assert "Xuân Hương" in units(2025).set_index("code").loc["24781", "name"]


def test_pad_code_pads_and_keeps_empty():
    got = pad_code(pd.Series(["4", "24781", "4.0", "", None], dtype=object)).tolist()
    assert got[:3] == ["00004", "24781", "00004"] and pd.isna(got[3]) and pd.isna(got[4])
