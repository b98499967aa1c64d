"""/api/v1/school: school admins publish activities and run check-in (token from /staff/login).

The token is a console session id (handlers/staff/accounts.py): the same lockout, idle expiry and
revocation on logout, password change or deactivation as the console's login.
"""
from functools import wraps

import segno
from flask import g, jsonify, request
from pydantic import BaseModel, Field

from bot.api import ApiError, api
from bot.api.activities import ActivityOut
from bot.api.login import bearer_token
from bot.api.openapi import STAFF, Line, Lines, Time, responses, spec
from content.activity_texts import text
from content.api_texts import about, api_text
from handlers.schools import directory as schools
from handlers.schools import reminders
from handlers.schools.activities import (
    ActivityError,
    catalogue,
    checkin,
    enrolment,
    figures,
    lists,
)
from handlers.schools.activities.catalogue import ActivityForm
from handlers.staff import accounts as staff_accounts
from handlers.staff import audit, scope
from handlers.staff.accounts import IDLE_SECONDS, StaffError
from infra.clock import iso
from models import Enrolment, db


class StaffLoginIn(BaseModel):
    username: Line(64)
    password: str = Field(min_length=1, max_length=200)


class StaffToken(BaseModel):
    token: str
    expires_in: int = Field(description=about("StaffToken", "expires_in"))
    role: str
    school_id: int | None


class ActivityIn(BaseModel):
    title: Line(60)
    description: Lines(2000) = ""
    place: Line(100)
    starts_at: Time = Field(description=about("ActivityIn", "starts_at"))
    ends_at: Time
    enrol_deadline: Time
    capacity_families: int = Field(ge=1, le=10000)
    capacity_people: int = Field(ge=1, le=100000)
    audience: str = Field("school", pattern="^(school|area)$", description=about("ActivityIn", "audience"))


class FiguresOut(BaseModel):
    activities: int
    families: int
    pupils: int
    people: int
    waitlisted: int
    held_families: int
    attended: int
    attendance_rate: float | None


class SchoolActivity(ActivityOut):
    figures: FiguresOut


class SchoolActivityList(BaseModel):
    activities: list[ActivityOut]


class RosterRow(BaseModel):
    enrolment_id: int
    seq: int
    status: str
    guardian: str
    phone: str = Field(description=about("RosterRow", "phone"))
    pupils: str
    adults: int
    children: int
    checked_in_at: str | None


class Roster(BaseModel):
    enrolments: list[RosterRow]


class CheckinCode(BaseModel):
    code: str
    expires_in: int
    qr_text: str
    qr_svg: str


class AttendanceIn(BaseModel):
    present: bool


def staff_token(view):
    """A valid staff token; g.staff is its owner, g.school the school they run."""
    @wraps(view)
    def guarded(*args, **kwargs):
        token = bearer_token(request.headers.get("Authorization", ""))
        member = staff_accounts.load_session(token) if token else None
        if member is None:
            raise ApiError(401, "login_required", api_text("errors.school.login_required"))
        g.staff, g.school = member, schools.school_of(member)
        if not scope.may(member, "manage_activities") or g.school is None:
            raise ApiError(403, "not_a_school_admin", text("errors.not_a_school_admin"))
        return view(*args, **kwargs)
    return guarded


def own_activity(activity_id: int):
    activity = lists.activity_for(g.staff, activity_id)
    if activity is None:
        raise ActivityError("activity_not_found")
    return activity


def form_of(body: ActivityIn) -> ActivityForm:
    return ActivityForm(**body.model_dump())


@api.post("/staff/login")
@spec.validate(json=StaffLoginIn, resp=responses({200: StaffToken}, 400, 401), tags=["school"])
def staff_login(json: StaffLoginIn):
    """Log a school administrator in: a staff token for the /school endpoints.

    401 for a wrong username or password; the token expires after expires_in idle seconds.
    """
    try:
        member = staff_accounts.authenticate(json.username, json.password, request.remote_addr or "")
    except StaffError as error:
        raise ApiError(401, "login_failed", str(error))
    audit.record(member, "login", member.region_code, target="api", ip=request.remote_addr or "")
    db.session.commit()
    school = schools.school_of(member)
    return jsonify(token=staff_accounts.open_session(member), expires_in=IDLE_SECONDS,
                   role=member.role, school_id=school.id if school else None)


@api.get("/school/activities")
@staff_token
@spec.validate(resp=responses({200: SchoolActivityList}, 401, 403), security=STAFF, tags=["school"])
def school_activities():
    """The activities of the administrator's school, latest first.

    Requires a staff token (POST /staff/login).
    """
    return jsonify(activities=[catalogue.as_dict(a, g.school.name) for a in catalogue.of_school(g.school)])


@api.post("/school/activities")
@staff_token
@spec.validate(json=ActivityIn, resp=responses({201: ActivityOut}, 400, 401, 403), security=STAFF,
               tags=["school"])
