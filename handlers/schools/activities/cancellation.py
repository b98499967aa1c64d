"""Staff cancel a whole activity: places are released, check-in and enrolment stop, families are told.

Every enrolled and waiting family gets one notice, as a job enqueued after commit (one per
enrolment, claimed by `activity_cancel_notified_at`, so running it twice sends once). The notice
uses a one-time subscription the family granted while enrolling when it is still unused (the
reminder, which a cancelled activity never sends, or the promotion notice); otherwise a
customer-service message, which WeChat only delivers within 48 h of the family's last message
(45015 outside it: recorded, not retried). The mini-program shows the cancellation either way.
"""
from content.texts import table
from handlers.errors import Refused
from handlers.people import residents, windows
from handlers.schools import reminders
from handlers.schools.activities import enrolment
from infra import jobs
from infra.clock import label, utcnow
from infra.wechat.once import send_once
from infra.wechat.send import Sender, SendError
from models import Activity, Enrolment, Family, Resident, db

MAX_REASON = 100


def texts() -> dict:
    return table("activity_cancellation.toml")


class CancelError(Refused):
    """Why staff may not cancel (a code, and the text the console shows)."""

    def __init__(self, code: str):
        super().__init__(texts()["errors"][code], code)


def cancel(activity_id: int, reason: str, by: str) -> list[int]:
    """Cancel the activity (row-locked) and every place and queue entry in it.

    Returns the enrolments whose families are told once the caller commits.
    """
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_REASON:
        raise CancelError("reason_required")
    activity = enrolment.lock(activity_id)
    if activity.cancelled:
        raise CancelError("already_cancelled")
    now = utcnow()
    if now >= activity.ends_at:
        raise CancelError("already_ended")
    activity.cancelled, activity.cancelled_at = True, now
    activity.cancelled_by, activity.cancel_reason = by[:64], reason
    entries = list(db.session.execute(db.select(Enrolment).where(
        Enrolment.activity_id == activity.id, Enrolment.status.in_(("enrolled", "waitlisted")))).scalars())
    for entry in entries:
        entry.status, entry.cancelled_at = "cancelled", now
    activity.enrolled_families = activity.enrolled_people = 0
    db.session.flush()
    told = [entry.id for entry in entries if entry.family_id is not None]
    for enrolment_id in told:  # once the cancellation is committed; a rollback tells nobody
        jobs.enqueue_after_commit(send_notice, enrolment_id, job_id=f"activity-cancelled-{enrolment_id}")
    return told


def claim(enrolment_id: int) -> bool:
    cancelled = db.select(Activity.id).where(Activity.id == Enrolment.activity_id,
                                             Activity.cancelled.is_(True)).exists()
    done = db.session.execute(db.update(Enrolment).where(
        Enrolment.id == enrolment_id, Enrolment.activity_cancel_notified_at.is_(None), cancelled)
        .values(activity_cancel_notified_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return done.rowcount == 1


def send_notice(enrolment_id: int) -> str:
    """Job: tell the family the activity is cancelled; 'sent', 'skipped' or a permanent errcode."""
    row = db.session.execute(
        db.select(Enrolment, Activity, Resident.openid)
        .join(Activity, Activity.id == Enrolment.activity_id)
        .join(Family, Family.id == Enrolment.family_id).join(Resident, Resident.id == Family.resident_id)
        .where(Enrolment.id == enrolment_id)).first()
    if row is None:  # the family was deleted meanwhile
        return "skipped"
    entry, activity, openid = row
    return send_once(f"cancellation notice for enrolment {enrolment_id}", openid,
                     claim=lambda: claim(enrolment_id),
                     send=lambda: send(entry, activity, openid),
                     release=lambda: reminders.unclaim(enrolment_id,
                                                       Enrolment.activity_cancel_notified_at))


def send(entry: Enrolment, activity: Activity, openid: str) -> None:
    values = {"title": activity.title, "starts": label(activity.starts_at), "place": activity.place,
              "reason": activity.cancel_reason}
    notice = texts()["notice"]
    if entry.wants_reminder and entry.reminded_at is None:
        return subscribe(openid, "reminder", activity, {"thing4": notice["note"].format(**values)})
    if entry.wants_promotion_notice and entry.promotion_notified_at is None:
        return subscribe(openid, "promotion", activity, {"phrase3": notice["phrase"],
                                                         "thing4": notice["note"].format(**values)})
    # Otherwise a customer-service message: the Official Account's, so only to the same person's
    # Official Account openid (linked by the unionid); a mini-program-only family has none.
    resident = residents.find(openid)
    official = residents.official_openid(resident) if resident else openid
    if official is None:
        raise SendError("no_official_openid", "permanent")
    windows.custom_text(Sender(), official, notice["text"].format(**values))


def subscribe(openid: str, kind: str, activity: Activity, fields: dict[str, str]) -> None:
    """The subscribe message the family granted for `kind`, its note fields saying what happened."""
    body = reminders.message(kind, activity)
    body["data"].update({key: {"value": value[:reminders.MAX_FIELD]} for key, value in fields.items()})
    # The mini-program's subscribe message: its own client and token, to its own openid.
    Sender("miniapp").wxa_subscribe(openid, body["template_id"], body["data"], body["page"])
    return "sent"
