"""Families: a guardian and their children (name, school, grade, class — nothing more).

A child never has an account: the guardian registers, with their consent recorded, and every
change goes through the guardian's own login.
"""
from dataclasses import dataclass

from content.activity_texts import text
from handlers.errors import Refused
from handlers.people import residents
from handlers.schools import directory as schools
from handlers.schools.activities import enrolment
from models import Child, Enrolment, EnrolmentChild, Family, Resident, db
from models.timeutil import utcnow

# What each refusal is, as an HTTP status (400 otherwise).
STATUS = {"no_family": 404, "unknown_child": 404, "consent_required": 403, "child_enrolled": 409}


class FamilyError(Refused):
    """A refusal with a code the API answers with, and a text for the guardian."""

    def __init__(self, code: str, fields: dict | None = None, **values):
        super().__init__(text(f"errors.{code}", **values), code, fields, STATUS.get(code, 400))


@dataclass(frozen=True)
class ChildForm:
    name: str
    school_id: int
    grade: int
    class_name: str


def consent_version() -> str:
    return text("consent_version")


def of(resident: Resident) -> Family | None:
    return db.session.execute(db.select(Family).filter_by(resident_id=resident.id)).scalar_one_or_none()


def require(resident: Resident) -> Family:
    family = of(resident)
    if family is None:
        raise FamilyError("no_family")
    return family


def save_guardian(resident: Resident, name: str, phone: str, consent: bool) -> Family:
    """Register or update the guardian; the first time needs their consent for themselves and the children."""
    family = of(resident)
    if family is None:
        if not consent:
            raise FamilyError("consent_required")
        family = Family(resident_id=resident.id, consent_version=consent_version())
        db.session.add(family)
    elif consent and family.consent_version != consent_version():
        family.consent_version, family.consented_at = consent_version(), utcnow()
    family.guardian_name, family.phone = name, phone
    db.session.flush()
    return family


def check_school(school_id: int) -> None:
    school = schools.get(school_id)
    if school is None or not school.active:
        raise FamilyError("invalid_fields", {"school_id": text("errors.unknown_school")})


def add_child(family: Family, form: ChildForm) -> Child:
    check_school(form.school_id)
    child = Child(family_id=family.id, name=form.name, school_id=form.school_id, grade=form.grade,
                  class_name=form.class_name)
    db.session.add(child)
    db.session.flush()
    return child


def child_of(family: Family, child_id: int) -> Child:
    """One of the family's own children; another family's child looks exactly like a missing one."""
    child = db.session.get(Child, child_id) if 0 < child_id < 2**31 else None
    if child is None or child.family_id != family.id:
        raise FamilyError("unknown_child")
    return child


def update_child(family: Family, child_id: int, form: ChildForm) -> Child:
    child = child_of(family, child_id)
    check_school(form.school_id)
    child.name, child.school_id, child.grade, child.class_name = (
        form.name, form.school_id, form.grade, form.class_name)
    db.session.flush()
    return child


def remove_child(family: Family, child_id: int) -> None:
    child = child_of(family, child_id)
    coming = db.session.execute(
        db.select(EnrolmentChild.child_id).join(Enrolment, Enrolment.id == EnrolmentChild.enrolment_id)
        .where(EnrolmentChild.child_id == child.id, Enrolment.status != "cancelled",
               Enrolment.checked_in_at.is_(None))).first()
    if coming:
        raise FamilyError("child_enrolled")
    db.session.delete(child)
    db.session.flush()


def forget(family: Family) -> list[int]:
    """Delete the family and its children; past enrolments stay nameless in the schools' figures.

    Returns the enrolments promoted into the places the family gave up (told once this commits).
    """

    promoted = enrolment.withdraw_family(family)
    # Explicit, not only ON DELETE SET NULL: SQLite enforces foreign keys only when asked to.
    db.session.execute(db.update(Enrolment).where(Enrolment.family_id == family.id).values(family_id=None))
    db.session.execute(db.delete(EnrolmentChild).where(
        EnrolmentChild.child_id.in_(db.select(Child.id).where(Child.family_id == family.id))))
    db.session.delete(family)
    db.session.flush()
    return promoted


def as_dict(family: Family) -> dict:
    names = {s.id: s.name for s in map(schools.get, {c.school_id for c in family.children}) if s}
    return {
        "guardian_name": family.guardian_name, "phone": family.phone,
        "consent_version": family.consent_version,
        "consented_at": family.consented_at.isoformat() + "Z",
        "children": [child_dict(child, names.get(child.school_id, "")) for child in family.children],
    }


def child_dict(child: Child, school_name: str = "") -> dict:
    return {"id": child.id, "name": child.name, "school_id": child.school_id,
            "school_name": school_name or getattr(schools.get(child.school_id), "name", ""),
            "grade": child.grade, "class_name": child.class_name}


@residents.forgets
def forget_guardian(resident: Resident) -> list[residents.Removed]:
    """When a guardian asks to be forgotten (删除我的信息 or DELETE /me), their family goes too."""

    family = of(resident)
    if family is None:
        return []
    forget(family)  # promoted families are told once this commits
    return [residents.removed("family")]
