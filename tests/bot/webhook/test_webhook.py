"""The webhook as WeChat's servers use it: signatures, modes, retries and hostile input."""
import time

import pytest

from bot.webhook import simulate
from infra import jobs
from models import InboundMessage, Resident, db

BATTERY = "废电池是什么垃圾"


def logged_messages() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(InboundMessage))


def test_server_verification_echoes_echostr(client, app):
    timestamp, nonce = str(int(time.time())), "n1"
    signature = simulate.sign(app.config["WECHAT_TOKEN"], timestamp, nonce)
    response = client.get(f"/wechat?signature={signature}&timestamp={timestamp}"
                          f"&nonce={nonce}&echostr=hello123")
    assert response.status_code == 200
    assert response.data == b"hello123"


@pytest.mark.parametrize("query", ["signature=bad&timestamp=1&nonce=2&echostr=x", "echostr=x", ""])
def test_server_verification_refuses_bad_or_missing_signature(client, query):
    response = client.get(f"/wechat?{query}")
    assert response.status_code == 403
    assert b"x" not in response.data


def test_battery_question_tells_rechargeable_from_alkaline_in_every_mode(wechat_any_mode):
    reply = wechat_any_mode.ask("o-resident-1", BATTERY)
    assert "有害垃圾" in reply and "其他垃圾" in reply
    assert "充电" in reply and "纽扣" in reply


def test_safe_mode_reply_is_encrypted(app, client):
    sender = simulate.WeChatSender(app.config["WECHAT_TOKEN"], app.config["WECHAT_APP_ID"],
                                   app.config["WECHAT_AES_KEY"], "safe")
    query, body = sender.prepare(simulate.text_xml("o-resident-1", BATTERY))
    response = client.post(f"/wechat?{query}", data=body)
    assert b"<Encrypt>" in response.data and "有害垃圾".encode() not in response.data
    assert "有害垃圾" in simulate.reply_content(sender.read_reply(response.data))


def test_retry_storm_is_answered_identically_and_logged_once(wechat):
    xml = simulate.text_xml("o-resident-2", BATTERY, msg_id=424242)
    replies = [wechat.reply(xml) for _ in range(3)]
    assert replies[0] and replies[0] == replies[1] == replies[2]
    assert logged_messages() == 1


def test_retried_subscribe_event_greets_once_and_creates_one_resident(wechat):
    xml = simulate.event_xml("o-new-follower", "subscribe", create_time=1700000000)
    replies = [wechat.reply(xml) for _ in range(3)]
    assert "欢迎" in replies[0] and replies.count(replies[0]) == 3
    assert db.session.scalar(db.select(db.func.count()).select_from(Resident)) == 1
    assert logged_messages() == 1


def test_stale_timestamp_is_refused_as_replay(client, app):
    sender = simulate.WeChatSender(app.config["WECHAT_TOKEN"], clock=lambda: time.time() - 3600)
    query, body = sender.prepare(simulate.text_xml("o-resident-3", BATTERY))
    response = client.post(f"/wechat?{query}", data=body)
    assert response.status_code == 403
    assert logged_messages() == 0


def test_wrong_signature_is_refused_and_nothing_logged(client):
    response = client.post("/wechat?signature=0&timestamp=%d&nonce=1" % time.time(),
                           data=simulate.text_xml("o-x", BATTERY))
    assert response.status_code == 403
    assert logged_messages() == 0


def test_safe_mode_with_forged_msg_signature_is_refused(client, app):
    sender = simulate.WeChatSender(app.config["WECHAT_TOKEN"], app.config["WECHAT_APP_ID"],
                                   app.config["WECHAT_AES_KEY"], "safe")
    query, body = sender.prepare(simulate.text_xml("o-x", BATTERY))
    forged = query.replace("msg_signature=", "msg_signature=0")
    assert client.post(f"/wechat?{forged}", data=body).status_code == 403


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + ']><xml><ToUserName>t</ToUserName><FromUserName>o-evil</FromUserName>'
    "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&i;</Content>"
    "<MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>t</ToUserName><FromUserName>o-evil</FromUserName><CreateTime>1"
    "</CreateTime><MsgType>text</MsgType><Content>&e;</Content><MsgId>2</MsgId></xml>"
)


