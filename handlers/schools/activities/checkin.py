"""Check-in: a code that changes every minute, attendance, and volunteer hours for attending.

The code is an HMAC of the activity id and the current minute under the app's secret, so any web
process can show or check it without storing anything; a code from the minute before still counts
(someone typing it as it rolls over).
"""
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app

from handlers.schools import directory as schools
from handlers.schools.activities import ActivityError
from handlers.volunteers import service
from infra.clock import local_date, today, utcnow
from models import Activity, Enrolment, Family, Resident, Volunteer, db

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60
OPENS_BEFORE = timedelta(hours=1)  # families arrive early; check-in opens an hour before the start
MAX_HOURS = Decimal("8")  # a day's service, whatever a multi-day activity's span


@dataclass(frozen=True)
class Code:
    code: str
    expires_in: int  # seconds until the next code
    qr_text: str


def window(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // WINDOW_SECONDS)


def code_for(activity_id: int, at_window: int) -> str:
    key = hashlib.sha256(b"checkin|" + current_app.config["SECRET_KEY"].encode()).digest()
    digest = hmac.new(key, f"{activity_id}:{at_window}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def current(activity_id: int, now: float | None = None) -> Code:
    now = time.time() if now is None else now
    code = code_for(activity_id, window(now))
    expires_in = WINDOW_SECONDS - int(now % WINDOW_SECONDS)
    # What the QR holds: the mini-program reads the activity and the code from it.
    return Code(code, expires_in, f"wufei-checkin:{activity_id}:{code}")


def code_valid(activity_id: int, code: str, now: float | None = None) -> bool:
    this = window(now)
    return any(hmac.compare_digest(code_for(activity_id, w), code) for w in (this, this - 1))


def check_in(family: Family, resident: Resident, activity: Activity, code: str) -> Enrolment:
    """Mark the family present (idempotent) and record the guardian's volunteer hours."""
    if activity.cancelled:
        raise ActivityError("activity_cancelled")
    entry = db.session.execute(db.select(Enrolment).filter_by(
        activity_id=activity.id, family_id=family.id)).scalar_one_or_none()
    if entry is None or entry.status == "cancelled":
        raise ActivityError("not_enrolled")
    if entry.status == "waitlisted":
        raise ActivityError("checkin_waitlisted")
    now = utcnow()
    if not activity.starts_at - OPENS_BEFORE <= now <= activity.ends_at:
        raise ActivityError("checkin_closed")
    if not code_valid(activity.id, code):
        raise ActivityError("checkin_code_wrong")
    mark_present(activity, entry, "code", resident)
    return entry


def mark_present(activity: Activity, entry: Enrolment, by: str, resident: Resident | None = None) -> None:
    if entry.checked_in_at is None:
        entry.checked_in_at, entry.checked_in_by = utcnow(), by
    if resident is not None and entry.service_record_id is None:
        record_hours(activity, entry, resident)
    db.session.flush()


def guardian_of(entry: Enrolment) -> Resident | None:
    family = db.session.get(Family, entry.family_id) if entry.family_id else None
    return db.session.get(Resident, family.resident_id) if family else None


def mark_absent(entry: Enrolment) -> None:
    """Staff undo a mistaken mark; hours already recorded stay with staff to correct."""
    entry.checked_in_at, entry.checked_in_by = None, None
    db.session.flush()


def record_hours(activity: Activity, entry: Enrolment, resident: Resident) -> None:
    """An approved volunteer who brings their family earns the activity's hours, once."""
    volunteer = db.session.execute(db.select(Volunteer).filter_by(
        resident_id=resident.id, status="approved")).scalar_one_or_none()
    if volunteer is None:
        return
    school = schools.get(activity.school_id)
    try:
        # Checked in before an activity that starts after midnight: served today, not tomorrow.
        served_on = min(local_date(activity.starts_at), today())
        record = service.record(volunteer.id, activity.title, served_on,
                                activity_hours(activity.starts_at, activity.ends_at),
                                school.name if school else "学校", "checkin", activity.region_code)
    except service.ServiceError as error:  # e.g. a check-in after midnight of a later day
        log.info("no service hours for enrolment %s: %s", entry.id, error)
        return
    entry.service_record_id = record.id


def activity_hours(starts: datetime, ends: datetime) -> Decimal:
    hours = Decimal((ends - starts).total_seconds()) / Decimal(3600)
    return min(MAX_HOURS, max(Decimal("0.5"), (hours * 2).to_integral_value() / 2))
