"""Reading rule files: YAML with line numbers, schema validation, ``extends`` chains, merging
and checks of meaning. The public entry point is :func:`tc8.rules.model.load_rule_set`.

Merging a chain (root parent first): ``instruments`` and ``indicators`` with an existing id
replace it (a new id is appended); ``parameters`` entries update the parent's entry key by key
(``value`` and ``basis`` are always restated); ``overrides`` are appended; ``postal_point``
replaces the parent's block; ``enable``/``disable`` switch condition ids known at that point;
``official`` is false unless the derived file says otherwise.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import jsonschema
import yaml

from tc8.io import yaml_guard
from tc8.model.errors import RuleSetError
from tc8.text.messages import SAFE_LOADER, shorten
from .model import (MEASURES, REQUIRED_PARAMETERS, AllOf, AnyOf, Cite, Condition, Indicator, Instrument,
                    Node, Override, Parameter, ParamRef, PointCondition, PostalPointRule, RuleSet)
from tc8.model.schema import LAYERS, MOBILE_TECHNOLOGIES, POSTAL_KINDS, TERRAINS
from tc8.model.vocab import postal_rule_measures


def _criteria_dir() -> Path:
    return Path(str(files("tc8.data").joinpath("criteria")))


def shipped_ids() -> list[str]:
    """Ids of the rule sets shipped in ``data/criteria`` (sorted)."""
    return sorted(p.stem for p in _criteria_dir().glob("*.yaml"))


def example_paths() -> list[Path]:
    """The documented example files in ``data/examples`` (not official)."""
    return sorted(Path(str(files("tc8.data").joinpath("examples"))).glob("*.yaml"))


@functools.lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((_criteria_dir() / "schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


_VALID: set[str] = set()


@dataclass
class _Doc:
    path: Path
    display: str
    raw: bytes
    data: dict
    nodes: yaml.Node = field(repr=False)

    def where(self, path: tuple) -> str:
        """``file:line: field.path`` for messages (line of the deepest node that exists)."""
        node, line = self.nodes, None
        for key in path:
            line = node.start_mark.line + 1
            nxt = None
            if isinstance(node, yaml.MappingNode):
                nxt = next((v for k, v in node.value if k.value == key), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                nxt = node.value[key]
            if nxt is None:
                break
            node = nxt
        else:
            line = node.start_mark.line + 1
        dotted = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path).lstrip(".")
        return f"{self.display}:{line}: {dotted or '(top level)'}" if line else f"{self.display}: {dotted}"

    def fail(self, path: tuple, message: str) -> RuleSetError:
        return RuleSetError(f"{self.where(path)}: {message}")


def _check_duplicate_keys(doc: _Doc, node: yaml.Node, path: tuple = ()) -> None:
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                raise RuleSetError(f"{doc.display}:{key.start_mark.line + 1}: "
                                   f"{doc.where(path).split(': ', 1)[-1]}: duplicate key {key.value!r}")
            seen.add(key.value)
            _check_duplicate_keys(doc, value, path + (key.value,))
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _check_duplicate_keys(doc, child, path + (i,))


def _read_doc(path: Path, display: str) -> _Doc:
    try:
        yaml_guard.check_size(path.stat().st_size, display)
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise RuleSetError(f"{display}: cannot read the rule file: {err}") from err
    loader = SAFE_LOADER
    digest = hashlib.sha256(raw).hexdigest()
    try:
        if digest not in _VALID:  # before composing: no aliases, bounded nesting
            yaml_guard.check_structure(text, display)
        nodes = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{display}:{mark.line + 1}:{mark.column + 1}" if mark else display
        raise RuleSetError(f"{where}: YAML syntax error: {err.problem or err}") from err
    except yaml.YAMLError as err:
        raise RuleSetError(f"{display}: YAML error: {err}") from err
    if not isinstance(data, dict):
        raise RuleSetError(f"{display}: a rule file must be a YAML mapping (id:, title_vi:, ...)")
    doc = _Doc(path, display, raw, data, nodes)
    _check_duplicate_keys(doc, nodes)
    if digest in _VALID:  # same bytes already passed the schema (the engine reloads sets often)
        return doc
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        _VALID.add(digest)
    if errors:
        lines = [f"{doc.where(tuple(e.absolute_path))}: {_short(e)}" for e in errors[:5]]
        more = f"\n(and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise RuleSetError("\n".join(lines) + more)
    return doc


def _short(err: jsonschema.ValidationError) -> str:
    if err.validator == "maxLength":  # jsonschema quotes the whole over-long text
        return (f"{shorten(err.instance, 40)!r}: {len(err.instance):,} characters, "
                f"at most {err.validator_value} allowed")
    msg = err.message
    return msg if len(msg) <= 800 else msg[:797] + "..."


def _chain(target: Path, display: str) -> list[_Doc]:
    """The documents from the root parent to ``target`` (``extends`` resolved, cycles refused)."""
    docs: list[_Doc] = []
    seen: set[Path] = set()
    path, shown = target, display
    while True:
        real = path.resolve()
        if real in seen:
            names = " -> ".join(d.display for d in reversed(docs)) + f" -> {shown}"
            raise RuleSetError(f"{display}: extends: cycle in extends ({names})")
        seen.add(real)
        doc = _read_doc(path, shown)
        docs.append(doc)
        parent = doc.data.get("extends")
        if parent is None:
            return list(reversed(docs))
        if parent.endswith((".yaml", ".yml")):
            path = (doc.path.parent / parent)
            shown = str(path)
            if not path.is_file():
                raise doc.fail(("extends",), f"file {parent!r} not found next to {doc.display}")
        elif parent in shipped_ids():
            path, shown = _criteria_dir() / f"{parent}.yaml", f"{parent}.yaml"
        else:
            raise doc.fail(("extends",), f"unknown rule set {parent!r}; known: {', '.join(shipped_ids())}")


def load(id_or_path: str | Path) -> RuleSet:
    """See :func:`tc8.rules.model.load_rule_set`."""
    text = str(id_or_path)
    path = Path(text)
    if isinstance(id_or_path, Path) or text.endswith((".yaml", ".yml")) or path.is_file():
        if not path.is_file():
            raise RuleSetError(f"{text}: không tìm thấy tệp bộ tiêu chí / rule file not found")
        docs = _chain(path, text)
    elif text in shipped_ids():
        docs = _chain(_criteria_dir() / f"{text}.yaml", f"{text}.yaml")
    else:
        raise RuleSetError(f"không có bộ tiêu chí {text!r} (xem 'tc8 rules list') / unknown rule set {text!r}; "
                           f"known: {', '.join(shipped_ids())}")
    return _build(docs)


def _merge(docs: list[_Doc]) -> dict:
    """Fold the chain into one state; every piece keeps (doc, path) for messages."""
    st: dict = {"meta": {}, "instruments": {}, "parameters": {}, "overrides": [],
                "postal_point": None, "indicators": {}}
    for doc in docs:
        d = copy.deepcopy(doc.data)
        meta = {k: d[k] for k in ("id", "title_vi", "title_en", "period", "official", "criterion_rule",
                                  "extends", "description_vi", "description_en") if k in d}
        if "extends" in d:
            meta.setdefault("official", False)  # a derived file never inherits "official"
            for k in ("description_vi", "description_en"):
                st["meta"].pop(k, None)
        st["meta"].update(meta)
        for i, ins in enumerate(d.get("instruments", [])):
            if ins["id"] in st["instruments"] and st["instruments"][ins["id"]][1][0] is doc:
                raise doc.fail(("instruments", i, "id"), f"duplicate instrument id {ins['id']!r}")
            st["instruments"][ins["id"]] = (ins, (doc, ("instruments", i)))
        for name, entry in d.get("parameters", {}).items():
            old = st["parameters"].get(name)
            merged = {**old[0], **entry} if old else entry
            st["parameters"][name] = (merged, (doc, ("parameters", name)))
        st["overrides"] += [(o, (doc, ("overrides", i))) for i, o in enumerate(d.get("overrides", []))]
        if "postal_point" in d:
            st["postal_point"] = (d["postal_point"], (doc, ("postal_point",)))
        mine = set()
        for i, ind in enumerate(d.get("indicators", [])):
            if ind["id"] in mine:
                raise doc.fail(("indicators", i, "id"), f"duplicate indicator id {ind['id']!r}")
            mine.add(ind["id"])
            st["indicators"][ind["id"]] = (ind, (doc, ("indicators", i)))
        for key in ("enable", "disable"):
            for i, cid in enumerate(d.get(key, [])):
                targets = _condition_dicts(st, cid)
                if not targets:
                    raise doc.fail((key, i), f"{key}: no condition with id {cid!r} in the rule set")
                for t in targets:
                    t["enabled"] = key == "enable"
    st["last"] = docs[-1]
    return st


def _condition_dicts(st: dict, cid: str) -> list[dict]:
    found = []

    def walk(node):
        for k in ("all", "any"):
            for child in node.get(k, []):
                walk(child)
        if "measure" in node and node["id"] == cid:
            found.append(node)

    for ind, _ in st["indicators"].values():
        walk(ind["condition"])
    if st["postal_point"]:
        found += [c for c in st["postal_point"][0]["conditions"] if c["id"] == cid]
    return found


def node_from_dict(d: dict) -> Node:
    """A condition tree from its (schema-valid) YAML mapping."""
    for key, cls in (("all", AllOf), ("any", AnyOf)):
        if key in d:
            return cls(tuple(node_from_dict(c) for c in d[key]), d.get("id", ""),
                       d.get("label_vi", ""), d.get("label_en", ""))
    return Condition(measure=d["measure"], **_comparison_fields(d))


def _comparison_fields(d: dict) -> dict:
    """Keyword arguments common to Condition and PointCondition, from one rule-file entry."""
    return dict(id=d["id"], op=d["op"], value=_value(d["value"]), basis=d["basis"], cite=Cite(**d["cite"]),
                label_vi=d["label_vi"], label_en=d["label_en"], unit=d.get("unit", ""),
                enabled=d.get("enabled", True))


def _cite(d: dict | None) -> Cite | None:
    return Cite(**d) if d else None


def _value(v):
    return ParamRef(v["param"]) if isinstance(v, dict) else v


def _build(docs: list[_Doc]) -> RuleSet:
    st = _merge(docs)
    meta = st["meta"]
    params = {}
    for name, (p, _) in st["parameters"].items():
        value = tuple(p["value"]) if isinstance(p["value"], list) else p["value"]
        params[name] = Parameter(name, value, p["basis"], p.get("label_vi", ""), p.get("label_en", ""),
                                 p.get("unit", ""), _cite(p.get("cite")))
    overrides = tuple(Override(o["when"], o["set"], o.get("note_vi", ""), o.get("note_en", ""),
                               source=loc[0].where(loc[1])) for o, loc in st["overrides"])
    postal = None
    if st["postal_point"]:
        pp = st["postal_point"][0]
        conds = tuple(PointCondition(field=c["field"], **_comparison_fields(c)) for c in pp["conditions"])
        kinds = pp["kinds"]
        postal = PostalPointRule(ParamRef(kinds["param"]) if isinstance(kinds, dict) else tuple(kinds), conds)
    indicators = tuple(Indicator(i["id"], i["name_vi"], i["name_en"], node_from_dict(i["condition"]),
                                 i.get("note_vi", ""), i.get("note_en", ""))
                       for i, _ in st["indicators"].values())
    instruments = tuple(Instrument(**ins) for ins, _ in st["instruments"].values())
    rule_set = RuleSet(
        id=meta["id"], title_vi=meta["title_vi"], title_en=meta["title_en"],
        period=meta.get("period", ""), official=bool(meta.get("official", False)),
        criterion_rule=meta.get("criterion_rule", "all"), instruments=instruments, parameters=params,
        overrides=overrides, postal_point=postal, indicators=indicators, extends=meta.get("extends"),
        source_files=tuple(str(d.path) for d in docs),
        sha256=hashlib.sha256(b"".join(d.raw for d in docs)).hexdigest(),
        description_vi=meta.get("description_vi", ""), description_en=meta.get("description_en", ""))
    check_rule_set(rule_set, st)
    return rule_set




# --------------------------------------------------------------------------- meaning

#: Measures that need a ``postal_point`` block (which points qualify): from the registry.
POSTAL_MEASURES = postal_rule_measures()


def _kind(value) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (int, float)):
        return "number"
    return "list" if isinstance(value, (list, tuple)) else "text"


def _postal_field_kinds() -> dict:
    cols = LAYERS["postal_points"].columns
    return {c.name: "yes/no" if c.kind == "bool" else "number"
            for c in cols if c.kind in ("bool", "float", "int") and c.name != "synthetic"}


def check_rule_set(rs: RuleSet, st: dict) -> None:
    """Checks the schema cannot express; the first problem raises RuleSetError."""
    last = st["last"]
    instruments = {ins.id for ins in rs.instruments}
    params = rs.parameters

    def cite(c: dict | None, doc, path) -> None:
        if c and c.get("instrument") and c["instrument"] not in instruments:
            raise doc.fail(path + ("instrument",),
                           f"unknown instrument {c['instrument']!r}; known: {', '.join(sorted(instruments))}")

    def value(v, expected: str, op: str, doc, path) -> None:
        if isinstance(v, dict):
            name = v["param"]
            if name not in params:
                raise doc.fail(path + ("value", "param"), f"unknown parameter {name!r}")
            got = _kind(params[name].value)
        else:
            got = _kind(v)
        if got != expected:
            raise doc.fail(path + ("value",), f"expects a {expected} value, got a {got} value")
        if expected == "yes/no" and op not in ("==", "!="):
            raise doc.fail(path + ("op",), f"a yes/no value can only be compared with == or != (got {op!r})")

    for name, (p, (doc, path)) in st["parameters"].items():
        for key in ("label_vi", "label_en"):
            if key not in p:
                raise doc.fail(path, f"a new parameter needs {key!r}")
        cite(p.get("cite"), doc, path + ("cite",))
    missing = [n for n in REQUIRED_PARAMETERS if n not in params]
    if missing:
        raise last.fail(("parameters",), f"missing required parameter(s): {', '.join(missing)}")
    for name, allowed in (("default_terrain", TERRAINS), ("phone_technologies", MOBILE_TECHNOLOGIES),
                          ("internet_technologies", MOBILE_TECHNOLOGIES), ("postal_point_kinds", POSTAL_KINDS)):
        v = params[name].value
        bad = [x for x in (v if isinstance(v, tuple) else (v,)) if x not in allowed]
        if bad or (name != "default_terrain") != isinstance(v, tuple):
            doc, path = st["parameters"][name][1]
            raise doc.fail(path + ("value",), f"{name} must be {'a list of ' if name != 'default_terrain' else 'one of '}"
                           f"{', '.join(allowed)} (got {v!r})")

    ids: dict[str, str] = {}

    def register(cid: str, doc, path) -> None:
        if cid in ids:
            raise doc.fail(path + ("id",), f"duplicate condition id {cid!r} (also at {ids[cid]})")
        ids[cid] = doc.where(path)

    uses_postal: list = []

    def walk(node: dict, doc, path) -> None:
        if node.get("id"):
            register(node["id"], doc, path)
        for key in ("all", "any"):
            for i, child in enumerate(node.get(key, [])):
                walk(child, doc, path + (key, i))
        if "measure" in node:
            cite(node["cite"], doc, path + ("cite",))
            expected = "yes/no" if MEASURES[node["measure"]] == "yes/no" else "number"
            value(node["value"], expected, node["op"], doc, path)
            if node["measure"] in POSTAL_MEASURES:
                uses_postal.append((doc, path + ("measure",)))

    if st["postal_point"]:
        pp, (doc, path) = st["postal_point"]
        kinds = pp["kinds"]
        if isinstance(kinds, dict):
            if kinds["param"] not in params:
                raise doc.fail(path + ("kinds", "param"), f"unknown parameter {kinds['param']!r}")
            k = params[kinds["param"]].value
            if not isinstance(k, tuple) or any(x not in POSTAL_KINDS for x in k):
                raise doc.fail(path + ("kinds",), f"kinds must name a list of {', '.join(POSTAL_KINDS)}")
        fields = _postal_field_kinds()
        for i, c in enumerate(pp["conditions"]):
            cpath = path + ("conditions", i)
            register(c["id"], doc, cpath)
            cite(c["cite"], doc, cpath + ("cite",))
            value(c["value"], fields[c["field"]], c["op"], doc, cpath)
    for ind, (doc, path) in st["indicators"].values():
        walk(ind["condition"], doc, path + ("condition",))
    if uses_postal and not st["postal_point"]:
        doc, path = uses_postal[0]
        raise doc.fail(path, "this measure needs a 'postal_point' block (what makes a point qualify)")

    for o, (doc, path) in st["overrides"]:
        for name, v in o["set"].items():
            where = path + ("set", name)
            if name not in params:
                raise doc.fail(where, f"unknown parameter {name!r}")
            if params[name].is_list:
                raise doc.fail(where, f"{name} is a list parameter; it cannot differ per commune")
            if _kind(v) != _kind(params[name].value):
                raise doc.fail(where, f"expects a {_kind(params[name].value)} value like the parameter, got {v!r}")
