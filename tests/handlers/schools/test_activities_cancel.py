"""Staff cancel a whole activity: families are told once, enrolment and check-in stop, it is audited."""
from handlers.schools.activities import cancellation, checkin
from models import Activity, Enrolment, db
from tests.activity_support import (
    DISTRICT_A,
    DISTRICT_B,
    accepts_notice,
    add_activity,
    add_family,
    add_school,
    add_school_admin,
    bearer,
    child_ids,
    follows_too,
    mini_openid,
)
from tests.admin_support import Console, add_staff
from tests.push_support import run_jobs

REASON = "暴雪预警，学校停课"


def enrol(client, activity, family, token, **wishes):
    response = client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(token),
                           json={"child_ids": child_ids(family), **wishes})
    assert response.status_code == 201, response.json
    return response.json


def test_school_admin_cancels_and_every_enrolled_and_waiting_family_is_told_once(client, app, fake_wechat):
    school = add_school()
    admin = add_school_admin(school)
    activity = add_activity(school, families=1)
    first, first_token = add_family(school, user="enrolled")
    waiting, waiting_token = add_family(school, user="waiting")
    waiting_follower = follows_too("waiting", app.config["WECHAT_APP_ID"])
    accepts_notice(app, fake_wechat, "enrolled", "reminder")
    enrol(client, activity, first, first_token, wants_reminder=True)
    assert enrol(client, activity, waiting, waiting_token)["status"] == "waitlisted"

    console = Console(client, admin.username)
    done = console.post(f"/admin/activities/{activity.id}/cancel", {"reason": REASON})
    assert done.status_code == 302
    page = console.get(f"/admin/activities/{activity.id}")
    assert "活动已取消，正在通知 2 个报名和候补的家庭" in page.text and REASON in page.text
    assert "确认取消活动" not in page.text and "签到码</a>" not in page.text
    run_jobs()

    # The enrolled family spends its unused reminder subscription; the waiting one gets a
    # customer-service message from the Official Account, to their openid there (inside the
    # 48-h window in the fake).
    assert fake_wechat.deliveries("subscribe", mini_openid("enrolled"))["total"] == 1
    note = fake_wechat.calls("/cgi-bin/message/subscribe/send")[-1]["json"]["data"]["thing4"]["value"]
    assert note.startswith("已取消：暴雪预警")
    assert fake_wechat.deliveries("custom", waiting_follower)["total"] == 1
    text = fake_wechat.calls("/cgi-bin/message/custom/send")[-1]["json"]["text"]["content"]
    assert "垃圾分类亲子挑战赛" in text and "已取消" in text and REASON in text
    entries = db.session.execute(db.select(Enrolment)).scalars().all()
    assert [cancellation.send_notice(e.id) for e in entries] == ["skipped", "skipped"]
    assert fake_wechat.deliveries()["total"] == 2 and fake_wechat.deliveries()["duplicates"] == 0
    assert {e.status for e in entries} == {"cancelled"}


def test_a_cancelled_activity_refuses_enrolment_and_check_in_and_says_so(client, app):
    school = add_school()
    admin = add_school_admin(school)
    activity = add_activity(school)
    family, token = add_family(school)
    enrol(client, activity, family, token)
    latecomer, latecomer_token = add_family(school)
    assert Console(client, admin.username).post(f"/admin/activities/{activity.id}/cancel",
                                                {"reason": REASON}).status_code == 302

    shown = client.get(f"/api/v1/activities/{activity.id}", headers=bearer(token)).json
    assert shown["cancelled"] is True and shown["cancel_reason"] == REASON
    assert shown["enrolment_open"] is False and shown["enrolment"]["status_label"] == "已取消"
    refused = client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(latecomer_token),
                          json={"child_ids": child_ids(latecomer)})
    assert refused.status_code == 409 and refused.json["error"]["message"] == "这个活动已取消"
    code = checkin.current(activity.id).code
    late = client.post(f"/api/v1/activities/{activity.id}/checkin", headers=bearer(token), json={"code": code})
    assert late.status_code == 409 and late.json["error"]["message"] == "这个活动已取消"
    console = Console(client, admin.username)
    screen = console.get(f"/admin/activities/{activity.id}/checkin", follow_redirects=True)
    assert "这个活动已取消" in screen.text and "<svg" not in screen.text
    again = console.post(f"/admin/activities/{activity.id}/cancel", {"reason": "再取消一次"})
    assert again.status_code == 302
    assert "这个活动已经取消了" in console.get(f"/admin/activities/{activity.id}").text


def test_district_admin_cancels_in_scope_and_the_audit_log_shows_it(client, app):
    school = add_school()
    activity = add_activity(school)
    add_staff("district", "district_admin", DISTRICT_A)
    console = Console(client, "district")
    empty = console.post(f"/admin/activities/{activity.id}/cancel", {"reason": "  "})
    assert empty.status_code == 302
    assert "请填写取消原因" in console.get(f"/admin/activities/{activity.id}").text
    assert db.session.get(Activity, activity.id).cancelled is False
    assert console.post(f"/admin/activities/{activity.id}/cancel", {"reason": REASON}).status_code == 302
    log = console.get("/admin/audit").text
    assert "取消活动" in log and f"activity:{activity.id}" in log


def test_staff_out_of_scope_may_not_cancel(client, app):
    school, other = add_school(), add_school("自强小学")
    activity = add_activity(school)
    add_school_admin(other, "other-school")
    add_staff("elsewhere", "district_admin", DISTRICT_B)
    add_staff("reviewer", "reviewer", DISTRICT_A)
    for username in ("other-school", "elsewhere", "reviewer"):
        refused = Console(client, username).post(f"/admin/activities/{activity.id}/cancel", {"reason": REASON})
        assert refused.status_code == 403, username
    assert Console(client, "elsewhere").post("/admin/activities/999999/cancel",
                                             {"reason": REASON}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).cancelled is False
