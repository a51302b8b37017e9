"""Where a new facility of a plan goes (a postal point, a radio station): where it serves the
most people of its commune.

* The commune's most populous village: its point, or a representative point of a polygon
  village (``placement: village``).
* Without any village population: the centre of the villages (equal weights), brought inside
  the commune polygon (``placement: village_centre``).
* Without villages: a representative point of the commune polygon — a point guaranteed to lie
  inside it, not its centroid, which may fall outside (``placement: commune_point``).

Every position is in the assessment's metric CRS and lies inside the commune polygon (a village
point on or just beyond the boundary is moved :data:`INSET_M` metres inside), so the new
record is assigned to the right commune when the applied input is validated again.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from shapely.geometry import Point
from shapely.ops import nearest_points

from .lookup import commune_rows, first_value

#: the village columns a placement reads
VILLAGE_COLUMNS = ("village_id", "village_name", "population", "geometry")

#: How far inside the commune polygon a position on or outside its boundary is moved (metres).
INSET_M = 5.0


def village_position(geom) -> Point:
    """A village's position: the point itself, or a representative point of a polygon."""
    return geom if geom.geom_type == "Point" else geom.representative_point()


def inside(point: Point, polygon) -> Point:
    """``point`` when it lies strictly inside ``polygon``, else the nearest boundary point moved
    :data:`INSET_M` m towards the polygon's representative point (a position inside)."""
    if polygon is None or polygon.is_empty or polygon.contains(point):
        return point
    edge = nearest_points(polygon, point)[0]
    anchor = polygon.representative_point()
    span = edge.distance(anchor)
    if span == 0:
        return anchor
    step = min(INSET_M, span / 2) / span
    moved = Point(edge.x + (anchor.x - edge.x) * step, edge.y + (anchor.y - edge.y) * step)
    return moved if polygon.contains(moved) else anchor


def commune_polygon(results, code: str):
    """The commune's polygon (metric CRS), None when the commune is not in ``results``."""
    return first_value(results.communes, code, results.communes.geometry.name)


def best_position(results, code: str) -> tuple[Point, dict[str, Any]]:
    """Where a new facility of commune ``code`` serves the most people, and how it was chosen
    (``placement`` and, for a village, ``village_id``, ``village_name``, ``population``)."""
    polygon = commune_polygon(results, code)
    villages = results.villages
    sub = commune_rows(villages, code, columns=VILLAGE_COLUMNS) if len(villages) else villages
    if not len(sub):
        return polygon.representative_point(), {"placement": "commune_point"}
    population = sub["population"].astype("Float64") if "population" in sub.columns else None
    if population is not None and population.notna().any() and float(population.max()) > 0:
        row = sub.loc[population.fillna(-1).astype(float).idxmax()]
        detail = {"placement": "village", "village_id": str(row["village_id"]),
                  "village_name": str(row["village_name"]), "population": int(population.max())}
        return inside(village_position(row.geometry), polygon), detail
    points = [village_position(g) for g in sub.geometry]
    centre = Point(float(np.mean([p.x for p in points])), float(np.mean([p.y for p in points])))
    return inside(centre, polygon), {"placement": "village_centre", "villages": len(points)}
