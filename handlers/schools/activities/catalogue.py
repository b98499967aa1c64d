"""Activities of a school: publish, change, cover image, and which ones a family may see."""
from dataclasses import dataclass
from datetime import datetime

from handlers.schools import directory as schools
from handlers.schools.activities import ActivityError
from infra.clock import iso, to_utc, utcnow
from models import Activity, ActivityCover, Child, Family, Resident, School, db

MAX_COVER_BYTES = 2 * 1024 * 1024
# Magic numbers: the file's first bytes say what it is, whatever the upload claims.
IMAGE_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


@dataclass
class ActivityForm:
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    enrol_deadline: datetime
    capacity_families: int
    capacity_people: int
    audience: str = "school"
    description: str = ""


def get(activity_id: int) -> Activity | None:
    if not isinstance(activity_id, int) or not 0 < activity_id < 2**31:
        return None
    return db.session.get(Activity, activity_id)


def area_of(school: School) -> str:
    """An 'area' activity is open to the school's district (the tier families think of as 本区)."""
    return school.region_code[:6]


def check_times(form: ActivityForm) -> tuple[datetime, datetime, datetime]:
    starts, ends, deadline = to_utc(form.starts_at), to_utc(form.ends_at), to_utc(form.enrol_deadline)
    problems = {}  # only the field at fault is flagged
    if ends <= starts:
        problems["ends_at"] = "结束时间要晚于开始时间"
    if deadline > starts:
        problems["enrol_deadline"] = "报名截止不能晚于开始时间"
    if problems:
        raise ActivityError("invalid_fields", problems)
    return starts, ends, deadline


def create(school: School, form: ActivityForm, created_by: str) -> Activity:
    starts, ends, deadline = check_times(form)
    activity = Activity(
        school_id=school.id, region_code=school.region_code, area_code=area_of(school),
        audience=form.audience, title=form.title, description=form.description, place=form.place,
        starts_at=starts, ends_at=ends, enrol_deadline=deadline,
        capacity_families=form.capacity_families, capacity_people=form.capacity_people,
        created_by=created_by)
    db.session.add(activity)
    db.session.flush()
    return activity


def set_cover(activity: Activity, data: bytes) -> None:
    content_type = image_type(data)
    if content_type is None or len(data) > MAX_COVER_BYTES:
        raise ActivityError("bad_cover")
    cover = db.session.get(ActivityCover, activity.id)
    if cover is None:
        cover = ActivityCover(activity_id=activity.id)
        db.session.add(cover)
    cover.content_type, cover.data, cover.updated_at = content_type, data, utcnow()
    activity.has_cover = True
    db.session.flush()


def image_type(data: bytes) -> str | None:
    for magic, content_type in IMAGE_TYPES:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def cover_of(activity: Activity) -> ActivityCover | None:
    return db.session.get(ActivityCover, activity.id) if activity.has_cover else None


# --- what a family may see ---------------------------------------------------------------------

def prefixes(code: str | None) -> set[str]:
    """Every node above and at `code` (codes grow by level: 4, 6, 9, 12 digits)."""
    return {code[:n] for n in (4, 6, 9, 12) if code and n <= len(code)} | ({code} if code else set())


def family_reach(family: Family | None, resident: Resident) -> tuple[set[int], set[str]]:
    """The family's children's schools, and every area node their schools or home lie in."""
    school_ids: set[int] = set()
    codes = [resident.region_code]
    if family is not None:
        rows = db.session.execute(db.select(Child.school_id, School.region_code)
                                  .join(School, School.id == Child.school_id)
                                  .where(Child.family_id == family.id))
        for school_id, code in rows:
            school_ids.add(school_id)
            codes.append(code)
    areas = set().union(*(prefixes(code) for code in codes))
    return school_ids, areas


def visible_filter(family: Family | None, resident: Resident):
    school_ids, areas = family_reach(family, resident)
    own_school = Activity.school_id.in_(school_ids)
    open_area = db.and_(Activity.audience == "area", Activity.area_code.in_(areas))
    return db.or_(own_school, open_area)


def visible_to(activity: Activity, family: Family | None, resident: Resident) -> bool:
    school_ids, areas = family_reach(family, resident)
    return activity.school_id in school_ids or (activity.audience == "area" and activity.area_code in areas)


def for_family(family: Family | None, resident: Resident, include_past: bool = False) -> list[Activity]:
    query = db.select(Activity).where(Activity.cancelled.is_(False), visible_filter(family, resident))
    if not include_past:
        query = query.where(Activity.ends_at > utcnow())
    return list(db.session.execute(query.order_by(Activity.starts_at, Activity.id).limit(200)).scalars())


def of_school(school: School) -> list[Activity]:
    return list(db.session.execute(db.select(Activity).filter_by(school_id=school.id)
                                   .order_by(Activity.starts_at.desc())).scalars())


def as_dict(activity: Activity, school_name: str | None = None) -> dict:
    if school_name is None:
        school_name = getattr(schools.get(activity.school_id), "name", "")
    return {
        "id": activity.id, "title": activity.title, "description": activity.description,
        "place": activity.place, "school_id": activity.school_id, "school_name": school_name,
        "audience": activity.audience,
        "starts_at": iso(activity.starts_at), "ends_at": iso(activity.ends_at),
        "enrol_deadline": iso(activity.enrol_deadline),
        "capacity_families": activity.capacity_families, "capacity_people": activity.capacity_people,
        "enrolled_families": activity.enrolled_families, "enrolled_people": activity.enrolled_people,
        "places_left": max(0, activity.capacity_families - activity.enrolled_families),
        "enrolment_open": not activity.cancelled and utcnow() < activity.enrol_deadline,
        "cover_url": f"/api/v1/activities/{activity.id}/cover" if activity.has_cover else None,
        "cancelled": activity.cancelled,
        "cancel_reason": activity.cancel_reason if activity.cancelled else None,
    }
