"""The library's front door: assess, and the whole job (assess + result files + maps + dossiers).

Everything the CLI does is available here for Python users::

    from tc8.pipeline import run_assessment, run_job
    results = run_assessment("province.gpkg", "ntm-2021-2025")
    job = run_job("province.gpkg", "ntm-2021-2025", output="out")   # out/results.*, maps/, dossiers/
    job.results.rollup["communes_passing"], job.province_workbook

``tc8 assess`` and ``tc8 demo`` are thin wrappers over :func:`run_job`. Heavy modules (pandas,
the engine, maps, workbooks) are imported inside the functions, so importing this module is cheap.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tc8.model.inputs import InputPolicy
    from tc8.model.results import Results
    from tc8.dossier.verify import VerifyReport

log = logging.getLogger(__name__)

#: sub-folders of a job's output folder
MAPS_DIR, DOSSIERS_DIR = "maps", "dossiers"


def run_assessment(input_path: str | os.PathLike, rules: str | os.PathLike, *,
                   communes: Iterable[str] | None = None, population: str | os.PathLike | None = None,
                   metric_crs: str | None = None, policy: InputPolicy | None = None, phases=None) -> Results:
    """Assess ``input_path`` against ``rules`` (a shipped id or a rule-set file); ``policy``: how
    strictly the input is taken (:class:`~tc8.model.inputs.InputPolicy`, default the defaults).

    Raises :class:`~tc8.model.errors.InputError` listing every input problem,
    :class:`~tc8.model.errors.RuleSetError` for a bad rule file, :class:`~tc8.model.errors.Tc8Error`
    for an unknown commune code. ``phases``: a :class:`tc8.io.progress.Phases` told when reading and
    assessing end (:func:`job_phases`).
    """
    from tc8.engine.assess import assess
    from tc8.rules.load import load_rule_set
    from tc8.validate.run import load_and_validate

    rule_set = load_rule_set(rules)
    t0 = time.perf_counter()
    inputs = load_and_validate(input_path, population=population, metric_crs=metric_crs, policy=policy)
    rule_set.check_inputs(inputs)  # checks that need both (the 2026 commune groups)
    t1 = time.perf_counter()
    end_phase(phases, "read", size=len(inputs.get("communes")))
    results = assess(inputs, rule_set, communes=list(communes) if communes else None)
    t2 = time.perf_counter()
    end_phase(phases, "assess")
    log.info("read+validate %.2f s, assess %.2f s (%d communes, %d villages)",
             t1 - t0, t2 - t1, len(results.communes), len(results.villages))
    return results


def job_phases(lang: str, quiet: bool):
    """The phase-level progress of a job (read and validate, assess, write result files) in ``lang``:
    a :class:`tc8.io.progress.Phases` that reports only for a long or national-size run; None
    when ``quiet``. :func:`end_phase` tells it a phase ended."""
    from tc8.io.progress import Phases
    from tc8.text.messages import text

    names = {key: text(f"progress.phase.{key}", lang) for key in ("read", "assess", "write")}
    return None if quiet else Phases("tc8", len(names), names=names)


def end_phase(phases, key: str, *, size: int | None = None) -> None:
    """Tell ``phases`` (None: nothing) that the phase ``key`` ended; ``size``: the communes the run covers."""
    if phases is not None:
        phases.end(key)
        if size is not None:
            phases.size(size)


@dataclass(frozen=True)
class JobResult:
    """What :func:`run_job` wrote, and the results it wrote them from. Paths are as given
    (``output`` joined with the file names, not resolved); absent parts are None / empty."""

    results: Results
    """The assessment every file below was written from."""
    output: Path
    """The job's output folder."""
    generated_at: str
    """Timestamp (UTC, ISO 8601, seconds) stamped into every file of the job."""
    result_files: dict[str, Path]
    """``results.gpkg``, ``results.csv``, ``results.json`` -> path."""
    province_map: Path | None = None
    """``maps/index.html``, the atlas overview (None without maps)."""
    commune_maps: dict[str, Path] = field(default_factory=dict)
    """Commune code -> its HTML map."""
    commune_map_pngs: dict[str, Path] = field(default_factory=dict)
    """Commune code -> its PNG map (only with ``png=True``)."""
    dossiers_dir: Path | None = None
    """``dossiers/`` (None without dossiers)."""
    commune_dossiers: dict[str, Path] = field(default_factory=dict)
    """Commune code -> its dossier folder."""
    province_workbook: Path | None = None
    """The province roll-up workbook (None without dossiers, or for a run limited to some communes)."""

    def paths(self) -> dict[str, Path]:
        """Labelled paths of what was written, in the order the CLI prints them: the three
        result files, ``map_overview``, ``dossiers``, ``province_workbook`` (absent ones left out)."""
        out: dict[str, Path] = dict(self.result_files)
        extra = {"map_overview": self.province_map, "dossiers": self.dossiers_dir,
                 "province_workbook": self.province_workbook}
        out.update({key: path for key, path in extra.items() if path is not None})
        return out


