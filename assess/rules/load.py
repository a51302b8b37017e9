"""Reading rule files: YAML with line numbers, schema validation, ``extends`` chains, merging
and checks of meaning. The public entry point is :func:`load_rule_set`.

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
from tc8.text.localised import localised_error
from tc8.text.messages import SAFE_LOADER, shorten
from .groups import GROUP_COLUMN, bad_group_values, uses_2026_groups
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
        raise localised_error(RuleSetError, "rules.cannot_read", f"{display}: ", str_lang="en", detail=err) from err
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
        raise localised_error(RuleSetError, "rules.yaml_syntax", f"{where}: ", str_lang="en",
                              detail=err.problem or err) from err
    except yaml.YAMLError as err:
        raise localised_error(RuleSetError, "rules.yaml_error", f"{display}: ", str_lang="en", detail=err) from err
    if not isinstance(data, dict):
        raise localised_error(RuleSetError, "rules.not_mapping", f"{display}: ", str_lang="en")
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
    """See :func:`load_rule_set`."""
    text = str(id_or_path)
    path = Path(text)
    if isinstance(id_or_path, Path) or text.endswith((".yaml", ".yml")) or path.is_file():
        if not path.is_file():
            raise localised_error(RuleSetError, "rules.file_not_found", f"{text}: ")
        docs = _chain(path, text)
    elif text in shipped_ids():
        docs = _chain(_criteria_dir() / f"{text}.yaml", f"{text}.yaml")
    else:
        raise localised_error(RuleSetError, "rules.unknown_set", id=text, known=", ".join(shipped_ids()))
    return _build(docs)


#: top-level keys of a rule file that describe the rule set itself
_META_KEYS = ("id", "title_vi", "title_en", "period", "official", "criterion_rule", "extends",
              "description_vi", "description_en")


@dataclass(frozen=True)
class _Entry:
    """One merged piece of the chain (an instrument, parameter, override, indicator, the
    ``postal_point`` block) with the document and field path it was last written at."""

    data: dict
    doc: _Doc
    path: tuple

    def fail(self, sub: tuple, message: str) -> RuleSetError:
        """The error for field ``sub`` below this entry (``file:line: field.path: message``)."""
        return self.doc.fail(self.path + sub, message)


@dataclass
class _Merged:
    """The chain folded into one rule set (see the module docstring for the merge rules)."""

    last: _Doc
    """The derived (last) document: missing required pieces are reported against it."""
    meta: dict = field(default_factory=dict)
    instruments: dict[str, _Entry] = field(default_factory=dict)
    parameters: dict[str, _Entry] = field(default_factory=dict)
    overrides: list[_Entry] = field(default_factory=list)
    postal_point: _Entry | None = None
    indicators: dict[str, _Entry] = field(default_factory=dict)

    def condition_dicts(self, cid: str) -> list[dict]:
        """The condition mappings with id ``cid`` (indicator trees, then the postal block)."""
        found: list[dict] = []
        for entry in self.indicators.values():
            _collect_conditions(entry.data["condition"], cid, found)
        if self.postal_point:
            found += [c for c in self.postal_point.data["conditions"] if c["id"] == cid]
        return found


def _collect_conditions(node: dict, cid: str, found: list[dict]) -> None:
    """Append to ``found`` the leaf conditions of the tree ``node`` whose id is ``cid``."""
    for key in ("all", "any"):
        for child in node.get(key, []):
            _collect_conditions(child, cid, found)
    if "measure" in node and node["id"] == cid:
        found.append(node)


def _merge_meta(st: _Merged, d: dict) -> None:
    meta = {k: d[k] for k in _META_KEYS if k in d}
    if "extends" in d:
        meta.setdefault("official", False)  # a derived file never inherits "official"
        for k in ("description_vi", "description_en"):
            st.meta.pop(k, None)
    st.meta.update(meta)


def _merge_instruments(st: _Merged, doc: _Doc, d: dict) -> None:
    for i, ins in enumerate(d.get("instruments", [])):
        old = st.instruments.get(ins["id"])
        if old is not None and old.doc is doc:
            raise doc.fail(("instruments", i, "id"), f"duplicate instrument id {ins['id']!r}")
        st.instruments[ins["id"]] = _Entry(ins, doc, ("instruments", i))


def _merge_parameters(st: _Merged, doc: _Doc, d: dict) -> None:
    for name, entry in d.get("parameters", {}).items():
        old = st.parameters.get(name)
        st.parameters[name] = _Entry({**old.data, **entry} if old else entry, doc, ("parameters", name))


def _merge_indicators(st: _Merged, doc: _Doc, d: dict) -> None:
    mine: set[str] = set()
    for i, ind in enumerate(d.get("indicators", [])):
        if ind["id"] in mine:
            raise doc.fail(("indicators", i, "id"), f"duplicate indicator id {ind['id']!r}")
        mine.add(ind["id"])
        st.indicators[ind["id"]] = _Entry(ind, doc, ("indicators", i))


def _switch_conditions(st: _Merged, doc: _Doc, d: dict) -> None:
    """Apply ``enable``/``disable`` to the condition ids known at this point of the chain."""
    for key in ("enable", "disable"):
        for i, cid in enumerate(d.get(key, [])):
            targets = st.condition_dicts(cid)
            if not targets:
                raise doc.fail((key, i), f"{key}: no condition with id {cid!r} in the rule set")
            for t in targets:
                t["enabled"] = key == "enable"


def _merge(docs: list[_Doc]) -> _Merged:
    """Fold the chain (root parent first) into one state; every piece keeps its doc and path."""
    st = _Merged(last=docs[-1])
    for doc in docs:
        d = copy.deepcopy(doc.data)
        _merge_meta(st, d)
        _merge_instruments(st, doc, d)
        _merge_parameters(st, doc, d)
        st.overrides += [_Entry(o, doc, ("overrides", i)) for i, o in enumerate(d.get("overrides", []))]
        if "postal_point" in d:
            st.postal_point = _Entry(d["postal_point"], doc, ("postal_point",))
        _merge_indicators(st, doc, d)
        _switch_conditions(st, doc, d)
    return st


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


def _parameter(name: str, p: dict) -> Parameter:
    value = tuple(p["value"]) if isinstance(p["value"], list) else p["value"]
    return Parameter(name, value, p["basis"], p.get("label_vi", ""), p.get("label_en", ""),
                     p.get("unit", ""), _cite(p.get("cite")))


def _postal_rule(pp: dict) -> PostalPointRule:
    conds = tuple(PointCondition(field=c["field"], **_comparison_fields(c)) for c in pp["conditions"])
    kinds = pp["kinds"]
    return PostalPointRule(ParamRef(kinds["param"]) if isinstance(kinds, dict) else tuple(kinds), conds)


def _build(docs: list[_Doc]) -> RuleSet:
    st = _merge(docs)
    meta = st.meta
    params = {name: _parameter(name, e.data) for name, e in st.parameters.items()}
    overrides = tuple(Override(e.data["when"], e.data["set"], e.data.get("note_vi", ""), e.data.get("note_en", ""),
                               source=e.doc.where(e.path)) for e in st.overrides)
    postal = _postal_rule(st.postal_point.data) if st.postal_point else None
    indicators = tuple(Indicator(i["id"], i["name_vi"], i["name_en"], node_from_dict(i["condition"]),
                                 i.get("note_vi", ""), i.get("note_en", ""))
                       for i in (e.data for e in st.indicators.values()))
    instruments = tuple(Instrument(**e.data) for e in st.instruments.values())
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


#: parameters whose values must come from a fixed list: name -> (allowed values, list parameter?)
_ALLOWED_VALUES = {"default_terrain": (TERRAINS, False), "phone_technologies": (MOBILE_TECHNOLOGIES, True),
                   "internet_technologies": (MOBILE_TECHNOLOGIES, True), "postal_point_kinds": (POSTAL_KINDS, True)}


@dataclass(frozen=True)
class _Refs:
    """What the conditions of a rule set may refer to: its instruments and parameters."""

    instruments: frozenset[str]
    params: dict[str, Parameter]

    def check_cite(self, c: dict | None, doc: _Doc, path: tuple) -> None:
        """A citation names a known instrument (or none)."""
        if c and c.get("instrument") and c["instrument"] not in self.instruments:
            raise doc.fail(path + ("instrument",),
                           f"unknown instrument {c['instrument']!r}; known: {', '.join(sorted(self.instruments))}")

    def check_value(self, v, expected: str, op: str, doc: _Doc, path: tuple) -> None:
        """A threshold (literal or ``{param: name}``) is of the ``expected`` kind; yes/no only with == / !=."""
        if isinstance(v, dict):
            name = v["param"]
            if name not in self.params:
                raise doc.fail(path + ("value", "param"), f"unknown parameter {name!r}")
            got = _kind(self.params[name].value)
        else:
            got = _kind(v)
        if got != expected:
            raise doc.fail(path + ("value",), f"expects a {expected} value, got a {got} value")
        if expected == "yes/no" and op not in ("==", "!="):
            raise doc.fail(path + ("op",), f"a yes/no value can only be compared with == or != (got {op!r})")


@dataclass
class _ConditionIds:
    """Condition ids seen so far (id -> where), to refuse a duplicate across the whole rule set."""

    seen: dict[str, str] = field(default_factory=dict)

    def register(self, cid: str, doc: _Doc, path: tuple) -> None:
        if cid in self.seen:
            raise doc.fail(path + ("id",), f"duplicate condition id {cid!r} (also at {self.seen[cid]})")
        self.seen[cid] = doc.where(path)


def _check_parameters(st: _Merged, refs: _Refs) -> None:
    """Every parameter has its labels and cites a known instrument; required ones exist; the
    listed ones hold allowed values (a list, or one value for ``default_terrain``)."""
    for e in st.parameters.values():
        for key in ("label_vi", "label_en"):
            if key not in e.data:
                raise e.fail((), f"a new parameter needs {key!r}")
        refs.check_cite(e.data.get("cite"), e.doc, e.path + ("cite",))
    missing = [n for n in REQUIRED_PARAMETERS if n not in refs.params]
    if missing:
        raise st.last.fail(("parameters",), f"missing required parameter(s): {', '.join(missing)}")
    for name, (allowed, is_list) in _ALLOWED_VALUES.items():
        v = refs.params[name].value
        bad = [x for x in (v if isinstance(v, tuple) else (v,)) if x not in allowed]
        if bad or is_list != isinstance(v, tuple):
            raise st.parameters[name].fail(("value",), f"{name} must be {'a list of ' if is_list else 'one of '}"
                                                       f"{', '.join(allowed)} (got {v!r})")


def _check_postal_block(pp: _Entry, refs: _Refs, ids: _ConditionIds) -> None:
    """The ``postal_point`` block: its kinds parameter, and each point condition."""
    kinds = pp.data["kinds"]
    if isinstance(kinds, dict):
        if kinds["param"] not in refs.params:
            raise pp.fail(("kinds", "param"), f"unknown parameter {kinds['param']!r}")
        k = refs.params[kinds["param"]].value
        if not isinstance(k, tuple) or any(x not in POSTAL_KINDS for x in k):
            raise pp.fail(("kinds",), f"kinds must name a list of {', '.join(POSTAL_KINDS)}")
    fields = _postal_field_kinds()
    for i, c in enumerate(pp.data["conditions"]):
        cpath = pp.path + ("conditions", i)
        ids.register(c["id"], pp.doc, cpath)
        refs.check_cite(c["cite"], pp.doc, cpath + ("cite",))
        refs.check_value(c["value"], fields[c["field"]], c["op"], pp.doc, cpath)


def _check_condition(node: dict, doc: _Doc, path: tuple, refs: _Refs, ids: _ConditionIds) -> list[tuple]:
    """Check a condition tree (ids, citations, thresholds); return where it uses a postal measure."""
    postal_uses: list[tuple] = []
    if node.get("id"):
        ids.register(node["id"], doc, path)
    for key in ("all", "any"):
        for i, child in enumerate(node.get(key, [])):
            postal_uses += _check_condition(child, doc, path + (key, i), refs, ids)
    if "measure" in node:
        refs.check_cite(node["cite"], doc, path + ("cite",))
        expected = "yes/no" if MEASURES[node["measure"]] == "yes/no" else "number"
        refs.check_value(node["value"], expected, node["op"], doc, path)
        if node["measure"] in POSTAL_MEASURES:
            postal_uses.append((doc, path + ("measure",)))
    return postal_uses


def _check_overrides(st: _Merged, refs: _Refs) -> None:
    """Each override sets known, single-valued parameters to a value of the parameter's kind."""
    for e in st.overrides:
        for name, v in e.data["set"].items():
            where = ("set", name)
            if name not in refs.params:
                raise e.fail(where, f"unknown parameter {name!r}")
            if refs.params[name].is_list:
                raise e.fail(where, f"{name} is a list parameter; it cannot differ per commune")
            if _kind(v) != _kind(refs.params[name].value):
                raise e.fail(where, f"expects a {_kind(refs.params[name].value)} value like the parameter, got {v!r}")


