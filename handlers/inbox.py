"""The path of every chat message: logged once, the sender's record kept, then routed."""
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from content.texts import text
from handlers import dialogs
from handlers.people import identities, ledger, privacy, residents, windows
from handlers.router import Handler, Message, Router, fit_reply
from handlers.sorting import format_reply, get_engine
from handlers.sorting import teaching as taught_items
from handlers.sorting.answering import MAX_CHARS, limited
from handlers.understanding import teaching as taught_phrasings
from handlers.understanding import understand
from handlers.understanding.chat import TEXT_ONLY
from models import InboundMessage, db
from models.timeutil import utcnow


def knowledge_reads() -> list[str]:
    """The shared-state keys answering from the knowledge reads: what staff taught, by version
    (the API's gate fetches them in its one round trip, bot/api/gate.py)."""
    return [taught_items.VERSION_KEY, taught_phrasings.VERSION_KEY]


def shared_reads(openid: str) -> list[str]:
    """The shared-state keys answering a message from `openid` reads: the webhook fetches them
    in its one round trip before answering (bot/webhook/gate.py)."""
    return [dialogs.key(openid), residents.area_key(openid), *knowledge_reads()]


def receive(message: Message, router: Router, behind: list[ledger.Record] | None = None) -> str | None:
    """Answer a message exactly once, whatever WeChat retries.

    `behind`: the webhook has claimed this message against retries in shared state; a message
    whose handler writes nothing leaves its log row and its sender's contact there, for the
    ledger to write behind the answer (handlers/people/ledger.py). Otherwise the log row, the
    resident update and the handler's own writes commit together, so a failure leaves nothing
    behind and a retry can try again; a message already logged is not handled twice.
    """
    handler = router.find(message)
    window = windows.opened_by(message.kind, message.event)
    if behind is not None and window == "message" and not maybe_a_retry(message):
        return answer_then_log(message, handler, behind)
    return log_then_answer(message, handler, log_entry(message, handler, window), window)


def log_entry(message: Message, handler: Handler | None, window: str | None) -> InboundMessage:
    fields = logged_fields(message, handler)
    return InboundMessage(
        **fields | {"content": fields["content"] or None},
        # A receipt or report about someone we do not know (never met, or forgotten on
        # unfollowing) is logged without their openid: it must not bring it back.
        openid=message.openid if window or residents.find(message.openid) else None,
    )


def logged_fields(message: Message, handler: Handler | None) -> dict[str, str]:
    """What the message log keeps of any message, written now (log_entry) or behind (ledger.Record)."""
    return {"dedup_key": hashlib.sha256(message.retry_key.encode()).hexdigest(),
            "kind": message.event or message.kind, "content": message.text[:2000],
            "answered_by": handler.__name__ if handler else ""}


# WeChat retries a call it got no answer to after 5 s, with the message's own CreateTime.
RETRIES_COME_AFTER = 4


def maybe_a_retry(message: Message) -> bool:
    """Sent long enough ago to be one of WeChat's retries. Shared state claims retries, but if it
    lost the claim (a Redis failover), only the message log knows: such a message is looked up
    there before it is handled."""
    return now() - message.sent_at >= RETRIES_COME_AFTER


def now() -> float:
    return time.time()


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """A failure undoes the message's writes and its pending redactions: a retry starts clean."""
    try:
        yield
    except Exception:
        db.session.rollback()
        privacy.forget_redactions()
        raise


def answer_then_log(message: Message, handler: Handler | None, behind: list[ledger.Record]) -> str | None:
    with all_or_nothing():
        answer = fit_reply(handler(message) if handler else None)
        if ledger.nothing_to_commit(db.session):
            db.session.remove()  # a read-only transaction, if any: give the connection back now
            behind.append(ledger.Record(**logged_fields(message, handler), openid=message.openid,
                                        reply=answer or "", received_at=utcnow().isoformat()))
            return answer
        db.session.flush()  # the handler's writes; a duplicate log row is told apart below
        entry = log_entry(message, handler, "message")
        entry.reply = answer
        try:
            with db.session.begin_nested():
                db.session.add(entry)
        except IntegrityError:  # a replay the shared state no longer remembered
            db.session.rollback()
            return stored_reply(entry.dedup_key)
        if residents.just_forgot(message.openid):  # 删除我的信息: its own log row keeps no one
            entry.openid = entry.content = None
        else:
            residents.note_activity(message.openid, "message")
        privacy.redact(entry)
        db.session.commit()
        return answer


def log_then_answer(message: Message, handler: Handler | None, entry: InboundMessage,
                    window: str | None) -> str | None:
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:  # a retry: give the first answer again, do nothing again
        db.session.rollback()
        return stored_reply(entry.dedup_key)
    with all_or_nothing():
        if window:  # what the user did; receipts and reports open nothing, create no one
            scene = message.event_key if message.event in ("subscribe_scan", "scan") else None
            residents.note_activity(message.openid, window, scene)
        answer = fit_reply(handler(message) if handler else None)
        entry.reply = answer
        privacy.redact(entry)  # names and phones typed in a dialog stay out of the log
        db.session.commit()
    if message.event in ("subscribe", "subscribe_scan"):
        identities.after_follow(message.openid)  # the unionid links their mini-program record
    return answer


def stored_reply(dedup_key: str) -> str | None:
    return db.session.execute(db.select(InboundMessage.reply).filter_by(dedup_key=dedup_key)).scalar()


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
