"""The caller's own record: /api/v1/me (profile, area, consents) and deleting it."""
from typing import Literal

from flask import g, jsonify
from pydantic import BaseModel, Field, StrictBool

from bot.api import ApiError, api
from bot.api.login import json_hook, personal
from bot.api.openapi import RESIDENT, Deleted, deleted, responses, spec
from content.api_texts import consent_text
from handlers.people import consent, regions, residents
from handlers.volunteers import records as volunteers
from models import db
from models.consents import PURPOSES

REGION_CODE = r"^\d{1,12}$"


class AreaOut(BaseModel):
    code: str
    name: str = Field(description="从区县起的全称")


class GrantedConsent(BaseModel):
    purpose: str
    version: str = Field(description="用户同意的说明文本版本")
    granted_at: str


class ProfileOut(BaseModel):
    area: AreaOut | None
    consents: list[GrantedConsent]
    volunteer_status: str | None = Field(description="pending 待审核 / approved / rejected；未登记为 null")


class ConsentIn(BaseModel):
    purpose: Literal[PURPOSES] = Field(description="area：绑定小区；volunteer：志愿者登记")


class AreaIn(BaseModel):
    region_code: str = Field(pattern=REGION_CODE, description="街道（乡镇）或社区的代码，见 GET /regions")
    consent: StrictBool = Field(False, description="同意 area 用途的说明（之前未同意过时必须为 true）")


def profile(resident) -> dict:
    volunteer = volunteers.of(resident)
    return {
        "area": {"code": resident.region_code, "name": regions.path_name(resident.region_code)}
        if resident.region_code else None,
        "consents": [{"purpose": c.purpose, "version": c.version,
                      "granted_at": c.granted_at.isoformat() + "Z"} for c in consent.granted(resident)],
        "volunteer_status": volunteer.status if volunteer else None,
    }


def area_refused(error: Exception, body: dict) -> None:
    """Consent comes before the fields, as it always did: without it, say what it is for."""
    if body.get("consent") is not True and not consent.has(g.resident, "area"):
        raise ApiError(403, "consent_required", consent_text("area"))
    for detail in error.errors():
        if detail.get("loc", ("",))[0] == "region_code":
            if detail.get("type") in ("missing", "string_type"):  # nothing chosen
                raise ApiError(400, "invalid_fields", "请选择街道或社区", {"region_code": "请选择街道（乡镇）或社区"})
            raise ApiError(400, "invalid_fields", "请选择街道（乡镇）或社区", {"region_code": "请选择街道（乡镇）或社区"})


@api.get("/me")
@personal
@spec.validate(resp=responses({200: ProfileOut}, 401), security=RESIDENT, tags=["residents"])
def me():
    """The caller's area, consents and volunteer status.

    What the mini-program needs to know about the caller before asking for an area or a registration.
    """
    return jsonify(profile(g.resident))


@api.post("/me/consents")
@personal
@spec.validate(json=ConsentIn, resp=responses({201: ProfileOut}, 400, 401, 415), security=RESIDENT,
               before=json_hook(), tags=["residents"])
def give_consent(json: ConsentIn):
    """Record the caller's consent to a purpose (after showing its text).

    purpose is one of the consent purposes (e.g. area, volunteer); answers the profile.
    """
    consent.grant(g.resident, json.purpose, "api")
    db.session.commit()
    return jsonify(profile(g.resident)), 201


@api.put("/me/area")
@personal
@spec.validate(json=AreaIn, resp=responses({200: ProfileOut}, 400, 401, 403, 415), security=RESIDENT,
               before=json_hook(area_refused), tags=["residents"])
def bind_area(json: AreaIn):
    """Bind a street or community; needs consent to the 'area' purpose (earlier or in this body).

    403 consent_required without that consent; 400 invalid_fields for a code that is not a street or
    community.
    """
    if json.consent:
        consent.grant(g.resident, "area", "api")
    if not consent.has(g.resident, "area"):
        raise ApiError(403, "consent_required", consent_text("area"))
    try:
        residents.bind_area(g.resident, json.region_code)
    except residents.AreaError as error:
        raise ApiError(400, "invalid_fields", str(error), {"region_code": str(error)})
    db.session.commit()
    return jsonify(profile(g.resident))


@api.delete("/me")
@personal
@spec.validate(resp=responses({200: Deleted}, 401), security=RESIDENT, tags=["residents"])
def forget_me():
    """Delete everything personal about the caller; the token stops working with it.

    Answers {"deleted": [codes]}, what was removed, as every deletion does; a new login starts afresh.
    """
    removed = residents.forget(g.resident.openid)
    db.session.commit()
    return jsonify(deleted(item.code for item in removed))
