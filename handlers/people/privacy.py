"""Personal data in the chat: "删除我的信息", and keeping typed personal data out of the message log."""
import hashlib

from content.intents import reply as intent_reply
from content.texts import text
from handlers.people import residents
from handlers.router import Message, router
from infra.xlsx import mask_phone
from models import InboundMessage, db

REDACT = "redact_messages"
REDACTED = "（个人信息，未记录）"


def keep_out_of_log(message: Message, *personal: str | None) -> None:
    """The message log keeps that this message came, not what was typed; the stored reply
    (which answers WeChat's retries when Redis has lost it) keeps `personal` values masked.

    For dialog steps where residents type their name or phone, and replies that repeat them.
    """
    # handlers/inbox.py keys the log by this hash of WeChat's retry identity.
    key = hashlib.sha256(message.retry_key.encode()).hexdigest()
    masks = db.session.info.setdefault(REDACT, {}).setdefault(key, {})
    masks.update({value: mask(value) for value in personal if value})


def mask(value: str) -> str:
    """138****5678 for a phone number, 张** for a name."""
    if value.isdigit():
        return mask_phone(value)
    return value[0] + "*" * (len(value) - 1)


def redact(entry: InboundMessage) -> None:
    """Apply what keep_out_of_log asked for this message to its log entry (inbox calls this)."""
    masks = db.session.info.pop(REDACT, {}).get(entry.dedup_key)
    if masks is None:
        return
    entry.content = REDACTED
    for value, masked in masks.items():
        entry.reply = (entry.reply or "").replace(value, masked) or None


def forget_redactions() -> None:
    """The message was not handled after all (rolled back): nothing is pending."""
    db.session.info.pop(REDACT, None)


@router.on_intent("delete_data", anytime=True)
def confirm_forgetting(message: Message) -> str:
    """A deletion request in other words: recognised at any moment, carried out once the resident
    sends the keyword itself (a misread message must not delete anyone's data)."""
    return intent_reply("delete_confirm")


@router.on_keyword("删除我的信息", "删除个人信息", "删除我的数据", "注销", anytime=True)
def forget_me(message: Message) -> str:
    removed = residents.forget(message.openid)
    if not removed:
        return text("privacy.nothing")
    return text("privacy.forgotten", items="\n".join(f"· {item.text}" for item in removed))
