"""The shared vocabulary: statuses, evidence classes, basis tags and THE measure registry.

Every stage names these from here; nothing else declares them.

* Statuses (:data:`STATUSES`): ``dat`` (passes), ``khong_dat`` (fails), ``thieu_du_lieu``
  (cannot be decided: data missing).
* Evidence classes (:data:`EVIDENCE_ORDER`), strongest first, with their rank
  (:data:`EVIDENCE_RANK`, 0 = strongest) and :data:`NO_EVIDENCE` (a rank weaker than every
  class: "nothing covers it").
* Basis tags of rules (:data:`BASIS_ORDER`), strongest first.
* The measure registry (:data:`MEASURES`): each measure a rule set may compare, declared once
  as a :class:`MeasureSpec` — its unit, its family (the module of :mod:`tc8.measures` that
  builds it), the inputs it reads, the village columns that explain it and the record kind
  behind it. The rule schema's enum, the rule loader, ``tc8 validate --rules`` and the
  renderers read it from here; ``tests/test_measure_registry.py`` checks the copies that must
  stay in files (``data/criteria/schema.json``, ``templates/workbook_commune.yaml``).

Pure data: no pandas, importable by every stage.
"""
from __future__ import annotations

from dataclasses import dataclass

STATUS_PASS = "dat"
STATUS_FAIL = "khong_dat"
STATUS_MISSING = "thieu_du_lieu"
STATUSES = (STATUS_PASS, STATUS_FAIL, STATUS_MISSING)

#: Evidence classes, strongest first (design.md, "Coverage of a village").
EVIDENCE_ORDER = ("measured", "declared", "modeled", "reported")
#: Evidence class -> rank (0 = strongest); a larger rank is weaker evidence.
EVIDENCE_RANK = {name: i for i, name in enumerate(EVIDENCE_ORDER)}
#: The rank of "no evidence at all": weaker than every class (also the count of classes).
NO_EVIDENCE = len(EVIDENCE_ORDER)
#: Basis tags, strongest first (criteria.md).
BASIS_ORDER = ("text", "practice", "provisional")

#: Village-level telecom services -> (mobile part, fixed part): a village has the service
#: when either part covers it (columns ``<part>_ok`` of ``Results.villages``).
SERVICE_PARTS = {
    "phone": ("mobile_voice", "fixed_phone"),
    "internet": ("mobile_broadband", "fixed_broadband"),
}

#: Units a measure is expressed in: counts, percent (0–100), yes/no as 1/0.
UNITS = ("count", "%", "bool")
#: Measure families, each one module of :mod:`tc8.measures` (``tc8.measures.<family>``).
FAMILIES = ("postal", "telecom", "radio", "it")
#: Marker clause of :attr:`MeasureSpec.needs`: one clause per field the rule set's enabled
#: postal-point conditions read (``postal_points.<field>``), resolved against the rule set.
POSTAL_RULE = (("postal_points", "@postal_point"),)


@dataclass(frozen=True)
class MeasureSpec:
    """One measure of the closed vocabulary rule sets combine.

    ``needs``: the inputs it reads, as clauses that must all be available, each a tuple of
    sources ``(layer, column)`` of which one is enough (``column`` ``None`` = the layer itself;
    :data:`POSTAL_RULE` = the fields of the rule set's postal-point conditions). Without them
    the measure is undecided in every commune (:mod:`tc8.engine.preview`).
    ``village_columns``: the nullable-boolean columns of ``Results.villages`` that explain it
    per village (empty for a commune-level measure).
    """

    name: str
    unit: str
    family: str
    needs: tuple
    village_columns: tuple[str, ...] = ()

    @property
    def module(self) -> str:
        """The module that builds it: ``tc8.measures.<family>``."""
        return f"tc8.measures.{self.family}"

    @property
    def record_kind(self) -> str:
        """The kind of input records behind it (the dossier's record table): its family."""
        return self.family

    @property
    def value_kind(self) -> str:
        """What a rule compares it with: ``yes/no`` (a bool measure) or ``number``."""
        return "yes/no" if self.unit == "bool" else "number"

    @property
    def rule_unit(self) -> str:
        """The unit as rule files and their documentation spell it (``yes/no`` for bool)."""
        return "yes/no" if self.unit == "bool" else self.unit

    @property
    def uses_postal_rule(self) -> bool:
        """True when it depends on the rule set's ``postal_point`` block (which points qualify)."""
        return POSTAL_RULE in self.needs

    def columns_of(self, layer: str) -> tuple[str, ...]:
        """The columns of ``layer`` it reads, in ``needs`` order, without repeats."""
        found = (c for clause in self.needs for lay, c in clause if lay == layer and c and not c.startswith("@"))
        return tuple(dict.fromkeys(found))


