"""tc8.text.reason_line.commune_reason_line: one line per commune from Results.indicators."""
import pandas as pd
import pytest

from tc8.text.reason_line import LIMIT, commune_reason_line


def _rows(code, statuses, reasons=None, missing=None, tc8="khong_dat"):
    out = []
    for i, (ind, st) in enumerate(statuses.items()):
        out.append({"commune_code": code, "indicator": ind, "status": st,
                    "reasons_vi": (reasons or {}).get(ind, ""), "reasons_en": (reasons or {}).get(ind, ""),
                    "missing_vi": (missing or {}).get(ind, ""), "missing_en": (missing or {}).get(ind, "")})
    out.append({"commune_code": code, "indicator": "TC8", "status": tc8, "reasons_vi": "", "reasons_en": "",
                "missing_vi": "", "missing_en": ""})
    return out


ALL_PASS = {"8.1": "dat", "8.2": "dat", "8.3": "dat", "8.4": "dat"}


def test_pass_all_and_failures_in_words():
    frame = pd.DataFrame(
        _rows("001", ALL_PASS, tc8="dat")
        + _rows("002", {"8.1": "dat", "8.2": "khong_dat", "8.3": "dat", "8.4": "thieu_du_lieu"},
                reasons={"8.2": "Mọi thôn có Internet: 50,0% — yêu cầu >= 100,0% — Thôn A, Thôn B; thứ hai"},
                missing={"8.4": "Số liệu CNTT của xã: Cổng thông tin (nguồn: UBND xã); khác"}))
    vi = commune_reason_line(frame, "vi")
    assert list(vi.index) == ["001", "002"]
    assert vi["001"] == "Đạt cả 4 chỉ tiêu"
    assert vi["002"] == ("Không đạt 8.2: 50,0% — yêu cầu >= 100,0% — Thôn A, Thôn B; "
                         "thiếu dữ liệu 8.4: Cổng thông tin (nguồn: UBND xã)")
    en = commune_reason_line(frame, "en")
    assert en["001"] == "Passes all 4 indicators"
    assert en["002"].startswith("Fails 8.2: 50,0%") and "; missing data for 8.4: " in en["002"]


def test_failures_before_missing_and_every_id_named_within_limit():
    long = "Nhãn: " + "x" * 400
    frame = pd.DataFrame(_rows("9", {"8.1": "thieu_du_lieu", "8.2": "khong_dat", "8.3": "khong_dat",
                                     "8.4": "thieu_du_lieu"},
                               reasons={"8.2": long, "8.3": long}, missing={"8.1": long, "8.4": long}))
    line = commune_reason_line(frame, "vi")["9"]
    assert len(line) <= LIMIT
    order = [line.index(s) for s in ("Không đạt 8.2", "không đạt 8.3", "thiếu dữ liệu 8.1", "thiếu dữ liệu 8.4")]
    assert order == sorted(order)
    assert line.count("…") == 4


def test_failing_without_sentence_names_the_indicator_only():
    frame = pd.DataFrame(_rows("7", {"8.1": "khong_dat", "8.2": "dat"}))
    assert commune_reason_line(frame, "vi")["7"] == "Không đạt 8.1"


def test_empty_frame():
    frame = pd.DataFrame(columns=["commune_code", "indicator", "status", "reasons_vi", "missing_vi"])
    assert commune_reason_line(frame, "vi").empty


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_demo_every_commune_has_a_short_line(lang):
    results = _demo_results()
    line = commune_reason_line(results.indicators, lang)
    assert set(line.index) == set(results.communes["commune_code"].astype(str))
    assert line.str.len().max() <= LIMIT and (line != "").all()
    passing = results.communes.set_index(results.communes["commune_code"].astype(str))["status_tc8"] == "dat"
    word = "Đạt cả" if lang == "vi" else "Passes all"
    assert (line[passing[passing].index].str.startswith(word)).all()
    assert not line[passing[~passing].index].str.startswith(word).any()


_CACHE = {}


def _demo_results():
    if "r" not in _CACHE:
        from tc8.io.demo import demo_input_path
        from tc8.pipeline import run_assessment
        _CACHE["r"] = run_assessment(demo_input_path(), "ntm-2021-2025")
    return _CACHE["r"]


def test_not_passing_without_failing_indicator_quotes_the_criterion_row():
    rows = _rows("5", {"8.1": "dat"})
    rows[-1]["reasons_vi"] = "Nhãn: lý do riêng; thêm"
    assert commune_reason_line(pd.DataFrame(rows), "vi")["5"] == "lý do riêng"
