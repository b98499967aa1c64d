"""Residents: one record per WeChat user, created on follow or first message."""
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from models import InboundMessage, Resident, db
from models.timeutil import utcnow


def note_activity(openid: str, subscribed: bool = True) -> Resident:
    """Create the resident on first contact and remember when they last wrote (48-h window)."""
    resident = find_or_create(openid)
    resident.subscribed = subscribed
    resident.last_message_at = utcnow()
    return resident


def find_or_create(openid: str) -> Resident:
    """The resident with this openid; safe when two first messages race on two processes."""
    query = db.select(Resident).filter_by(openid=openid)
    resident = db.session.execute(query).scalar_one_or_none()
    if resident is not None:
        return resident
    try:
        with db.session.begin_nested():
            resident = Resident(openid=openid)
            db.session.add(resident)
        return resident
    except IntegrityError:  # the other message created it first
        return db.session.execute(query).scalar_one()


def forget(openid: str) -> list[str]:
    """Delete the user's record and strip their identity and words from the message log.

    Returns what was removed, in Chinese, so the user can be told.
    """
    removed = []
    resident = db.session.execute(
        db.select(Resident).filter_by(openid=openid)
    ).scalar_one_or_none()
    if resident is not None:
        db.session.delete(resident)
        removed.append("关注记录")
    result = db.session.execute(
        update(InboundMessage)
        .where(InboundMessage.openid == openid)
        .values(openid=None, content=None, reply=None)
    )
    if result.rowcount:
        removed.append(f"{result.rowcount} 条消息记录")
    return removed
