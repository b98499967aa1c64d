"""The fake WeChat API, driven by the real wechatpy clients and by plain HTTP."""
import subprocess
import sys
import threading
import time

import pytest
import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.utils import check_signature

from fake_wechat import openid_for, serve_fake_wechat, unionid_for
from tests import ROOT, processes

APP_ID, SECRET = "wxdemo0000000000", "demo-secret"
MINI_APP_ID, MINI_SECRET = "wxmini0000000000", "mini-secret"
ALICE, BOB = openid_for("alice", APP_ID), openid_for("bob", APP_ID)


class LocalWeChatClient(WeChatClient):
    """WeChatClient whose token fetch follows API_BASE_URL (wechatpy hard-codes api.weixin.qq.com)."""

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


def wechat_client(fake, app_id=APP_ID, secret=SECRET, timeout=5) -> WeChatClient:
    client = LocalWeChatClient(app_id, secret, timeout=timeout)
    client.API_BASE_URL = fake.base_url + "cgi-bin/"
    client.wxa.API_BASE_URL = fake.base_url  # wxa paths (sns/jscode2session) start at the host
    return client


@pytest.fixture(scope="module")
def server():
    with serve_fake_wechat(app_id_secrets={APP_ID: SECRET, MINI_APP_ID: MINI_SECRET}) as running:
        yield running


@pytest.fixture
def fake(server):
    server.reset()
    return server


@pytest.fixture
def client(fake):
    return wechat_client(fake)


def errcode_of(call) -> int:
    with pytest.raises(WeChatClientException) as raised:
        call()
    return raised.value.errcode


# access token


def test_token_is_fetched_once_and_reused(fake, client):
    client.message.send_text(ALICE, "你好")
    client.message.send_text(BOB, "你好")
    token_calls = fake.calls("/cgi-bin/token")
    assert len(token_calls) == 1
    assert token_calls[0]["params"]["appid"] == APP_ID
    assert token_calls[0]["params"]["secret"] == "***"  # the log never keeps the secret
    assert client.session.get(client.access_token_key)
    assert [c["app_id"] for c in fake.calls("cgi-bin/message/custom/send")] == [APP_ID, APP_ID]


def test_unknown_app_id_and_wrong_secret_are_refused(fake):
    assert errcode_of(lambda: wechat_client(fake, "wxunknown", SECRET).fetch_access_token()) == 40013
    assert errcode_of(lambda: wechat_client(fake, APP_ID, "wrong").fetch_access_token()) == 40125


def test_refreshed_token_replaces_the_old_one_after_the_grace_period(fake):
    fake.configure(token_grace=0)
    old, new = fetch_token(fake), fetch_token(fake)
    assert send_text_raw(fake, old)["errcode"] == 40001
    assert send_text_raw(fake, new)["errcode"] == 0


def test_old_token_still_works_within_the_grace_period(fake):
    old = fetch_token(fake)
    fetch_token(fake)
    assert send_text_raw(fake, old)["errcode"] == 0


def test_expired_token_is_refreshed_by_wechatpy(fake, client):
    client.message.send_text(ALICE, "一")
    fake.expire_tokens()
    client.message.send_text(ALICE, "二")  # 42001, then wechatpy fetches a new token and retries
    assert [c["errcode"] for c in fake.calls("/cgi-bin/message/custom/send")] == [0, 42001, 0]
    assert len(fake.calls("/cgi-bin/token")) == 2


def test_missing_token_is_refused(fake):
    answer = requests.get(fake.base_url + "cgi-bin/tags/get").json()
    assert answer["errcode"] == 41001


# customer-service messages


def test_custom_messages_are_recorded_and_delivered(fake, client):
    client.message.send_text(ALICE, "请把电池投进红色的有害垃圾桶")
    client.message.send_articles(ALICE, [{"title": "无废城市宣传月", "description": "一起来",
                                          "url": "https://example.org/a", "image": "https://example.org/a.png"}])
    client.message.send_mini_program_page(ALICE, {"title": "报名", "appid": MINI_APP_ID,
                                                  "pagepath": "pages/join", "thumb_media_id": "m1"})
    bodies = [c["json"] for c in fake.calls("/cgi-bin/message/custom/send")]
    assert [b["msgtype"] for b in bodies] == ["text", "news", "miniprogrampage"]
    assert bodies[0] == {"touser": ALICE, "msgtype": "text", "text": {"content": "请把电池投进红色的有害垃圾桶"}}
    assert fake.deliveries("custom", ALICE)["total"] == 3


