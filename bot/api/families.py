"""/api/v1/family: the caller's family (guardian and children) and the schools to pick from."""
from flask import g, jsonify
from pydantic import BaseModel, Field

from bot.api import api
from bot.api.login import personal
from bot.api.openapi import RESIDENT, Deleted, Id, Line, Phone, RegionFilter, deleted, responses, spec
from bot.api.regions import known_region
from content.activity_texts import text
from content.api_texts import about
from handlers.schools import directory as schools
from handlers.schools import families
from handlers.schools.families import ChildForm
from models import db


class SchoolsQuery(BaseModel):
    region: RegionFilter = Field("", description=about("SchoolsQuery", "region"))
    q: Line(30, 0) = Field("", description=about("SchoolsQuery", "q"))


class SchoolOut(BaseModel):
    id: int
    name: str
    region_code: str


class SchoolList(BaseModel):
    schools: list[SchoolOut]


class GuardianIn(BaseModel):
    guardian_name: Line(40)
    phone: Phone = Field(description=about("GuardianIn", "phone"))
    consent: bool = Field(False, description=about("GuardianIn", "consent"))


class ChildIn(BaseModel):
    name: Line(40)
    school_id: Id
    grade: int = Field(ge=1, le=12, description=about("ChildIn", "grade"))
    class_name: Line(20) = Field(description=about("ChildIn", "class_name"))


class ChildOut(BaseModel):
    id: int
    name: str
    school_id: int
    school_name: str
    grade: int
    class_name: str


class FamilyOut(BaseModel):
    guardian_name: str
    phone: str
    consent_version: str
    consented_at: str
    children: list[ChildOut]


class ConsentOut(BaseModel):
    consent: str
    consent_version: str



def own_family():
    return families.require(g.resident)


@api.get("/schools")
@spec.validate(query=SchoolsQuery, resp=responses({200: SchoolList}, 400, 404), tags=["families"])
def school_list(query: SchoolsQuery):
    """Schools to choose a child's school from (public).

    Filtered by ?region= (a region code) and ?q= (characters of the name); no login needed.
    400 invalid_fields for a malformed region or q; 404 unknown_region for a well-formed region
    that names no active region.
    """
    if query.region:
        known_region(query.region, "region")
    found = schools.search(query.region, query.q)
    return jsonify(schools=[{"id": s.id, "name": s.name, "region_code": s.region_code} for s in found])


@api.get("/family/consent")
@spec.validate(resp=responses({200: ConsentOut}), tags=["families"])
def family_consent():
    """What the guardian agrees to before the family's data is kept (public).

    Show it to the guardian and send consent: true with the first PUT /family.
    """
    return jsonify(consent=text("consent"), consent_version=families.consent_version())


@api.get("/family")
@personal
@spec.validate(resp=responses({200: FamilyOut}, 401, 404), security=RESIDENT, tags=["families"])
def family_get():
    """The caller's family: guardian, children and schools.

    404 when the resident has not registered a family yet (PUT /family).
    """
    return jsonify(families.as_dict(own_family()))


@api.put("/family")
@personal
@spec.validate(json=GuardianIn, resp=responses({200: FamilyOut}, 400, 401, 403), security=RESIDENT,
               tags=["families"])
def family_put(json: GuardianIn):
    """Register or update the guardian; the first time, `consent: true` records their consent.

    403 consent_required when the family is new and consent is not true; answers the family.
    """
    family = families.save_guardian(g.resident, json.guardian_name, json.phone, json.consent)
    db.session.commit()
    return jsonify(families.as_dict(family))


@api.delete("/family")
@personal
@spec.validate(resp=responses({200: Deleted}, 401, 404), security=RESIDENT, tags=["families"])
def family_delete():
    """Delete the family and its children; places in coming activities are given up.

    404 when the caller has no family; answers {"deleted": ["family"]}.
    """
    families.forget(own_family())
    db.session.commit()
    return jsonify(deleted(["family"]))


@api.post("/family/children")
@personal
@spec.validate(json=ChildIn, resp=responses({201: ChildOut}, 400, 401, 404), security=RESIDENT,
               tags=["families"])
def child_add(json: ChildIn):
    """Add a child to the caller's family.

    The child's school comes from GET /schools; answers the child as stored.
    """
    child = families.add_child(own_family(), ChildForm(**json.model_dump()))
    db.session.commit()
    return jsonify(families.child_dict(child)), 201


@api.put("/family/children/<int:child_id>")
@personal
@spec.validate(json=ChildIn, resp=responses({200: ChildOut}, 400, 401, 404), security=RESIDENT,
               tags=["families"])
def child_update(child_id: int, json: ChildIn):
    """Change a child's school, grade or class.

    404 when the child is not in the caller's family.
    """
    child = families.update_child(own_family(), child_id, ChildForm(**json.model_dump()))
    db.session.commit()
    return jsonify(families.child_dict(child))


@api.delete("/family/children/<int:child_id>")
@personal
@spec.validate(resp=responses({200: Deleted}, 401, 404, 409), security=RESIDENT, tags=["families"])
def child_delete(child_id: int):
    """Remove a child from the caller's family.

    409 while the child is in an enrolment not yet checked in; answers {"deleted": ["child"]}.
    """
    families.remove_child(own_family(), child_id)
    db.session.commit()
    return jsonify(deleted(["child"]))
