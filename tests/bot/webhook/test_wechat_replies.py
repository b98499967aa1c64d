"""Every answer is XML WeChat can read: a resident's ']]>' or control characters stay text, a long
answer is cut to 2,048 bytes, and every real sample from four SDKs' test suites is answered in
plain, compatible and safe mode."""
import json

import xmltodict
from wechatpy import parse_message

from bot.webhook import inbound, simulate
from tests import ROOT
from tests.conftest import WeChat

SAMPLES = ROOT / "tests/data/wechat_samples.json"  # see tests/data/README.md
MESSAGES = [s for s in json.loads(SAMPLES.read_text()) if not s["note"].startswith("not a message")]


def answered_xml(wechat: WeChat, xml: str) -> str:
    response = wechat.post(xml)
    assert response.status_code == 200, response.data
    return wechat.sender.read_reply(response.data)


def test_a_reply_echoing_cdata_end_stays_valid_xml(wechat_any_mode, monkeypatch):
    typed = "电池]]><Content>injected</Content><x>&\x01\x1f"
    monkeypatch.setattr("bot.webhook.views.receive", lambda message, *_: f"您说的是：{message.text}")
    # WeChat sends what was typed in CDATA as well, split the same way.
    reply = answered_xml(wechat_any_mode, simulate.text_xml("o-tricky", inbound.cdata(typed)))
    fields = xmltodict.parse(reply)["xml"]  # well-formed: no element was injected
    assert fields["Content"] == "您说的是：电池]]><Content>injected</Content><x>&"
    assert set(fields) == {"ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"}
    assert parse_message(reply).content == fields["Content"]  # wechatpy reads it back


def test_a_long_reply_is_cut_to_2048_bytes(wechat, monkeypatch):
    monkeypatch.setattr("bot.webhook.views.receive", lambda message, *_: "分类" * 2000)
    content = xmltodict.parse(answered_xml(wechat, simulate.text_xml("o-long", "x")))["xml"]["Content"]
    assert len(content.encode()) <= 2048 and content.endswith("…")
    assert inbound.within_limit("短") == "短"


def test_every_sample_is_answered_validly_in_every_mode(client, app):
    assert len(MESSAGES) == 111  # 115 samples, 4 of them templates rather than messages
    failures = []
    for sample in MESSAGES:
        for mode in ("plain", "compatible", "safe"):
            response = WeChat(client, app, mode).post(sample["xml"])
            try:
                assert response.status_code == 200, response.status_code
                reply = WeChat(client, app, mode).sender.read_reply(response.data)
                if reply != "success":
                    parsed = parse_message(reply)  # XML that wechatpy accepts
                    assert parsed.type == "text" and parsed.content and parsed.target
            except Exception as error:  # collect them all: one run shows every broken sample
                failures.append((sample["id"], mode, repr(error)[:200]))
    assert failures == []