def test_custom_news_holds_one_article(fake, client):
    article = {"title": "t", "description": "d", "url": "https://example.org", "image": ""}
    assert errcode_of(lambda: client.message.send_articles(ALICE, [article, article])) == 45008


def test_custom_send_outside_the_48_hour_window_is_refused_until_the_user_writes(fake, client):
    fake.set_user(ALICE, active=False)
    assert errcode_of(lambda: client.message.send_text(ALICE, "迟到的回复")) == 45015
    client.message.send_text(BOB, "准时")
    fake.set_user(ALICE, active=True)
    client.message.send_text(ALICE, "现在可以了")
    assert fake.deliveries("custom")["total"] == 2


def test_a_user_message_allows_five_custom_messages_a_follow_three(fake, client):
    """WeChat since June 2023: a message opens 5 within 48 h, a follow/scan/click 3 within 1 min."""
    fake.user_acts(ALICE, "message")
    for n in range(5):
        client.message.send_text(ALICE, str(n))
    assert errcode_of(lambda: client.message.send_text(ALICE, "6")) == 45047
    fake.user_acts(BOB, "interaction")
    for n in range(3):
        client.message.send_text(BOB, str(n))
    assert errcode_of(lambda: client.message.send_text(BOB, "4")) == 45047
    fake.user_acts(ALICE, "message")  # the user writes again: a fresh window
    client.message.send_text(ALICE, "again")


def test_the_short_window_closes_after_a_minute(fake, client):
    fake.configure(interaction_window=[3, 0.2])
    fake.user_acts(ALICE, "interaction")
    client.message.send_text(ALICE, "welcome")
    time.sleep(0.25)
    assert errcode_of(lambda: client.message.send_text(ALICE, "too late")) == 45015


def test_unfollowed_user_gets_43004(fake, client):
    fake.set_user(ALICE, subscribed=False)
    assert errcode_of(lambda: client.message.send_text(ALICE, "hi")) == 43004


# tags


def test_tags_create_tag_list_and_count(fake, client):
    tag = client.tag.create("朝阳区")
    assert tag["id"] >= 100 and tag["name"] == "朝阳区"
    client.tag.tag_user(tag["id"], [ALICE, BOB])
    listed = {t["name"]: t for t in client.tag.get()}
    assert listed["朝阳区"]["count"] == 2
    assert listed["星标组"]["id"] == 2  # WeChat's reserved tag is always there
    assert client.tag.get_user_tag(ALICE) == [tag["id"]]
    client.tag.untag_user(tag["id"], ALICE)
    assert client.tag.get_tag_users(tag["id"])["data"]["openid"] == [BOB]


def test_tag_limits(fake, client):
    first = client.tag.create("district-0")
    assert errcode_of(lambda: client.tag.create("district-0")) == 45157  # names are unique
    assert errcode_of(lambda: client.tag.create("x" * 31)) == 45158
    for n in range(1, 100):
        client.tag.create(f"district-{n}")
    assert errcode_of(lambda: client.tag.create("district-100")) == 45056  # 100 tags per account
    openids = [openid_for(f"user{n}", APP_ID) for n in range(51)]
    assert errcode_of(lambda: client.tag.tag_user(first["id"], openids)) == 40032  # 50 per call
    client.tag.tag_user(first["id"], openids[:50])
    assert errcode_of(lambda: client.tag.delete(2)) == 45058
    assert errcode_of(lambda: client.tag.tag_user(99999, ALICE)) == 45159


