"""/api/v1/activities: activities open to the caller's family, enrolment, cancellation, check-in."""
from flask import Response as FlaskResponse
from flask import g, jsonify
from pydantic import BaseModel, Field

from bot.api import api
from bot.api.login import personal
from bot.api.openapi import RESIDENT, Id, responses, spec
from content.api_texts import about
from handlers.schools import families
from handlers.schools.activities import ActivityError, catalogue, checkin, enrolment
from models import db


class ActivityOut(BaseModel):
    id: int
    title: str
    description: str
    place: str
    school_id: int
    school_name: str
    audience: str = Field(description=about("ActivityOut", "audience"))
    starts_at: str
    ends_at: str
    enrol_deadline: str
    capacity_families: int
    capacity_people: int
    enrolled_families: int
    enrolled_people: int
    places_left: int
    enrolment_open: bool
    cover_url: str | None
    cancelled: bool
    cancel_reason: str | None = Field(description=about("ActivityOut", "cancel_reason"))


class EnrolmentOut(BaseModel):
    id: int
    activity_id: int
    status: str = Field(description=about("EnrolmentOut", "status"))
    status_label: str
    position: int | None = Field(description=about("EnrolmentOut", "position"))
    adults: int
    children: int
    child_ids: list[int]
    checked_in: bool
    wants_reminder: bool
    wants_promotion_notice: bool


class ActivityDetail(ActivityOut):
    enrolment: EnrolmentOut | None


class ActivityList(BaseModel):
    activities: list[ActivityOut]


class EnrolmentList(BaseModel):
    enrolments: list[EnrolmentOut]


class EnrolIn(BaseModel):
    child_ids: list[Id] = Field(min_length=1, max_length=10, description=about("EnrolIn", "child_ids"))
    adults: int = Field(1, ge=1, le=10, description=about("EnrolIn", "adults"))
    wants_reminder: bool = Field(False, description=about("EnrolIn", "wants_reminder"))
    wants_promotion_notice: bool = Field(False, description=about("EnrolIn", "wants_promotion_notice"))


class CheckinIn(BaseModel):
    code: str = Field(pattern=r"^\d{6}$", description=about("CheckinIn", "code"))



def visible_activity(activity_id: int, family):
    """The activity in the path, first of all: 404 activity_not_found before anything about the caller.

    Every activity route answers in one order: does the activity exist for the caller (open to
    them, or holding their family's enrolment), then does the caller have a family (no_family),
    then is the family enrolled (not_enrolled).
    """
    activity = catalogue.get(activity_id)
    if activity is None or not (catalogue.visible_to(activity, family, g.resident)
                                or (family is not None and enrolment.find(activity.id, family))):
        raise ActivityError("activity_not_found")
    return activity


def own_family():
    return families.require(g.resident)


def activity_and_family(activity_id: int):
    """The path's activity, then the caller's family, in the order every activity route checks them."""
    activity = visible_activity(activity_id, families.of(g.resident))
    return activity, own_family()


@api.get("/activities")
@personal
@spec.validate(resp=responses({200: ActivityList}, 401), security=RESIDENT, tags=["activities"])
def activity_list():
    """Coming activities of the family's schools, and those open to their area.

    Public activities of the area come even without a family; no activity is an empty list.
    """
    found = catalogue.for_family(families.of(g.resident), g.resident)
    return jsonify(activities=[catalogue.as_dict(a) for a in found])


@api.get("/activities/<int:activity_id>")
@personal
@spec.validate(resp=responses({200: ActivityDetail}, 401, 404), security=RESIDENT, tags=["activities"])
def activity_detail(activity_id: int):
    """One activity open to the caller's family, with the family's enrolment if any.

    404 activity_not_found when the activity does not exist or is not open to this family.
    """
    family = families.of(g.resident)
    activity = visible_activity(activity_id, family)
    entry = enrolment.find(activity.id, family) if family else None
    return jsonify({**catalogue.as_dict(activity), "enrolment": enrolment.as_dict(entry) if entry else None})