_PP, _RS, _IT = "postal_points", "radio_stations", "commune_it"
_MOBILE = (("coverage", None), ("cell_sites", None))
_FIXED = (("fixed_access", None),)
_PHONE = _MOBILE + (("villages", "mobile_phone"),) + _FIXED + (("villages", "fixed_phone"),)
_INTERNET = _MOBILE + (("villages", "mobile_broadband"),) + _FIXED + (("villages", "fixed_broadband"),)
#: A share of villages needs the villages layer (optional: without it the share is unknown).
_VILLAGES = (("villages", None),)


def _it(*columns: str) -> tuple:
    """Clauses of an IT figure: every column of ``commune_it`` is needed."""
    return tuple(((_IT, c),) for c in columns)


_SPECS = (
    MeasureSpec("postal_points_qualifying", "count", "postal", (((_PP, "kind"),), POSTAL_RULE)),
    MeasureSpec("letter_boxes_qualifying", "count", "postal", (((_PP, "kind"),), ((_PP, "collections_per_day"),))),
    MeasureSpec("public_telecom_points", "count", "postal", (((_PP, "telecom_service"),),)),
    MeasureSpec("postal_points_online_services", "count", "postal",
                (((_PP, "kind"),), POSTAL_RULE, ((_PP, "online_public_services"),))),
    MeasureSpec("share_villages_phone", "%", "telecom", (_VILLAGES, _PHONE), ("phone_ok",)),
    MeasureSpec("share_villages_internet", "%", "telecom", (_VILLAGES, _INTERNET), ("internet_ok",)),
    MeasureSpec("share_villages_phone_and_internet", "%", "telecom", (_VILLAGES, _PHONE, _INTERNET),
                ("phone_ok", "internet_ok")),
    MeasureSpec("share_villages_speakers", "%", "radio", (_VILLAGES, (("speakers", None),)), ("speaker_ok",)),
    MeasureSpec("radio_station_ok", "bool", "radio", (((_RS, "operating"),), ((_RS, "compliant"),))),
    MeasureSpec("radio_station_it_based", "bool", "radio", (((_RS, "operating"),), ((_RS, "type"),))),
    MeasureSpec("it_eoffice_system", "bool", "it", _it("eoffice_system")),
    MeasureSpec("it_share_officials_computer", "%", "it", _it("officials_with_computer", "officials")),
    MeasureSpec("it_share_officials_eoffice", "%", "it", _it("officials_using_eoffice", "officials")),
    MeasureSpec("it_website", "bool", "it", _it("website")),
    MeasureSpec("it_share_dossiers_online", "%", "it", _it("dossiers_online", "dossiers_total")),
    MeasureSpec("smartphone_share_subscriptions", "%", "it", _it("smartphone_subscriptions", "mobile_subscriptions")),
    MeasureSpec("smartphone_per_working_age", "%", "it", _it("smartphone_subscriptions", "working_age_population")),
    MeasureSpec("public_wifi_points", "count", "it", _it("public_wifi_points")),
)
#: THE measure registry: name -> spec, in documentation order (README "Measures").
MEASURES: dict[str, MeasureSpec] = {spec.name: spec for spec in _SPECS}


def measure(name: str) -> MeasureSpec:
    """The spec of measure ``name``; KeyError naming the known measures when there is none."""
    try:
        return MEASURES[name]
    except KeyError:
        raise KeyError(f"unknown measure {name!r}; known: {', '.join(MEASURES)}") from None


def measures_of_family(family: str) -> tuple[MeasureSpec, ...]:
    """The measures one family module builds, in registry order (() for an unknown family)."""
    return tuple(spec for spec in MEASURES.values() if spec.family == family)


def village_columns(name: str) -> tuple[str, ...]:
    """The ``Results.villages`` columns that explain measure ``name`` (() when commune-level)."""
    return measure(name).village_columns


def village_fact_columns() -> tuple[str, ...]:
    """Every village column some measure is explained by, in registry order
    (``phone_ok``, ``internet_ok``, ``speaker_ok``)."""
    return tuple(dict.fromkeys(c for spec in MEASURES.values() for c in spec.village_columns))


def postal_rule_measures() -> tuple[str, ...]:
    """Measures that depend on the rule set's ``postal_point`` block (which points qualify)."""
    return tuple(name for name, spec in MEASURES.items() if spec.uses_postal_rule)


def _check_registry() -> None:
    """Fail at import on a malformed entry (wrong unit or family, duplicate name)."""
    if len(MEASURES) != len(_SPECS):
        raise ValueError("duplicate measure name in the registry")
    for spec in _SPECS:
        if spec.unit not in UNITS or spec.family not in FAMILIES:
            raise ValueError(f"measure {spec.name}: unit must be one of {UNITS}, family one of {FAMILIES}")


_check_registry()
