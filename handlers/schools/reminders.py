"""Subscribe messages about activities: the reminder the day before, and the promotion notice.

Each goes only to a family that accepted that one-time subscription while enrolling
(wx.requestSubscribeMessage), as a job. A job claims its enrolment's *_at column before sending, so
running it twice sends once; a transient WeChat error gives the claim back and RQ retries.
"""
from datetime import datetime, timedelta, timezone
from datetime import time as clock_time

from content.activity_texts import texts
from infra import jobs
from infra.clock import LOCAL, label, local_date, to_utc, utcnow
from infra.wechat.once import send_once
from infra.wechat.send import Sender
from models import Activity, Enrolment, Family, Resident, db

REMIND_AT = clock_time(9, 0)  # the day before, at 09:00 Changchun time
MAX_FIELD = 20  # WeChat's limit for thing.DATA values


def remind_time(activity: Activity) -> datetime:
    day_before = local_date(activity.starts_at) - timedelta(days=1)
    return to_utc(datetime.combine(day_before, REMIND_AT, tzinfo=LOCAL))


def schedule_reminders(activity: Activity) -> None:
    """Queue the activity's reminders for the day before (a worker's scheduler runs them then).

    Without Redis there is no scheduler: `flask --app bot send-reminders` (cron) does the same.
    Named by the start time, so moving the activity schedules afresh and the old job finds nothing.
    """
    queue = jobs.queue()
    when = remind_time(activity)
    if not queue.is_async or when <= utcnow():
        return
    job_id = f"reminders-{activity.id}-{int(activity.starts_at.timestamp())}"
    # Aware: RQ takes a naive datetime for the machine's local time.
    queue.enqueue_at(when.replace(tzinfo=timezone.utc), send_reminders, activity.id, job_id=job_id)


def due_activities(now: datetime | None = None) -> list[int]:
    """Activities starting tomorrow (Changchun date) that are not cancelled."""
    now = now or utcnow()
    tomorrow = local_date(now) + timedelta(days=1)
    start = to_utc(datetime.combine(tomorrow, clock_time(0), tzinfo=LOCAL))
    return list(db.session.execute(db.select(Activity.id).where(
        Activity.cancelled.is_(False), Activity.starts_at >= start,
        Activity.starts_at < start + timedelta(days=1))).scalars())


def send_reminders(activity_id: int) -> int:
    """Job: one reminder job per enrolled family that asked for it and has not had it."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.cancelled or activity.starts_at <= utcnow():
        return 0
    ids = db.session.execute(db.select(Enrolment.id).filter_by(
        activity_id=activity_id, status="enrolled", wants_reminder=True, reminded_at=None)).scalars().all()
    for enrolment_id in ids:
        jobs.enqueue(send_reminder, enrolment_id, job_id=f"remind-{enrolment_id}")
    return len(ids)


# Each notice: the enrolment's column claimed when it is sent, and the family's wish for it.
NOTICES = {"reminder": (Enrolment.reminded_at, Enrolment.wants_reminder),
           "promotion": (Enrolment.promotion_notified_at, Enrolment.wants_promotion_notice)}
REFUSED = "43101"  # 「用户拒绝接受消息」: no subscription (left) for this template


def send_reminder(enrolment_id: int) -> str:
    return deliver(enrolment_id, "reminder", *NOTICES["reminder"])


def send_promotion_notice(enrolment_id: int) -> str:
    return deliver(enrolment_id, "promotion", *NOTICES["promotion"])


def template_kinds() -> dict[str, str]:
    """The activity notices' template ids, and which notice each is."""
    return {body["template_id"]: kind for kind, body in texts()["subscribe"].items()}


def withdraw(resident_id: int, kind: str) -> None:
    """The family refused this notice in WeChat: no enrolment of theirs not yet notified keeps
    wanting it, so none is sent (and a cancellation notice does not count on it either)."""
    column, wanted = NOTICES[kind]
    db.session.execute(db.update(Enrolment).where(
        Enrolment.family_id.in_(db.select(Family.id).filter_by(resident_id=resident_id)),
        column.is_(None), wanted.is_(True)).values({wanted: False}))


def claim(enrolment_id: int, column, wanted) -> bool:
    done = db.session.execute(db.update(Enrolment).where(
        Enrolment.id == enrolment_id, Enrolment.status == "enrolled", wanted.is_(True),
        column.is_(None)).values({column: utcnow()}))
    db.session.commit()
    return done.rowcount == 1


def deliver(enrolment_id: int, kind: str, column, wanted) -> str:
    row = db.session.execute(
        db.select(Resident.openid, Activity).select_from(Enrolment)
        .join(Activity, Activity.id == Enrolment.activity_id)
        .join(Family, Family.id == Enrolment.family_id).join(Resident, Resident.id == Family.resident_id)
        .where(Enrolment.id == enrolment_id)).first()
    if row is None:  # the family was deleted meanwhile
        return "skipped"
    openid, activity = row
    outcome = send_once(f"{kind} for enrolment {enrolment_id}", openid,
                        claim=lambda: claim(enrolment_id, column, wanted),
                        send=lambda: send(openid, kind, activity),
                        release=lambda: unclaim(enrolment_id, column))
    if outcome == REFUSED:  # WeChat says the user has no subscription: record the refusal
        db.session.execute(db.update(Enrolment).where(Enrolment.id == enrolment_id).values({wanted: False}))
        db.session.commit()
        return "refused"
    return outcome


def unclaim(enrolment_id: int, column) -> None:
    db.session.rollback()
    db.session.execute(db.update(Enrolment).where(Enrolment.id == enrolment_id).values({column: None}))
    db.session.commit()


def message(kind: str, activity: Activity) -> dict:
    template = texts()["subscribe"][kind]
    values = {"title": activity.title, "place": activity.place, "starts": label(activity.starts_at),
              "activity_id": activity.id}
    data = {key: {"value": value.format(**values)[:MAX_FIELD]} for key, value in template["data"].items()}
    return {"template_id": template["template_id"], "page": template["page"].format(**values), "data": data}


def send(openid: str, kind: str, activity: Activity) -> None:
    body = message(kind, activity)
    # The mini-program's subscribe message: its own client and token, to its own openid.
    Sender("miniapp").wxa_subscribe(openid, body["template_id"], body["data"], body["page"])
