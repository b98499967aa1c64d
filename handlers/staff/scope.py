"""Who may do what, where: roles, their capabilities, and the region subtree each staff member acts on.

Every scope decision of the console goes through this module. A region is named by its statistical
code (2201 city, 220102 district, 220102001 street, longer for communities); a node's subtree is
every code that starts with its code, because codes of one level have one length.
"""
import re

from sqlalchemy import ColumnElement

from content.staff_texts import staff_table
from models import Region, Resident, db

CODE = re.compile(r"^\d{4,20}$")

ROLE_NAMES = dict(staff_table("roles"))  # role code → its name, in the console's order

# The level a role's node must have; None: any node (a school or a reviewer sits anywhere).
ROLE_LEVEL = {
    "city_admin": "city",
    "district_admin": "district",
    "street_admin": ("street", "community"),
    "school_admin": None,
    "reviewer": None,
}

_ADMINS = {"city_admin", "district_admin", "street_admin"}
CAPABILITIES = {
    "dashboard": set(ROLE_NAMES),
    "residents": _ADMINS | {"reviewer"},
    "volunteers": _ADMINS | {"reviewer"},
    "approve_volunteers": _ADMINS | {"reviewer"},
    "record_service": set(_ADMINS),
    "export": set(_ADMINS),
    # Street and community staff schedule volunteers by phone; higher tiers work with figures.
    "full_phone": {"street_admin"},
    "manage_staff": set(_ADMINS),
    "audit_log": set(_ADMINS),
    # Taught answers apply to the whole city, so only staff anchored at the city may teach.
    "teach": {"city_admin", "reviewer"},
    # The Official Account has one menu, for the whole city: its city admins publish it.
    "menu": {"city_admin"},
    # Campaigns and pushes: each tier authors, adopts and pushes within its own subtree.
    "campaigns": set(_ADMINS),
    "push": set(_ADMINS),
    "push_report": _ADMINS | {"reviewer"},
    # School activities: a school admin runs their own school's; admins see lists and figures below them.
    "activities": _ADMINS | {"school_admin"},
    "manage_activities": {"school_admin"},
    "export_enrolments": _ADMINS | {"school_admin"},
    "manage_schools": set(_ADMINS),
    # Zero-waste cells: district and city reviewers act on the steps of their own tier
    # (handlers/cells/workflow.py decides which tier a step needs). An application holds the
    # unit's contact and evidence: area staff and reviewers read it, school admins (whose
    # school may be an applicant, or a rival) see only the figures.
    "cells": _ADMINS | {"reviewer"},
    "review_cells": {"city_admin", "district_admin", "reviewer"},
    "figures": set(ROLE_NAMES),
    "export_figures": _ADMINS | {"reviewer"},
    "surveys": set(_ADMINS),
    # Drop-off points: street and district staff keep their own subtree's; the city keeps all.
    "places": set(_ADMINS),
    # Service information (bulky waste, medicine, collection times …): each tier writes its own
    # subtree's answers; residents get the nearest one above them.
    "services": set(_ADMINS),
    # Reports (随手拍): street staff handle their street's; higher tiers see the queue and figures.
    "reports": set(_ADMINS),
}


def level(code: str) -> str:
    return {4: "city", 6: "district", 9: "street"}.get(len(code), "community")


def valid_code(code: str) -> bool:
    return bool(CODE.match(code or ""))


def in_scope(staff, region_code: str | None) -> bool:
    """True when `region_code` is the staff member's node or below it."""
    return bool(region_code) and valid_code(region_code) and region_code.startswith(staff.region_code)


def below(staff, region_code: str | None) -> bool:
    """True when `region_code` is strictly below the staff member's node (staff management)."""
    return in_scope(staff, region_code) and region_code != staff.region_code


def scope_filter(query, column: ColumnElement, staff):
    """`query` narrowed to rows whose region code column lies in the staff member's subtree."""
    # Codes are digits only (checked at login and on creation), so no LIKE wildcard can slip in.
    assert valid_code(staff.region_code)
    return query.where(column.startswith(staff.region_code, autoescape=True))


# Roles that manage no one may sit on the manager's own node: a city admin places a reviewer at the
# city (where reviewers teach and score cells for the whole city), not only below it.
OWN_NODE_ROLES = ("reviewer",)


def manages_at(staff, role: str, region_code: str | None) -> bool:
    """True when `staff` may create or manage an account of `role` on `region_code`."""
    return below(staff, region_code) or (
        role in OWN_NODE_ROLES and region_code == staff.region_code and valid_code(region_code))


def may(staff, capability: str) -> bool:
    if staff is None or staff.role not in CAPABILITIES[capability]:
        return False
    if capability in ("teach", "menu"):
        return level(staff.region_code) == "city"
    return True


def role_fits_node(role: str, region_code: str) -> bool:
    """A district admin sits on a district, a street admin on a street or community, and so on."""
    wanted = ROLE_LEVEL.get(role, "unknown")
    if wanted is None:
        return role in ROLE_LEVEL
    return level(region_code) in (wanted if isinstance(wanted, tuple) else (wanted,))


def assignable_roles(staff) -> list[str]:
    """Roles the staff member may give to accounts below their node."""
    if not may(staff, "manage_staff"):
        return []
    return [role for role in ROLE_NAMES if role != "city_admin"]


# --- the region tree -----------------------------------------------------------------------

def region_exists(code: str) -> bool:
    return db.session.execute(db.select(Region.code).filter_by(code=code)).first() is not None


def region_names(codes) -> dict[str, str]:
    """Display names for region codes; a code without a name shows as itself."""
    codes = {code for code in codes if code}
    names = {code: code for code in codes}
    if codes:
        rows = db.session.execute(db.select(Region.code, Region.name).where(Region.code.in_(codes)))
        names.update({code: name for code, name in rows})
    return names


def child_regions(staff) -> list[tuple[str, str]]:
    """(code, name) of the nodes below the staff member's node, for area filters and forms."""
    query = scope_filter(db.select(Region.code, Region.name), Region.code, staff)
    return [tuple(row) for row in db.session.execute(query.order_by(Region.code))]


def residents_filter(query, staff, bound_only: bool = False):
    """`query` (which selects from Resident) narrowed to the residents in the staff member's subtree.

    Residents who have not bound an area belong to the city as a whole: only city staff see them.
    """
    if level(staff.region_code) == "city" and not bound_only:
        return query
    return scope_filter(query, Resident.region_code, staff)