@pytest.mark.parametrize("body", [
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    "<xml><ToUserName>t</ToUserName><MsgType>text",  # truncated
    "not xml at all",
    "<note>hello</note>",  # XML, but not a WeChat message
    "",
])
def test_hostile_or_malformed_xml_gets_a_clean_400_and_keeps_saved_data(wechat, body):
    assert wechat.ask("o-resident-4", "塑料瓶")  # something already saved
    started = time.monotonic()
    response = wechat.post(body)
    assert response.status_code == 400
    assert time.monotonic() - started < 1
    assert logged_messages() == 1


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_oversized_body_is_refused_with_413(app, client, mode):
    sender = simulate.WeChatSender(app.config["WECHAT_TOKEN"], app.config["WECHAT_APP_ID"],
                                   app.config["WECHAT_AES_KEY"], mode)
    query, body = sender.prepare(simulate.text_xml("o-big", "纸" * 100_000))
    response = client.post(f"/wechat?{query}", data=body)
    assert response.status_code == 413
    assert logged_messages() == 0


def test_voice_with_recognition_is_answered_like_text(wechat):
    reply = wechat.reply(simulate.voice_xml("o-voice", "剩饭是什么垃圾"))
    assert "厨余垃圾" in reply


def test_voice_without_recognition_asks_to_type(wechat):
    reply = wechat.reply(simulate.voice_xml("o-voice", None))
    assert "打字" in reply


def test_unsubscribe_forgets_the_user(wechat):
    wechat.ask("o-leaving", "我家的旧报纸扔哪")
    assert wechat.reply(simulate.event_xml("o-leaving", "unsubscribe")) is None
    assert db.session.execute(db.select(Resident).filter_by(openid="o-leaving")).first() is None
    rows = db.session.execute(db.select(InboundMessage)).scalars().all()
    assert rows and all(row.openid is row.content is row.reply is None for row in rows)


def test_menu_click_answers_with_the_menu_text(wechat):
    reply = wechat.reply(simulate.event_xml("o-menu", "CLICK", "SORTING_GUIDE"))
    assert "可回收物" in reply and "蓝" in reply


def test_unknown_menu_key_and_other_kinds_get_a_short_help(wechat):
    assert "帮助" in wechat.reply(simulate.event_xml("o-menu", "CLICK", "NO_SUCH_KEY"))
    image = simulate.message_xml("o-pic", "image", {"PicUrl": "http://x/1.jpg", "MediaId": "m",
                                                    "MsgId": 99})
    assert "帮助" in wechat.reply(image)


def test_events_that_expect_no_reply_get_success(wechat):
    response = wechat.post(simulate.event_xml("o-view", "VIEW", "https://example.org/"))
    assert response.status_code == 200 and response.data == b"success"


def test_help_keyword_is_not_read_as_an_item(wechat):
    assert "使用说明" in wechat.ask("o-help", "帮助？")


def test_slow_answer_replies_in_time_and_follows_as_customer_service_message(
        app, wechat, fake_wechat, monkeypatch):
    from handlers.sorting import get_engine

    app.config["WECHAT_REPLY_BUDGET"] = 0.3
    engine = get_engine()
    classify = engine.classify

    def slow_classify(text):
        time.sleep(1.0)  # e.g. a database that hangs
        return classify(text)

    monkeypatch.setattr(engine, "classify", slow_classify)
    started = time.monotonic()
    response = wechat.post(simulate.text_xml("o-patient", BATTERY))
    assert response.data == b"success"
    assert time.monotonic() - started < 0.9
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not fake_wechat.calls("/cgi-bin/message/custom/send"):
        if jobs.queue().count:  # with Redis the answer waits for a worker; run one
            jobs.run_worker(app, ["default"], burst=True)
        time.sleep(0.05)
    [call] = fake_wechat.calls("/cgi-bin/message/custom/send")
    assert call["json"]["touser"] == "o-patient"
    assert "有害垃圾" in call["json"]["text"]["content"]


def test_concurrent_retries_wait_for_the_first_answer_and_have_one_effect(pg_app):
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import WeChat

    xml = simulate.text_xml("o-storm", "电池和剩饭分别扔哪", msg_id=777)
    senders = [WeChat(pg_app.test_client(), pg_app) for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda sender: sender.reply(xml), senders))
    assert replies[0] and all(reply == replies[0] for reply in replies)
    assert logged_messages() == 1


