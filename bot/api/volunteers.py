"""/api/v1/volunteers: the same registration as the chat dialog, and the caller's own service record."""
from flask import g, jsonify

from bot.api import ApiError, api, json_body
from bot.api.login import personal
from content.texts import text
from content.volunteering import options
from handlers import consent, service, volunteers
from models import db


@api.get("/volunteers/options")
def volunteer_options():
    """The lists the form offers (public)."""
    return jsonify({kind: [{"code": code, "label": label} for code, label in options(kind).items()]
                    for kind in ("skills", "availability")},
                   consent=consent.explanation("volunteer"), consent_version=consent.version())


@api.post("/volunteers")
@personal
def register():
    """Register the caller; `consent: true` says they agreed to the text of /volunteers/options."""
    body = json_body()
    if body.get("consent") is not True:
        raise ApiError(403, "consent_required", consent.explanation("volunteer"))
    try:
        application = volunteers.validate(body)
        volunteer = volunteers.register(g.resident, application, "api")
    except volunteers.RegistrationError as error:
        raise ApiError(400, "invalid_fields", "登记信息有误，请检查标出的项", error.fields)
    except volunteers.AlreadyRegistered as already:
        raise ApiError(409, "already_registered",
                       text("volunteer.already", status=volunteers.status_label(already.volunteer)))
    db.session.commit()
    return jsonify(volunteers.as_dict(volunteer)), 201


@api.get("/volunteers/me")
@personal
def my_registration():
    volunteer = own_volunteer()
    return jsonify(volunteers.as_dict(volunteer))


@api.get("/volunteers/me/service")
@personal
def my_service():
    done = service.summary(own_volunteer())
    return jsonify(total_hours=float(done.total_hours),
                   records=[service.as_dict(entry) for entry in done.records])


def own_volunteer():
    volunteer = volunteers.of(g.resident)
    if volunteer is None:
        raise ApiError(404, "not_a_volunteer", text("volunteer.none"))
    return volunteer
