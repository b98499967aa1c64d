"""Residents and volunteers as the console lists, filters, approves and exports them, per subtree.

The people and volunteers packages own the records (Resident's area, Volunteer, ServiceRecord); this module reads
and changes them only through handlers/staff/scope.py, so a staff member never reaches outside their subtree.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import false

from content.staff_texts import staff_table, staff_text
from handlers.errors import Refused
from handlers.staff import scope
from handlers.volunteers import records as volunteers
from handlers.volunteers import service
from infra import xlsx as exports
from models import Resident, ServiceRecord, Volunteer, db

PAGE = 50
STATUS_NAMES = dict(staff_table("volunteers.status"))


class RosterError(Refused):
    """A form the console refuses; the message is for staff, in Chinese."""


def area_filter(staff, area: str | None) -> str:
    """The area to list: the requested node if it is inside the subtree, else the staff's own."""
    return area if area and scope.in_scope(staff, area) else staff.region_code


# --- residents ---------------------------------------------------------------------------------

def residents_query(staff, area: str | None = None, search: str = ""):
    query = scope.residents_filter(db.select(Resident), staff)
    area = area_filter(staff, area)
    if area != staff.region_code:
        query = query.where(Resident.region_code.startswith(area, autoescape=True))
    if search.strip().isdigit():
        # Ids are 32-bit: a longer number names no one (and would overflow the query's parameter).
        number = int(search)
        query = query.where(Resident.id == number if number < 2**31 else false())
    return query.order_by(Resident.id.desc())


def page_of(query, page: int) -> tuple[list, bool]:
    rows = db.session.execute(query.limit(PAGE + 1).offset((page - 1) * PAGE)).scalars().all()
    return rows[:PAGE], len(rows) > PAGE


def residents_workbook(staff, area: str | None = None, search: str = "") -> bytes:
    rows = db.session.execute(residents_query(staff, area, search)).scalars().all()
    names = scope.region_names(r.region_code for r in rows)
    return exports.workbook(staff_text("residents.sheet"), staff_table("residents.headers"), (
        [r.id, names.get(r.region_code, staff_text("residents.no_area")),
         staff_text("residents.subscribed" if r.subscribed else "residents.unsubscribed"),
         exports.beijing(r.first_seen_at), exports.beijing(r.last_message_at)] for r in rows))


# --- volunteers --------------------------------------------------------------------------------

def volunteers_query(staff, area: str | None = None, status: str = "", search: str = ""):
    area = area_filter(staff, area)
    query = scope.scope_filter(db.select(Volunteer), Volunteer.region_code, staff)
    query = query.where(Volunteer.region_code.startswith(area, autoescape=True))
    if status in STATUS_NAMES:
        query = query.where(Volunteer.status == status)
    search = search.strip()[:40]
    if search:
        query = query.where(Volunteer.name.contains(search, autoescape=True)
                            | Volunteer.phone.contains(search, autoescape=True))
    return query.order_by(Volunteer.id.desc())


def volunteer_counts(staff) -> dict[str, int]:
    """Volunteers of the subtree by status."""
    query = scope.scope_filter(db.select(Volunteer.status, db.func.count(Volunteer.id)),
                               Volunteer.region_code, staff).group_by(Volunteer.status)
    return {status: n for status, n in db.session.execute(query)}


def volunteer_in_scope(staff, volunteer_id: int) -> Volunteer | None:
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or not scope.in_scope(staff, volunteer.region_code):
        return None
    return volunteer


def review(staff, volunteer: Volunteer, approve: bool, reason: str = "") -> None:
    """The console's decision: a rejection needs a reason, as the volunteer is told why."""
    if not approve and not reason.strip():
        raise RosterError(staff_text("volunteers.errors.reason_required"))
    volunteers.review(volunteer.id, approve, staff.username, reason)


def service_hours(rows: list[Volunteer]) -> dict[int, Decimal]:
    if not rows:
        return {}
    rows = db.session.execute(
        db.select(ServiceRecord.volunteer_id, db.func.sum(ServiceRecord.hours))
        .where(ServiceRecord.volunteer_id.in_([v.id for v in rows]))
        .group_by(ServiceRecord.volunteer_id))
    return {volunteer_id: Decimal(total or 0) for volunteer_id, total in rows}


def record_service(staff, volunteer: Volunteer, activity: str, served_on: str, hours: str,
                   organiser: str) -> ServiceRecord:
    """One service entry, with what a service certificate needs (content, date, hours, unit)."""
    if volunteer.status != "approved":
        raise RosterError(staff_text("volunteers.errors.not_approved"))
    activity, organiser = activity.strip()[:200], organiser.strip()[:100]
    if not activity or not organiser:
        raise RosterError(staff_text("volunteers.errors.details_required"))
    try:
        day = date.fromisoformat(served_on)
        amount = Decimal(hours).quantize(Decimal("0.1"))
        if not amount.is_finite():  # "NaN" quantizes to NaN, which no comparison accepts
            raise InvalidOperation
    except (ValueError, InvalidOperation):
        raise RosterError(staff_text("volunteers.errors.bad_format")) from None
    if day > date.today():
        raise RosterError(staff_text("volunteers.errors.future_date"))
    if not Decimal("0") < amount <= Decimal("24"):
        raise RosterError(staff_text("volunteers.errors.bad_hours"))
    # The checks above give staff a Chinese reason; handlers/volunteers/records.py keeps the record.
    return service.record(volunteer.id, activity, day, amount, organiser, staff.username)


def labels(kind: str, codes: str) -> str:
    """Skills or availability codes as the volunteer chose them, in words."""
    return volunteers.labels(kind, codes or "")


def phone_for(staff, phone: str) -> str:
    """A phone number as lists and Excel show it: always partly hidden, as the consent text promises.

    Street staff who must call a volunteer open one whole number at a time (`whole_phone`), audited.
    """
    return exports.mask_phone(phone)


def whole_phone(staff, volunteer) -> str:
    """One volunteer's whole number, for a role that may call them; RosterError otherwise."""
    if not scope.may(staff, "full_phone"):
        raise RosterError(staff_text("volunteers.phone_not_for_role"), status=403)
    return volunteer.phone


def volunteers_workbook(staff, area: str | None = None, status: str = "", search: str = "") -> bytes:
    rows = db.session.execute(volunteers_query(staff, area, status, search)).scalars().all()
    names = scope.region_names(v.region_code for v in rows)
    hours = service_hours(rows)
    return exports.workbook(
        staff_text("volunteers.sheet"), staff_table("volunteers.headers"),
        ([v.id, v.name, phone_for(staff, v.phone), names[v.region_code], labels("skills", v.skills), labels("availability", v.availability),
          STATUS_NAMES.get(v.status, v.status), float(hours.get(v.id, 0)), exports.beijing(v.created_at)] for v in rows))
