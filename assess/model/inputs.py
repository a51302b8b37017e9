"""Inputs as read and as validated: what reading hands to validation, and validation to the
measures and the engine.

:class:`RawInputs` holds the layers exactly as read (:func:`tc8.io.read.read_inputs`), with a
:class:`SourceFile` per file read. :class:`Inputs` is what validation returns
(:func:`tc8.validate.run.validate_inputs`). Contract of :class:`Inputs` (the engine relies on
all of it):

* ``layers`` holds only the layers present in the input. Every schema column exists
  (absent optional columns are added, all missing). Types: ``code``/``str``/``enum`` ->
  pandas ``string`` dtype (NFC-normalised, stripped, empty -> <NA>); ``int`` -> ``Int64``;
  ``float`` -> ``Float64``; ``bool`` -> ``boolean``. Extra columns are kept as read.
* Geometry layers are GeoDataFrames projected to ``metric_crs`` (metres) with a fresh
  RangeIndex; row order is the input order.
* ``villages``, ``postal_points`` and ``radio_stations`` carry a filled ``commune_code``
  (from the code column, checked against the position) and ``speakers`` gets one from its
  position; every one of them lies in a commune of the ``communes`` layer.
* ``warnings`` are problems that did not block the run (they are reported in outputs).
* ``communes`` has a filled ``commune_code`` and a boolean :data:`PROVISIONAL_COLUMN`: true
  where the input had no code and the row carries a provisional id derived from its data
  (:mod:`tc8.validate.provisional`); outputs show the flag.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: Column of the communes (Inputs, Results.communes) flagging a provisional id (no official code).
PROVISIONAL_COLUMN = "code_provisional"


@dataclass(frozen=True)
class SourceFile:
    """A file that was read: its path, SHA-256, the layers taken from it (name -> rows) and the
    CRS each layer declares (name -> "EPSG:4326"; absent for tables and layers without a CRS)."""

    path: str
    sha256: str
    size_bytes: int
    layers: dict = field(default_factory=dict, hash=False, compare=False)
    layer_crs: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def crs(self) -> str:
        """The declared CRS of the file's layers ("a; b" when they differ, "" when none)."""
        return "; ".join(dict.fromkeys(self.layer_crs.values()))


@dataclass
class RawInputs:
    """Layers as read. ``frames`` maps layer name -> (Geo)DataFrame; ``files`` maps layer -> path;
    ``sources`` lists a :class:`SourceFile` per file read (the raster included)."""

    root: Path
    frames: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)
    population_raster: Path | None = None
    #: the layer metadata table (``tc8_layers``, :data:`tc8.model.schema.METADATA`) as read, and its file
    metadata: object = None
    metadata_file: str | None = None


#: Default of ``--snap-distance`` (metres); the value and its justification: README, boundary policy.
DEFAULT_SNAP_DISTANCE_M = 100.0
#: A point whose own ``commune_code`` names a commune farther than this (metres) is an error.
DEFAULT_CODE_FAR_M = 5000.0


@dataclass(frozen=True)
class InputPolicy:
    """How strictly an input is taken: the user's choices that change what is assessed, so they
    are recorded with every output (and re-applied by ``tc8 verify``).

    ``snap_distance_m``: a point without a commune code lying outside every commune but within
    this distance (metres) of one is assigned to the nearest commune, with a warning.
    ``code_far_m``: a point whose ``commune_code`` disagrees with its position by more than this
    (metres) is an error (a wrong code or wrong coordinates); closer, a warning.
    ``skip_invalid``: run without the rows that have errors, listing them in the results.
    ``incomplete``: layers declared incomplete (absence of a record there is not evidence).
    """

    snap_distance_m: float = DEFAULT_SNAP_DISTANCE_M
    code_far_m: float = DEFAULT_CODE_FAR_M
    skip_invalid: bool = False
    incomplete: frozenset = frozenset()
    #: ``--code-year``: the year of the commune codes (2024 or 2025), overriding the input's
    #: declaration; None = the declaration, else inferred (:mod:`tc8.validate.code_year`)
    code_year: int | None = None

    def as_dict(self) -> dict:
        """Plain JSON-able form (sorted layer list), for manifests and results.json."""
        return {"snap_distance_m": self.snap_distance_m, "code_far_m": self.code_far_m,
                "skip_invalid": self.skip_invalid, "incomplete": sorted(self.incomplete),
                "code_year": self.code_year}

    @classmethod
    def from_dict(cls, data: dict | None) -> "InputPolicy":
        """Inverse of :meth:`as_dict`; missing keys take the defaults (older manifests)."""
        data = data or {}
        return cls(snap_distance_m=float(data.get("snap_distance_m", DEFAULT_SNAP_DISTANCE_M)),
                   code_far_m=float(data.get("code_far_m", DEFAULT_CODE_FAR_M)),
                   skip_invalid=bool(data.get("skip_invalid", False)),
                   incomplete=frozenset(data.get("incomplete", ())),
                   code_year=int(data["code_year"]) if data.get("code_year") is not None else None)


@dataclass(frozen=True)
class CodeYear:
    """The year the commune codes of an input belong to, as resolved by validation
    (:mod:`tc8.validate.code_year`): ``year`` 2024, 2025 or None (unknown); ``basis`` how it was
    decided: ``flag`` (``--code-year``), ``declared`` (``tc8_layers``), ``inferred`` (codes and
    names against both official lists) or ``unknown`` (mixed or no evidence)."""

    year: int | None = None
    basis: str = "unknown"

    def as_dict(self) -> dict:
        return {"year": self.year, "basis": self.basis}


@dataclass
class Inputs:
    layers: dict
    metric_crs: str
    raw: RawInputs
    source_crs: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    #: the policy validation applied (see :class:`InputPolicy`)
    policy: InputPolicy = field(default_factory=InputPolicy)
    #: with ``--skip-invalid``: the records left out because they had errors (a GeoDataFrame in
    #: ``metric_crs``, one row per record and error; columns: :mod:`tc8.validate.skip`); None
    #: when nothing was skipped
    excluded: object = None
    #: layers taken as incomplete (absence of a record there is not evidence): the
    #: ``--incomplete`` flags, the metadata table and OpenStreetMap sources, merged once by
    #: :func:`tc8.validate.completeness.incomplete_layers`
    incomplete_layers: frozenset = frozenset()
    #: the year of the commune codes and how it was decided (:class:`CodeYear`)
    code_year: CodeYear = field(default_factory=CodeYear)

    def get(self, name: str):
        return self.layers.get(name)

    @property
    def synthetic_layers(self) -> list[str]:
        """Layers in which at least one row is flagged ``synthetic``."""
        out = []
        for name, frame in self.layers.items():
            if "synthetic" in frame.columns and bool(frame["synthetic"].fillna(False).any()):
                out.append(name)
        return out
