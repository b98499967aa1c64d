"""Volunteer service records: what staff record, and "我的服务时长" in the chat."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from content.intents import settings
from content.texts import table, text
from handlers.errors import Refused
from handlers.people import regions, residents
from handlers.router import Message, router
from handlers.volunteers import records as volunteers
from handlers.volunteers.chat import show_registration
from infra import clock
from models import ServiceRecord, Volunteer, db

MAX_LINES = 10  # a chat reply stays short; the mini-program lists them all


class ServiceError(Refused):
    """A record that cannot be kept; the message is for staff."""


def record(volunteer_id: int, activity: str, served_on: date, hours, organiser: str,
           recorded_by: str, region_code: str | None = None) -> ServiceRecord:
    """Keep one stretch of service, with what a service certificate lists."""
    volunteer = db.session.get(Volunteer, volunteer_id)
    if volunteer is None or volunteer.status != "approved":
        raise ServiceError(f"volunteer {volunteer_id} is not an approved volunteer")
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
        if not hours.is_finite():  # "NaN" quantizes to NaN, which no comparison accepts
            raise InvalidOperation
    except InvalidOperation:
        raise ServiceError(f"hours must be a number, not {hours!r}")
    if not Decimal("0") < hours <= Decimal("24"):
        raise ServiceError("hours must be more than 0 and at most 24")
    if not activity.strip() or not organiser.strip():
        raise ServiceError("activity and organiser are required")
    if served_on > clock.today():  # Changchun's date: at 07:00 there the server's UTC day is yesterday
        raise ServiceError("service cannot be recorded for a future date")
    entry = ServiceRecord(volunteer_id=volunteer.id, activity=activity.strip(), served_on=served_on,
                          hours=hours, organiser=organiser.strip(), recorded_by=recorded_by,
                          region_code=region_code or volunteer.region_code)
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class Summary:
    total_hours: Decimal
    records: list[ServiceRecord]


def summary(volunteer: Volunteer) -> Summary:
    rows = list(db.session.execute(
        db.select(ServiceRecord).filter_by(volunteer_id=volunteer.id)
        .order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc())).scalars())
    return Summary(sum((r.hours for r in rows), Decimal("0")), rows)


def as_dict(entry: ServiceRecord) -> dict:
    return {"activity": entry.activity, "date": entry.served_on.isoformat(),
            "hours": float(entry.hours), "organiser": entry.organiser,
            "region_name": regions.path_name(entry.region_code), "recorded_by": entry.recorded_by}


def hours_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


@router.on_intent("volunteer_status")
def my_volunteering(message: Message) -> str:
    """My registration, or my hours when the message asks about time served."""
    if any(word in message.text for word in settings()["hours_words"]):
        return my_hours(message)
    return show_registration(message)


@router.on_keyword(*table("volunteers.toml")["keywords"]["service_hours"])
def my_hours(message: Message) -> str:
    resident = residents.find(message.openid)
    volunteer = volunteers.of(resident) if resident else None
    if volunteer is None:
        return text("service.not_volunteer")
    done = summary(volunteer)
    if not done.records:
        return text("service.none", status=volunteers.status_label(volunteer))
    lines = "\n".join(text("service.line", date=r.served_on.isoformat(), activity=r.activity,
                           organiser=r.organiser, hours=hours_text(r.hours))
                      for r in done.records[:MAX_LINES])
    more = text("service.more", count=len(done.records) - MAX_LINES) if len(done.records) > MAX_LINES else ""
    return text("service.hours", hours=hours_text(done.total_hours), count=len(done.records),
                lines=lines + more)
