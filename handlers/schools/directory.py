"""Schools of the campaign: where they sit in the region tree, and which school admin runs which."""
from content.staff_texts import staff_text
from handlers.errors import Refused
from handlers.staff import scope
from models import Region, School, SchoolStaff, db
from models.staff import Staff


class SchoolError(Refused):
    """A school or an assignment that cannot be made; the message is for staff."""


def get(school_id: int | None) -> School | None:
    if not isinstance(school_id, int) or not 0 < school_id < 2**31:
        return None
    return db.session.get(School, school_id)


def create(actor: Staff, name: str, region_code: str) -> School:
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 60:
        raise SchoolError(staff_text("schools.errors.name_length"))
    region = db.session.get(Region, region_code or "")
    if region is None or not region.active or not scope.in_scope(actor, region_code):
        raise SchoolError(staff_text("schools.errors.region"))
    if db.session.execute(db.select(School.id).filter_by(region_code=region_code, name=name)).first():
        raise SchoolError(staff_text("schools.errors.duplicate"))
    school = School(name=name, region_code=region_code)
    db.session.add(school)
    db.session.flush()
    return school


def in_scope(staff: Staff) -> list[School]:
    query = scope.scope_filter(db.select(School), School.region_code, staff)
    return list(db.session.execute(query.order_by(School.region_code, School.name)).scalars())


def search(region_code: str = "", text: str = "", limit: int = 50) -> list[School]:
    """Active schools under a region node whose name contains `text` (the family form's picker)."""
    query = db.select(School).where(School.active.is_(True))
    if region_code:
        query = query.where(School.region_code.startswith(region_code, autoescape=True))
    if text:
        query = query.where(School.name.contains(text, autoescape=True))
    return list(db.session.execute(query.order_by(School.name).limit(limit)).scalars())


def school_of(staff: Staff | None) -> School | None:
    """The school a school admin runs (None for other roles or an unassigned account)."""
    if staff is None or staff.role != "school_admin":
        return None
    link = db.session.get(SchoolStaff, staff.id)
    return db.session.get(School, link.school_id) if link else None


def assign_admin(actor: Staff, school: School, username: str) -> Staff:
    """Make the school admin `username` the one who runs `school` (their earlier school is let go)."""
    member = db.session.execute(db.select(Staff).filter_by(username=(username or "").strip())).scalar_one_or_none()
    if member is None or member.role != "school_admin" or not scope.in_scope(actor, member.region_code):
        raise SchoolError(staff_text("schools.errors.admin_username"))
    if not scope.in_scope(actor, school.region_code):
        raise SchoolError(staff_text("schools.errors.out_of_scope"))
    link = db.session.get(SchoolStaff, member.id)
    if link is None:
        db.session.add(SchoolStaff(staff_id=member.id, school_id=school.id))
    else:
        link.school_id = school.id
    db.session.flush()
    return member


def admins_of(school_ids) -> dict[int, list[str]]:
    rows = db.session.execute(db.select(SchoolStaff.school_id, Staff.username)
                              .join(Staff, Staff.id == SchoolStaff.staff_id)
                              .where(SchoolStaff.school_id.in_(list(school_ids))))
    found: dict[int, list[str]] = {}
    for school_id, username in rows:
        found.setdefault(school_id, []).append(username)
    return found
