"""Check dossiers against their inputs: ``tc8 verify DIR``.

For every ``manifest.json`` under DIR (a dossier root or one commune folder): the recorded
input files are re-hashed (a missing or changed file is named), the assessment is re-run
from the recorded input path with the recorded rule set (by the id or file given at the
time; a rule set whose SHA-256 changed is reported) and metric CRS, and the commune's
verdicts, per-indicator table hashes and record-table hashes (villages, postal points,
stations, IT figures) are compared with the manifest. Communes sharing
the same input and options are re-assessed in one run.

A dossier root must also be complete (:func:`check_run`): its ``run-manifest.json`` exists
(else the run was interrupted), every commune folder and file it lists is there with the same
SHA-256, the roll-up it lists is there, and no commune folder outside it is present.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .view import Slicer
from tc8.model.errors import InputError, RuleSetError, Tc8Error, first_line
from tc8.io.read import sha256_of
from .manifest import (MANIFEST, RUN_MANIFEST, find_manifests, load, load_run, record_hashes, table_hashes,
                       verdicts)
from tc8.text.messages import text

log = logging.getLogger(__name__)


@dataclass
class CommuneCheck:
    code: str
    folder: str
    verdicts_differ: list = field(default_factory=list)   # (indicator, recorded, now)
    tables_differ: list = field(default_factory=list)     # indicator ids
    records_differ: list = field(default_factory=list)    # record tables (villages, postal, stations, it)
    error: str = ""

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

    @property
    def ok(self) -> bool:
        return (not self.inputs_changed and not self.run_problems and all(c.ok for c in self.communes)
                and bool(self.communes))

    @property
    def missing(self) -> int:
        """Commune dossiers the run manifest lists that are not there at all."""
        return sum(1 for key, _ in self.run_problems if key == "dossier.commune_missing")

    def lines(self, lang: str = "vi") -> list[str]:
        out = [text(key, lang, **params) for key, params in self.run_problems]
        out += [text("dossier.input_" + why, lang, path=path) for path, why in self.inputs_changed]
        out += [text("dossier.rules_changed", lang, id=rid, old=old[:12], new=new[:12])
                for rid, old, new in self.rules_changed]
        for c in self.communes:
            if c.error:
                out.append(f"{c.code}: {c.error}")
                continue
            v = (text("dossier.verdicts_match", lang) if not c.verdicts_differ else
                 text("dossier.verdicts_differ", lang, what="; ".join(
                     f"{i}: {old} → {new}" for i, old, new in c.verdicts_differ)))
            t = (text("dossier.tables_match", lang) if not c.tables_differ else
                 text("dossier.tables_differ", lang, what=", ".join(c.tables_differ)))
            r = "" if not c.records_differ else "; " + text("dossier.records_differ", lang, what=", ".join(
                text(f"dossier.records.{name}", lang) for name in c.records_differ))
            out.append(f"{c.code}: {v}; {t}{r}")
        return out


def _check_inputs(manifest: dict) -> list[tuple[str, str]]:
    changed = []
    for rec in manifest.get("inputs", []):
        path = Path(rec["path"])
        if not path.is_file():
            changed.append((str(path), "missing"))
        elif sha256_of(path) != rec.get("sha256"):
            changed.append((str(path), "changed"))
    return changed


def _group_key(manifest: dict) -> tuple:
    inp = manifest.get("input", {})
    communes = tuple(inp.get("communes") or ())
    return (inp.get("path", ""), inp.get("population_raster"), inp.get("rules") or manifest["rule_set"]["id"],
            manifest.get("metric_crs") or None, communes)


def _compare(manifest: dict, slicer: Slicer, code: str, folder: Path) -> CommuneCheck:
    check = CommuneCheck(code=code, folder=str(folder))
    if code not in slicer.row_of:
        check.error = "not in the re-run results / không có trong kết quả chạy lại"
        return check
    view = slicer.view(code)
    now_v = verdicts(view.indicators)
    old_v = manifest.get("verdicts", {})
    for ind in sorted(set(old_v) | set(now_v)):
        if old_v.get(ind) != now_v.get(ind):
            check.verdicts_differ.append((ind, old_v.get(ind), now_v.get(ind)))
    now_t = table_hashes(view.indicators, view.conditions)
    old_t = manifest.get("tables_sha256", {})
    check.tables_differ = [i for i in sorted(set(old_t) | set(now_t)) if i != "*" and old_t.get(i) != now_t.get(i)]
    old_r = manifest.get("records_sha256")
    if old_r is not None:  # manifests written before records were hashed have none
        now_r = record_hashes(view)
        check.records_differ = [t for t in sorted(set(old_r) | set(now_r)) if old_r.get(t) != now_r.get(t)]
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


def verify_dossiers(root, *, lang: str = "vi") -> VerifyReport:
    """Re-run and compare every dossier under ``root``; see the module docstring."""
    from tc8.pipeline import run_assessment
    from tc8.rules.model import load_rule_set

    root = Path(root)
    paths = find_manifests(root)
    single = (root / MANIFEST).is_file()  # one commune folder: no run to check
    if not paths and (single or not (root / RUN_MANIFEST).exists()):
        raise Tc8Error(text("dossier.no_manifest", lang, path=str(root)))
    report = VerifyReport()
    if not single:
        report.run_problems, report.expected = check_run(root, paths)
    groups: dict[tuple, list] = {}
    seen_inputs: set = set()
    for path in paths:
        try:
            manifest = load(path)
        except (ValueError, OSError) as err:
            report.communes.append(CommuneCheck(code=path.parent.name, folder=str(path.parent), error=str(err)))
            continue
        groups.setdefault(_group_key(manifest), []).append((path, manifest))
    for key, items in groups.items():
        input_path, population, rules, metric_crs, communes = key
        first = items[0][1]
        changed = [c for c in _check_inputs(first) if c[0] not in seen_inputs]
        seen_inputs.update(c[0] for c in changed)
        report.inputs_changed += changed
        try:
            rule_set = load_rule_set(rules)
            recorded = first["rule_set"].get("sha256", "")
            if recorded and rule_set.sha256 != recorded:
                report.rules_changed.append((first["rule_set"]["id"], recorded, rule_set.sha256))
                log.warning("rule set %s changed since the dossier was written", first["rule_set"]["id"])
            results = run_assessment(input_path, rules, communes=list(communes) or None, population=population,
                                     metric_crs=metric_crs)
        except (InputError, RuleSetError, Tc8Error, OSError) as err:
            first = first_line(err)
            if isinstance(err, InputError):
                errors = [p.as_dict(lang) for p in err.problems if p.severity == "error"][:1]
                first += "".join(f" — {e['file']} {e['layer']} {e['row']} {e['field']}: {e['message']}"
                                 for e in errors)
            detail = text("dossier.rerun_failed", lang, detail=first)
            report.communes += [CommuneCheck(code=m["commune"]["code"], folder=str(p.parent), error=detail)
                                for p, m in items]
            continue
        slicer = Slicer(results)
        report.communes += [_compare(m, slicer, m["commune"]["code"], p.parent) for p, m in items]
    return report
