"""Rule sets as data: load, validate and query ``data/criteria/*.yaml`` (format: its README).

A rule set says which sub-indicators criterion 8 has, which conditions each checks (a closed
vocabulary of :data:`MEASURES` and :data:`~tc8.rules.compare.OPS`, nested ``all``/``any``), with which thresholds
(:class:`Parameter`, possibly different per commune through :class:`Override`) and on which
basis (``text`` > ``practice`` > ``provisional``). Nothing is evaluated here: the engine maps
measures to vectorised functions; this module only describes and checks.

Loading validates each file against ``schema.json`` and then checks meaning (unknown
parameter, instrument or condition id, duplicate ids, wrong value type for a measure, cycles
in ``extends``). Every failure is a :class:`~tc8.model.errors.RuleSetError` whose message names the
file, the line where known, and the field path (``indicators[1].condition.all[0].op``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator, Union

from tc8.model.errors import RuleSetError
from tc8.model.schema import FALSE_WORDS, TRUE_WORDS
from tc8.model.vocab import BASIS_ORDER, MEASURES as MEASURE_REGISTRY

from .compare import OPS, ParamRef, param_name  # noqa: F401 - OPS: the operators of the vocabulary

if TYPE_CHECKING:  # annotations only
    import pandas as pd

#: measure -> unit as rule files spell it (``count``, ``%`` or ``yes/no``): the closed
#: vocabulary, read from the registry :data:`tc8.model.vocab.MEASURES` (README "Measures").
MEASURES: dict[str, str] = {name: spec.rule_unit for name, spec in MEASURE_REGISTRY.items()}
#: Parameters every rule set carries (coverage model and postal basics; README).
REQUIRED_PARAMETERS = tuple(
    f"radius_m_{tech}_{terrain}" for tech in ("2g", "3g", "4g", "5g")
    for terrain in ("flat", "hilly", "mountainous")) + (
    "default_terrain", "phone_technologies", "internet_technologies", "speaker_reach_m",
    "polygon_covered_share", "postal_point_kinds", "min_letterbox_collections_per_day")


# --------------------------------------------------------------------------- model

@dataclass(frozen=True)
class Cite:
    instrument: str = ""
    article: str = ""
    note: str = ""
    note_en: str = ""

    def note_in(self, lang: str) -> str:
        return (self.note_en or self.note) if lang == "en" else self.note


@dataclass(frozen=True)
class Instrument:
    id: str
    number: str
    title_vi: str
    date: str = ""  # ISO ``YYYY-MM-DD`` or ``YYYY-MM`` when the day is not known
    title_en: str = ""
    note: str = ""

    def short(self) -> str:
        """``1980/QĐ-TTg (17/10/2016)``."""
        if not self.date:
            return self.number
        return f"{self.number} ({'/'.join(reversed(self.date.split('-')))})"


@dataclass(frozen=True)
class Parameter:
    name: str
    value: object  # number, bool, str, or tuple of those (list parameters)
    basis: str
    label_vi: str
    label_en: str
    unit: str = ""
    cite: Cite | None = None

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, tuple)

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


@dataclass(frozen=True)
class Override:
    """Set scalar parameters for communes whose columns match every ``when`` entry."""

    when: dict
    set: dict
    note_vi: str = ""
    note_en: str = ""
    source: str = ""  # ``file: overrides[i]`` for messages


@dataclass(frozen=True, kw_only=True)
class _Comparison:
    """Fields and helpers shared by :class:`Condition` and :class:`PointCondition`."""

    id: str
    op: str
    value: object  # literal or ParamRef
    basis: str
    cite: Cite
    label_vi: str
    label_en: str
    unit: str = ""
    enabled: bool = True

    @property
    def param(self) -> str | None:
        return param_name(self.value)

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi

    def threshold(self, params: pd.DataFrame) -> pd.Series:
        """Per-commune threshold: the parameter's column of :func:`resolve_parameters` output,
        or the literal broadcast over ``params.index``."""
        import pandas as pd  # imported where used: `tc8 rules list/show` never loads pandas

        if isinstance(self.value, ParamRef):
            if self.value.name not in params.columns:
                raise RuleSetError(f"condition {self.id}: parameter {self.value.name!r} is not a scalar column")
            return params[self.value.name]
        return pd.Series([self.value] * len(params), index=params.index, dtype=object if isinstance(self.value, str) else None)


@dataclass(frozen=True, kw_only=True)
class Condition(_Comparison):
    """One commune-level comparison: ``measure op value``."""

    measure: str


@dataclass(frozen=True, kw_only=True)
class PointCondition(_Comparison):
    """One check on a postal point: ``postal_points.<field> op value``."""

    field: str


@dataclass(frozen=True)
class _Group:
    """A group of conditions; ``kind`` is its key in rule files (``all`` / ``any``)."""

    kind: ClassVar[str]
    children: tuple
    id: str = ""
    label_vi: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class AllOf(_Group):
    """Every child must pass."""

    kind: ClassVar[str] = "all"


@dataclass(frozen=True)
class AnyOf(_Group):
    """One passing child is enough."""

    kind: ClassVar[str] = "any"


Node = Union[Condition, AllOf, AnyOf]


def iter_nodes(node: Node, path: str = "") -> Iterator[tuple[str, Node]]:
    """Every node under ``node`` (itself first), depth-first, with its path (``all[0].any[1]``)."""
    yield path, node
    if isinstance(node, (AllOf, AnyOf)):
        key = node.kind
        for i, child in enumerate(node.children):
            yield from iter_nodes(child, f"{path}.{key}[{i}]" if path else f"{key}[{i}]")


def prune(node: Node) -> Node | None:
    """``node`` without disabled conditions; a group left empty disappears (``None``).

    A disabled condition inside ``any`` is simply not an alternative; inside ``all`` it is
    not required.
    """
    if isinstance(node, Condition):
        return node if node.enabled else None
    kept = tuple(c for c in (prune(child) for child in node.children) if c is not None)
    return type(node)(kept, node.id, node.label_vi, node.label_en) if kept else None


@dataclass(frozen=True)
class PostalPointRule:
    """What makes one postal point qualify: an allowed kind and every enabled condition."""

    kinds: object  # tuple of kinds or ParamRef to a list parameter
    conditions: tuple

    @property
    def enabled_conditions(self) -> tuple:
        return tuple(c for c in self.conditions if c.enabled)


@dataclass(frozen=True)
class Indicator:
    id: str
    name_vi: str
    name_en: str
    condition: Node
    note_vi: str = ""
    note_en: str = ""

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi

    def conditions(self, *, enabled_only: bool = True) -> Iterator[tuple[str, Condition]]:
        """Leaf conditions in file order with their path under ``condition``."""
        for path, node in iter_nodes(self.condition):
            if isinstance(node, Condition) and (node.enabled or not enabled_only):
                yield path, node

    @property
    def enabled_condition(self) -> Node | None:
        """The condition tree without disabled conditions (see :func:`prune`)."""
        return prune(self.condition)

    @property
    def basis(self) -> str:
        return weakest_basis(c for _, c in self.conditions())


@dataclass(frozen=True)
class RuleSet:
    id: str
    title_vi: str
    title_en: str
    period: str
    official: bool
    criterion_rule: str
    instruments: tuple
    parameters: dict  # name -> Parameter, file order
    overrides: tuple
    postal_point: PostalPointRule | None
    indicators: tuple
    extends: str | None = None  # the direct parent as written in the file
    source_files: tuple = ()  # root parent first
    sha256: str = ""  # of the files' bytes concatenated in that order
    description_vi: str = ""
    description_en: str = ""

    def title(self, lang: str = "vi") -> str:
        return self.title_en if lang == "en" else self.title_vi

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def instrument(self, instrument_id: str) -> Instrument:
        for ins in self.instruments:
            if ins.id == instrument_id:
                return ins
        raise KeyError(instrument_id)

    def param(self, name: str):
        """Default (un-overridden) value of a parameter; list parameters as tuples."""
        return self.parameters[name].value

    def postal_kinds(self) -> tuple:
        """Postal point kinds that count (resolving a ``{param: ...}``); () without a rule."""
        if self.postal_point is None:
            return ()
        kinds = self.postal_point.kinds
        return tuple(self.param(kinds.name)) if isinstance(kinds, ParamRef) else tuple(kinds)

    @property
    def uses_2026_groups(self) -> bool:
        """A 2026–2030 (or later) set: ``commune_group`` means nhóm 1, 2, 3 (:mod:`tc8.rules.groups`)."""
        from .groups import uses_2026_groups
        return uses_2026_groups(self.period)

    def check_inputs(self, inputs) -> None:
        """Checks of the input that need this rule set (the 2026 commune groups, see
        :func:`tc8.rules.groups.check_commune_groups`): raise ``InputError`` or add warnings."""
        from .groups import check_commune_groups
        check_commune_groups(self.period, inputs)

    def conditions(self, *, enabled_only: bool = True) -> Iterator[tuple[str, str, Condition]]:
        """``(indicator id, path, condition)`` over every indicator."""
        for ind in self.indicators:
            for path, cond in ind.conditions(enabled_only=enabled_only):
                yield ind.id, path, cond

    def cite_text(self, cite: Cite | None, lang: str = "vi") -> str:
        """``1980/QĐ-TTg (17/10/2016), Chỉ tiêu 8.1 — note``."""
        if cite is None:
            return ""
        parts = []
        if cite.instrument:
            parts.append(self.instrument(cite.instrument).short())
        if cite.article:
            parts.append(cite.article)
        head = ", ".join(parts)
        note = cite.note_in(lang)
        return f"{head} — {note}" if head and note else head or note


def weakest_basis(items: Iterable) -> str:
    """The weakest basis among strings, conditions, nodes or indicators ("" if none).

    ``text`` is strongest, ``provisional`` weakest; disabled conditions are ignored.
    """
    worst = -1
    for item in items:
        if isinstance(item, Indicator):
            bases = [c.basis for _, c in item.conditions()]
        elif isinstance(item, (AllOf, AnyOf)):
            bases = [n.basis for _, n in iter_nodes(item) if isinstance(n, Condition) and n.enabled]
        elif isinstance(item, str):
            bases = [item]
        else:
            bases = [item.basis] if getattr(item, "enabled", True) else []
        for basis in bases:
            worst = max(worst, BASIS_ORDER.index(basis))
    return BASIS_ORDER[worst] if worst >= 0 else ""


# --------------------------------------------------------------------------- per commune

def _matches(column: pd.Series, wanted) -> pd.Series:
    """Rows of ``column`` equal to ``wanted`` (or to one of a list); <NA> never matches."""
    import pandas as pd
    values = wanted if isinstance(wanted, list) else [wanted]
    if pd.api.types.is_bool_dtype(column):
        mask = column.isin([v for v in values if isinstance(v, bool)])
    elif pd.api.types.is_numeric_dtype(column):
        mask = column.isin([v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)])
    else:
        targets = set()
        for v in values:
            targets |= (set(TRUE_WORDS) - {""} if v else set(FALSE_WORDS) - {""}) if isinstance(v, bool) \
                else {str(v).strip().lower()}
        mask = column.astype("string").str.strip().str.lower().isin(targets)
    return mask.fillna(False).astype(bool) & column.notna()


def resolve_parameters(rule_set: RuleSet, communes: pd.DataFrame) -> pd.DataFrame:
    """Per-commune values of every scalar parameter, after overrides (in order, later wins).

    Returns a DataFrame indexed like ``communes`` with one column per scalar parameter
    (numbers as float64, booleans as bool, text as object). ``when`` compares a communes
    column by equality or list membership; booleans compare as booleans; a missing value
    (<NA>) never matches. A ``when`` column absent from ``communes`` is a RuleSetError.
    List parameters (e.g. ``postal_point_kinds``) are not in the frame: use ``rule_set.param``.
    """
    import pandas as pd

    out = {}
    for name, p in rule_set.parameters.items():
        if p.is_list:
            continue
        dtype = bool if isinstance(p.value, bool) else object if isinstance(p.value, str) else "float64"
        out[name] = pd.Series([p.value] * len(communes), index=communes.index, dtype=dtype)
    for ov in rule_set.overrides:
        mask = pd.Series(True, index=communes.index)
        for col, wanted in ov.when.items():
            if col not in communes.columns:
                raise RuleSetError(f"{ov.source}.when.{col}: the communes layer has no column {col!r}")
            mask &= _matches(communes[col], wanted)
        for name, value in ov.set.items():
            out[name] = out[name].mask(mask, value)
    return pd.DataFrame(out, index=communes.index)
