"""Drop-off points as staff keep them: add, change, deactivate and list, each within their own subtree.

A point belongs to a region node; a staff member reaches only the points of their node's subtree
(handlers/staff/scope.py), and a point outside it looks exactly like a missing one.
"""
import math
import re

from content.place_texts import kind_labels, text
from handlers.errors import Refused
from handlers.staff import scope
from models import DropOffPoint, Region, db
from models.places import LAT_RANGE, LNG_RANGE
from models.statuses import PointKind

PAGE = 50
KINDS = frozenset(kind.value for kind in PointKind)
LIMITS = {"name": 60, "address": 120, "hours": 100}
# Control characters never belong in a name or an address (and PostgreSQL cannot store NUL).
CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


class PlaceError(Refused):
    """A point, a form or an import the capability refuses; messages are for staff, in Chinese."""


def kind_label(kind: str) -> str:
    return kind_labels().get(kind, kind)


def one_line(value) -> str:
    return " ".join(CONTROL.sub(" ", "" if value is None else str(value)).split())


def coordinate(value, bounds: tuple[float, float]) -> float | None:
    """A latitude or longitude within China's bounds, to 6 decimals (about 0.1 m), or None."""
    try:
        number = float(str(value).strip()) if not isinstance(value, (int, float)) else float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or not bounds[0] <= number <= bounds[1]:
        return None
    return round(number, 6)


def check(fields: dict) -> tuple[dict, dict]:
    """The point's own values (everything but its region), cleaned, and what is wrong with them."""
    values, errors = {}, {}
    values["kind"] = str(fields.get("kind") or "")
    if values["kind"] not in KINDS:
        errors["kind"] = text("errors.kind")
    for field, limit in LIMITS.items():
        values[field] = one_line(fields.get(field))
        if len(values[field]) > limit or (field != "hours" and not values[field]):
            errors[field] = text(f"errors.{field}")
    for field, bounds in (("lat", LAT_RANGE), ("lng", LNG_RANGE)):
        values[field] = coordinate(fields.get(field), bounds)
        if values[field] is None:
            errors[field] = text(f"errors.{field}")
    return values, errors


def region_refusal(actor, region_code: str) -> PlaceError | None:
    """Why `region_code` cannot hold the actor's point, or None when it can."""
    region = db.session.get(Region, region_code) if scope.valid_code(region_code) else None
    if region is None or not region.active:
        return PlaceError(text("errors.region"), code="invalid_fields", fields={"region_code": text("errors.region")})
    if not scope.in_scope(actor, region_code):
        return PlaceError(text("errors.region"), code="out_of_scope", status=403,
                          fields={"region_code": text("errors.region")})
    return None


def checked(actor, fields: dict) -> dict:
    values, errors = check(fields)
    values["region_code"] = str(fields.get("region_code") or "").strip()
    refusal = region_refusal(actor, values["region_code"])
    if errors:
        errors.update(refusal.fields if refusal else {})
        raise PlaceError("；".join(dict.fromkeys(errors.values())), code="invalid_fields", fields=errors)
    if refusal:
        raise refusal
    return values


def create(actor, fields: dict) -> DropOffPoint:
    """A new point from a form's fields (kind, name, address, lat, lng, hours, region_code)."""
    point = DropOffPoint(**checked(actor, fields), kept_by=actor.username, active=True)
    db.session.add(point)
    db.session.flush()
    return point


def update(actor, point: DropOffPoint, fields: dict) -> dict:
    """Change a point the actor reaches; the changed fields as {field: [before, after]}."""
    values = checked(actor, fields)
    changes = {field: [getattr(point, field), value] for field, value in values.items()
               if getattr(point, field) != value}
    for field, value in values.items():
        setattr(point, field, value)
    db.session.flush()
    return changes


def set_active(point: DropOffPoint, active: bool) -> bool:
    """Deactivate (or bring back) a point; False when it already was so."""
    if point.active == active:
        return False
    point.active = active
    db.session.flush()
    return True


def point_for(actor, point_id: int) -> DropOffPoint | None:
    """The point if it lies in the actor's subtree; a point elsewhere is None, as a missing one."""
    if not isinstance(point_id, int) or not 0 < point_id < 2**31:
        return None
    point = db.session.get(DropOffPoint, point_id)
    return point if point is not None and scope.in_scope(actor, point.region_code) else None


def area_filter(actor, area: str | None) -> str:
    """The area to list: the requested node if it is inside the subtree, else the actor's own."""
    return area if area and scope.in_scope(actor, area) else actor.region_code


def points_query(actor, area: str | None = None, kind: str = "", search: str = "",
                 include_inactive: bool = False):
    area = area_filter(actor, area)
    query = scope.scope_filter(db.select(DropOffPoint), DropOffPoint.region_code, actor)
    if area != actor.region_code:
        query = query.where(DropOffPoint.region_code.startswith(area, autoescape=True))
    if kind in KINDS:
        query = query.where(DropOffPoint.kind == kind)
    if search:
        query = query.where(DropOffPoint.name.contains(search, autoescape=True)
                            | DropOffPoint.address.contains(search, autoescape=True))
    if not include_inactive:
        query = query.where(DropOffPoint.active.is_(True))
    return query.order_by(DropOffPoint.region_code, DropOffPoint.kind, DropOffPoint.id)


def page_of(query, page: int) -> tuple[list[DropOffPoint], bool]:
    """One page of points and whether there is a next one."""
    page = max(page, 1)
    rows = db.session.execute(query.limit(PAGE + 1).offset((page - 1) * PAGE)).scalars().all()
    return list(rows[:PAGE]), len(rows) > PAGE


def add_missing(rows: list[dict], kept_by: str) -> int:
    """Add the points (fields as a form gives them, region_code included) that are not there yet,
    by kind, name and address: safe to run again. Refuses all if one is invalid."""
    added = 0
    for fields in rows:
        values, errors = check(fields)
        region = db.session.get(Region, str(fields.get("region_code") or ""))
        if errors or region is None:
            raise PlaceError(f"{values.get('name')}: " + "；".join(list(errors.values()) or [text("errors.region")]))
        there = db.session.execute(db.select(DropOffPoint.id).filter_by(
            kind=values["kind"], name=values["name"], address=values["address"])).first()
        if there is None:
            db.session.add(DropOffPoint(**values, region_code=region.code, kept_by=kept_by, active=True))
            added += 1
    db.session.flush()
    return added
