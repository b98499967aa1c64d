"""The path of every chat message: logged once, the sender's record kept, then routed."""
import hashlib

from sqlalchemy.exc import IntegrityError

from content.texts import text
from handlers import dialogs
from handlers.people import identities, privacy, residents, windows
from handlers.router import Message, Router, fit_reply
from handlers.sorting import format_reply, get_engine
from handlers.sorting.answering import MAX_CHARS, limited
from handlers.understanding import understand
from handlers.understanding.chat import TEXT_ONLY
from models import InboundMessage, db


def receive(message: Message, router: Router) -> str | None:
    """Answer a message exactly once, whatever WeChat retries.

    The log row, the resident update and the handler's own writes commit together, so a
    failure leaves nothing behind and a retry can try again; a message already logged is not
    handled twice.
    """
    handler = router.find(message)
    window = windows.opened_by(message.kind, message.event)
    dedup_key = hashlib.sha256(message.retry_key.encode()).hexdigest()
    entry = InboundMessage(
        dedup_key=dedup_key,
        # A receipt or report about someone we do not know (never met, or forgotten on
        # unfollowing) is logged without their openid: it must not bring it back.
        openid=message.openid if window or residents.find(message.openid) else None,
        kind=message.event or message.kind,
        content=message.text[:2000] or None,
        answered_by=handler.__name__ if handler else "",
    )
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:  # a retry: give the first answer again, do nothing again
        db.session.rollback()
        return db.session.execute(
            db.select(InboundMessage.reply).filter_by(dedup_key=dedup_key)).scalar()
    try:
        if window:  # what the user did; receipts and reports open nothing, create no one
            scene = message.event_key if message.event in ("subscribe_scan", "scan") else None
            residents.note_activity(message.openid, window, scene)
        answer = fit_reply(handler(message) if handler else None)
        entry.reply = answer
        privacy.redact(entry)  # names and phones typed in a dialog stay out of the log
        db.session.commit()
    except Exception:
        db.session.rollback()
        privacy.forget_redactions()
        raise
    if message.event in ("subscribe", "subscribe_scan"):
        identities.after_follow(message.openid)  # the unionid links their mini-program record
    return answer


def answer_without_database(message: Message) -> str:
    """What the bot can still say while the database is unreachable: sorting answers, and the
    replies that are only a text (greetings, services, how to report …); never a bin guess for a
    request it cannot carry out now.

    Nothing is logged or queued, since there is nowhere to keep it; taught answers this process
    already holds still apply.
    """
    if message.kind in ("text", "voice") and message.text.strip():
        if dialogs.active_name(message.openid) not in (None, dialogs.UNREACHABLE):
            # Mid-dialog a text is most likely an answer (a name, a phone number): the dialog,
            # kept in shared state, waits; only an item question is answered now.
            result = limited(get_engine().classify(message.text[:MAX_CHARS]))
            return fit_reply(dialogs.certain_items_only(result))
        intent = understand(message.text).intent
        if intent == "sorting":
            return fit_reply(format_reply(limited(get_engine().classify(message.text[:MAX_CHARS]))))
        if intent in TEXT_ONLY:
            return fit_reply(TEXT_ONLY[intent](message))
    return text("unavailable")
