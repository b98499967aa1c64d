"""Communities (社区) under the streets of one's subtree: listed, and added from the console.

The region tree comes from the official import; communities are what staff add below a street
(the CLI's add-community does the same).
"""
from flask import g, render_template, request

from bot.admin import admin, require
from bot.admin.flow import done, record
from content.texts import lookup
from handlers.people import regions
from handlers.people.regions import RegionError
from handlers.staff import scope
from models import Region, db


def message(key: str, **values) -> str:
    return lookup("console_labels.toml", f"communities.{key}", **values)


def streets_in_scope() -> list[Region]:
    query = scope.scope_filter(db.select(Region), Region.code, g.staff).where(
        Region.level == 3, Region.active.is_(True))
    return list(db.session.execute(query.order_by(Region.code)).scalars())


def refusal(street: Region | None, name: str) -> str | None:
    """Why the community cannot be added, in words staff read; None when it can."""
    if street is None:
        return message("not_a_street")
    if not 2 <= len(name) <= 64:
        return message("name_length")
    siblings = regions.children(street.code, active_only=False)
    if any(s.name == name for s in siblings):
        return message("duplicate", street=street.name, name=name)
    if len(siblings) >= 999:
        return message("full", street=street.name)
    return None


@admin.get("/communities")
@require("manage_staff")
def community_list(error: str | None = None, chosen: dict | None = None):
    streets = streets_in_scope()
    below = {s.code: regions.children(s.code, active_only=False) for s in streets}
    return render_template("admin/communities.html", streets=streets, below=below, error=error,
                           chosen=chosen or {}), 400 if error else 200


@admin.post("/communities")
@require("manage_staff")
def community_add():
    code, name = request.form.get("street", ""), request.form.get("name", "").strip()
    street = next((s for s in streets_in_scope() if s.code == code), None)
    problem = refusal(street, name)
    if problem is None:
        try:
            community = regions.add_community(street.code, name)
        except RegionError:
            db.session.rollback()
            problem = message("not_a_street")
    if problem:
        return community_list(problem, {"street": code, "name": name})
    record("community_add", community.code, community.name, {"street": street.code})
    return done(message("added", street=street.name, name=community.name), "admin.community_list")
