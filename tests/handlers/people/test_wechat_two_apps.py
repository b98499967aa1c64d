"""Two apps, two openids: the Official Account and the mini-program each have their own app id,
token and openids. Each channel sends only to its own app's openids through its own client; the
unionid links one person's two records."""
import pytest

from bot.webhook import simulate
from fake_wechat import openid_for, unionid_for
from handlers.campaigns.push import deliver
from infra import jobs
from infra.wechat.send import Sender, SendError
from models import Family, Resident, db
from tests.activity_support import accepts_notice, add_family, add_school, bearer, child_ids, mini_openid
from tests.activity_support import add_activity as new_activity
from tests.conftest import MINI_APP_ID
from tests.push_support import STREET_A, accept_in_wechat, add_staff, push, run_jobs, statuses


def refused(call) -> str:
    with pytest.raises(SendError) as raised:
        call()
    return raised.value.code


def resident(openid: str) -> Resident | None:
    db.session.expire_all()
    return db.session.execute(db.select(Resident).filter_by(openid=openid)).scalar()


def test_each_app_has_its_own_token_and_openids(app, client, fake_wechat):
    assert client.post("/api/v1/login", json={"code": "alice"}).status_code == 200
    mini_alice = openid_for("alice", MINI_APP_ID)
    data = {"thing1": {"value": "活动提醒"}}
    accepts_notice(app, fake_wechat, "alice", "reminder")
    Sender("miniapp").wxa_subscribe(mini_alice, "activity-reminder", data, "pages/index/index")
    # The Official Account's token on the mini-program's API, and the other way round: 48001.
    assert refused(lambda: Sender().wxa_subscribe(mini_alice, "activity-reminder", data, "p")) == "48001"
    assert refused(lambda: Sender("miniapp").custom_text(mini_alice, "hi")) == "48001"
    # A mini-program openid sent an Official Account message: 40003 invalid openid.
    assert refused(lambda: Sender().custom_text(mini_alice, "hi")) == "40003"
    assert {c["params"]["appid"] for c in fake_wechat.calls("/cgi-bin/token")} == {
        app.config["WECHAT_APP_ID"], MINI_APP_ID}


def test_login_keys_the_resident_by_the_mini_programs_openid_and_keeps_the_unionid(app, client,
                                                                                   wechat):
    assert client.post("/api/v1/login", json={"code": "bob"}).status_code == 200
    mini = resident(openid_for("bob", MINI_APP_ID))
    assert (mini.app, mini.unionid) == ("miniapp", unionid_for("bob"))
    wechat.ask(openid_for("bob", app.config["WECHAT_APP_ID"]), "你好")  # the same person in the chat
    official = resident(openid_for("bob", app.config["WECHAT_APP_ID"]))
    assert official.app == "official" and official.id != mini.id


def test_a_push_reaches_mini_program_residents_only_by_the_mini_programs_subscribe_message(
        app, client, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    for user in ("carol", "dave"):
        client.post("/api/v1/login", json={"code": user})
    carol, dave = resident(openid_for("carol", MINI_APP_ID)), resident(openid_for("dave", MINI_APP_ID))
    carol.region_code = dave.region_code = STREET_A
    db.session.commit()
    accept_in_wechat(app, fake_wechat, carol.openid, app.config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID"])
    draft = push(street, [STREET_A], run=False)
    plan = deliver.plan(draft)
    assert {r.openid: (r.channel, r.reason) for r in plan.recipients} == {
        carol.openid: ("subscribe", ""), dave.openid: ("none", "miniapp_only")}
    deliver.start(draft)
    run_jobs()
    assert statuses(draft.id) == {"sent": 1, "unreachable": 1}
    [call] = fake_wechat.calls("/cgi-bin/message/subscribe/send")
    assert call["app_id"] == MINI_APP_ID and call["json"]["touser"] == carol.openid
    assert fake_wechat.calls("/cgi-bin/message/subscribe/bizsend") == []


def test_activity_notices_go_through_the_mini_programs_client(app, client, fake_wechat):
    school = add_school()
    activity = new_activity(school, families=1)
    first, first_token = add_family(school)
    waiting, waiting_token = add_family(school, user="waiting")
    client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(first_token),
                json={"child_ids": child_ids(first)})
    accepts_notice(app, fake_wechat, "waiting", "promotion")
    client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(waiting_token),
                json={"child_ids": child_ids(waiting), "wants_promotion_notice": True})
    client.delete(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(first_token))
    if app.config["REDIS_URL"]:
        jobs.run_worker(app, ["default"], burst=True)
    [sent] = fake_wechat.calls("/cgi-bin/message/subscribe/send")
    assert sent["app_id"] == MINI_APP_ID and sent["errcode"] == 0
    assert fake_wechat.deliveries("subscribe", mini_openid("waiting"))["total"] == 1


def test_deleting_in_the_chat_forgets_what_the_same_person_did_in_the_mini_program(app, client,
                                                                                     wechat):
    school = add_school()
    client.post("/api/v1/login", json={"code": "erin"})
    mini = resident(openid_for("erin", MINI_APP_ID))
    mini_openid = mini.openid
    family = Family(resident_id=mini.id, guardian_name="王芳", phone="13900000001",
                    consent_version="family-2026-1")
    db.session.add(family)
    db.session.commit()
    official_openid = openid_for("erin", app.config["WECHAT_APP_ID"])
    # Erin follows the Official Account: a job asks user/info for the unionid, which links the two.
    assert wechat.reply(simulate.event_xml(official_openid, "subscribe"))
    if app.config["REDIS_URL"]:
        jobs.run_worker(app, ["default"], burst=True)
    assert resident(official_openid).unionid == unionid_for("erin") == resident(mini_openid).unionid
    told = wechat.ask(official_openid, "删除我的信息")
    assert told
    assert resident(official_openid) is None and resident(openid_for("erin", MINI_APP_ID)) is None
    assert db.session.execute(db.select(Family).filter_by(guardian_name="王芳")).scalar() is None
    del school


def test_a_review_notice_goes_to_the_official_account_openid_linked_by_the_unionid(app, fake_wechat):
    from handlers.volunteers import records
    from tests.admin_support import STREET_A as AREA
    from tests.admin_support import add_volunteer

    only_mini = add_volunteer("李明", "13900000002", AREA, status="approved")
    person = db.session.get(Resident, only_mini.resident_id)
    person.app, person.unionid = "miniapp", "union-li"
    db.session.commit()
    # Known only by the mini-program: no customer-service message can reach them (recorded).
    assert records.send_review_notice(only_mini.id) == "no_official_openid"
    assert fake_wechat.calls("/cgi-bin/message/custom/send") == []

    linked = add_volunteer("王强", "13900000003", AREA, status="approved")
    mini = db.session.get(Resident, linked.resident_id)
    mini.app, mini.unionid = "miniapp", "union-wang"
    db.session.add(Resident(openid="o-wang-official", app="official", unionid="union-wang"))
    db.session.commit()
    fake_wechat.user_acts("o-wang-official", "message")
    assert records.send_review_notice(linked.id) == "sent"
    [call] = fake_wechat.calls("/cgi-bin/message/custom/send")
    assert call["json"]["touser"] == "o-wang-official"
