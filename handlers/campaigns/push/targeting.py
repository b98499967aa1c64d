"""Who a push reaches: nodes of the sender's subtree, optionally narrowed to a group.

A target is {"codes": [...], "group": None | "volunteers" | "school" | "asked_sorting",
"school_id": n}. Every code must lie in the sender's subtree; a resident belongs to a code when
their area's code starts with it. Residents without a bound area belong to the city alone.
"""
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_

from content.staff_texts import staff_table, staff_text
from handlers.campaigns.push import PushError
from handlers.staff import scope
from models import InboundMessage, Resident, Volunteer, db
from models.families import Child, Family
from models.schools import School
from models.timeutil import utcnow

GROUP_NAMES = dict(staff_table("pushes.groups"))
QUESTION = "answer_question"  # InboundMessage.answered_by of a sorting question


@dataclass
class Target:
    codes: list[str]
    group: str | None = None
    school_id: int | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"codes": self.codes, "group": self.group, "school_id": self.school_id})

    @classmethod
    def from_json(cls, text: str) -> "Target":
        data = json.loads(text)
        return cls(codes=list(data["codes"]), group=data.get("group"), school_id=data.get("school_id"))

    def whole_nodes(self) -> list[str]:
        """Codes reached whole (no group): a district or the city can go by one tag mass send."""
        return [] if self.group else [c for c in self.codes if scope.level(c) in ("city", "district")]


def check(staff, codes, group: str | None = None, school_id: int | None = None) -> Target:
    """The target, or PushError when any part of it lies outside the staff member's subtree."""
    codes = sorted({(c or "").strip() for c in codes if (c or "").strip()})
    if not codes:
        raise PushError(staff_text("pushes.errors.no_target"))
    outside = [c for c in codes if not scope.in_scope(staff, c)]
    if outside:
        codes_text = staff_text("pushes.separator").join(outside)
        raise PushError(staff_text("pushes.errors.outside", codes=codes_text))
    # A node inside another chosen node adds nobody: keep the outer one only.
    codes = [c for c in codes if not any(c != o and c.startswith(o) for o in codes)]
    if group not in (None, "", *GROUP_NAMES):
        raise PushError(staff_text("pushes.errors.unknown_group"))
    group = group or None
    if group == "school":
        school_region = _school_region(school_id)
        if school_region is None or not scope.in_scope(staff, school_region):
            raise PushError(staff_text("pushes.errors.school_outside"))
    return Target(codes=codes, group=group, school_id=school_id if group == "school" else None)


def _school_region(school_id) -> str | None:
    school = db.session.get(School, school_id) if school_id else None
    return school.region_code if school else None


def recipients_query(target: Target, sender_code: str):
    """SELECT Resident rows of the target (id, openid, region_code, subscribed, and the
    customer-service window: window_kind, window_opened_at, window_sent; and whose openid: app)."""
    columns = (Resident.id, Resident.openid, Resident.region_code, Resident.subscribed,
               Resident.window_kind, Resident.window_opened_at, Resident.window_sent, Resident.app)
    query = db.select(*columns)
    area = []
    for code in target.codes:
        if scope.level(code) == "city" and code == sender_code:
            area = None  # the whole city, residents without an area included
            break
        area.append(Resident.region_code.startswith(code, autoescape=True))
    # A school's families are reached wherever they live: the school itself lies in scope.
    if area is not None and target.group != "school":
        query = query.where(or_(*area))
    return _narrow(query, target).order_by(Resident.region_code, Resident.id)


def _narrow(query, target: Target):
    if target.group == "volunteers":
        approved = db.select(Volunteer.resident_id).where(Volunteer.status == "approved")
        return query.where(Resident.id.in_(approved))
    if target.group == "asked_sorting":
        month_start = utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        asked = db.select(InboundMessage.openid).where(
            InboundMessage.answered_by == QUESTION, InboundMessage.received_at >= month_start)
        return query.where(Resident.openid.in_(asked))
    if target.group == "school":
        families = db.select(Family.resident_id).join(Child, Child.family_id == Family.id).where(
            Child.school_id == target.school_id)
        return query.where(Resident.id.in_(families))
    return query


def describe(target: Target) -> str:
    names = scope.region_names(target.codes)
    where = staff_text("pushes.separator").join(names[c] for c in target.codes)
    return f"{where} · {GROUP_NAMES[target.group]}" if target.group else where


def month_start(now: datetime | None = None) -> datetime:
    now = now or utcnow()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
