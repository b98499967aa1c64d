"""The inbound edge around wechatpy: signatures, AES crypto, XML in and replies out.

Nothing below bot/ sees XML or wechatpy objects: an incoming message becomes a plain
handlers.Message, and an answer (plain text) becomes a wechatpy reply here.
"""
import json
import logging
import re
from dataclasses import dataclass

from flask import Flask, current_app
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.events import EVENT_TYPES
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import MESSAGE_TYPES, UnknownMessage
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from handlers import Message

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
        body = FORBIDDEN_BYTES.sub(b"", body)  # compatible mode: the plaintext copy beside <Encrypt>
        try:
            return self.crypto().decrypt_message(body, msg_signature, timestamp, nonce).encode()
        except (InvalidSignatureException, InvalidAppIdException):
            raise
        except Exception as error:  # not XML, no <Encrypt>, bad base64 or padding
            raise BadMessage(str(error)) from error

    def decrypt_json(self, envelope: dict, msg_signature: str, timestamp: str, nonce: str) -> bytes:
        """The plain JSON inside a JSON push's "Encrypt" (wechatpy takes the envelope as a dict)."""
        try:
            return self.crypto().decrypt_message(envelope, msg_signature, timestamp, nonce).encode()
        except (InvalidSignatureException, InvalidAppIdException):
            raise
        except Exception as error:  # no "Encrypt", bad base64 or padding
            raise BadMessage(str(error)) from error


def init_app(app: Flask) -> None:
    app.extensions["wechat"] = Gateway(
        app.config["WECHAT_TOKEN"], app.config["WECHAT_APP_ID"], app.config["WECHAT_AES_KEY"]
    )


def gateway() -> Gateway:
    return current_app.extensions["wechat"]


def miniapp_gateway() -> Gateway:
    """The mini-program's message push: its own token and EncodingAESKey."""
    config = current_app.config
    return Gateway(config["WECHAT_MINIAPP_TOKEN"], config["WECHAT_MINIAPP_ID"], config["WECHAT_MINIAPP_AES_KEY"])


def read_push(gateway: Gateway, body: bytes, encrypted: bool, msg_signature: str, timestamp: str,
              nonce: str) -> Message:
    """The mini-program's message push as its console configures it: XML or JSON (数据格式), in
    plain, compatible or safe mode (消息加解密方式). A JSON push is the same fields as the XML
    one; safe mode's body is {"ToUserName": ..., "Encrypt": ...} (compatible mode adds the plain
    fields), signed by msg_signature like the XML <Encrypt>, and the decrypted text is JSON too.
    https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
    https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html (a JSON
    body in plain mode, and the safe-mode steps)
    """
    if not body.lstrip().startswith(b"{"):
        plain = gateway.decrypt(body, msg_signature, timestamp, nonce) if encrypted else body
        return read_message(plain)[0]
    data = load_json(body)
    if encrypted:
        data = load_json(gateway.decrypt_json(data, msg_signature, timestamp, nonce))
    return read_json_message(data)


def load_json(body: bytes) -> dict:
    try:
        data = json.loads(FORBIDDEN_BYTES.sub(b"", body))
    except (ValueError, RecursionError) as error:
        raise BadMessage(f"not JSON: {error}") from error
    if not isinstance(data, dict):
        raise BadMessage("a JSON push is an object")
    return data


def read_json_message(data: dict) -> Message:
    """A JSON push as a plain Message, through wechatpy's own message classes (its parser reads
    XML only; the classes take the same fields as a dict)."""
    if not data.get("MsgType") or not data.get("FromUserName"):
        raise BadMessage("no MsgType or FromUserName")
    kind = str(data["MsgType"]).lower()
    if kind == "event":
        message_class = EVENT_TYPES.get(str(data.get("Event", "")).lower(), UnknownMessage)
    else:
        message_class = MESSAGE_TYPES.get(kind, UnknownMessage)
    return to_plain(message_class(data))


def read_message(xml: bytes) -> tuple[Message, object]:
    """Parse WeChat XML into a plain Message (and the wechatpy message, to reply to)."""
    refuse_declarations(xml)
    xml = FORBIDDEN_BYTES.sub(b"", xml)  # a control character typed by a user (WeRoBot #420)
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
        # A QR code's scene (subscribe_scan without the qrscene_ prefix, scan), or the menu key.
        event_key = str(getattr(raw, "scene_id", None) or getattr(raw, "key", "") or "")
        # Events have no MsgId (receipts carry their send's): WeChat's retries repeat sender, time,
        # event and key, while two menu clicks within one second differ in their key, and two
        # subscribe pop-ups in their templates and answers.
        details = media_details(raw._data) if kind == "image" else receipt_details(raw._data, event)
        distinct = event_key or choices_key(details)
        return Message(
            openid=raw.source,
            kind=kind,
            text=message_text(raw, kind),
            event=event,
            event_key=event_key,
            retry_key=(f"event:{event}:{raw.id}:{raw.source}" if kind == "event" and raw.id
                       else f"msg:{raw.id}" if raw.id else f"event:{raw.source}:{raw.time}:{event}:{distinct}"),
            details=details,
            location=(float(raw.location_x), float(raw.location_y)) if kind == "location" else None,
            sent_at=int(raw._data.get("CreateTime") or 0),
        )
    except (TypeError, ValueError, AttributeError) as error:  # e.g. MsgId "abc"
        raise BadMessage(str(error)) from error


