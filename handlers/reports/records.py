"""Reports: filing (chat and API share it), the street's steps, the notices, the resident's list."""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from content.report_texts import kind_labels, status_labels, text
from handlers.errors import Refused
from handlers.people import regions, residents, windows
from handlers.staff import scope
from infra import jobs
from infra.wechat.once import send_once
from infra.wechat.send import Sender, SendError
from models import Resident, Volunteer, db
from models.places import LAT_RANGE, LNG_RANGE
from models.reports import Report, ReportEvent
from models.staff import Staff
from models.statuses import ReportKind, ReportStatus
from models.timeutil import utcnow

SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))
MAX_DESCRIPTION = 500
RESIDENT = "resident"  # the actor of the first step
# The steps staff take, from which statuses; a resident is told of each.
STEPS = {ReportStatus.ASSIGNED: {ReportStatus.NEW, ReportStatus.ASSIGNED},
         ReportStatus.RESOLVED: {ReportStatus.NEW, ReportStatus.ASSIGNED},
         ReportStatus.REJECTED: {ReportStatus.NEW, ReportStatus.ASSIGNED}}
STREET = 9  # digits of a street's code


class ReportError(Refused):
    """A report that cannot be filed or a step that cannot be taken; the message is for people."""


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str


def checked_photo(data: bytes | None) -> Photo | None:
    """The photo if it is a JPEG or PNG (by its first bytes) within REPORT_PHOTO_MAX_BYTES."""
    if not data:
        return None
    limit = current_app.config["REPORT_PHOTO_MAX_BYTES"]
    if len(data) > limit:
        raise ReportError(text("errors.photo_size", mb=limit // (1024 * 1024)), "photo_size",
                          {"photo": text("errors.photo_size", mb=limit // (1024 * 1024))}, 413)
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return Photo(data, content_type)
    raise ReportError(text("errors.photo_type"), "photo_type", {"photo": text("errors.photo_type")}, 415)


def kind_label(kind: str) -> str:
    return kind_labels().get(kind, kind)


def status_label(status: str) -> str:
    return status_labels().get(status, status)


def filed_today(resident: Resident) -> int:
    """Reports the resident filed in the last 24 hours (the limit is a rolling day)."""
    since = utcnow() - timedelta(days=1)
    return db.session.execute(db.select(db.func.count(Report.id)).where(
        Report.resident_id == resident.id, Report.created_at >= since)).scalar_one()


def check_limit(resident: Resident) -> None:
    limit = current_app.config["REPORTS_PER_DAY"]
    if filed_today(resident) >= limit:
        raise ReportError(text("errors.limit", limit=limit), "too_many_reports", status=429)


def file(resident: Resident, kind: str, region_code: str | None, description: str = "",
         lat: float | None = None, lng: float | None = None, photo: bytes | None = None,
         media_id: str = "", pic_url: str = "", channel: str = "chat") -> Report:
    """Add a report to the session (it commits with the caller's transaction)."""
    check_limit(resident)
    fields = {}
    if kind not in ReportKind.__members__.values():
        fields["kind"] = text("errors.kind")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        fields["description"] = text("errors.description")
    region = regions.get(region_code) if region_code else None
    if region is None or not region.active or region.level < 3:
        fields["region_code"] = text("errors.region")
    if (lat is None) != (lng is None) or (lat is not None and not (
            LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LNG_RANGE[0] <= lng <= LNG_RANGE[1])):
        fields["location"] = text("errors.location")
    if fields:
        raise ReportError("; ".join(fields.values()), "invalid_fields", fields)
    checked = checked_photo(photo)
    report = Report(kind=kind, description=description, region_code=region.code, resident_id=resident.id,
                    lat=lat, lng=lng, channel=channel, status=ReportStatus.NEW,
                    photo=checked.data if checked else None, photo_type=checked.content_type if checked else "",
                    photo_media_id=media_id[:128], photo_url=pic_url[:500])
    report.events.append(ReportEvent(actor=RESIDENT, from_status="", to_status=ReportStatus.NEW))
    db.session.add(report)
    db.session.flush()
    return report


def of_resident(resident: Resident) -> list[Report]:
    """The resident's reports (and their other app's), newest first."""
    ids = [resident.id] + [other.id for other in residents.linked(resident)]
    return list(db.session.execute(db.select(Report).where(Report.resident_id.in_(ids))
                                   .order_by(Report.id.desc())).scalars())


@residents.forgets
def forget_reports(resident: Resident) -> list[residents.Removed]:
    """The reports stay with the street (a bin is still full); who filed them does not."""
    count = db.session.execute(db.update(Report).where(Report.resident_id == resident.id)
                               .values(resident_id=None)).rowcount
    return [residents.Removed("reports", text("forget.removed", count=count))] if count else []


# --- the street's side ------------------------------------------------------------------------

def queue(staff: Staff, status: str | None = None, kind: str | None = None) -> list[Report]:
    query = scope.scope_filter(db.select(Report), Report.region_code, staff)
    if status:
        query = query.where(Report.status == status)
    if kind:
        query = query.where(Report.kind == kind)
    return list(db.session.execute(query.order_by(Report.id.desc()).limit(500)).scalars())


def scoped(staff: Staff, report_id: int) -> Report | None:
    """The report if it lies in the staff member's subtree; another's is as good as none."""
    report = db.session.get(Report, report_id)
    return report if report is not None and scope.in_scope(staff, report.region_code) else None


def handles(staff: Staff, report: Report) -> bool:
    """The staff of the report's street (or its community) handle it and may see who filed it."""
    return (scope.in_scope(staff, report.region_code)
            and scope.level(staff.region_code) in ("street", "community"))


def assignees(report: Report) -> list[Staff]:
    """Active staff of the report's street, who may take it on."""
    street = report.region_code[:STREET]
    return list(db.session.execute(db.select(Staff).where(
        Staff.active.is_(True), Staff.region_code.startswith(street, autoescape=True),
        Staff.role == "street_admin").order_by(Staff.username)).scalars())


def reporter(report: Report) -> Resident | None:
    return db.session.get(Resident, report.resident_id) if report.resident_id else None


def reporter_phone(resident: Resident | None) -> str:
    """The mobile number the reporter gave as a volunteer, if they did (residents give none else)."""
    if resident is None:
        return ""
    phone = db.session.execute(db.select(Volunteer.phone).filter_by(resident_id=resident.id)).scalar()
    return phone or ""


def step(staff: Staff, report: Report, to: ReportStatus, note: str = "", assignee: str = "",
         photo: bytes | None = None) -> ReportEvent:
    """Move the report on; the resident's notice goes out once the transaction commits."""
    if not handles(staff, report) or report.status not in STEPS[to]:
        raise ReportError(text("errors.step"), "step", status=409)
    note = (note or "").strip()
    if to == ReportStatus.ASSIGNED:
        if assignee not in {member.username for member in assignees(report)}:
            raise ReportError(text("errors.assignee"), "invalid_fields", {"assignee": text("errors.assignee")})
        report.assigned_to = assignee
    elif not note:
        raise ReportError(text("errors.note"), "invalid_fields", {"note": text("errors.note")})
    else:
        report.resolution, report.closed_at = note, utcnow()
        checked = checked_photo(photo) if to == ReportStatus.RESOLVED else None
        if checked:
            report.resolution_photo, report.resolution_photo_type = checked.data, checked.content_type
    event = ReportEvent(actor=staff.username, from_status=report.status, to_status=to, note=note or assignee)
    report.status = to
    report.events.append(event)
    db.session.flush()
    if report.resident_id:
        jobs.enqueue_after_commit(send_step_notice, event.id, job_id=f"report-step-{event.id}")
    return event


def notice_text(report: Report, event: ReportEvent) -> str:
    return text(f"notice.{event.to_status}", id=report.id, kind=kind_label(report.kind), note=event.note)


def send_step_notice(event_id: int) -> str:
    """Job: tell the resident of a step, by a customer-service message within their window.

    Outside the window nothing is sent (WeChat would answer 45015): the outcome is recorded and
    the resident sees the status with 我的随手拍 or GET /api/v1/reports.
    """
    event = db.session.get(ReportEvent, event_id)
    report = event.report if event else None
    resident = reporter(report) if report else None
    if resident is None:
        return "skipped"
    official = residents.official_openid(resident)
    # The window is the Official Account's: that record's (the same one unless filed in the mini-program).
    holder = resident if official == resident.openid else residents.find(official) if official else None
    message = notice_text(report, event)

    def claim() -> bool:
        claimed = db.session.execute(db.update(ReportEvent).where(
            ReportEvent.id == event_id, ReportEvent.notice_claimed_at.is_(None))
            .values(notice_claimed_at=utcnow()))
        db.session.commit()
        return claimed.rowcount == 1

    def release() -> None:
        db.session.rollback()
        db.session.execute(db.update(ReportEvent).where(ReportEvent.id == event_id)
                           .values(notice_claimed_at=None))
        db.session.commit()

    def send() -> None:
        if official is None or holder is None:
            raise SendError("no_official_openid", "permanent")
        if not windows.allows(holder):
            raise SendError("outside_window", "permanent")
        windows.custom_text(Sender(), official, message)

    outcome = send_once("report notice", resident.openid, claim=claim, send=send, release=release)
    if outcome != "skipped":
        db.session.execute(db.update(ReportEvent).where(ReportEvent.id == event_id).values(notified=outcome))
        db.session.commit()
    return outcome
