"""/api/v1/volunteers: the same registration as the chat dialog, and the caller's own service record."""
from collections.abc import Callable
from typing import Annotated, Literal

from flask import g, jsonify
from pydantic import AfterValidator, BaseModel, Field, StrictBool, StringConstraints

from bot.api import ApiError, api
from bot.api.login import json_hook, personal
from bot.api.openapi import LINE, RESIDENT, Phone, field_text, responses, spec
from content.api_texts import about, api_text, consent_text
from content.volunteering import options
from handlers.people import consent
from handlers.volunteers import records as volunteers
from handlers.volunteers import service
from models import db

FIELDS = ("name", "phone", "region_code", "skills", "availability")


def cleaned(clean: Callable, field: str) -> AfterValidator:
    """The chat dialog's own check of `field` (handlers/volunteers), with its message."""
    def check(value):
        value = clean(value)
        if value is None:
            raise ValueError(volunteers.invalid_text(field))
        return value

    return AfterValidator(check)


def Choices(kind: str):
    """One or more codes of content/volunteers.toml's `kind`, in the order given, without repeats."""
    return Annotated[list[Literal[tuple(options(kind))]], Field(min_length=1),
                     AfterValidator(lambda codes: list(dict.fromkeys(codes)))]


class VolunteerIn(BaseModel):
    name: Annotated[str, StringConstraints(max_length=40, pattern=LINE),
                    cleaned(volunteers.clean_name, "name")] = Field(description=about("VolunteerIn", "name"))
    phone: Phone = Field(description=about("VolunteerIn", "phone"))
    region_code: Annotated[str, StringConstraints(pattern=r"^\d{1,12}$"),
                           cleaned(volunteers.clean_area, "region_code")] = Field(
        description=about("VolunteerIn", "region_code"))
    skills: Choices("skills") = Field(description=about("VolunteerIn", "skills"))
    availability: Choices("availability") = Field(description=about("VolunteerIn", "availability"))
    consent: StrictBool = Field(False, description=about("VolunteerIn", "consent"))


class Option(BaseModel):
    code: str
    label: str


class OptionsOut(BaseModel):
    skills: list[Option]
    availability: list[Option]
    consent: str = Field(description=about("OptionsOut", "consent"))
    consent_version: str


class VolunteerOut(BaseModel):
    id: int
    name: str
    phone: str
    region_code: str
    region_name: str
    skills: list[str]
    availability: list[str]
    status: str = Field(description=about("VolunteerOut", "status"))
    review_reason: str | None = Field(None, description=about("VolunteerOut", "review_reason"))
    created_at: str


class ServiceRecordOut(BaseModel):
    activity: str
    date: str
    hours: float
    organiser: str
    region_name: str
    recorded_by: str


class ServiceOut(BaseModel):
    total_hours: float
    records: list[ServiceRecordOut]


def registration_refused(error: Exception, body: dict) -> None:
    """Consent first, as always; then every bad field with the dialog's message for it."""
    if body.get("consent") is not True:
        raise ApiError(403, "consent_required", consent_text("volunteer"))
    fields = {}
    for detail in error.errors():
        where = str(detail.get("loc", ("body",))[0])
        fields.setdefault(where, volunteers.invalid_text(where) if where in FIELDS else field_text(detail))
    raise ApiError(400, "invalid_fields", api_text("errors.volunteers.invalid_fields"), fields)


@api.get("/volunteers/options")
@spec.validate(resp=responses({200: OptionsOut}), tags=["volunteers"])
def volunteer_options():
    """The lists the form offers (public).

    Skills and availability codes with their labels, and the consent text to show before registering.
    """
    lists = {kind: [{"code": code, "label": label} for code, label in options(kind).items()]
             for kind in ("skills", "availability")}
    # One dict: jsonify() given both a dict and keywords raised TypeError (a 500 until schemathesis met it).
    return jsonify({**lists, "consent": consent_text("volunteer"), "consent_version": consent.version()})


@api.post("/volunteers")
@personal
@spec.validate(json=VolunteerIn, resp=responses({201: VolunteerOut}, 400, 401, 403, 409, 415),
               security=RESIDENT, before=json_hook(registration_refused), tags=["volunteers"])
def register(json: VolunteerIn):
    """Register the caller; `consent: true` says they agreed to the text of /volunteers/options.

    403 consent_required without consent: true; 409 already_registered when the caller has registered
    before; 400 invalid_fields for a field that does not fit.
    """
    if json.consent is not True:
        raise ApiError(403, "consent_required", consent_text("volunteer"))
    application = volunteers.Application(**json.model_dump(include=set(FIELDS)))
    try:
        volunteer = volunteers.register(g.resident, application, "api")
    except volunteers.AlreadyRegistered as already:
        raise ApiError(409, "already_registered",
                       api_text("errors.volunteers.already", status=volunteers.status_label(already.volunteer)))
    db.session.commit()
    return jsonify(volunteers.as_dict(volunteer)), 201


@api.get("/volunteers/me")
@personal
@spec.validate(resp=responses({200: VolunteerOut}, 401, 404), security=RESIDENT, tags=["volunteers"])
def my_registration():
    """The caller's volunteer registration and its review status.

    404 when the resident has not registered as a volunteer.
    """
    volunteer = own_volunteer()
    return jsonify(volunteers.as_dict(volunteer))


@api.get("/volunteers/me/service")
@personal
@spec.validate(resp=responses({200: ServiceOut}, 401, 404), security=RESIDENT, tags=["volunteers"])
def my_service():
    """The caller's recorded volunteer service: hours and the latest records.

    404 when the resident has not registered as a volunteer.
    """
    done = service.summary(own_volunteer())
    return jsonify(total_hours=float(done.total_hours),
                   records=[service.as_dict(entry) for entry in done.records])


def own_volunteer():
    volunteer = volunteers.of(g.resident)
    if volunteer is None:
        raise ApiError(404, "not_a_volunteer", api_text("errors.volunteers.none"))
    return volunteer
