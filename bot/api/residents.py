"""The caller's own record: /api/v1/me (profile, area, consents) and deleting it."""
from flask import g, jsonify

from bot.api import ApiError, api, json_body
from bot.api.login import personal
from handlers import consent, regions, residents, volunteers
from models import db
from models.consents import PURPOSES


def profile(resident) -> dict:
    volunteer = volunteers.of(resident)
    return {
        "area": {"code": resident.region_code, "name": regions.path_name(resident.region_code)}
        if resident.region_code else None,
        "consents": [{"purpose": c.purpose, "version": c.version,
                      "granted_at": c.granted_at.isoformat() + "Z"} for c in consent.granted(resident)],
        "volunteer_status": volunteer.status if volunteer else None,
    }


@api.get("/me")
@personal
def me():
    return jsonify(profile(g.resident))


@api.post("/me/consents")
@personal
def give_consent():
    purpose = json_body().get("purpose")
    if purpose not in PURPOSES:
        raise ApiError(400, "invalid_fields", "不认识的用途", {"purpose": f"可选：{'、'.join(PURPOSES)}"})
    consent.grant(g.resident, purpose, "api")
    db.session.commit()
    return jsonify(profile(g.resident)), 201


@api.put("/me/area")
@personal
def bind_area():
    """Bind a street or community; needs consent to the 'area' purpose (earlier or in this body)."""
    body = json_body()
    code = body.get("region_code")
    if body.get("consent") is True:
        consent.grant(g.resident, "area", "api")
    if not consent.has(g.resident, "area"):
        raise ApiError(403, "consent_required", consent.explanation("area"))
    if not isinstance(code, str):
        raise ApiError(400, "invalid_fields", "请选择街道或社区", {"region_code": "请选择街道（乡镇）或社区"})
    try:
        residents.bind_area(g.resident, code)
    except residents.AreaError as error:
        raise ApiError(400, "invalid_fields", str(error), {"region_code": str(error)})
    db.session.commit()
    return jsonify(profile(g.resident))


@api.delete("/me")
@personal
def forget_me():
    """Delete everything personal about the caller; the token stops working with it."""
    removed = residents.forget(g.resident.openid)
    db.session.commit()
    return jsonify(removed=removed)