def school_activity_create(json: ActivityIn):
    """Publish a new activity of the administrator's school.

    Times without a time zone are Beijing time; answers the activity as created.
    """
    activity = catalogue.create(g.school, form_of(json), g.staff.username)
    db.session.commit()
    reminders.schedule_reminders(activity)
    return jsonify(catalogue.as_dict(activity, g.school.name)), 201


@api.get("/school/activities/<int:activity_id>")
@staff_token
@spec.validate(resp=responses({200: SchoolActivity}, 401, 403, 404), security=STAFF, tags=["school"])
def school_activity(activity_id: int):
    """One activity of the administrator's school, with its enrolment and attendance figures.

    404 when the activity belongs to another school.
    """
    activity = own_activity(activity_id)
    return jsonify({**catalogue.as_dict(activity, g.school.name),
                    "figures": figures.of_activity(activity).as_dict()})


@api.put("/school/activities/<int:activity_id>")
@staff_token
@spec.validate(json=ActivityIn, resp=responses({200: ActivityOut}, 400, 401, 403, 404, 409),
               security=STAFF, tags=["school"])
def school_activity_update(activity_id: int, json: ActivityIn):
    """Change an activity of the administrator's school.

    409 when the activity is cancelled or the new capacity is below the enrolments made.
    """
    activity = own_activity(activity_id)
    enrolment.update_activity(activity.id, form_of(json))
    db.session.commit()
    reminders.schedule_reminders(activity)
    return jsonify(catalogue.as_dict(activity, g.school.name))


@api.put("/school/activities/<int:activity_id>/cover")
@staff_token
@spec.validate(resp=responses({200: ActivityOut}, 400, 401, 403, 404), security=STAFF, tags=["school"])
def school_activity_cover(activity_id: int):
    """The cover image as the request body (JPEG, PNG or WebP, at most 2 MB).

    Send the image bytes with its Content-Type; 400 bad_cover for another type or a larger file.
    """
    activity = own_activity(activity_id)
    if (request.content_length or 0) > catalogue.MAX_COVER_BYTES:
        raise ActivityError("bad_cover")
    catalogue.set_cover(activity, request.get_data(cache=False))
    db.session.commit()
    return jsonify(catalogue.as_dict(activity, g.school.name))


@api.get("/school/activities/<int:activity_id>/enrolments")
@staff_token
@spec.validate(resp=responses({200: Roster}, 401, 403, 404), security=STAFF, tags=["school"])
def school_roster(activity_id: int):
    """Who enrolled in an activity: families, children, waiting list and check-ins.

    Phone numbers are masked according to the account's rights.
    """
    activity = own_activity(activity_id)
    return jsonify(enrolments=[{
        "enrolment_id": row.enrolment.id, "seq": row.enrolment.seq, "status": row.enrolment.status,
        "guardian": row.guardian, "phone": row.phone, "pupils": row.pupils,
        "adults": row.enrolment.adults, "children": row.enrolment.children,
        "checked_in_at": iso(row.enrolment.checked_in_at)} for row in lists.rows(g.staff, activity)])


@api.get("/school/activities/<int:activity_id>/checkin-code")
@staff_token
@spec.validate(resp=responses({200: CheckinCode}, 401, 403, 404), security=STAFF, tags=["school"])
def school_checkin_code(activity_id: int):
    """The code to show at the activity; it changes every minute (fetch again after expires_in).

    qr_svg is the QR code of qr_text, ready to show on a screen or print.
    """
    activity = own_activity(activity_id)
    code = checkin.current(activity.id)
    return jsonify(code=code.code, expires_in=code.expires_in, qr_text=code.qr_text,
                   qr_svg=segno.make(code.qr_text, error="m").svg_inline(scale=6))


@api.put("/school/activities/<int:activity_id>/enrolments/<int:enrolment_id>/attendance")
@staff_token
@spec.validate(json=AttendanceIn, resp=responses({200: AttendanceIn}, 400, 401, 403, 404),
               security=STAFF, tags=["school"])
def school_attendance(activity_id: int, enrolment_id: int, json: AttendanceIn):
    """Staff mark a family present (no phone at hand) or undo a mistaken mark.

    {"present": true} marks the family present, false undoes it; 404 not_enrolled for an
    enrolment not in this activity or not enrolled.
    """
    activity = own_activity(activity_id)
    entry = db.session.get(Enrolment, enrolment_id) if 0 < enrolment_id < 2**31 else None
    if entry is None or entry.activity_id != activity.id or entry.status != "enrolled":
        raise ActivityError("not_enrolled")
    if json.present:
        checkin.mark_present(activity, entry, g.staff.username, checkin.guardian_of(entry))
    else:
        checkin.mark_absent(entry)
    db.session.commit()
    return jsonify(present=entry.checked_in_at is not None)