def test_a_user_carries_at_most_20_tags(fake, client):
    tag_ids = [client.tag.create(f"t{n}")["id"] for n in range(21)]
    for tag_id in tag_ids[:20]:
        client.tag.tag_user(tag_id, ALICE)
    assert errcode_of(lambda: client.tag.tag_user(tag_ids[20], ALICE)) == 45059


# mass send


def test_mass_send_by_tag_with_the_same_clientmsgid_is_sent_once(fake, client):
    tag_id = client.tag.create("南关区")["id"]
    client.tag.tag_user(tag_id, [ALICE, BOB])
    first = client.message.send_mass_text(tag_id, "垃圾分类宣传月开始了", client_msg_id="push-7-tag")
    with pytest.raises(WeChatClientException) as raised:
        client.message.send_mass_text(tag_id, "垃圾分类宣传月开始了", client_msg_id="push-7-tag")
    assert raised.value.errcode == 45065
    assert raised.value.response.json()["msg_id"] == first["msg_id"]  # WeChat names the first send
    assert fake.deliveries("mass")["total"] == 2 and fake.deliveries("mass")["duplicates"] == 0
    assert client.message.get_mass(first["msg_id"])["msg_status"] == "SEND_SUCCESS"
    body = fake.calls("/cgi-bin/message/mass/sendall")[0]["json"]
    assert body["clientmsgid"] == "push-7-tag" and body["filter"]["group_id"] == tag_id


def test_mass_send_accepts_the_current_tag_id_filter(fake, client):
    tag_id = client.tag.create("宽城区")["id"]
    client.tag.tag_user(tag_id, ALICE)
    client.post("message/mass/sendall", data={"filter": {"is_to_all": False, "tag_id": tag_id},
                                              "msgtype": "text", "text": {"content": "hi"}})
    assert fake.deliveries("mass", ALICE)["total"] == 1


def test_mass_send_by_openids_reaches_each_user_four_times_a_month(fake, client):
    for n in range(5):
        client.message.send_mass_text([ALICE, BOB], f"第{n + 1}次")
    assert fake.deliveries("mass", ALICE)["deliveries"][0]["count"] == 4
    last = fake.mass_jobs()[-1]
    # FilterCount: fans left after WeChat's filtering (the doc's meaning): none this time.
    assert (last["TotalCount"], last["SentCount"], last["FilterCount"]) == (2, 0, 0)


def test_mass_send_by_openids_needs_two_of_them(fake, client):
    assert errcode_of(lambda: client.message.send_mass_text([ALICE], "hi")) == 40130


def test_mass_send_calls_are_limited_per_minute(fake, client):
    fake.configure(mass_per_minute=2, mass_per_user_month=10)
    client.message.send_mass_text([ALICE, BOB], "1")
    client.message.send_mass_text([ALICE, BOB], "2")
    assert errcode_of(lambda: client.message.send_mass_text([ALICE, BOB], "3")) == 45011


# template and subscribe messages


def test_template_message_needs_an_approved_template_and_quota(fake, client):
    fake.configure(template_ids=["tpl-activity"], template_daily_quota=1)
    data = {"thing1": {"value": "社区回收日"}}
    assert errcode_of(lambda: client.message.send_template(ALICE, "tpl-other", data)) == 40037
    assert client.message.send_template(ALICE, "tpl-activity", data)["msgid"]
    assert errcode_of(lambda: client.message.send_template(BOB, "tpl-activity", data)) == 45009


def test_a_subscribe_message_needs_one_accept_per_message_of_that_template_and_app(fake):
    fake.configure(miniapp_ids=[MINI_APP_ID])
    mini = wechat_client(fake, MINI_APP_ID, MINI_SECRET)
    user = openid_for("carol", MINI_APP_ID)
    data = {"thing1": {"value": "活动提醒"}}
    assert errcode_of(lambda: mini.wxa.send_subscribe_message(user, "tpl-remind", data)) == 43101
    fake.user_subscribes(MINI_APP_ID, user, "tpl-remind", "tpl-news")
    fake.user_subscribes(MINI_APP_ID, user, "tpl-news", status="reject")  # grants nothing more
    assert mini.wxa.send_subscribe_message(user, "tpl-remind", data)["errcode"] == 0
    assert errcode_of(lambda: mini.wxa.send_subscribe_message(user, "tpl-remind", data)) == 43101  # used
    assert fake.subscribe_grants(MINI_APP_ID, user, "tpl-news") == 1
    assert fake.subscribe_grants(APP_ID, user, "tpl-news") == 0  # another app's grant is not this one
    assert [c["errcode"] for c in fake.calls("/cgi-bin/message/subscribe/send")] == [43101, 0, 43101]


