"""What a resident accepted in the subscribe-message pop-up decides what is sent: the
mini-program's own message push (its token) brings the choices and the send results; a campaign
template's accept grants one message, a reject or WeChat's 43101 ends them; an activity notice
refused in WeChat is not sent. One accept is one grant, whether WeChat's event, the
mini-program's API call or both report it (WECHAT_MINIAPP_PUSH says which one records it)."""
import pytest

from bot.webhook import simulate
from fake_wechat import openid_for
from handlers.schools import reminders
from models import Delivery, Enrolment, MessageOptIn, Resident, db
from tests.activity_support import add_activity, add_family, add_school, bearer, child_ids, mini_openid
from tests.conftest import MINI_APP_ID
from tests.push_support import STREET_A, accept_in_wechat, add_staff, opt_in, push, seed_regions, statuses


def choice(openid: str, event: str, *entries: tuple[str, str]) -> str:
    wrapper = "SubscribeMsgPopupEvent" if event == "subscribe_msg_popup_event" else "SubscribeMsgChangeEvent"
    lists = "".join(f"<List><TemplateId><![CDATA[{t}]]></TemplateId><SubscribeStatusString><![CDATA[{s}]]>"
                    f"</SubscribeStatusString><PopupScene>0</PopupScene></List>" for t, s in entries)
    return simulate.message_xml(openid, "event", {"Event": event}, to="gh_miniapp").replace(
        "</xml>", f"<{wrapper}>{lists}</{wrapper}></xml>")


class MiniAppPush:
    """WeChat posting to the mini-program's message push URL, signed with its own token."""

    def __init__(self, client, app):
        self.client, self.sender = client, simulate.WeChatSender(app.config["WECHAT_MINIAPP_TOKEN"])

    def post(self, xml: str, sender=None):
        query, body = (sender or self.sender).prepare(xml)
        return self.client.post(f"/wechat/miniapp?{query}", data=body, content_type="application/xml")


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


def test_the_mini_programs_pop_up_grants_a_campaign_message_and_its_result_confirms_it(app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    amy = mini_resident("amy")
    push_url = MiniAppPush(client, app)
    campaign_template = app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"]
    popup = choice(amy.openid, "subscribe_msg_popup_event", (campaign_template, "accept"),
                   ("some-other-template", "accept"))
    # Signed with the Official Account's token it is not the mini-program's push.
    assert push_url.post(popup, simulate.WeChatSender(app.config["WECHAT_TOKEN"])).status_code == 403
    accept_in_wechat(app, fake_wechat, amy.openid, campaign_template, "some-other-template")
    assert push_url.post(popup).status_code == 200  # WeChat's retry grants nothing more
    assert remaining(amy) == 1

    sent = push(street, [STREET_A])
    [delivery] = db.session.execute(db.select(Delivery).filter_by(push_id=sent.id)).scalars()
    assert delivery.channel == "subscribe" and remaining(amy) == 0
    [call] = fake_wechat.calls("/cgi-bin/message/subscribe/send")
    assert call["app_id"] == MINI_APP_ID and call["errcode"] == 0
    fake_wechat.configure(miniapp_webhook_token=app.config["WECHAT_MINIAPP_TOKEN"])
    answers = fake_wechat.flush_receipts(lambda query, body: client.post(
        f"/wechat/miniapp?{query}", data=body, content_type="application/xml"), miniapp=True)
    assert [a.data for a in answers] == [b"success"]
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).confirmed_at is not None

    # The grant is used: the next push finds no way to reach her, and says why.
    again = push(street, [STREET_A])
    assert statuses(again.id) == {"unreachable": 1}
    assert len(fake_wechat.calls("/cgi-bin/message/subscribe/send")) == 1