def rules_reference(rules: str | os.PathLike) -> str:
    """``rules`` as a dossier manifest records it for ``tc8 verify``: a rule-set file as its
    absolute path, a shipped id as it is."""
    return str(Path(rules).resolve()) if Path(rules).suffix in (".yaml", ".yml") else str(rules)


def check_job_outputs(output: str | os.PathLike, *, overwrite: bool = False, communes: Iterable[str] | None = None,
                      dossiers: bool = True) -> None:
    """Refuse, before assessing anything, what :func:`run_job` would refuse later: existing result
    files, or (with ``dossiers``) existing dossiers of ``communes`` / the province roll-up.
    Raises :class:`~tc8.model.errors.OutputExistsError`; nothing when ``overwrite``."""
    from tc8.io.paths import is_safe_name
    from tc8.outputs.files import RESULT_FILES, check_outputs
    from tc8.outputs.summary_table import SUMMARY_NAMES

    check_outputs(Path(output), RESULT_FILES, overwrite=overwrite)
    check_outputs(Path(output), SUMMARY_NAMES.values(), overwrite=overwrite)  # tong-hop.xlsx / summary.xlsx
    if dossiers:
        from tc8.dossier.write import check_existing

        codes = [c for c in communes or () if is_safe_name(c)]
        check_existing(Path(output) / DOSSIERS_DIR, codes, overwrite, province=not communes)


def run_job(input_path: str | os.PathLike, rules: str | os.PathLike, *, output: str | os.PathLike,
            overwrite: bool = False, lang: str = "vi", communes: Iterable[str] | None = None,
            population: str | os.PathLike | None = None, metric_crs: str | None = None, maps: bool = True,
            dossiers: bool = True, png: bool = False, online_tiles: bool = True, dossier_maps: bool = True,
            generated_at: str | None = None, policy: InputPolicy | None = None,
            on_results: Callable[[Results], None] | None = None, quiet: bool = True) -> JobResult:
    """The whole job: assess ``input_path`` against ``rules``, write ``results.gpkg/.csv/.json``
    into ``output``, draw the maps into ``output/maps`` and write the dossiers into
    ``output/dossiers``; return what was written.

    ``communes``: only these codes (a partial run never writes the province roll-up workbook).
    ``maps``/``dossiers``: switch those parts off; ``png``/``online_tiles`` as for ``tc8 map``;
    ``dossier_maps=False`` leaves the commune maps out of the dossiers. ``generated_at`` (UTC ISO
    timestamp, default now) is stamped into every file. ``policy`` as for :func:`run_assessment`.
    ``on_results(results)`` is called once
    the result files are written, before maps and dossiers (the CLI prints its summary there).
    ``quiet=False``: progress on stderr (phases of a long run, dossiers; :mod:`tc8.io.progress`).
    Existing files are refused before anything is assessed unless ``overwrite``; errors as
    :func:`run_assessment`, and :class:`~tc8.model.errors.OutputExistsError`.
    """
    check_job_outputs(output, overwrite=overwrite, communes=communes, dossiers=dossiers)
    phases = job_phases(lang, quiet)
    results = run_assessment(input_path, rules, communes=communes, population=population, metric_crs=metric_crs,
                             policy=policy, phases=phases)
    options = {"rules": rules_reference(rules), **({"communes": list(communes)} if communes else {})}
    return write_job(results, output=output, overwrite=overwrite, lang=lang, maps=maps, dossiers=dossiers,
                     png=png, online_tiles=online_tiles, dossier_maps=dossier_maps, generated_at=generated_at,
                     dossier_options=options, province=not communes, on_results=on_results, quiet=quiet,
                     phases=phases)


