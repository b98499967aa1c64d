"""WeChat's side of the webhook: build and sign messages the way WeChat's servers do.

Used by the terminal chat, the tests and the benchmarks, so that all of them exercise the real
webhook path: signature, optional AES envelope, XML.
"""
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from urllib.parse import urlencode

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

_msg_ids = count(int(time.time() * 1000))


def text_xml(openid: str, content: str, msg_id: int | None = None, to: str = "gh_wufei",
             create_time: int | None = None) -> str:
    return message_xml(openid, "text", {"Content": content, "MsgId": msg_id or next(_msg_ids)},
                       to, create_time)


def voice_xml(openid: str, recognition: str | None, msg_id: int | None = None) -> str:
    fields = {"MediaId": "media-1", "Format": "amr", "MsgId": msg_id or next(_msg_ids)}
    if recognition is not None:
        fields["Recognition"] = recognition
    return message_xml(openid, "voice", fields)


def event_xml(openid: str, event: str, key: str = "", create_time: int | None = None) -> str:
    fields = {"Event": event}
    if key:
        fields["EventKey"] = key
    return message_xml(openid, "event", fields, create_time=create_time)


def message_xml(openid: str, msg_type: str, fields: dict, to: str = "gh_wufei",
                create_time: int | None = None) -> str:
    head = {"ToUserName": to, "FromUserName": openid,
            "CreateTime": create_time or int(time.time()), "MsgType": msg_type}
    body = "".join(f"<{k}><![CDATA[{v}]]></{k}>" if isinstance(v, str) else f"<{k}>{v}</{k}>"
                   for k, v in {**head, **fields}.items())
    return f"<xml>{body}</xml>"


def sign(token: str, timestamp: str, nonce: str) -> str:
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return signer.signature


@dataclass
class WeChatSender:
    """Signs (and in safe mode encrypts) messages for one Official Account's webhook."""

    token: str
    app_id: str = ""
    aes_key: str = ""
    mode: str = "plain"  # plain | compatible | safe
    clock: Callable[[], float] = field(default=time.time)

    def prepare(self, xml: str) -> tuple[str, bytes]:
        """The query string and body WeChat would POST for this message."""
        timestamp, nonce = str(int(self.clock())), secrets.token_hex(8)
        args = {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp,
                "nonce": nonce, "openid": sender_of(xml)}
        if self.mode == "plain":
            return urlencode(args), xml.encode()
        crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
        envelope = xml_fields(crypto.encrypt_message(xml, nonce, timestamp))
        encrypted = envelope["Encrypt"]
        args.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
        if self.mode == "compatible":  # plaintext fields beside the encrypted copy
            # (one <Encrypt> only: a sample that carries an empty one of its own loses it)
            body = re.sub(r"\s*<Encrypt>.*?</Encrypt>", "", xml, flags=re.DOTALL).replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
        else:
            body = f"<xml><ToUserName><![CDATA[gh_wufei]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        return urlencode(args), body.encode()

    def prepare_json(self, fields: dict) -> tuple[str, bytes]:
        """The query string and body of a JSON push (a mini-program's message push set to JSON):
        the fields as an object; in safe mode {"ToUserName", "Encrypt"}, in compatible mode the
        fields beside "Encrypt"."""
        text = json.dumps(fields, ensure_ascii=False)
        timestamp, nonce = str(int(self.clock())), secrets.token_hex(8)
        args = {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        if self.mode == "plain":
            return urlencode(args), text.encode()
        crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
        envelope = xml_fields(crypto.encrypt_message(text, nonce, timestamp))
        args.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
        outer = fields if self.mode == "compatible" else {"ToUserName": fields.get("ToUserName", "")}
        return urlencode(args), json.dumps({**outer, "Encrypt": envelope["Encrypt"]}, ensure_ascii=False).encode()

    def read_reply(self, body: bytes, args: str = "") -> str:
        """The plain reply XML (decrypted in safe mode), or 'success'."""
        text = body.decode()
        if self.mode == "plain" or text == "success":
            return text
        crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
        envelope = xml_fields(text)
        return crypto.decrypt_message(
            text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])


def sender_of(xml: str) -> str:
    """WeChat names the sender in the query string too; junk XML (in tests) has none."""
    try:
        return xml_fields(xml).get("FromUserName") or ""
    except Exception:
        return ""


def xml_fields(xml: str) -> dict:
    return xmltodict.parse(xml)["xml"]


def reply_content(reply_xml: str) -> str | None:
    """The Content of a text reply, or None for 'success'."""
    return None if reply_xml == "success" else xml_fields(reply_xml)["Content"]


def late_answers(fake_base_url: str, openid: str) -> list[str]:
    """The customer-service texts the local fake WeChat API delivered to `openid`, oldest first.

    An answer later than the reply budget goes out that way, so the simulator and the terminal
    chat show it as WeChat would: a message that arrives a little after the question.
    """
    import requests

    try:
        calls = requests.get(fake_base_url.rstrip("/") + "/_fake/calls", timeout=2,
                             params={"endpoint": "/cgi-bin/message/custom/send"}).json()["calls"]
    except (requests.RequestException, ValueError, KeyError):
        return []  # not the local fake: nothing to show
    return [call["json"]["text"]["content"] for call in calls
            if not call.get("errcode") and (call.get("json") or {}).get("touser") == openid
            and "text" in call["json"]]
