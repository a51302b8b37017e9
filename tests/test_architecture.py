"""The import direction of the package (CONTRIBUTING.md, "The import rule").

Every module of ``tc8`` (the folders ``assess/`` and ``maps/``) belongs to one stage of
:data:`STAGES`. A module may import its own stage and the stages listed before it, never one
listed after it. Imports are read from the source (AST), wherever they stand: an import inside
a function still runs, so it still counts. Only imports under ``if TYPE_CHECKING:`` are left
out (they never run; keep them for annotations).

Three more rules: renderers (:data:`RENDERERS`) never import what computes a verdict
(:data:`NEVER_IN_RENDERERS`); the package root ``tc8`` (``assess/__init__.py``, the version
only) imports nothing of tc8; and no two modules import each other, directly or in a ring.
"""
from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: source folder -> the dotted name it is installed as (setup.cfg ``package_dir``)
SOURCES = {"assess": "tc8", "maps": "tc8.maps"}
ROOT = "tc8"

#: The stages, lowest first: (stage, the modules and packages it holds).
#: A module may import from its own row and the rows above it, never from a row below.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("model", ("tc8.model",)),                   # results, inputs, schema, errors, vocab
    ("text", ("tc8.text",)),                     # message catalogue, reasons, joins, bounds
    ("io", ("tc8.io",)),                         # reading layers, template, atomic writes, demo
    ("validate", ("tc8.validate",)),             # raw layers -> typed Inputs + problems
    ("rules", ("tc8.rules",)),                   # rule model, loading, three-valued evaluation
    ("measures", ("tc8.measures",)),             # per-commune and per-village measures
    ("engine", ("tc8.engine",)),                 # Inputs + rule set -> Results; roll-up
    ("plan", ("tc8.plan",)),                     # least interventions to pass; apply, re-assess
    ("outputs", ("tc8.outputs", "tc8.writers")),  # results files, terminal (renderer)
    ("maps", ("tc8.maps",)),                     # HTML/PNG maps (renderer; may use outputs)
    ("dossier", ("tc8.dossier",)),               # workbooks, manifests (renderer; may use maps, outputs)
    ("pipeline", ("tc8.pipeline",)),             # the library's front door
    ("cli", ("tc8.cli",)),                       # one module per command
)
#: Known exceptions to the stage order: (importing module, imported module) -> why it stays.
#: The list only shrinks: an entry that no import needs any more fails the test as well.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("tc8.model.errors", "tc8.text.problems"):
        "Problem.as_dict, kept for existing callers (a lazy import); new code calls "
        "tc8.text.problems.problem_dict",
}
#: Renderers draw what Results hold; they never compute a verdict or a measure.
RENDERERS = ("tc8.outputs", "tc8.writers", "tc8.maps", "tc8.dossier")
NEVER_IN_RENDERERS = ("tc8.rules.evaluate", "tc8.measures", "tc8.engine.assess")


@dataclass(frozen=True)
class Import:
    """One import statement of a tc8 module that reaches another tc8 module."""
    source: str    # importing module, dotted
    path: Path     # its file
    line: int
    text: str      # the statement as written
    target: str    # the imported tc8 module (a package counts as its __init__)

    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}: `{self.text}`"


def _in(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def discover() -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    modules = {}
    for folder, dotted in SOURCES.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = list(path.relative_to(REPO / folder).with_suffix("").parts)
            if "__pycache__" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join([dotted, *parts])] = path
    return modules


