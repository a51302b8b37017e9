"""The compact summary table printed by ``tc8 assess`` (Vietnamese, or English)."""
from __future__ import annotations

from tc8.text.messages import shorten, text
from tc8.model.results import CRITERION, status_column
from tc8.engine.rollup import figure_text

SHORT = {"vi": {"dat": "Đạt", "khong_dat": "KHÔNG", "thieu_du_lieu": "thiếu DL"},
         "en": {"dat": "pass", "khong_dat": "FAIL", "thieu_du_lieu": "missing"}}


def summary_table(results, *, lang: str = "vi", details: bool = False) -> str:
    """One line per commune with each indicator's status, then the province roll-up.

    With ``details`` (or when at most three communes were assessed) the reasons of every
    non-passing indicator follow the table.
    """
    ind_ids = [i for i in results.indicators["indicator"].unique() if i != CRITERION]
    head_code, head_name = ("Mã xã", "Tên xã") if lang == "vi" else ("Code", "Commune")
    cols = [f"{i:>9}" for i in ind_ids] + [f"{'TC8':>9}"]
    lines = [f"{head_code:<6} {head_name:<24}" + "".join(cols), "-" * (31 + 9 * len(cols))]
    short = SHORT[lang]
    communes = results.communes
    for _, row in communes.iterrows():  # bounded printing loop, not a computation
        cells = [f"{short[row[status_column(i)]]:>9}" for i in ind_ids]
        cells.append(f"{short[row['status_tc8']]:>9}")
        lines.append(f"{row['commune_code']:<6} {shorten(row['commune_name'], 24):<24}" + "".join(cells))
    r = results.rollup
    lines.append("")
    lines.append(r["communes_passing_text_vi"] if lang == "vi" else r["communes_passing_text_en"])
    for ind_id in ind_ids:
        c = r["indicators"][ind_id]
        lines.append(f"  {ind_id}: {c['dat']} {short['dat']}, {c['khong_dat']} {short['khong_dat']}, "
                     f"{c['thieu_du_lieu']} {short['thieu_du_lieu']}")
    radius = figure_text(r, "postal_service_radius_km", lang, 3)
    per_point = figure_text(r, "population_per_postal_point", lang, 0)
    points = figure_text(r, "postal_points", lang, 0)
    bdvhx = figure_text(r, "share_communes_with_bdvhx_pct", lang, 1, "%")
    fixed = figure_text(r, "share_villages_fixed_broadband_pct", lang, 1, "%")
    mobile = figure_text(r, "share_villages_mobile_broadband_pct", lang, 1, "%")
    if lang == "vi":
        lines.append(f"Điểm phục vụ bưu chính: {points}; bán kính phục vụ bình quân {radius} km/điểm; "
                     f"người/điểm {per_point}; xã có BĐVHX {bdvhx}")
        lines.append(f"Thôn có băng rộng cố định {fixed}, di động {mobile}")
    else:
        lines.append(f"Postal points: {points}; average service radius {radius} km/point; "
                     f"people/point {per_point}; communes with a BĐVHX {bdvhx}")
        lines.append(f"Villages with fixed broadband {fixed}, mobile broadband {mobile}")
    if results.synthetic_layers:
        note = "Lớp dữ liệu giả lập" if lang == "vi" else "Synthetic layers"
        lines.append(f"{note}: {', '.join(results.synthetic_layers)}")
    if details or len(communes) <= 3:
        lines.append("")
        bad = results.indicators[results.indicators["status"] != "dat"]
        for _, row in bad.iterrows():
            if row["indicator"] == CRITERION:
                continue
            why = row[f"reasons_{lang}"] or row[f"missing_{lang}"]
            lines.append(f"[{row['commune_code']} {row['indicator']} {text('status.' + row['status'], lang)}] {why}")
    return "\n".join(lines)
