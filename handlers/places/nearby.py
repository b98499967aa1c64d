"""The drop-off points nearest a resident: one function for the chat, the mini-program and the console.

No spatial extension: a bounding box on the indexed lat/lng columns picks candidates, widened
until it holds enough points, and the exact (haversine) distance orders them in Python. The box
always contains the circle of its radius, so a point outside the box is farther than every point
within that radius: once `limit` points lie within it, no point elsewhere can be nearer.

A box that reaches into a dense part of the city can hold tens of thousands of points, so the
database reads candidates from a covering index (id, lat, lng: no table rows) and returns only the
few nearest by a flat-earth distance (plain arithmetic, the same SQL on SQLite and PostgreSQL).
Within 70 km that distance is within 0.5 % of the true one; with a 2 % margin, when a point the
database left out might still be nearer, every point that might be is read.
"""
import math
from dataclasses import dataclass

from handlers.places.points import kind_label
from models import DropOffPoint, db

EARTH_RADIUS_M = 6_371_008.8  # the mean radius; GCJ-02's offset from WGS-84 does not change distances
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
FIRST_RADIUS_M = 1_000.0
MAX_RADIUS_M = 50_000.0  # beyond the city's edge a drop-off point is no answer to "near me"
MAX_LIMIT = 20
FLAT_EARTH_MARGIN = 0.02  # the flat-earth distance is within 0.5 % of the true one up to 70 km


@dataclass(frozen=True)
class NearPoint:
    """A drop-off point as a resident sees it, with its distance from them."""
    id: int
    kind: str
    kind_label: str
    name: str
    address: str
    hours: str
    lat: float
    lng: float
    region_code: str
    distance_m: int


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box holding every point within `radius_m` of (lat, lng)."""
    dlat = radius_m / METRES_PER_DEGREE
    # A degree of longitude is shortest on the box's edge farthest from the equator.
    far = min(abs(lat) + dlat, 89.0)
    dlng = radius_m / (METRES_PER_DEGREE * math.cos(math.radians(far)))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def flat_m(lat: float, lng: float, row) -> float:
    """The flat-earth distance the database orders candidates by, in metres."""
    dx = (row.lng - lng) * math.cos(math.radians(lat))
    return math.hypot(row.lat - lat, dx) * METRES_PER_DEGREE


def candidates(lat: float, lng: float, radius_m: float, kind: str | None, fetch: int | None = None,
               flat_within_m: float | None = None) -> list:
    """(id, lat, lng) of the active points in the box around (lat, lng): the `fetch` nearest by
    flat-earth distance, or all of them no farther than `flat_within_m` by that distance."""
    south, north, west, east = box(lat, lng, radius_m)
    query = (db.select(DropOffPoint.id, DropOffPoint.lat, DropOffPoint.lng)
             .where(DropOffPoint.lat.between(south, north), DropOffPoint.lng.between(west, east),
                    DropOffPoint.active.is_(True)))
    if kind:
        query = query.where(DropOffPoint.kind == kind)
    dy, dx = DropOffPoint.lat - lat, (DropOffPoint.lng - lng) * math.cos(math.radians(lat))
    if flat_within_m is not None:
        query = query.where(dy * dy + dx * dx <= (flat_within_m / METRES_PER_DEGREE) ** 2)
    if fetch:
        query = query.order_by(dy * dy + dx * dx, DropOffPoint.id).limit(fetch)
    return db.session.execute(query).all()


def by_distance(lat: float, lng: float, rows) -> list[tuple[float, int]]:
    return sorted((distance_m(lat, lng, row.lat, row.lng), row.id) for row in rows)


def nearest(lat: float, lng: float, kind: str | None = None, limit: int = 5,
            within_m: float = MAX_RADIUS_M) -> list[NearPoint]:
    """The `limit` active points nearest (lat, lng) (GCJ-02), of one kind or any, nearest first,
    no farther than `within_m`; fewer when there are not that many."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    radius = min(FIRST_RADIUS_M, within_m)
    fetch = 4 * limit + 16
    while True:
        rows = candidates(lat, lng, radius, kind, fetch)
        scored = by_distance(lat, lng, rows)
        inside = [item for item in scored if item[0] <= radius]
        if len(inside) >= limit or radius >= within_m:
            needed = inside[limit - 1][0] if len(inside) >= limit else radius
            left_out_from = max((flat_m(lat, lng, row) for row in rows), default=0.0)
            if len(rows) == fetch and needed > left_out_from * (1 - FLAT_EARTH_MARGIN):
                # A point the database left out might be nearer: read every point that might be.
                rows = candidates(lat, lng, needed, kind, flat_within_m=needed / (1 - FLAT_EARTH_MARGIN))
                inside = [item for item in by_distance(lat, lng, rows) if item[0] <= needed]
            return described(inside[:limit])
        if len(scored) >= limit:
            # The box's corners already hold enough points: the circle through the limit-th
            # of them holds them all, so the next box is the last one.
            radius = min(scored[limit - 1][0], within_m)
        else:
            # Too few: double. Growing faster skips past the edge of a dense area into a box that
            # holds much of the city, which costs more than the extra empty boxes on the way.
            radius = min(radius * 2, within_m)


def described(found: list[tuple[float, int]]) -> list[NearPoint]:
    """The points (distance, id), nearest first, with what a resident reads about them."""
    if not found:
        return []
    rows = db.session.execute(db.select(DropOffPoint).where(DropOffPoint.id.in_([i for _, i in found])))
    points = {point.id: point for point in rows.scalars()}
    return [near(points[point_id], metres) for metres, point_id in found]


def near(row, metres: float) -> NearPoint:
    return NearPoint(id=row.id, kind=row.kind, kind_label=kind_label(row.kind), name=row.name,
                     address=row.address, hours=row.hours, lat=row.lat, lng=row.lng,
                     region_code=row.region_code, distance_m=round(metres))