@api.get("/activities/<int:activity_id>/cover")
@spec.validate(resp=responses({200: None}, 404), tags=["activities"])
def activity_cover(activity_id: int):
    """The cover image (public, like a poster).

    200 answers the image itself (JPEG or PNG, cached for five minutes); 404 activity_not_found
    for no such activity, then no_cover for an activity without one.
    """
    activity = catalogue.get(activity_id)
    if activity is None:
        raise ActivityError("activity_not_found")
    cover = catalogue.cover_of(activity)
    if cover is None:
        raise ActivityError("no_cover")
    return FlaskResponse(cover.data, mimetype=cover.content_type,
                         headers={"Cache-Control": "public, max-age=300"})


@api.post("/activities/<int:activity_id>/enrolment")
@personal
@spec.validate(json=EnrolIn, resp=responses({201: EnrolmentOut}, 400, 401, 404, 409),
               security=RESIDENT, tags=["activities"])
def enrol(activity_id: int, json: EnrolIn):
    """Enrol the family; when the places are gone, join the waiting list (status waitlisted).

    child_ids are children of the caller's family; 404 for an activity not open to it, 409 when enrolment
    is closed or the family is already enrolled.
    """
    activity, family = activity_and_family(activity_id)
    outcome = enrolment.enrol(family, g.resident, activity.id, enrolment.EnrolForm(**json.model_dump()))
    db.session.commit()
    return jsonify(enrolment.as_dict(outcome.enrolment)), 201


@api.get("/activities/<int:activity_id>/enrolment")
@personal
@spec.validate(resp=responses({200: EnrolmentOut}, 401, 404), security=RESIDENT, tags=["activities"])
def my_enrolment(activity_id: int):
    """The family's enrolment in one activity.

    404 in this order: activity_not_found (no such activity for the caller), no_family (no family
    registered yet), not_enrolled (the family has no enrolment in it).
    """
    activity, family = activity_and_family(activity_id)
    entry = enrolment.find(activity.id, family)
    if entry is None:
        raise ActivityError("not_enrolled")
    return jsonify(enrolment.as_dict(entry))


@api.delete("/activities/<int:activity_id>/enrolment")
@personal
@spec.validate(resp=responses({200: EnrolmentOut}, 401, 404, 409), security=RESIDENT, tags=["activities"])
def cancel(activity_id: int):
    """Cancel; the freed place goes to the first family on the waiting list, who is notified.

    404 activity_not_found, then no_family, then not_enrolled (the order of every activity route);
    409 when it can no longer be cancelled.
    """
    activity, family = activity_and_family(activity_id)
    outcome = enrolment.cancel(family, activity.id)
    db.session.commit()
    return jsonify(enrolment.as_dict(outcome.enrolment))


@api.get("/enrolments")
@personal
@spec.validate(resp=responses({200: EnrolmentList}, 401), security=RESIDENT, tags=["activities"])
def my_enrolments():
    """Every enrolment of the caller's family.

    An empty list when the resident has no family yet.
    """
    family = families.of(g.resident)
    found = enrolment.of_family(family) if family else []
    return jsonify(enrolments=[enrolment.as_dict(e) for e in found])


@api.post("/activities/<int:activity_id>/checkin")
@personal
@spec.validate(json=CheckinIn, resp=responses({200: EnrolmentOut}, 400, 401, 404, 409),
               security=RESIDENT, tags=["activities"])
def check_in(activity_id: int, json: CheckinIn):
    """Check in with the code shown at the activity (scanned from its QR code or typed).

    The code changes every minute (GET /school/activities/{activity_id}/checkin-code); 400 for a wrong
    or expired code (checkin_code_wrong), 409 when check-in is closed or the family is on the
    waiting list, 404 not_enrolled without an enrolment.
    """
    activity, family = activity_and_family(activity_id)
    entry = checkin.check_in(family, g.resident, activity, json.code)
    db.session.commit()
    return jsonify(enrolment.as_dict(entry))