def stage_of(module: str) -> int | None:
    """Index of the module's row in STAGES (longest matching prefix); None when no row holds it."""
    best, best_len = None, -1
    for index, (_, prefixes) in enumerate(STAGES):
        for prefix in prefixes:
            if _in(module, prefix) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` (a dotted import name) lies in; None outside tc8."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _import_nodes(tree: ast.AST):
    """Every Import/ImportFrom node, at any depth, except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        children = list(ast.iter_child_nodes(node))
        if _is_type_checking(node):
            children = list(node.orelse)
        stack.extend(children)


def _targets(node: ast.AST, module: str, is_package: bool, modules: dict[str, Path]) -> set[str]:
    if isinstance(node, ast.Import):
        return {t for alias in node.names if (t := _resolve(alias.name, modules))}
    package = module.split(".") if is_package else module.split(".")[:-1]
    if node.level:
        base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    found = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"  # `from tc8.io import yaml_guard` names a module
        found.add(submodule if submodule in modules else _resolve(base, modules))
    return {t for t in found if t}


@functools.lru_cache(maxsize=1)
def imports() -> tuple[Import, ...]:
    """Every import of one tc8 module by another, lazy ones included, in file order."""
    modules = discover()
    found = []
    for module, path in modules.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source, filename=str(path))
        for node in _import_nodes(tree):
            text = " ".join(" ".join(lines[node.lineno - 1:node.end_lineno]).split())
            for target in sorted(_targets(node, module, path.name == "__init__.py", modules)):
                if target != module:
                    found.append(Import(module, path, node.lineno, text, target))
    return tuple(sorted(found, key=lambda i: (str(i.path), i.line, i.target)))


def direction_violations(found: tuple[Import, ...]) -> list[str]:
    """Imports of a higher stage by a lower one, and imports of tc8 by the root module."""
    out = []
    for imp in found:
        if imp.source == ROOT:
            out.append(f"{imp.where()} - the package root imports nothing of tc8")
            continue
        if imp.target == ROOT or (imp.source, imp.target) in EXCEPTIONS:
            continue  # `from tc8 import __version__`; a listed exception
        low, high = stage_of(imp.source), stage_of(imp.target)
        if low is not None and high is not None and high > low:
            out.append(f"{imp.where()} - {STAGES[low][0]} imports {imp.target} "
                       f"({STAGES[high][0]}, a higher stage)")
    return out


def renderer_violations(found: tuple[Import, ...]) -> list[str]:
    return [f"{imp.where()} - renderer {imp.source} imports {imp.target}, which computes verdicts"
            for imp in found
            if any(_in(imp.source, r) for r in RENDERERS)
            and any(_in(imp.target, n) for n in NEVER_IN_RENDERERS)]


def cycles(found: tuple[Import, ...]) -> list[list[str]]:
    """Groups of modules that reach each other through imports (Tarjan's strongly connected
    components of size > 1), each sorted; the groups sorted too."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        graph.setdefault(imp.source, set()).add(imp.target)
        graph.setdefault(imp.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def _report(title: str, lines: list[str]) -> str:
    return title + ":\n  " + "\n  ".join(lines)


def test_every_module_has_a_stage():
    missing = [f"{path.relative_to(REPO)} ({name})" for name, path in discover().items()
               if name != ROOT and stage_of(name) is None]
    assert not missing, _report("modules in no row of STAGES (tests/test_architecture.py)", missing)


def test_imports_run_from_lower_stages_to_higher_ones():
    bad = direction_violations(imports())
    assert not bad, _report("imports against the stage order (CONTRIBUTING.md)", bad)


def test_every_exception_is_still_needed():
    found = {(imp.source, imp.target) for imp in imports()}
    stale = [f"{source} -> {target}" for source, target in EXCEPTIONS if (source, target) not in found]
    assert not stale, _report("EXCEPTIONS no import needs any more (remove them)", stale)


def test_renderers_never_import_the_evaluator_or_measures():
    bad = renderer_violations(imports())
    assert not bad, _report("renderers importing what computes verdicts", bad)


def test_no_import_cycles():
    found = imports()
    groups = cycles(found)
    lines = []
    for group in groups:
        lines.append("cycle: " + " <-> ".join(group))
        lines += ["    " + imp.where() for imp in found if imp.source in group and imp.target in group]
    assert not groups, _report("modules importing each other", lines)


def test_the_checker_sees_lazy_relative_and_from_imports():
    """The walker itself: a lazy import, a relative one and `from pkg import module`."""
    found = {(i.source, i.target) for i in imports()}
    modules = discover()
    assert "tc8.engine.rollup" in modules and "tc8.maps.select" in modules
    assert ("tc8.engine.assess", "tc8.engine.rollup") in found      # from . import rollup
    assert ("tc8.maps.commune", "tc8.maps.select") in found         # from .select import ...
    assert ("tc8.pipeline", "tc8.engine.assess") in found           # inside a function
    assert ("tc8.rules.load", "tc8.io.yaml_guard") in found         # from tc8.io import yaml_guard


def test_the_checker_catches_what_it_should():
    """Made-up imports: upward, into the evaluator from a renderer, a ring, from the root."""
    path = REPO / "assess" / "model" / "results.py"
    fake = (Import("tc8.model.results", path, 3, "from tc8.engine import x", "tc8.engine.assess"),
            Import("tc8.maps.select", path, 4, "from tc8.rules import evaluate", "tc8.rules.evaluate"),
            Import("tc8.text.join", path, 5, "from .size import y", "tc8.text.size"),
            Import("tc8.text.size", path, 6, "from .join import z", "tc8.text.join"),
            Import(ROOT, path, 7, "from tc8.model import vocab", "tc8.model.vocab"),
            Import("tc8.cli.main", path, 8, "from tc8 import __version__", ROOT))
    upward = direction_violations(fake)
    assert len(upward) == 2 and "assess/model/results.py:3" in upward[0] and "engine" in upward[0]
    assert "package root" in upward[1]
    assert len(renderer_violations(fake)) == 1
    assert cycles(fake) == [["tc8.text.join", "tc8.text.size"]]