def test_the_users_answer_is_posted_signed_to_the_apps_own_push_url(fake):
    fake.configure(miniapp_ids=[MINI_APP_ID], webhook_token="oa-tok", miniapp_webhook_token="mini-tok")
    carol = openid_for("carol", MINI_APP_ID)
    posted = []
    fake.user_subscribes(MINI_APP_ID, carol, "tpl-a", "tpl-b",
                         post=lambda query, body: posted.append((query, body.decode())))
    [(query, body)] = posted
    params = dict(pair.split("=") for pair in query.split("&"))
    check_signature("mini-tok", params["signature"], params["timestamp"], params["nonce"])
    assert "<ToUserName><![CDATA[gh_fakeminiapp]]></ToUserName>" in body
    assert body.count("<List>") == 2 and "<SubscribeStatusString><![CDATA[accept]]>" in body
    fake.user_subscribes(APP_ID, ALICE, "tpl-oa", post=lambda query, body: posted.append((query, body.decode())))
    params = dict(pair.split("=") for pair in posted[1][0].split("&"))
    check_signature("oa-tok", params["signature"], params["timestamp"], params["nonce"])
    answer = requests.post(fake.base_url + "_fake/subscribe", json={"app_id": APP_ID, "openid": ALICE,
                                                                   "template_ids": ["tpl-oa"]}, timeout=5)
    assert answer.json() == {"posted": []}  # no webhook_url configured: nobody to tell
    assert fake.subscribe_grants(APP_ID, ALICE, "tpl-oa") == 2


# mini-program login


def test_code_to_session_gives_predictable_ids_and_refuses_a_used_code(fake):
    mini = wechat_client(fake, MINI_APP_ID, MINI_SECRET)
    session = mini.wxa.code_to_session("alice")
    assert session["openid"] == openid_for("alice", MINI_APP_ID) != ALICE  # one openid per app
    assert session["unionid"] == unionid_for("alice")
    assert len(session["openid"]) == 28 and session["session_key"]
    assert mini.wxa.code_to_session("alice#2")["openid"] == session["openid"]  # alice's next login
    assert errcode_of(lambda: mini.wxa.code_to_session("alice")) == 40163
    assert errcode_of(lambda: mini.wxa.code_to_session("invalid-code")) == 40029
    params = fake.calls("/sns/jscode2session")[0]["params"]
    assert params["grant_type"] == "authorization_code" and params["appid"] == MINI_APP_ID


def test_code_to_session_without_unionid_binding(fake):
    fake.configure(unionid=False)
    assert "unionid" not in wechat_client(fake, MINI_APP_ID, MINI_SECRET).wxa.code_to_session("dave")


# faults and delays


def test_fault_for_the_next_calls_then_recovery(fake, client):
    fake.set_fault("/cgi-bin/message/custom/send", -1, times=2)
    assert errcode_of(lambda: client.message.send_text(ALICE, "1")) == -1
    assert errcode_of(lambda: client.message.send_text(ALICE, "2")) == -1
    client.message.send_text(ALICE, "3")
    assert fake.deliveries("custom")["total"] == 1


def test_fault_for_one_openid_only(fake, client):
    fake.set_fault("cgi-bin/message/custom/send", 40003, openid=BOB)
    client.message.send_text(ALICE, "hi")
    assert errcode_of(lambda: client.message.send_text(BOB, "hi")) == 40003
    assert errcode_of(lambda: client.message.send_text(BOB, "hi")) == 40003  # no times: every call