def write_job(results: Results, *, output: str | os.PathLike, overwrite: bool = False, lang: str = "vi",
              maps: bool = True, dossiers: bool = True, png: bool = False, online_tiles: bool = True,
              dossier_maps: bool = True, generated_at: str | None = None, dossier_options: dict | None = None,
              province: bool = True, on_results: Callable[[Results], None] | None = None, quiet: bool = True,
              phases=None) -> JobResult:
    """Everything :func:`run_job` writes, from ``results`` already assessed (see there).
    ``dossier_options`` go into each dossier manifest (what ``tc8 verify`` re-runs);
    ``province=False`` skips the province roll-up workbook; ``quiet``, ``phases``: progress
    (:func:`run_job`, :func:`job_phases`)."""
    from tc8.outputs.files import now_iso, write_results
    from tc8.outputs.summary_table import write_summary_table

    output = Path(output)
    stamp = generated_at or now_iso()
    files = write_results(results, output, overwrite=overwrite, generated_at=stamp, lang=lang)
    files.update(write_summary_table(results, output, lang=lang))  # one row per commune, for Excel
    job = JobResult(results=results, output=output, generated_at=stamp,
                    result_files={name: Path(path) for name, path in files.items()})
    end_phase(phases, "write")
    if on_results is not None:
        on_results(results)
    if maps:
        job = _draw_maps(job, overwrite=overwrite, lang=lang, png=png, online_tiles=online_tiles)
    if dossiers:
        job = _write_dossiers(job, overwrite=overwrite, lang=lang, with_maps=dossier_maps,
                              options=dossier_options, province=province, quiet=quiet)
    return job


def _draw_maps(job: JobResult, *, overwrite: bool, lang: str, png: bool, online_tiles: bool) -> JobResult:
    """``job`` with its maps drawn into ``output/maps`` (dated by the job's timestamp)."""
    from dataclasses import replace

    from tc8.maps import save_maps

    drawn = save_maps(job.results, job.output / MAPS_DIR, lang=lang, overwrite=overwrite, png=png,
                      date=job.generated_at[:10], online_tiles=online_tiles, jobs=None)
    return replace(job, province_map=drawn["province"], commune_maps=dict(drawn["communes"]),
                   commune_map_pngs=dict(drawn.get("png", {})))


def _write_dossiers(job: JobResult, *, overwrite: bool, lang: str, with_maps: bool, options: dict | None,
                    province: bool, quiet: bool = True) -> JobResult:
    """``job`` with its dossiers written into ``output/dossiers`` (their commune maps are drawn
    self-contained: the atlas pages of ``output/maps`` link shared assets, so they are not copied)."""
    from dataclasses import replace

    from tc8.dossier.write import write_dossiers

    maps_from = None
    folder = job.output / DOSSIERS_DIR
    written = write_dossiers(job.results, folder, overwrite=overwrite, lang=lang, with_maps=with_maps,
                             options=options, generated_at=job.generated_at, maps_from=maps_from,
                             province=province, jobs=None, progress=not quiet)
    return replace(job, dossiers_dir=folder, commune_dossiers=dict(written["communes"]),
                   province_workbook=written["province"])


def verify_dossiers(root: str | os.PathLike, *, lang: str = "vi",
                    input_path: str | os.PathLike | None = None) -> VerifyReport:
    """``tc8 verify``: re-run the assessment each dossier manifest under ``root`` records (with
    :func:`run_assessment`) and compare; a :class:`tc8.dossier.verify.VerifyReport`. ``input_path``:
    where the input is now (a folder moved to another machine); default: the path recorded
    relative to the dossiers, else the recorded absolute path (:mod:`tc8.dossier.portable`)."""
    from tc8.dossier.verify import check_dossiers

    return check_dossiers(root, assess=run_assessment, lang=lang,
                          input_path=str(input_path) if input_path is not None else None)


@dataclass(frozen=True)
class LineageJob:
    """What :func:`run_lineage` wrote: the carried assessment and name -> path of its files
    (``lineage.csv``, ``lineage_parts.csv``, ``lineage.gpkg``, ``lineage.xlsx``)."""

    lineage: object
    """The :class:`tc8.engine.lineage.Lineage` the files were written from."""
    files: dict[str, Path]