def test_a_late_answer_is_sent_at_most_once_and_retried_only_when_wechat_refused(pg_app, fake_wechat):
    from bot.webhook.late import send_late_answer
    from infra.wechat.send import SendError

    sent = lambda: len([c for c in fake_wechat.calls("/cgi-bin/message/custom/send") if not c["errcode"]])  # noqa: E731
    pg_app.config["WECHAT_API_TIMEOUT"] = 0.3
    fake_wechat.set_fault("/cgi-bin/message/custom/send", delay=1.0, times=1)  # delivered, answer lost
    assert send_late_answer("o-late", "废电池 → 有害垃圾", "o-late:1") == "unconfirmed"
    assert send_late_answer("o-late", "废电池 → 有害垃圾", "o-late:1") == "skipped"  # RQ's retry
    time.sleep(1.0)
    assert sent() == 1

    fake_wechat.set_fault("/cgi-bin/message/custom/send", -1, times=1)  # "system busy": nothing sent
    with pytest.raises(SendError):
        send_late_answer("o-late", "塑料瓶 → 可回收物", "o-late:2")
    assert send_late_answer("o-late", "塑料瓶 → 可回收物", "o-late:2") == "sent"
    assert sent() == 2


def test_a_captured_signed_url_carries_one_body_only(wechat, client):
    """WeChat signs the query, not the body: a captured (timestamp, nonce) must not carry another."""
    query, body = wechat.sender.prepare(simulate.text_xml("o-victim", BATTERY, msg_id=5151))
    first = client.post(f"/wechat?{query}", data=body, content_type="application/xml")
    assert first.status_code == 200
    retried = client.post(f"/wechat?{query}", data=body, content_type="application/xml")
    assert retried.status_code == 200 and retried.data == first.data  # WeChat's own retry
    forged = simulate.text_xml("o-victim", "删除我的信息", msg_id=5152)
    response = client.post(f"/wechat?{query}", data=forged.encode(), content_type="application/xml")
    assert response.status_code == 403
    assert logged_messages() == 1


def test_plaintext_is_refused_when_safe_mode_is_required(app, client):
    app.config["WECHAT_REQUIRE_SAFE_MODE"] = True
    plain = sender_for(app, "plain")
    query, body = plain.prepare(simulate.text_xml("o-plain", BATTERY))
    assert client.post(f"/wechat?{query}", data=body).status_code == 403
    assert logged_messages() == 0
    for mode in ("safe", "compatible"):
        sender = sender_for(app, mode)
        query, body = sender.prepare(simulate.text_xml("o-plain", BATTERY))
        response = client.post(f"/wechat?{query}", data=body)
        assert "有害垃圾" in simulate.reply_content(sender.read_reply(response.data))


def sender_for(app, mode):
    config = app.config
    return simulate.WeChatSender(config["WECHAT_TOKEN"], config["WECHAT_APP_ID"],
                                 config["WECHAT_AES_KEY"], mode)


def test_server_verification_answers_plain_text_for_a_fresh_timestamp_only(client, app):
    def verify(timestamp: str):
        signature = simulate.sign(app.config["WECHAT_TOKEN"], timestamp, "n2")
        return client.get(f"/wechat?signature={signature}&timestamp={timestamp}&nonce=n2"
                          "&echostr=<script>alert(1)</script>")

    response = verify(str(int(time.time())))
    assert response.status_code == 200 and response.data == b"<script>alert(1)</script>"
    assert response.mimetype == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    old = verify(str(int(time.time()) - 3600))  # an old signed triple, replayed
    assert old.status_code == 403 and b"script" not in old.data


def test_two_menu_clicks_in_one_second_each_get_their_own_answer(wechat):
    now = int(time.time())
    guide = wechat.reply(simulate.event_xml("o-clicker", "CLICK", "SORTING_GUIDE", create_time=now))
    about = wechat.reply(simulate.event_xml("o-clicker", "CLICK", "ABOUT_CAMPAIGN", create_time=now))
    assert "蓝桶" in guide and "无废城市" in about and about != guide


def test_past_the_ip_limit_the_webhook_says_429_and_claims_nothing(app, wechat):
    app.config["RATELIMIT_WEBHOOK"] = "3/minute"
    from bot.webhook import gate

    gate.init_app(app)  # the limits are read once, when the app starts
    xmls = [simulate.text_xml(f"o-ip-{n}", "塑料瓶", msg_id=9100 + n) for n in range(4)]
    statuses = [wechat.post(xml).status_code for xml in xmls]
    assert statuses == [200, 200, 200, 429]
    assert logged_messages() == 3
    # Refused before its claim: once the window has passed, the same message is answered.
    app.extensions["state"].delete("wx:rate:ip:127.0.0.1")
    assert "可回收物" in wechat.reply(xmls[3])
