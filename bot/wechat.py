"""The thin edge around wechatpy: signatures, AES crypto, XML in and out, and the API client.

Nothing below bot/ sees XML or wechatpy objects: an incoming message becomes a plain
handlers.Message, and an answer (plain text) becomes a wechatpy reply here.
"""
import re
from dataclasses import dataclass

import requests
from flask import Flask, current_app
from wechatpy import WeChatClient, create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import (InvalidAppIdException, InvalidSignatureException,
                                 WeChatClientException)
from wechatpy.session.redisstorage import RedisStorage
from wechatpy.utils import check_signature

from bot import state
from bot.metrics import WECHAT_API_CALLS
from handlers import Message

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
        return Message(
            openid=raw.source,
            kind=kind,
            text=message_text(raw, kind),
            event=event,
            event_key=getattr(raw, "key", "") or "",
            retry_key=f"msg:{raw.id}" if raw.id else f"event:{raw.source}:{raw.time}:{event}",
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


class TimeoutSession(requests.Session):
    def __init__(self, timeout: float):
        super().__init__()
        self.default_timeout = timeout

    def request(self, method, url, **kwargs):
        kwargs["timeout"] = kwargs.get("timeout") or self.default_timeout
        return super().request(method, url, **kwargs)


class CityClient(WeChatClient):
    """wechatpy's client, pointed at a configurable base URL (the fake one in tests and demos)."""

    def __init__(self, *args, base_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Every call gets the time-out, the token fetch too (wechatpy gives that one none).
        self._http = TimeoutSession(self.timeout)
        self.API_BASE_URL = base_url.rstrip("/") + "/cgi-bin/"
        self.wxa.API_BASE_URL = base_url.rstrip("/") + "/"

    def _request(self, method, url_or_endpoint, **kwargs):
        endpoint = url_or_endpoint.split("?")[0].removeprefix(self.API_BASE_URL)
        try:
            result = super()._request(method, url_or_endpoint, **kwargs)
        except WeChatClientException as error:
            WECHAT_API_CALLS.labels(endpoint, str(error.errcode)).inc()
            raise
        WECHAT_API_CALLS.labels(endpoint, "0").inc()
        return result

    def fetch_access_token(self):
        # wechatpy 1.8.18 hard-codes api.weixin.qq.com here; same call, our base URL.
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def client() -> CityClient:
    """The Official Account's API client."""
    config = current_app.config
    return client_for(config["WECHAT_APP_ID"], config["WECHAT_APP_SECRET"])


def miniapp_client() -> CityClient:
    """The mini-program's API client (code2session, subscribe messages)."""
    config = current_app.config
    return client_for(config["WECHAT_MINIAPP_ID"], config["WECHAT_MINIAPP_SECRET"])


def client_for(app_id: str, secret: str) -> CityClient:
    # The access token lives in shared state (keyed by app id): one for all processes.
    config = current_app.config
    return CityClient(
        app_id,
        secret,
        session=RedisStorage(state.store(), prefix="wechatpy"),
        timeout=config["WECHAT_API_TIMEOUT"],
        base_url=config["WECHAT_API_BASE_URL"],
    )
