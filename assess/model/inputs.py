"""Validated inputs: what validation hands to the measures and the engine.

Contract (the engine relies on all of it):

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
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tc8.io.read import RawInputs


@dataclass
class Inputs:
    layers: dict
    metric_crs: str
    raw: RawInputs
    source_crs: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

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
