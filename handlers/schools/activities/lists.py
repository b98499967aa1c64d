"""Enrolment and attendance lists for school staff, on screen and in Excel."""
from dataclasses import dataclass

from content.activity_texts import text, texts
from handlers.schools import directory as schools
from handlers.schools.activities import catalogue
from handlers.staff import scope
from infra import xlsx as exports
from infra.clock import label
from models import Activity, Child, Enrolment, EnrolmentChild, Family, School, db
from models.staff import Staff


@dataclass
class Row:
    enrolment: Enrolment
    guardian: str
    phone: str
    pupils: str  # 张小明（三年级2班）…

    @property
    def status_label(self) -> str:
        return text(f"status.{self.enrolment.status}")


def activity_for(staff: Staff, activity_id: int) -> Activity | None:
    """The activity if the staff member may see it: own school for a school admin, else the subtree."""
    activity = catalogue.get(activity_id)
    if activity is None or not scope.may(staff, "activities"):
        return None
    if staff.role == "school_admin":
        school = schools.school_of(staff)
        return activity if school and school.id == activity.school_id else None
    return activity if scope.in_scope(staff, activity.region_code) else None


def activities_for(staff: Staff) -> list[Activity]:
    query = db.select(Activity)
    if staff.role == "school_admin":
        school = schools.school_of(staff)
        query = query.where(Activity.school_id == (school.id if school else -1))
    else:
        query = scope.scope_filter(query, Activity.region_code, staff)
    return list(db.session.execute(query.order_by(Activity.starts_at.desc()).limit(500)).scalars())


def grade_label(grade: int) -> str:
    return text("roster.grade", grade=grade)


def rows(staff: Staff, activity: Activity, include_cancelled: bool = False) -> list[Row]:
    query = (db.select(Enrolment, Family).outerjoin(Family, Family.id == Enrolment.family_id)
             .where(Enrolment.activity_id == activity.id).order_by(Enrolment.status, Enrolment.seq))
    if not include_cancelled:
        query = query.where(Enrolment.status != "cancelled")
    found = db.session.execute(query).all()
    pupils = pupils_of([entry.id for entry, _ in found])
    full = scope.may(staff, "full_phone")
    return [Row(entry, family.guardian_name if family else text("roster.guardian_deleted"),
                (family.phone if full else exports.mask_phone(family.phone)) if family else "",
                text("roster.separator").join(pupils.get(entry.id, [])))
            for entry, family in sorted(found, key=lambda pair: (pair[0].status != "enrolled", pair[0].seq))]


def pupils_of(enrolment_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    query = (db.select(EnrolmentChild.enrolment_id, Child.name, Child.grade, Child.class_name)
             .join(Child, Child.id == EnrolmentChild.child_id)
             .where(EnrolmentChild.enrolment_id.in_(enrolment_ids)).order_by(Child.id))
    for enrolment_id, name, grade, class_name in db.session.execute(query):
        found.setdefault(enrolment_id, []).append(
            text("roster.pupil", name=name, grade=grade_label(grade), class_name=class_name))
    return found


HEADERS = texts()["roster"]["headers"]


def workbook(staff: Staff, activity: Activity) -> bytes:
    school = db.session.get(School, activity.school_id)
    table = [[i, row.status_label, row.guardian, row.phone, row.pupils, row.enrolment.adults,
              row.enrolment.children, text("roster.checked_in") if row.enrolment.checked_in_at else "",
              label(row.enrolment.checked_in_at) if row.enrolment.checked_in_at else ""]
             for i, row in enumerate(rows(staff, activity), start=1)]
    return exports.workbook(f"{school.name if school else ''}{activity.title}"[:31], HEADERS, table)
