"""Volunteers: registration (the chat dialog and the mini-program share it), review, status."""
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from content.texts import lookup, table, text
from content.volunteering import options
from handlers.errors import Refused
from handlers.people import consent, phones, regions, residents, windows
from infra import jobs
from infra.wechat.once import send_once
from infra.wechat.send import Sender, SendError
from models import Resident, Volunteer, db
from models.timeutil import utcnow

NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z·•. ]{2,20}$")
REASON_LENGTH = Volunteer.review_reason.type.length
NAME_PREFIXES = tuple(table("volunteers.toml")["keywords"]["name_prefixes"])


class RegistrationError(Refused):
    """Fields that do not pass; `fields` maps each bad field to what is wrong, in Chinese."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()), "invalid_fields", fields)


class AlreadyRegistered(Exception):
    def __init__(self, volunteer: Volunteer):
        super().__init__(volunteer.status)
        self.volunteer = volunteer


@dataclass
class Application:
    name: str
    phone: str
    region_code: str
    skills: list[str]
    availability: list[str]


def clean_name(raw: str) -> str | None:
    name = raw.strip()
    for prefix in NAME_PREFIXES:
        name = name.removeprefix(prefix).strip()
    return name if NAME.match(name) else None


def invalid_text(field: str) -> str:
    """What a form shows beside a registration field that does not pass (the phone's is everyone's)."""
    return phones.problem() if field == "phone" else text(f"volunteer.invalid.{field}")


def clean_area(code: str) -> str | None:
    region = regions.get(code)
    return region.code if region is not None and region.active and region.level >= 3 else None


def clean_choices(kind: str, codes) -> list[str] | None:
    if not isinstance(codes, list) or not codes or not all(c in options(kind) for c in codes):
        return None
    return list(dict.fromkeys(codes))  # in the order given, without repeats


def validate(fields: dict) -> Application:
    """An application from raw fields (the API's JSON); every problem reported at once."""
    def text_of(key):
        value = fields.get(key)
        return value if isinstance(value, str) else ""

    cleaned = {
        "name": clean_name(text_of("name")),
        "phone": phones.clean(text_of("phone")),
        "region_code": clean_area(text_of("region_code")),
        "skills": clean_choices("skills", fields.get("skills")),
        "availability": clean_choices("availability", fields.get("availability")),
    }
    problems = {key: invalid_text(key) for key, value in cleaned.items() if value is None}
    if problems:
        raise RegistrationError(problems)
    return Application(**cleaned)


def of(resident: Resident) -> Volunteer | None:
    return db.session.execute(
        db.select(Volunteer).filter_by(resident_id=resident.id)).scalar_one_or_none()


def register(resident: Resident, application: Application, channel: str) -> Volunteer:
    """A pending volunteer; the resident has consented. One per resident, however often asked."""
    existing = of(resident)
    if existing is not None:
        raise AlreadyRegistered(existing)
    consent.grant(resident, "volunteer", channel)
    volunteer = Volunteer(resident_id=resident.id, name=application.name, phone=application.phone,
                          region_code=application.region_code, skills=",".join(application.skills),
                          availability=",".join(application.availability), channel=channel)
    try:
        with db.session.begin_nested():
            db.session.add(volunteer)
    except IntegrityError:  # the same registration through the other channel, at the same moment
        raise AlreadyRegistered(of(resident))
    return volunteer


def review(volunteer_id: int, approve: bool, by: str, reason: str = "") -> Volunteer:
    """Approve, or reject (with the reason the volunteer is told); the notice goes after commit."""
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise LookupError(f"no volunteer {volunteer_id}")
    status = "approved" if approve else "rejected"
    if volunteer.status != status:  # a new decision: the volunteer is told again
        volunteer.review_notified_at = None
    volunteer.status = status
    volunteer.review_reason = None if approve else (reason.strip()[:REASON_LENGTH] or None)
    volunteer.reviewed_at, volunteer.reviewed_by = utcnow(), by
    # The volunteer is told once the decision is committed, whoever made it (console or CLI);
    # the job is named by the decision, so a double click enqueues it once.
    jobs.enqueue_after_commit(send_review_notice, volunteer.id,
                              job_id=f"volunteer-reviewed-{volunteer.id}-{status}")
    return volunteer


def send_review_notice(volunteer_id: int) -> str:
    """Job: a customer-service message with the decision; 'sent', 'skipped' or a permanent errcode.

    WeChat delivers it only within the customer-service window after the volunteer's last
    message (45015 otherwise: recorded, not retried); "我的志愿者" shows the status anyway.
    """
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None:
        return "skipped"
    resident = db.session.get(Resident, volunteer.resident_id)
    region = regions.get(volunteer.region_code)
    message = notice_text(volunteer.status, name=volunteer.name, area=region.name if region else "",
                          reason=volunteer.review_reason or "")

    def claim() -> bool:
        claimed = db.session.execute(db.update(Volunteer).where(
            Volunteer.id == volunteer_id, Volunteer.status.in_(("approved", "rejected")),
            Volunteer.review_notified_at.is_(None)).values(review_notified_at=utcnow()))
        db.session.commit()
        return claimed.rowcount == 1

    def release() -> None:
        db.session.rollback()
        db.session.execute(db.update(Volunteer).where(Volunteer.id == volunteer_id)
                           .values(review_notified_at=None))
        db.session.commit()

    # A customer-service message is the Official Account's: to the same person's Official Account
    # openid (a volunteer who registered in the mini-program is linked by the unionid).
    official = residents.official_openid(resident)

    def send() -> None:
        if official is None:
            raise SendError("no_official_openid", "permanent")
        windows.custom_text(Sender(), official, message)

    return send_once("review notice", resident.openid, claim=claim, send=send, release=release)


def notice_text(status: str, reason: str = "", **values) -> str:
    key = f"reviewed.{status}_because" if status == "rejected" and reason else f"reviewed.{status}"
    return lookup("volunteer_notices.toml", key, reason=reason, **values)


def labels(kind: str, codes: str | list[str]) -> str:
    codes = codes.split(",") if isinstance(codes, str) else codes
    separator = lookup("volunteers.toml", "labels.separator")
    return separator.join(options(kind)[code] for code in codes if code in options(kind))


def status_label(volunteer: Volunteer) -> str:
    return text(f"volunteer.status.{volunteer.status}")


def rejection_reason(volunteer: Volunteer) -> str | None:
    """Why staff turned the registration down, as they wrote it (None unless it is rejected)."""
    return volunteer.review_reason if volunteer.status == "rejected" and volunteer.review_reason else None


def as_dict(volunteer: Volunteer) -> dict:
    """What the volunteer may see about themselves (the API's answer)."""
    return {
        "id": volunteer.id,
        "name": volunteer.name,
        "phone": volunteer.phone,
        "region_code": volunteer.region_code,
        "region_name": regions.path_name(volunteer.region_code),
        "skills": volunteer.skills.split(","),
        "availability": volunteer.availability.split(","),
        "status": volunteer.status,
        "review_reason": rejection_reason(volunteer),
        "created_at": volunteer.created_at.isoformat() + "Z",
    }


def in_subtree(region_code: str) -> list[Volunteer]:
    """Volunteers whose area lies in the subtree of `region_code` (for exports and staff lists)."""
    query = (db.select(Volunteer)
             .where(Volunteer.region_code.startswith(region_code, autoescape=True))
             .order_by(Volunteer.region_code, Volunteer.id))
    return list(db.session.execute(query).scalars())