def test_a_reject_in_wechat_ends_the_grants(app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    ben = mini_resident("ben")
    opt_in([ben], "subscribe", grants=3)
    change = choice(ben.openid, "subscribe_msg_change_event",
                    (app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"], "reject"))
    assert MiniAppPush(client, app).post(change).status_code == 200
    assert remaining(ben) == 0
    sent = push(street, [STREET_A])
    assert statuses(sent.id) == {"unreachable": 1}
    assert fake_wechat.calls("/cgi-bin/message/subscribe/send") == []


def test_43101_is_the_user_refusing_and_nothing_more_is_planned(app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    cai = mini_resident("cai")
    opt_in([cai], "subscribe", grants=2)  # the mini-program said so, WeChat knows better
    sent = push(street, [STREET_A])
    [delivery] = db.session.execute(db.select(Delivery).filter_by(push_id=sent.id)).scalars()
    assert (delivery.status, delivery.error) == ("failed", "43101")
    assert remaining(cai) == 0
    assert statuses(push(street, [STREET_A]).id) == {"unreachable": 1}
    assert len(fake_wechat.calls("/cgi-bin/message/subscribe/send")) == 1


def enrolled(client, activity, family, token) -> Enrolment:
    answer = client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(token),
                         json={"child_ids": child_ids(family), "wants_reminder": True})
    assert answer.status_code == 201, answer.json
    return db.session.execute(db.select(Enrolment).filter_by(family_id=family.id)).scalar_one()


def test_an_activity_reminder_refused_in_wechat_is_not_sent(app, client, fake_wechat):
    school = add_school()
    activity = add_activity(school)
    family, token = add_family(school, user="dan")
    entry = enrolled(client, activity, family, token)
    refusal = choice(mini_openid("dan"), "subscribe_msg_popup_event",
                     (reminders.texts()["subscribe"]["reminder"]["template_id"], "reject"))
    assert MiniAppPush(client, app).post(refusal).status_code == 200
    db.session.expire_all()
    assert db.session.get(Enrolment, entry.id).wants_reminder is False
    assert reminders.send_reminder(entry.id) == "skipped"
    assert fake_wechat.calls("/cgi-bin/message/subscribe/send") == []


def test_a_reminder_wechat_answers_43101_is_recorded_as_refused(app, client, fake_wechat):
    school = add_school()
    activity = add_activity(school)
    family, token = add_family(school, user="eve")
    entry = enrolled(client, activity, family, token)  # the reminder's pop-up was not accepted
    assert reminders.send_reminder(entry.id) == "refused"
    db.session.expire_all()
    assert db.session.get(Enrolment, entry.id).wants_reminder is False
    assert reminders.send_reminder(entry.id) == "skipped"
    assert [c["errcode"] for c in fake_wechat.calls("/cgi-bin/message/subscribe/send")] == [43101]


def test_the_mini_programs_push_acts_only_on_subscribe_events(app, client):
    text = simulate.text_xml(openid_for("fay", MINI_APP_ID), "电池扔哪")
    answer = MiniAppPush(client, app).post(text)
    assert (answer.status_code, answer.data) == (200, b"success")
    assert db.session.execute(db.select(Resident)).first() is None


def notices(mini_program, token: str, grants: int = 1):
    """The mini-program's report of an accept in wx.requestSubscribeMessage."""
    return mini_program.call("POST", "/me/notices", token, json={"kind": "subscribe", "grants": grants})


@pytest.mark.parametrize("event_first", [True, False])
def test_one_accept_reported_by_wechat_and_by_the_mini_program_is_one_grant(app, client, fake_wechat,
                                                                           mini_program, event_first):
    street = add_staff("nanling", "street_admin", STREET_A)
    token = mini_program.login("gil")
    gil = db.session.execute(db.select(Resident).filter_by(openid=mini_program.openid("gil"))).scalar_one()
    gil.region_code = STREET_A
    db.session.commit()
    template = app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"]
    if event_first:
        accept_in_wechat(app, fake_wechat, gil.openid, template)
        answer = notices(mini_program, token)
        assert (answer.status_code, answer.json["subscribe"]) == (200, 1)  # read back, not added
    else:  # the mini-program's call overtakes WeChat's event
        answer = notices(mini_program, token)
        assert (answer.status_code, answer.json["subscribe"]) == (200, 0)
        accept_in_wechat(app, fake_wechat, gil.openid, template)
    assert remaining(gil) == 1
    assert mini_program.call("GET", "/me/notices", token).json["subscribe"] == 1

    assert statuses(push(street, [STREET_A]).id) == {"sent": 1}
    assert statuses(push(street, [STREET_A]).id) == {"unreachable": 1}  # not tried as if granted
    assert [c["errcode"] for c in fake_wechat.calls("/cgi-bin/message/subscribe/send")] == [0]
    assert fake_wechat.deliveries("subscribe", gil.openid)["total"] == 1


def test_without_the_message_push_the_mini_programs_call_records_the_grant(app, client, fake_wechat,
                                                                           mini_program):
    app.config["WECHAT_MINIAPP_PUSH"] = False
    street = add_staff("nanling", "street_admin", STREET_A)
    token = mini_program.login("hal")
    hal = db.session.execute(db.select(Resident).filter_by(openid=mini_program.openid("hal"))).scalar_one()
    hal.region_code = STREET_A
    db.session.commit()
    template = app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"]
    # An event that arrives anyway (the push switched on in WeChat's console first) adds nothing.
    accept_in_wechat(app, fake_wechat, hal.openid, template)
    assert remaining(hal) == 0
    answer = notices(mini_program, token)
    assert (answer.status_code, answer.json["subscribe"]) == (201, 1)
    assert statuses(push(street, [STREET_A]).id) == {"sent": 1}
    assert statuses(push(street, [STREET_A]).id) == {"unreachable": 1}
    assert [c["errcode"] for c in fake_wechat.calls("/cgi-bin/message/subscribe/send")] == [0]


def test_the_official_accounts_pop_up_grants_only_its_own_template(app, client, fake_wechat, wechat):
    app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"] = "mini-campaign"  # one template per app
    seed_regions()
    openid = openid_for("ivy", app.config["WECHAT_APP_ID"])
    wechat.ask(openid, "你好")
    ivy = db.session.execute(db.select(Resident).filter_by(openid=openid)).scalar_one()
    ivy.region_code = STREET_A
    db.session.commit()
    # The mini-program's template named in the Official Account's event is not the account's.
    accept_in_wechat(app, fake_wechat, openid, app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"], miniapp=False)
    assert remaining(ivy) == 0
    accept_in_wechat(app, fake_wechat, openid, app.config["PUSH_SUBSCRIBE_TEMPLATE_ID"], miniapp=False)
    assert remaining(ivy) == 1
