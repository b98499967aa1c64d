"""The path of every chat message: logged once, the sender's record kept, then routed."""
import hashlib

from sqlalchemy.exc import IntegrityError

from handlers import residents
from handlers.router import Message, Router
from models import InboundMessage, db


def receive(message: Message, router: Router) -> str | None:
    """Answer a message exactly once, whatever WeChat retries.

    The log row, the resident update and the handler's own writes commit together, so a
    failure leaves nothing behind and a retry can try again; a message already logged is not
    handled twice.
    """
    handler = router.find(message)
    db.session.add(
        InboundMessage(
            dedup_key=hashlib.sha256(message.retry_key.encode()).hexdigest(),
            openid=message.openid,
            kind=message.event or message.kind,
            content=message.text[:2000] or None,
            answered_by=handler.__name__ if handler else "",
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None  # handled before; the webhook replays the stored answer where it has one
    try:
        if message.event != "unsubscribe":
            residents.note_activity(message.openid)
        answer = handler(message) if handler else None
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return answer