def test_http_500_fault(fake, client):
    fake.set_fault("*", status=500, times=1)
    with pytest.raises(WeChatClientException) as raised:
        client.tag.get()  # the token fetch is the first call and gets the 500
    assert raised.value.errcode is None and raised.value.response.status_code == 500
    assert client.tag.get()


def test_delay_fault_slows_the_endpoint_and_trips_the_client_timeout(fake, client):
    client.message.send_text(ALICE, "warm up the token")
    fake.set_fault("/cgi-bin/message/custom/send", delay=0.3, times=1)
    started = time.monotonic()
    client.message.send_text(ALICE, "slow")
    assert time.monotonic() - started >= 0.3
    fake.set_fault("/cgi-bin/message/custom/send", delay=1.0, times=1)
    impatient = wechat_client(fake, timeout=0.2)
    with pytest.raises(requests.Timeout):
        impatient.message.send_text(ALICE, "too slow")


def test_control_api_over_http(fake):
    base = fake.base_url + "_fake/"
    assert requests.post(base + "faults", json={"endpoint": "/cgi-bin/nope", "errcode": -1}).status_code == 400
    created = requests.post(base + "faults", json={"endpoint": "/cgi-bin/token", "errcode": 45009, "times": 1})
    assert created.status_code == 201
    assert requests.get(fake.base_url + "cgi-bin/token", params=token_params()).json()["errcode"] == 45009
    requests.post(base + "users", json={"openid": ALICE, "active": False})
    assert send_text_raw(fake, fetch_token(fake))["errcode"] == 45015
    calls = requests.get(base + "calls", params={"endpoint": "/cgi-bin/token"}).json()["calls"]
    assert [c["errcode"] for c in calls] == [45009, 0]
    assert requests.post(base + "config", json={"no_such": 1}).status_code == 400
    assert requests.post(base + "reset").json() == {"ok": True}
    assert requests.get(base + "calls").json()["calls"] == []


