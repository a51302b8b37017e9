"""``tc8 plan`` end to end on the bundled demo: plan.csv / plan.gpkg, applied.gpkg, and the proof
(``tc8 assess`` on applied.gpkg gives ``dat`` for every commune the plan claims fixable);
a bad cost file is a clear error (exit 1)."""
from __future__ import annotations

import pandas as pd
import pyogrio
from click.testing import CliRunner

from tc8.cli.main import cli
from tc8.io.demo import demo_input_path

RULES = "ntm-2021-2025"


def test_demo_plan_then_assess_applied(tmp_path):
    out = tmp_path / "plan"
    run = CliRunner().invoke(cli, ["plan", str(demo_input_path()), "--rules", RULES, "-o", str(out),
                                   "--write-applied", "--lang", "en", "-q"])
    assert run.exit_code == 0, run.output
    assert "54 communes do not pass" in run.output and "EXAMPLE PRICES" in run.output
    table = pd.read_csv(out / "plan.csv", encoding="utf-8-sig", dtype={"commune_code": str})
    assert (out / "plan.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert set(table["kind"]) >= {"intervention", "collect_first"}
    assert table["example_prices"].all()
    assert (out / "plan.xlsx").exists()
    layers = {name for name, _ in pyogrio.list_layers(out / "plan.gpkg")}
    assert {"plan", "plan_lines", "plan_communes"} <= layers
    communes = pyogrio.read_dataframe(out / "plan.gpkg", layer="plan_communes")
    claimed = set(communes.loc[communes["fixable"].astype(bool), "commune_code"].astype(str))
    assert claimed
    again = CliRunner().invoke(cli, ["assess", str(out / "applied.gpkg"), "--rules", RULES,
                                     "-o", str(tmp_path / "after"), "-q"])
    assert again.exit_code == 0, again.output
    after = pd.read_csv(tmp_path / "after" / "results.csv", encoding="utf-8-sig", dtype=str)
    criterion = after[after["indicator"] == "TC8"].set_index("commune_code")["status"]
    assert (criterion.loc[sorted(claimed)] == "dat").all()


def test_bad_cost_file_exits_1(tmp_path):
    costs = tmp_path / "costs.yaml"
    costs.write_text("actions:\n  it_websit: {unit: item, cost: 1}\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["plan", str(demo_input_path()), "--rules", RULES, "-o", str(tmp_path / "o"),
                                   "--costs", str(costs)])
    assert run.exit_code == 1
    assert "it_websit" in run.output and "Traceback" not in run.output
    assert not (tmp_path / "o" / "plan.csv").exists()
