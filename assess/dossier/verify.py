"""Check dossiers against their inputs: ``tc8 verify DIR``.

For every ``manifest.json`` under DIR (a dossier root or one commune folder): the input is
found (:mod:`tc8.dossier.portable`: ``--input``, else the path recorded relative to the commune
folder, else the recorded absolute path; none found: the report says what to pass) and its
files are re-hashed (a missing file is named; a file that differs: "this is not the input these
dossiers were made from"), the assessment is re-run from the input found with the recorded
rule set (by the id or file given at the
time; a rule set whose SHA-256 changed is reported), metric CRS and input policy (``policy``:
snap distance, ``--skip-invalid``, incomplete layers; the defaults when not recorded), and the commune's
verdicts are compared with the manifest, then its table and record hashes with the record
set version the manifest declares (:mod:`tc8.dossier.records`):

- ``record_set_version`` is this tc8's: tables (per indicator) and record groups (villages
  with their evidence records, postal points, stations, IT figures) are compared;
- no ``record_set_version`` (made by a tc8 before it existed): tables are compared with the
  old every-column scheme; records are not checked (their old hashes depended on the workbook
  layout) and the report says so;
- another version: tables and records are not checked and the report names both versions
  (make the dossier again to check them).

A check that could not be made is reported but is not a failure: verdicts and files were
checked. Communes sharing the same input and options are re-assessed in one run.

A dossier root must also be complete (:func:`check_run`): its ``run-manifest.json`` exists
(else the run was interrupted), every commune folder and file it lists is there with the same
SHA-256, the roll-up it lists is there, and no commune folder outside it is present.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tc8.io.read import sha256_of
from tc8.model.errors import InputError, RuleSetError, Tc8Error, first_line
from tc8.model.inputs import InputPolicy
from tc8.model.results import Results
from tc8.rules.load import load_rule_set
from tc8.text.messages import text
from tc8.text.problems import problem_dict
from .portable import locate_input
from .manifest import MANIFEST, RUN_MANIFEST, find_manifests, legacy_table_hashes, load, load_run, verdicts
from .records import RECORD_SET_VERSION, RecordSet
from .view import Slicer

log = logging.getLogger(__name__)


@dataclass
class CommuneCheck:
    code: str
    folder: str
    verdicts_differ: list = field(default_factory=list)   # (indicator, recorded, now)
    tables_differ: list = field(default_factory=list)     # indicator ids
    records_differ: list = field(default_factory=list)    # record groups (villages, postal, stations, it)
    error: str = ""
    record_set: int | None = None   # the record set version the manifest declares (None: before versions)
    tables_checked: bool = True
    records_checked: bool = True

    @property
    def ok(self) -> bool:
        return not (self.verdicts_differ or self.tables_differ or self.records_differ or self.error)


@dataclass
class VerifyReport:
    communes: list = field(default_factory=list)
    inputs_changed: list = field(default_factory=list)    # (path, "missing" | "changed")
    rules_changed: list = field(default_factory=list)     # (rule set id, recorded sha, now sha)
    run_problems: list = field(default_factory=list)      # (message key, params) from check_run
    expected: int | None = None                           # commune dossiers the run manifest lists
    root: str = ""                                        # the folder verified
    input_lines: list = field(default_factory=list)       # (message key, params, fails) where the input was found

    @property
    def ok(self) -> bool:
        return (not self.inputs_changed and not self.run_problems and all(c.ok for c in self.communes)
                and bool(self.communes) and not any(fails for _, _, fails in self.input_lines))

    @property
    def missing(self) -> int:
        """Commune dossiers the run manifest lists that are not there at all."""
        return sum(1 for key, _ in self.run_problems if key == "dossier.commune_missing")

    def lines(self, lang: str = "vi") -> list[str]:
        out = [text(key, lang, **params) for key, params in self.run_problems]
        out += [text(key, lang, **params) for key, params, _ in self.input_lines]
        out += [text("dossier.input_" + why, lang, path=path) for path, why in self.inputs_changed]
        out += [text("dossier.rules_changed", lang, id=rid, old=old[:12], new=new[:12])
                for rid, old, new in self.rules_changed]
        return out + [_commune_line(c, lang) for c in self.communes]


def _commune_line(c: CommuneCheck, lang: str) -> str:
    """``<code>: verdicts …; tables …[; records …][; what could not be checked]``."""
    if c.error:
        return f"{c.code}: {c.error}"
    parts = [text("dossier.verdicts_match", lang) if not c.verdicts_differ else
             text("dossier.verdicts_differ", lang, what="; ".join(f"{i}: {old} → {new}"
                                                                  for i, old, new in c.verdicts_differ))]
    if c.tables_checked:
        parts.append(text("dossier.tables_match", lang) if not c.tables_differ else
                     text("dossier.tables_differ", lang, what=", ".join(c.tables_differ)))
    if c.records_differ:
        parts.append(text("dossier.records_differ", lang, what=", ".join(
            text(f"dossier.records.{name}", lang) for name in c.records_differ)))
    if not c.records_checked:
        parts.append(text("dossier.records_unchecked_legacy", lang) if c.record_set is None else
                     text("dossier.records_unchecked_version", lang, old=c.record_set, now=RECORD_SET_VERSION))
    return f"{c.code}: " + "; ".join(parts)


def _group_key(manifest: dict) -> tuple:
    """What re-runs a manifest: input, raster, rules, metric CRS, communes and the input policy
    (canonical JSON; "" for a manifest made before policies were recorded: the defaults)."""
    inp = manifest.get("input", {})
    communes = tuple(inp.get("communes") or ())
    policy = manifest.get("policy")
    return (inp.get("path", ""), inp.get("population_raster"), inp.get("rules") or manifest["rule_set"]["id"],
            manifest.get("metric_crs") or None, communes,
            json.dumps(policy, sort_keys=True) if isinstance(policy, dict) else "")


class _Rerun:
    """A re-run's Results with its record set; views (:class:`Slicer`) only when a manifest
    without a record set version needs the old every-column table hashes."""

    def __init__(self, results: Results) -> None:
        self.results = results
        self.records = RecordSet(results)
        self.codes = set(results.communes["commune_code"].astype(str))
        self._slicer: Slicer | None = None

    def legacy_table_hashes(self, code: str) -> dict[str, str]:
        if self._slicer is None:
            self._slicer = Slicer(self.results)
        view = self._slicer.view(code)
        return legacy_table_hashes(view.indicators, view.conditions)


def _differ(old: dict, now: dict) -> list[str]:
    """Keys (``*`` aside) whose hash is not the same in both."""
    return [k for k in sorted(set(old) | set(now)) if k != "*" and old.get(k) != now.get(k)]


def _compare(manifest: dict, rerun: _Rerun, code: str, folder: Path) -> CommuneCheck:
    check = CommuneCheck(code=code, folder=str(folder), record_set=manifest.get("record_set_version"))
    if code not in rerun.codes:
        check.error = "not in the re-run results / không có trong kết quả chạy lại"
        return check
    now_v = verdicts(rerun.records.indicators.of_commune(code))
    old_v = manifest.get("verdicts", {})
    check.verdicts_differ = [(ind, old_v.get(ind), now_v.get(ind)) for ind in sorted(set(old_v) | set(now_v))
                             if old_v.get(ind) != now_v.get(ind)]
    old_t = manifest.get("tables_sha256", {})
    if check.record_set is None:  # made before record set versions: old table scheme, records unchecked
        check.tables_differ = _differ(old_t, rerun.legacy_table_hashes(code))
        check.records_checked = False
    elif check.record_set == RECORD_SET_VERSION:
        check.tables_differ = _differ(old_t, rerun.records.table_hashes(code))
        check.records_differ = _differ(manifest.get("records_sha256", {}), rerun.records.record_hashes(code))
    else:
        check.tables_checked = check.records_checked = False
    return check


def check_run(root: Path, paths: list[Path]) -> tuple[list, int | None]:
    """Completeness of the dossier root ``root`` whose commune manifests are ``paths``:
    ``([(message key, params)], number of communes the run manifest lists or None)``."""
    try:
        run = load_run(root)
    except (ValueError, OSError) as err:
        return [("dossier.run_unreadable", {"path": str(root / RUN_MANIFEST), "detail": first_line(err)})], None
    if run is None:
        return [("dossier.run_missing", {"path": str(root / RUN_MANIFEST)})], None
    problems = []
    listed = run["communes"]
    for code, entry in listed.items():
        folder = root / str(entry.get("folder", code))
        if not folder.is_dir():
            problems.append(("dossier.commune_missing", {"code": code, "path": str(folder)}))
            continue
        for name, sha in (entry.get("files") or {}).items():
            path = folder / name
            if not path.is_file():
                problems.append(("dossier.file_missing", {"path": str(path)}))
            elif sha256_of(path) != sha:
                problems.append(("dossier.file_changed", {"path": str(path)}))
    rollup = run.get("rollup")
    if rollup:
        path = root / rollup["file"]
        if not path.is_file():
            problems.append(("dossier.rollup_missing", {"path": str(path)}))
        elif sha256_of(path) != rollup.get("sha256"):
            problems.append(("dossier.file_changed", {"path": str(path)}))
    folders = {str(e.get("folder", c)) for c, e in listed.items()}
    problems += [("dossier.not_in_run", {"path": str(p.parent), "file": RUN_MANIFEST})
                 for p in paths if p.parent.name not in folders]
    return problems, len(listed)


#: re-runs an assessment: ``assess(input_path, rules, *, communes, population, metric_crs, policy) -> Results``
#: (:func:`tc8.pipeline.run_assessment`; passed in, the dossier stage never runs the engine)
Assess = Callable[..., Results]


def _manifest_groups(paths: list[Path], report: VerifyReport) -> dict[tuple, list]:
    """Manifests grouped by what re-runs them (:func:`_group_key`); unreadable ones go to ``report``."""
    groups: dict[tuple, list] = {}
    for path in paths:
        try:
            manifest = load(path)
        except (ValueError, OSError) as err:
            report.communes.append(CommuneCheck(code=path.parent.name, folder=str(path.parent), error=str(err)))
            continue
        groups.setdefault(_group_key(manifest), []).append((path, manifest))
    return groups


def _rerun_failed(err: Exception, lang: str) -> str:
    """Why a re-run failed, with the first input error when there is one."""
    detail = first_line(err)
    if isinstance(err, InputError):
        errors = [problem_dict(p, lang) for p in err.problems if p.severity == "error"][:1]
        detail += "".join(f" — {e['file']} {e['layer']} {e['row']} {e['field']}: {e['message']}" for e in errors)
    return text("dossier.rerun_failed", lang, detail=detail)


def _check_group(key: tuple, items: list, report: VerifyReport, *, assess: Assess, lang: str,
                 given: str | None = None) -> None:
    """Re-run one group of manifests (same input and options) from the input found
    (:func:`tc8.dossier.portable.locate_input`: ``given``, else the recorded relative path, else
    the absolute hint) and compare each commune."""
    _, population, rules, metric_crs, communes, policy = key
    first = items[0][1]
    input_path, population = _input_of(items, report, population, given)
    if input_path is None:
        report.communes += [CommuneCheck(code=m["commune"]["code"], folder=str(p.parent),
                                         error=text("dossier.rerun_no_input", lang)) for p, m in items]
        return
    try:
        rule_set = load_rule_set(rules)
        recorded = first["rule_set"].get("sha256", "")
        if recorded and rule_set.sha256 != recorded:
            report.rules_changed.append((first["rule_set"]["id"], recorded, rule_set.sha256))
            log.warning("rule set %s changed since the dossier was written", first["rule_set"]["id"])
        results = assess(input_path, rules, communes=list(communes) or None, population=population,
                         metric_crs=metric_crs, policy=InputPolicy.from_dict(json.loads(policy) if policy else None))
    except (InputError, RuleSetError, Tc8Error, OSError) as err:
        detail = _rerun_failed(err, lang)
        report.communes += [CommuneCheck(code=m["commune"]["code"], folder=str(p.parent), error=detail)
                            for p, m in items]
        return
    rerun = _Rerun(results)
    report.communes += [_compare(m, rerun, m["commune"]["code"], p.parent) for p, m in items]


def _input_of(items: list, report: VerifyReport, population: str | None,
              given: str | None) -> tuple[str | None, str | None]:
    """Find the input of a group of manifests and say where (``report.input_lines``); returns the
    input path and population raster to re-run with (None, None: not found)."""
    path, manifest = items[0]
    found = locate_input(manifest, path.parent, given=given)
    name = (manifest.get("input") or {}).get("name") or Path((manifest.get("input") or {}).get("path", "")).name
    if found.root is None:
        report.input_lines.append(("dossier.input_not_found", {"name": name, "tried": "; ".join(found.tried),
                                                               "dir": str(report.root or path.parent)}, True))
        return None, None
    report.input_lines.append((f"dossier.input_used_{found.how}", {"path": str(found.root)}, False))
    if found.legacy:
        report.input_lines.append(("dossier.input_legacy", {}, False))
    if found.differ:
        report.input_lines.append(("dossier.not_the_input", {"path": str(found.root)}, True))
    changed = [(p, "changed") for p, *_ in found.differ] + [(p, "missing") for p, _ in found.missing]
    report.inputs_changed += [c for c in changed if c not in report.inputs_changed]
    return str(found.root), found.population or population


def check_dossiers(root: str | Path, *, assess: Assess, lang: str = "vi", input_path: str | None = None) -> VerifyReport:
    """Re-run (with ``assess``) and compare every dossier under ``root``; see the module docstring.
    ``tc8 verify`` and :func:`tc8.pipeline.verify_dossiers` call it with the pipeline's assessment.
    ``input_path``: where the input is now (``tc8 verify --input``; default: the recorded relative
    path, else the recorded absolute path)."""
    root = Path(root)
    paths = find_manifests(root)
    single = (root / MANIFEST).is_file()  # one commune folder: no run to check
    if not paths and (single or not (root / RUN_MANIFEST).exists()):
        raise Tc8Error(text("dossier.no_manifest", lang, path=str(root)))
    report = VerifyReport(root=str(root))
    if not single:
        report.run_problems, report.expected = check_run(root, paths)
    for key, items in _manifest_groups(paths, report).items():
        _check_group(key, items, report, assess=assess, lang=lang, given=input_path)
    once = {(key, json.dumps(params, sort_keys=True)): (key, params, fails)  # groups sharing an input: said once
            for key, params, fails in report.input_lines}
    report.input_lines = list(once.values())
    return report
