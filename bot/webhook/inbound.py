"""The inbound edge around wechatpy: signatures, AES crypto, XML in and replies out.

Nothing below bot/ sees XML or wechatpy objects: an incoming message becomes a plain
handlers.Message, and an answer (plain text) becomes a wechatpy reply here.
"""
import hashlib
import logging
import re
from dataclasses import dataclass

import redis
from flask import Flask, current_app
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from handlers import Message
from infra import state

log = logging.getLogger(__name__)

# Hostile XML (entity expansion, external entities) is refused before any parser sees it.
DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class BadMessage(ValueError):
    """The body is not a WeChat message we can read."""


@dataclass(frozen=True)
class Gateway:
    token: str
    app_id: str
    aes_key: str

    def signature_ok(self, signature: str, timestamp: str, nonce: str) -> bool:
        try:
            check_signature(self.token, signature, timestamp, nonce)
        except Exception:  # wechatpy raises InvalidSignatureException, or TypeError on None
            return False
        return True

    def crypto(self) -> WeChatCrypto:
        return WeChatCrypto(self.token, self.aes_key, self.app_id)

    def decrypt(self, body: bytes, msg_signature: str, timestamp: str, nonce: str) -> bytes:
        """The plain XML inside safe mode's <Encrypt>; checked against msg_signature."""
        refuse_declarations(body)
        try:
            return self.crypto().decrypt_message(body, msg_signature, timestamp, nonce).encode()
        except (InvalidSignatureException, InvalidAppIdException):
            raise
        except Exception as error:  # not XML, no <Encrypt>, bad base64 or padding
            raise BadMessage(str(error)) from error


def one_body_per_signature(timestamp: str, nonce: str, body: bytes, max_age: int) -> bool:
    """False when this signed (timestamp, nonce) already came with another body.

    WeChat signs the token, timestamp and nonce, not the body: without this, one captured URL
    would let anyone post any message as any resident until the timestamp goes stale. The pair is
    remembered for as long as its timestamp can pass the freshness check; WeChat's own retry
    (the same body again) is still accepted.
    """
    digest = hashlib.sha256(body).hexdigest()
    key = f"wx:signed:{timestamp}:{nonce}"
    try:
        store = state.store()
        # A timestamp is fresh from max_age before to max_age after it: remember it that long.
        if store.set(key, digest, nx=True, ex=2 * max_age + 1):
            return True
        return store.get(key) == digest
    except redis.RedisError as error:
        # Shared state is down: the webhook keeps answering; the message log's unique MsgId and
        # the freshness check still limit what a replay can do.
        log.warning("state unavailable, signed URL not checked for reuse: %s", error)
        return True


def init_app(app: Flask) -> None:
    app.extensions["wechat"] = Gateway(
        app.config["WECHAT_TOKEN"], app.config["WECHAT_APP_ID"], app.config["WECHAT_AES_KEY"]
    )


def gateway() -> Gateway:
    return current_app.extensions["wechat"]


def read_message(xml: bytes) -> tuple[Message, object]:
    """Parse WeChat XML into a plain Message (and the wechatpy message, to reply to)."""
    refuse_declarations(xml)
    try:
        raw = parse_message(xml)
    except Exception as error:  # expat errors, missing <xml>, missing MsgType
        raise BadMessage(str(error)) from error
    if raw is None or not raw.source:
        raise BadMessage("empty message")
    return to_plain(raw), raw


def refuse_declarations(xml: bytes) -> None:
    if DECLARATIONS.search(xml):
        raise BadMessage("DTDs and entities are not allowed")


def to_plain(raw) -> Message:
    try:
        kind = raw.type
        if kind == "unknown":  # a type wechatpy has no class for; keep WeChat's own name
            kind = str(raw._data.get("MsgType", "unknown")).lower()
        event = str(getattr(raw, "event", "") or raw._data.get("Event", "")).lower()
        event_key = getattr(raw, "key", "") or ""
        # Events have no MsgId: WeChat's retries repeat sender, time, event and key, while two
        # menu clicks within one second differ in their key.
        return Message(
            openid=raw.source,
            kind=kind,
            text=message_text(raw, kind),
            event=event,
            event_key=event_key,
            retry_key=f"msg:{raw.id}" if raw.id else f"event:{raw.source}:{raw.time}:{event}:{event_key}",
        )
    except (TypeError, ValueError, AttributeError) as error:  # e.g. MsgId "abc"
        raise BadMessage(str(error)) from error


def message_text(raw, kind: str) -> str:
    if kind == "text":
        return raw.content or ""
    if kind == "voice":  # WeChat's speech recognition, when the account has it switched on
        return raw.recognition or ""
    return ""


def render_reply(text: str | None, raw) -> str:
    """An XML text reply, or WeChat's literal 'success' when there is nothing to say."""
    if not text:
        return "success"
    return create_reply(text, raw, render=True)
