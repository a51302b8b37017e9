"""The whole job from Python (:func:`tc8.pipeline.run_job`): results, maps and dossiers in one
call, the same files ``tc8 demo`` writes; and the demo command, a thin wrapper over it, still
prints the summary table."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from builders import A, B, make_valid_input
from tc8.cli.main import cli
from tc8.model.errors import OutputExistsError
from tc8.outputs.terminal import summary_table
from tc8.pipeline import JobResult, run_assessment, run_job

RULES = "ntm-2016-2020"


@pytest.fixture(scope="module")
def input_dir(tmp_path_factory):
    return make_valid_input(tmp_path_factory.mktemp("job"))


@pytest.fixture(scope="module")
def job(input_dir, tmp_path_factory) -> JobResult:
    return run_job(input_dir, RULES, output=tmp_path_factory.mktemp("out") / "job", dossier_maps=False)


def test_run_job_writes_results_maps_and_dossiers(job):
    assert isinstance(job, JobResult)
    assert set(job.result_files) == {"results.gpkg", "results.csv", "results.json", "tong-hop.xlsx"}
    assert all(p.is_file() for p in job.result_files.values())
    assert job.province_map is not None and job.province_map.is_file()
    assert set(job.commune_maps) == {A, B} and all(p.is_file() for p in job.commune_maps.values())
    assert set(job.commune_dossiers) == {A, B} and all(p.is_dir() for p in job.commune_dossiers.values())
    assert job.province_workbook is not None and job.province_workbook.is_file()
    assert list(job.paths()) == ["results.gpkg", "results.csv", "results.json", "tong-hop.xlsx", "map_overview",
                                 "dossiers", "province_workbook"]


def test_run_job_results_are_those_of_run_assessment(job, input_dir):
    alone = run_assessment(input_dir, RULES)
    cols = ["commune_code", "indicator", "status"]
    pd.testing.assert_frame_equal(job.results.indicators[cols].reset_index(drop=True),
                                  alone.indicators[cols].reset_index(drop=True))
    written = pd.read_csv(job.result_files["results.csv"], dtype=str)
    assert list(written["status"]) == list(job.results.indicators["status"])
    doc = json.loads(job.result_files["results.json"].read_text(encoding="utf-8"))
    assert doc["generated_at"] == job.generated_at
    assert doc["rollup"]["communes_passing_text_en"] == f"{doc['rollup']['communes_passing']}/2 communes pass"


def test_run_job_refuses_existing_outputs_before_assessing(job, input_dir, monkeypatch):
    import tc8.pipeline as pipeline

    def never(*args, **kwargs):
        raise AssertionError("assessed although the outputs exist")

    monkeypatch.setattr(pipeline, "run_assessment", never)
    with pytest.raises(OutputExistsError):
        run_job(input_dir, RULES, output=job.output)


def test_run_job_parts_can_be_switched_off(input_dir, tmp_path):
    seen = []
    job = run_job(input_dir, RULES, output=tmp_path / "only", maps=False, dossiers=False, on_results=seen.append)
    assert seen == [job.results]
    assert job.province_map is None and job.dossiers_dir is None and not job.commune_dossiers
    assert sorted(p.name for p in (tmp_path / "only").iterdir()) == ["results.csv", "results.gpkg", "results.json",
                                                                          "tong-hop.xlsx"]


def test_demo_prints_the_summary_then_the_paths(input_dir, tmp_path, monkeypatch):
    import tc8.cli.demo as demo

    monkeypatch.setattr(demo, "demo_input_path", lambda: input_dir)
    out = tmp_path / "demo"
    res = CliRunner().invoke(cli, ["demo", "-o", str(out), "--rules", RULES, "--lang", "en"])
    assert res.exit_code == 0, res.output
    table = summary_table(run_assessment(input_dir, RULES), lang="en")
    assert res.output.startswith(table + "\n\n")
    tail = res.output[len(table) + 2:].splitlines()
    assert [line.split(": ", 1)[0] for line in tail[:7]] == ["results.gpkg", "results.csv", "results.json",
                                                            "summary.xlsx", "map_overview", "dossiers",
                                                            "province_workbook"]
    assert tail[-1] == f"Results in: {out.resolve()}"