def test_concurrent_sends_are_all_counted(fake, client):
    openids = [openid_for(f"resident{n}", APP_ID) for n in range(200)]
    client.message.send_text(ALICE, "warm up the token")

    def send(chunk):
        for openid in chunk:
            client.message.send_text(openid, "宣传月")

    threads = [threading.Thread(target=send, args=(openids[n::8],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = fake.deliveries("custom")
    assert report["total"] == 201 and report["duplicates"] == 0


def test_runs_standalone_as_a_module():
    repo = ROOT
    process = processes.start([sys.executable, "-m", "fake_wechat", "--port", "0", "--app", "wxa:sa"],
                              cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base_url = process.stdout.readline().split()[-1]
        answer = requests.get(base_url + "cgi-bin/token", timeout=5,
                              params={"grant_type": "client_credential", "appid": "wxa", "secret": "sa"})
        assert answer.json()["expires_in"] == 7200
    finally:
        processes.stop(process, timeout=5)


# helpers speaking plain HTTP


def token_params(app_id=APP_ID, secret=SECRET) -> dict:
    return {"grant_type": "client_credential", "appid": app_id, "secret": secret}


def fetch_token(fake) -> str:
    return requests.get(fake.base_url + "cgi-bin/token", params=token_params()).json()["access_token"]


def send_text_raw(fake, token: str) -> dict:
    body = {"touser": ALICE, "msgtype": "text", "text": {"content": "hi"}}
    return requests.post(fake.base_url + "cgi-bin/message/custom/send",
                         params={"access_token": token}, json=body).json()


# as strict as WeChat: token quota, media ids, two apps, receipts


def test_the_token_endpoint_has_a_daily_quota(fake):
    fake.configure(token_daily_quota=2)
    fetch_token(fake)
    fetch_token(fake)
    answer = requests.get(fake.base_url + "cgi-bin/token", params=token_params()).json()
    assert answer["errcode"] == 45009


def test_an_unknown_media_id_is_refused(fake, client):
    fake.configure(media_ids=["uploaded-1"])
    client.message.send_mass_article([ALICE, BOB], "uploaded-1")
    assert errcode_of(lambda: client.message.send_mass_article([ALICE, BOB], "never-uploaded")) == 40007


def test_a_token_works_only_for_its_own_app(fake, client):
    fake.configure(miniapp_ids=[MINI_APP_ID])
    mini = wechat_client(fake, MINI_APP_ID, MINI_SECRET)
    carol = mini.wxa.code_to_session("carol")["openid"]
    fake.user_subscribes(MINI_APP_ID, carol, "tpl")
    mini.wxa.send_subscribe_message(carol, "tpl", {"thing1": {"value": "x"}})
    assert errcode_of(lambda: client.wxa.send_subscribe_message(carol, "tpl", {"thing1": {"value": "x"}})) == 48001
    assert errcode_of(lambda: mini.message.send_text(carol, "hi")) == 48001
    assert errcode_of(lambda: client.message.send_text(carol, "hi")) == 40003  # the other app's openid


def test_an_openid_belongs_to_its_own_app_even_when_the_fake_never_issued_it(fake, client):
    """As in WeChat, an Official Account openid sent to with the mini-program's token is invalid
    (40003), and a mini-program openid with the Official Account's; one app's openids share a prefix."""
    fake.configure(miniapp_ids=[MINI_APP_ID])
    mini = wechat_client(fake, MINI_APP_ID, MINI_SECRET)
    data = {"thing1": {"value": "x"}}
    assert errcode_of(lambda: mini.wxa.send_subscribe_message(ALICE, "tpl", data)) == 40003
    assert errcode_of(lambda: mini.wxa.send_subscribe_message("o-typed-by-hand", "tpl", data)) == 40003
    dave = openid_for("dave", MINI_APP_ID)  # never logged in since the fake started: still the mini-program's
    fake.user_subscribes(MINI_APP_ID, dave, "tpl")
    mini.wxa.send_subscribe_message(dave, "tpl", data)
    assert errcode_of(lambda: client.message.send_mass_text([ALICE, dave], "x")) == 40003
    assert errcode_of(lambda: client.user.get(dave)) == 40003
    assert dave[:6] == openid_for("erin", MINI_APP_ID)[:6] != ALICE[:6] and len(dave) == 28


def test_the_mini_programs_send_results_go_to_its_own_message_push(fake, client):
    fake.configure(miniapp_ids=[MINI_APP_ID])
    mini = wechat_client(fake, MINI_APP_ID, MINI_SECRET)
    carol = openid_for("carol", MINI_APP_ID)
    fake.user_subscribes(MINI_APP_ID, carol, "tpl")
    msgid = mini.wxa.send_subscribe_message(carol, "tpl", {"thing1": {"value": "x"}})["msgid"]
    assert fake.pending_receipts() == []
    [receipt] = fake.pending_receipts(miniapp=True)
    assert "subscribe_msg_sent_event" in receipt and f"<MsgID>{msgid}</MsgID>" in receipt
    fake.configure(miniapp_webhook_token="mini-tok")
    posted = []
    fake.flush_receipts(lambda query, body: posted.append(query), miniapp=True)
    params = dict(pair.split("=") for pair in posted[0].split("&"))
    check_signature("mini-tok", params["signature"], params["timestamp"], params["nonce"])


def test_mass_get_knows_only_the_apps_own_sends(fake, client):
    sent = client.message.send_mass_text([ALICE, BOB], "宣传月")
    assert client.message.get_mass(sent["msg_id"]) == {"msg_id": sent["msg_id"], "msg_status": "SEND_SUCCESS"}
    assert errcode_of(lambda: client.message.get_mass(123)) == 40059  # invalid msg id
    fake.configure(mass_review="err(30003)")
    refused = client.message.send_mass_text([ALICE, BOB], "宣传月")
    assert client.message.get_mass(refused["msg_id"])["msg_status"] == "SEND_FAIL"


def test_receipts_are_posted_signed_after_sends(fake, client):
    fake.set_user(BOB, blocks=True)
    client.message.send_template(ALICE, "tpl", {"first": {"value": "x"}})
    client.message.send_template(BOB, "tpl", {"first": {"value": "x"}})
    client.message.send_mass_text([ALICE, BOB], "宣传月")
    posted = []
    fake.configure(webhook_token="tok")
    fake.flush_receipts(lambda query, body: posted.append((query, body.decode())))
    assert len(posted) == 3 and fake.pending_receipts() == []
    query, body = posted[0]
    params = dict(pair.split("=") for pair in query.split("&"))
    check_signature("tok", params["signature"], params["timestamp"], params["nonce"])  # raises if bad
    assert "TEMPLATESENDJOBFINISH" in body and "<Status><![CDATA[success]]></Status>" in body
    assert "failed:user block" in posted[1][1]
    assert "<SentCount>1</SentCount>" in posted[2][1] and "<ErrorCount>1</ErrorCount>" in posted[2][1]


def test_temporary_media_is_served_as_bytes_to_its_own_app_only(fake, client):
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256))
    media_id = fake.add_media(APP_ID, jpeg)  # a user's image message
    answer = client.media.download(media_id)
    assert (answer.content, answer.headers["Content-Type"]) == (jpeg, "image/jpeg")
    assert errcode_of(lambda: client.media.download("never-issued")) == 40007
    mini_media = requests.post(fake.base_url + f"_fake/media?app_id={MINI_APP_ID}", data=b"\x89PNG\r\n\x1a\n",
                               timeout=5).json()["media_id"]
    assert errcode_of(lambda: client.media.download(mini_media)) == 40007  # another app's media


def test_the_fake_started_with_push_to_posts_a_subscribe_answer_to_the_apps_push_url():
    """As `make run` starts it: a user's answer reaches the app's /wechat/miniapp, signed."""
    import http.server
    import socket

    received = []

    class App(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"success")

        def log_message(self, *args):
            pass

    app = http.server.HTTPServer(("127.0.0.1", 0), App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = processes.start([sys.executable, "-m", "fake_wechat", "--port", str(port), "--miniapp", MINI_APP_ID,
                            "--push-to", f"http://127.0.0.1:{app.server_port}", "--miniapp-token", "mini-tok"],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        fake.stdout.readline()  # listening
        carol = openid_for("carol", MINI_APP_ID)
        answer = requests.post(f"http://127.0.0.1:{port}/_fake/subscribe", timeout=5, json={
            "app_id": MINI_APP_ID, "openid": carol, "template_ids": ["tpl"]})
        requests.post(f"http://127.0.0.1:{port}/_fake/reset", timeout=5)  # a reset keeps where to push
        again = requests.post(f"http://127.0.0.1:{port}/_fake/subscribe", timeout=5, json={
            "app_id": MINI_APP_ID, "openid": carol, "template_ids": ["tpl"]})
    finally:
        fake.terminate()
        fake.wait(timeout=10)
        app.shutdown()
    assert answer.json() == again.json() == {"posted": [200]}
    path, body = received[0]
    params = dict(pair.split("=") for pair in path.split("?", 1)[1].split("&"))
    assert path.startswith("/wechat/miniapp?") and b"subscribe_msg_popup_event" in body
    check_signature("mini-tok", params["signature"], params["timestamp"], params["nonce"])


def test_uploaded_media_can_be_sent_and_downloaded_and_bad_uploads_get_wechats_codes(fake, client):
    import io

    fake.configure(media_ids=[])  # only what was uploaded is known
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256))
    uploaded = client.media.upload("image", ("poster.jpg", io.BytesIO(jpeg), "image/jpeg"))
    assert uploaded["type"] == "image" and uploaded["created_at"] > 0
    client.message.send_mass_image([ALICE, BOB], uploaded["media_id"])  # no 40007
    assert client.media.download(uploaded["media_id"]).content == jpeg

    assert errcode_of(lambda: client.media.upload("sticker", ("a.jpg", io.BytesIO(jpeg), "image/jpeg"))) == 40004
    assert errcode_of(lambda: client.media.upload("image", ("a.exe", io.BytesIO(b"MZ"), "application/x-msdownload"))) == 40005
    too_big = io.BytesIO(b"\xff\xd8" + bytes(2 << 20))
    assert errcode_of(lambda: client.media.upload("image", ("big.jpg", too_big, "image/jpeg"))) == 40006
