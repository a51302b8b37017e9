"""The colours every renderer shares (maps, the GeoPackage styles QGIS reads): one palette.

Hex ``#rrggbb`` strings; keys are statuses (:mod:`tc8.model.vocab`), technologies, or
``True``/``False``/``None`` (yes / no / unknown).
"""
from __future__ import annotations

from .vocab import STATUS_FAIL, STATUS_MISSING, STATUS_PASS

#: Status colours (ColorBrewer Dark2: distinct for common colour-vision deficiencies).
STATUS_COLORS = {STATUS_PASS: "#1b9e77", STATUS_FAIL: "#d95f02", STATUS_MISSING: "#7570b3"}
TECH_COLORS = {"2G": "#a6761d", "3G": "#e6ab02", "4G": "#1f78b4", "5G": "#e7298a"}
POSTAL_COLORS = {True: "#08519c", False: "#cb181d", None: "#969696"}
ON_OFF_COLORS = {True: "#238b45", False: "#cb181d", None: "#969696"}
BOUNDARY_COLOR = "#222222"
LINE_COLOR = "#525252"
#: Cell sites that are not active.
INACTIVE_COLOR = "#bdbdbd"
#: What has no colour of its own (an unknown status, a plain point layer).
NEUTRAL_COLOR = "#969696"