def _check_group_overrides(rs: RuleSet, st: _Merged) -> None:
    """In a 2026–2030 set every ``when: {commune_group: ...}`` names group 1, 2 or 3."""
    if not uses_2026_groups(rs.period):
        return
    for e in st.overrides:
        wanted = e.data["when"].get(GROUP_COLUMN)
        bad = [] if wanted is None else bad_group_values(wanted)
        if bad:
            raise e.fail(("when", GROUP_COLUMN), f"{bad[0]!r} is not a commune group of the {rs.period} "
                                                 f"criteria (nhóm xã 1, 2 or 3, QĐ 51/2025/QĐ-TTg)")


def check_rule_set(rs: RuleSet, st: _Merged) -> None:
    """Checks the schema cannot express, in file order of concern (parameters, the postal block,
    indicators, overrides); the first problem raises :class:`RuleSetError`."""
    refs = _Refs(frozenset(ins.id for ins in rs.instruments), rs.parameters)
    _check_parameters(st, refs)
    ids = _ConditionIds()
    if st.postal_point:
        _check_postal_block(st.postal_point, refs, ids)
    postal_uses = [use for e in st.indicators.values()
                   for use in _check_condition(e.data["condition"], e.doc, e.path + ("condition",), refs, ids)]
    if postal_uses and not st.postal_point:
        doc, path = postal_uses[0]
        raise doc.fail(path, "this measure needs a 'postal_point' block (what makes a point qualify)")
    _check_overrides(st, refs)
    _check_group_overrides(rs, st)


def load_rule_set(id_or_path: str | Path) -> RuleSet:
    """Load a shipped rule set by id, or a YAML file (which may ``extends`` a shipped id, or a
    file next to it given with its ``.yaml`` suffix). Malformed -> :class:`RuleSetError`
    naming file, line and field."""
    return load(id_or_path)


def list_rule_sets() -> list[RuleSet]:
    """Every shipped rule set, loaded and validated, in id order."""
    return [load_rule_set(rid) for rid in shipped_ids()]