def run_lineage(results_dir: str | os.PathLike, *, output: str | os.PathLike, overwrite: bool = False,
                lang: str = "vi") -> LineageJob:
    """``tc8 lineage``: carry the assessment in ``results_dir`` (written by ``tc8 assess`` on 2024
    communes) onto the 2025 communes with the official conversion (basis: practice, the 2023
    precedent) and write the lineage files and workbook into ``output`` (atomic; existing files
    refused unless ``overwrite``). Raises :class:`~tc8.model.errors.InputError` for an unreadable
    assessment, :class:`~tc8.model.errors.OutputExistsError`."""
    from tc8.dossier.workbook_lineage import write_lineage_workbook
    from tc8.engine.lineage import carry, read_assessment
    from tc8.outputs.files import check_outputs
    from tc8.outputs.lineage_files import LINEAGE_FILES, write_lineage_files

    check_outputs(Path(output), (*LINEAGE_FILES, "lineage.xlsx"), overwrite=overwrite)
    assessment = read_assessment(results_dir)
    lineage = carry(assessment)
    workbook = {"lineage.xlsx": lambda path: write_lineage_workbook(lineage, path, lang=lang,
                                                                    source=assessment.source)}
    files = write_lineage_files(lineage, output, overwrite=overwrite, source=assessment.source, extra=workbook)
    return LineageJob(lineage=lineage, files=files)


@dataclass(frozen=True)
class PlanJob:
    """What :func:`run_plan` wrote: the verified :class:`tc8.plan.model.Plan` and name -> path
    of its files (``plan.csv``, ``plan.gpkg``, and ``applied.gpkg`` with ``write_applied``)."""

    plan: object
    files: dict[str, Path]


def run_plan(input_path: str | os.PathLike, rules: str | os.PathLike, *, output: str | os.PathLike,
             communes: Iterable[str] | None = None, costs: str | os.PathLike | None = None,
             write_applied: bool = False, lang: str = "vi", overwrite: bool = False,
             population: str | os.PathLike | None = None, metric_crs: str | None = None,
             policy: InputPolicy | None = None, quiet: bool = True, maps: bool = False,
             online_tiles: bool = True) -> PlanJob:
    """``tc8 plan``: assess, plan the least interventions that make each failing commune pass
    (:func:`tc8.plan.run.make_plan`, priced with the cost file ``costs``, default the shipped
    example), apply the plan to the input and assess that again (the proof,
    :func:`tc8.plan.apply.verify_plan`: same rule set and ``policy``), then write ``plan.csv``
    and ``plan.gpkg`` into ``output`` (and keep ``applied.gpkg`` there with ``write_applied``;
    otherwise the applied input is a temporary file) and the province workbook ``plan.xlsx``; with
    ``maps``, the atlas ``maps/`` whose commune pages show the plan (:func:`write_plan_maps`).
    ``quiet=False`` shows progress on stderr for a large run. Raises as :func:`run_assessment`, and
    :class:`~tc8.plan.costs.CostFileError` (before anything is assessed)."""
    from tc8.dossier.workbook_plan import write_plan_workbook
    from tc8.io.atomic import atomic_path
    from tc8.outputs.plan_files import action_text

    from tc8.outputs.files import check_outputs
    from tc8.outputs.plan_files import PLAN_FILES, write_plan_files
    from tc8.plan.costs import load_costs
    from tc8.plan.run import make_plan

    book = load_costs(costs)
    check_outputs(Path(output), (*PLAN_FILES, "plan.xlsx", *(("applied.gpkg",) if write_applied else ()),
                                 *((MAPS_DIR + "/index.html",) if maps else ())), overwrite=overwrite)
    results = run_assessment(input_path, rules, communes=communes, population=population, metric_crs=metric_crs,
                             policy=policy)
    with _plan_progress(len(results.communes), lang, quiet) as bar:
        plan = make_plan(results, book, communes=communes, lang=lang)
        bar.advance()
        applied = Path(output) / "applied.gpkg" if write_applied else None
        verify_applied(plan, rules, policy, applied=applied, communes=communes,
                       population=population or results.inputs.raw.population_raster)
        bar.advance(2)
        files = write_plan_files(plan, output, overwrite=overwrite, lang=lang)
        with atomic_path(Path(output) / "plan.xlsx") as tmp:
            write_plan_workbook(plan, tmp, lang=lang, action_label=lambda a: action_text(plan, a, lang),
                                source=book.source)
        files["plan.xlsx"] = Path(output) / "plan.xlsx"
        bar.advance()
    if maps:
        files["maps"] = write_plan_maps(plan, output, lang=lang, overwrite=overwrite, online_tiles=online_tiles,
                                        quiet=quiet)
    return PlanJob(plan=plan, files={**files, **({"applied.gpkg": applied} if write_applied else {})})


