"""The mini-program's message push (/wechat/miniapp) as its console may configure it: XML or JSON,
in plain, compatible or safe mode. The JSON payloads are shaped as WeChat posts them: "List" at the
top, an object for one template and an array for several, CreateTime a number or a string."""
import pytest

from bot.webhook import simulate
from fake_wechat import openid_for
from models import MessageOptIn, Resident, db
from tests.conftest import MINI_APP_ID
from tests.push_support import STREET_A, seed_regions

GH = "gh_123456789abc"


def push_sender(app, mode: str) -> simulate.WeChatSender:
    config = app.config
    return simulate.WeChatSender(config["WECHAT_MINIAPP_TOKEN"], config["WECHAT_MINIAPP_ID"],
                                 config["WECHAT_MINIAPP_AES_KEY"], mode)


def post_json(client, sender: simulate.WeChatSender, fields: dict):
    query, body = sender.prepare_json(fields)
    return client.post(f"/wechat/miniapp?{query}", data=body, content_type="application/json")


def mini_resident(user: str) -> Resident:
    seed_regions()
    resident = Resident(openid=openid_for(user, MINI_APP_ID), app="miniapp", region_code=STREET_A)
    db.session.add(resident)
    db.session.commit()
    return resident


def remaining(resident: Resident) -> int:
    db.session.expire_all()
    row = db.session.get(MessageOptIn, (resident.id, "subscribe"))
    return row.remaining if row else 0


def popup(openid: str, template: str, status: str = "accept") -> dict:
    return {"ToUserName": GH, "FromUserName": openid, "CreateTime": 1688953684, "MsgType": "event",
            "Event": "subscribe_msg_popup_event",
            "List": {"PopupScene": "0", "SubscribeStatusString": status, "TemplateId": template}}


@pytest.mark.parametrize("mode", ["plain", "compatible", "safe"])
def test_a_json_pop_up_is_read_in_every_mode_and_grants_once(app, client, mode):
    amy = mini_resident("amy")
    sender = push_sender(app, mode)
    accepted = popup(amy.openid, app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"])
    answer = post_json(client, sender, accepted)
    assert (answer.status_code, answer.data) == (200, b"success")
    assert post_json(client, sender, accepted).status_code == 200  # WeChat's retry
    assert remaining(amy) == 1


def test_a_json_change_event_for_several_templates_ends_the_grants(app, client):
    ben = mini_resident("ben")
    sender = push_sender(app, "safe")
    post_json(client, sender, popup(ben.openid, app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"]))
    assert remaining(ben) == 1
    change = {"ToUserName": GH, "FromUserName": ben.openid, "CreateTime": "1610968440", "MsgType": "event",
              "Event": "subscribe_msg_change_event",
              "List": [{"TemplateId": "some-other-template", "SubscribeStatusString": "reject"},
                       {"TemplateId": app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"],
                        "SubscribeStatusString": "reject"}]}
    assert post_json(client, sender, change).status_code == 200
    assert remaining(ben) == 0


def test_an_xml_push_in_safe_mode_is_read_too(app, client):
    cai = mini_resident("cai")
    template = app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"]
    xml = simulate.message_xml(cai.openid, "event", {"Event": "subscribe_msg_popup_event"}, to=GH).replace(
        "</xml>", f"<SubscribeMsgPopupEvent><List><TemplateId><![CDATA[{template}]]></TemplateId>"
                  "<SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><PopupScene>0</PopupScene>"
                  "</List></SubscribeMsgPopupEvent></xml>")
    query, body = push_sender(app, "safe").prepare(xml)
    assert b"<Encrypt>" in body and template.encode() not in body
    answer = client.post(f"/wechat/miniapp?{query}", data=body, content_type="application/xml")
    assert (answer.status_code, answer.data) == (200, b"success")
    assert remaining(cai) == 1


def test_a_forged_or_unreadable_json_push_changes_nothing(app, client):
    dan = mini_resident("dan")
    accepted = popup(dan.openid, app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"])
    # Encrypted with another key: the msg_signature is the token's, the body does not decrypt.
    wrong_key = simulate.WeChatSender(app.config["WECHAT_MINIAPP_TOKEN"], MINI_APP_ID,
                                      app.config["WECHAT_AES_KEY"], "safe")
    assert post_json(client, wrong_key, accepted).status_code == 400
    query, body = push_sender(app, "safe").prepare_json(accepted)
    tampered = query.replace("msg_signature=", "msg_signature=0")
    assert client.post(f"/wechat/miniapp?{tampered}", data=body, content_type="application/json").status_code == 403
    plain = push_sender(app, "plain")
    for junk in (b"{not json", b'{"ToUserName": "gh"}', b"[1, 2]", b"{" * 5000 + b"}" * 5000):
        query, _ = plain.prepare_json({})
        answer = client.post(f"/wechat/miniapp?{query}", data=junk, content_type="application/json")
        assert answer.status_code == 400, junk[:20]
    assert remaining(dan) == 0


def test_a_json_text_message_is_acknowledged_and_ignored(app, client):
    text = {"ToUserName": GH, "FromUserName": openid_for("eve", MINI_APP_ID), "CreateTime": 1714037059,
            "MsgType": "text", "Content": "电池扔哪", "MsgId": 23456789012345678}
    answer = post_json(client, push_sender(app, "plain"), text)
    assert (answer.status_code, answer.data) == (200, b"success")
    assert db.session.execute(db.select(Resident)).first() is None


def test_with_safe_mode_required_a_plain_push_is_refused_and_a_safe_one_is_read(app, client):
    app.config["WECHAT_REQUIRE_SAFE_MODE"] = True
    cat = mini_resident("cat")
    accepted = popup(cat.openid, app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"])
    assert post_json(client, push_sender(app, "plain"), accepted).status_code == 403
    assert remaining(cat) == 0
    assert post_json(client, push_sender(app, "safe"), accepted).status_code == 200
    assert remaining(cat) == 1