RECEIPT_FIELDS = ("MsgID", "Status", "TotalCount", "FilterCount", "SentCount", "ErrorCount")
SUBSCRIBE_WRAPPERS = {"subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
                      "subscribe_msg_change_event": "SubscribeMsgChangeEvent",
                      "subscribe_msg_sent_event": "SubscribeMsgSentEvent"}


def media_details(data: dict) -> dict:
    """An image message's MediaId (3 days on WeChat's media API) and PicUrl, as plain strings."""
    return {key: str(data[key]) for key in ("MediaId", "PicUrl") if data.get(key)}


def receipt_details(data: dict, event: str) -> dict:
    """Plain fields of a delivery receipt or subscribe-message event; {} for anything else.

    Template receipts: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
    Mass-send receipts: https://developers.weixin.qq.com/doc/service/guide/product/message/Batch_Sends.html
    Subscribe events: https://developers.weixin.qq.com/doc/service/guide/product/subscription_messages/push.html
    (wechatpy 1.8.18 has no class for the subscribe events; one <List> parses as a dict, several
    as a list; the legacy doc wrapped the change event in SubscribeMsgPopupEvent: both accepted).
    A JSON push has "List" at the top, an object for one template and an array for several, or
    in some documented samples the wrapper's name holding the array: all three accepted.
    https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html
    (and what WeChat really posts for one template, an object where that page shows an array:
    https://developers.weixin.qq.com/community/develop/doc/000a08f88180a0081400916f966400)
    """
    if event in ("templatesendjobfinish", "masssendjobfinish"):
        return {key: str(data[key]) for key in RECEIPT_FIELDS if data.get(key) is not None}
    if event in SUBSCRIBE_WRAPPERS:
        wrapper = data.get(SUBSCRIBE_WRAPPERS[event]) or data.get("SubscribeMsgPopupEvent") or data
        entries = wrapper.get("List", []) if isinstance(wrapper, dict) else wrapper
        entries = entries if isinstance(entries, list) else [entries]
        return {"entries": [{k: str(v) for k, v in e.items() if v is not None}
                            for e in entries if isinstance(e, dict)]}
    return {}


def choices_key(details: dict) -> str:
    """A subscribe event's templates and answers, as one short key."""
    entries = details.get("entries") or []
    return ",".join(f"{e.get('TemplateId', '')}={e.get('SubscribeStatusString', '')}" for e in entries)[:200]


def message_text(raw, kind: str) -> str:
    if kind == "text":
        return raw.content or ""
    if kind == "voice":  # WeChat's speech recognition, when the account has it switched on
        return raw.recognition or ""
    return ""


# Characters XML 1.0 forbids: a reply holding one is not XML, and WeChat shows the user
# 「该公众号暂时无法提供服务」.
FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# No length is documented for a passive text reply; 2048 bytes of UTF-8 keeps within what clients
# are reported to show (and the customer-service API's 45002). See /work/scratch/wechat_facts.md §8.1:
# https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
MAX_REPLY_BYTES = 2048
ELLIPSIS = "…"


def render_reply(text: str | None, raw) -> str:
    """An XML text reply, or WeChat's literal 'success' when there is nothing to say."""
    if not text:
        return "success"
    reply = TextReply(source=cdata(raw.target), target=cdata(raw.source),
                      content=cdata(within_limit(FORBIDDEN.sub("", text))))
    return reply.render()


def within_limit(text: str, limit: int = MAX_REPLY_BYTES) -> str:
    """The text cut to `limit` bytes of UTF-8 at a character boundary, ending in '…' when cut."""
    if len(text.encode()) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode())
    return text.encode()[:room].decode(errors="ignore") + ELLIPSIS


def cdata(value: str) -> str:
    """wechatpy 1.8.18 puts strings into bare CDATA (fields.StringField.to_xml, no escaping): a
    ']]>' typed by a resident would end it early and inject elements. Split it: ']]' ends one
    CDATA section, the next starts with '>' (the parsed text is the original)."""
    return (value or "").replace("]]>", "]]]]><![CDATA[>")