def write_plan_maps(plan, output, *, lang: str, overwrite: bool, online_tiles: bool, quiet: bool) -> Path:
    """The atlas of ``plan.results`` in ``output/maps`` with the plan overlay on every commune page
    (:func:`tc8.maps.atlas.write_atlas` with ``plan``); returns its ``index.html``."""
    from tc8.maps.atlas import write_atlas

    out = write_atlas(plan.results, Path(output) / MAPS_DIR, lang=lang, overwrite=overwrite,
                      online_tiles=online_tiles, quiet=quiet, plan=plan)
    return out["province"]


#: ``tc8 plan`` shows progress from this many communes on
PLAN_PROGRESS_MIN = 300


def _plan_progress(n_communes: int, lang: str, quiet: bool):
    """Progress of the four steps after the assessment (plan, apply, verify, write)."""
    from tc8.io.progress import Progress
    from tc8.text.messages import text

    return Progress(4, text("plan.progress", lang), quiet=quiet or n_communes < PLAN_PROGRESS_MIN)


def verify_applied(plan, rules: str | os.PathLike, policy: InputPolicy | None, *, applied: Path | None,
                   communes: Iterable[str] | None = None, population=None):
    """Apply ``plan`` to its input (into ``applied``, else a temporary file removed afterwards) and
    re-assess it with :func:`run_assessment` (:func:`tc8.plan.apply.verify_plan`); returns ``plan``."""
    import shutil
    import tempfile

    from tc8.plan.apply import apply_plan, verify_plan

    scratch = None if applied is not None else Path(tempfile.mkdtemp(prefix="tc8-plan-"))
    try:
        path = apply_plan(plan, applied or scratch / "applied.gpkg")
        return verify_plan(plan, path, rules, policy, assess=run_assessment, communes=communes,
                           population=population, metric_crs=plan.results.metric_crs)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


@dataclass(frozen=True)
class CompareJob:
    """What :func:`run_compare` wrote: the :class:`tc8.engine.compare.Comparison` and name -> path
    (``compare.csv``, ``compare.gpkg``, ``compare.xlsx``)."""

    comparison: object
    files: dict[str, Path]


def run_compare(input_path: str | os.PathLike, rules_a: str | os.PathLike, rules_b: str | os.PathLike, *,
                output: str | os.PathLike, overwrite: bool = False, lang: str = "vi",
                communes: Iterable[str] | None = None, population: str | os.PathLike | None = None,
                metric_crs: str | None = None, policy: InputPolicy | None = None,
                on_results: Callable[[object], None] | None = None) -> CompareJob:
    """``tc8 compare``: read and validate ``input_path`` ONCE, assess it against ``rules_a`` and
    ``rules_b`` (each set's own input checks), compare (:func:`tc8.engine.compare.compare_results`)
    and write ``compare.csv``, ``compare.gpkg`` and ``compare.xlsx`` into ``output`` (atomic;
    existing files refused unless ``overwrite``). ``on_results(comparison)`` runs before the files
    are written. Errors as :func:`run_assessment`, and :class:`~tc8.model.errors.OutputExistsError`."""
    from tc8.dossier.workbook_compare import write_compare_workbook
    from tc8.engine.assess import assess
    from tc8.engine.compare import compare_results
    from tc8.outputs.compare_files import COMPARE_FILES, COMPARE_XLSX, write_compare_files
    from tc8.outputs.files import check_outputs
    from tc8.rules.load import load_rule_set
    from tc8.validate.run import load_and_validate

    check_outputs(Path(output), (*COMPARE_FILES, COMPARE_XLSX), overwrite=overwrite)
    sets = [load_rule_set(rules_a), load_rule_set(rules_b)]
    inputs = load_and_validate(input_path, population=population, metric_crs=metric_crs, policy=policy)
    for rule_set in sets:
        rule_set.check_inputs(inputs)
    inputs.warnings[:] = list(dict.fromkeys(inputs.warnings))  # both sets' checks may add the same warning
    chosen = list(communes) if communes else None
    comparison = compare_results(*(assess(inputs, rule_set, communes=chosen) for rule_set in sets))
    if on_results is not None:
        on_results(comparison)
    workbook = {COMPARE_XLSX: lambda path: write_compare_workbook(comparison, path, lang=lang)}
    files = write_compare_files(comparison, output, overwrite=overwrite, extra=workbook)
    return CompareJob(comparison=comparison, files=files)
