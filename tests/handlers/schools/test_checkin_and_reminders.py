"""Check-in with the rotating code, volunteer hours for it, and subscribe-message reminders as jobs."""
from datetime import datetime, time, timedelta

import pytest

from bot.cli.activities import send_reminders
from handlers.schools.activities import checkin
from infra import jobs
from infra.clock import LOCAL, local_date, to_utc, utcnow
from models import Enrolment, ServiceRecord, Volunteer, db
from tests.activity_support import (
    accepts_notice,
    add_activity,
    add_family,
    add_school,
    add_school_admin,
    bearer,
    child_ids,
    mini_openid,
)
from tests.admin_support import PASSWORD


def run_jobs(app):
    if app.config["REDIS_URL"]:
        jobs.run_worker(app, ["default"], burst=True)


def staff_token(client, staff) -> str:
    response = client.post("/api/v1/staff/login", json={"username": staff.username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return response.json["token"]


def test_code_changes_every_minute_and_the_previous_one_still_counts(app):
    now = 1_800_000_000.0
    code = checkin.current(7, now).code
    assert checkin.code_valid(7, code, now + 60)
    assert not checkin.code_valid(7, code, now + 120)
    assert not checkin.code_valid(8, code, now)
    assert checkin.current(7, now + 60).code != code


def test_family_checks_in_with_the_shown_code_and_a_volunteer_earns_hours(client, app):
    school = add_school()
    admin = add_school_admin(school)
    activity = add_activity(school, starts_in=timedelta(minutes=30), hours=2,
                            deadline_before=timedelta(minutes=10))
    family, token = add_family(school)
    db.session.add(Volunteer(resident_id=family.resident_id, name="家长", phone="13900000001",
                             region_code=school.region_code, skills="publicity",
                             availability="weekend", status="approved", channel="api"))
    db.session.commit()
    client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(token),
                json={"child_ids": child_ids(family)})

    shown = client.get(f"/api/v1/school/activities/{activity.id}/checkin-code",
                       headers=bearer(staff_token(client, admin))).json
    assert shown["qr_svg"].startswith("<svg") and shown["code"] in shown["qr_text"]
    wrong = client.post(f"/api/v1/activities/{activity.id}/checkin", headers=bearer(token),
                        json={"code": "000000" if shown["code"] != "000000" else "111111"})
    assert wrong.status_code == 400 and wrong.json["error"]["code"] == "checkin_code_wrong"
    for _ in range(2):  # scanning twice is one attendance and one service record
        done = client.post(f"/api/v1/activities/{activity.id}/checkin", headers=bearer(token),
                           json={"code": shown["code"]})
        assert done.status_code == 200 and done.json["checked_in"] is True
    records = db.session.execute(db.select(ServiceRecord)).scalars().all()
    assert len(records) == 1 and float(records[0].hours) == 2.0 and records[0].organiser == school.name


def test_school_admin_api_needs_a_linked_school_admin(client, app):
    school = add_school()
    other_school = add_school("自强小学")
    activity = add_activity(other_school)
    admin = add_school_admin(school)
    token = staff_token(client, admin)
    assert client.get("/api/v1/school/activities").status_code == 401
    assert client.get(f"/api/v1/school/activities/{activity.id}", headers=bearer(token)).status_code == 404
    created = client.post("/api/v1/school/activities", headers=bearer(token), json={
        "title": "公园清洁", "place": "南湖公园", "starts_at": "2030-05-01T09:00:00",
        "ends_at": "2030-05-01T11:00:00", "enrol_deadline": "2030-04-29T18:00:00+08:00",
        "capacity_families": 20, "capacity_people": 60, "audience": "area"})
    assert created.status_code == 201, created.json
    assert created.json["starts_at"] == "2030-05-01T09:00:00+08:00"
    bad = client.post("/api/v1/school/activities", headers=bearer(token), json={
        "title": "x", "place": "y", "starts_at": "2030-05-01T09:00:00", "ends_at": "2030-05-01T08:00:00",
        "enrol_deadline": "2030-04-29T18:00:00", "capacity_families": 0, "capacity_people": 1})
    assert bad.status_code == 400 and "capacity_families" in bad.json["error"]["fields"]


def tomorrow_at(hour: int) -> timedelta:
    day = local_date(utcnow()) + timedelta(days=1)
    return to_utc(datetime.combine(day, time(hour), tzinfo=LOCAL)) - utcnow()


@pytest.mark.parametrize("accepts", [True, False])
def test_reminder_the_day_before_goes_once_to_those_who_asked(client, app, fake_wechat, accepts):
    school = add_school()
    activity = add_activity(school, starts_in=tomorrow_at(10), deadline_before=timedelta(hours=1))
    asked, asked_token = add_family(school, user="asked")
    silent, silent_token = add_family(school, user="silent")
    if accepts:
        accepts_notice(app, fake_wechat, "asked", "reminder")
    client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(asked_token),
                json={"child_ids": child_ids(asked), "wants_reminder": True})
    client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(silent_token),
                json={"child_ids": child_ids(silent)})
    for _ in range(2):
        result = app.test_cli_runner().invoke(send_reminders, catch_exceptions=False)
        assert "1 activities tomorrow" in result.output
        run_jobs(app)
    assert fake_wechat.deliveries("subscribe", mini_openid("asked"))["total"] == (1 if accepts else 0)
    assert fake_wechat.deliveries("subscribe", mini_openid("silent"))["total"] == 0
    db.session.expire_all()
    reminded = db.session.execute(db.select(Enrolment.reminded_at).where(
        Enrolment.family_id == asked.id)).scalar_one()
    assert reminded is not None  # 43101 (no subscription left) is final, not retried


def test_promotion_notice_is_a_queued_job(client, app, fake_wechat):
    school = add_school()
    activity = add_activity(school, families=1)
    first, first_token = add_family(school)
    waiting, waiting_token = add_family(school, user="waiting")
    client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(first_token),
                json={"child_ids": child_ids(first)})
    accepts_notice(app, fake_wechat, "waiting", "promotion")
    client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(waiting_token),
                json={"child_ids": child_ids(waiting), "wants_promotion_notice": True})
    client.delete(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(first_token))
    run_jobs(app)
    assert fake_wechat.deliveries("subscribe", mini_openid("waiting"))["total"] == 1
    sent = fake_wechat.calls("/cgi-bin/message/subscribe/send")[-1]["json"]
    assert sent["template_id"] == "activity-promotion" and sent["data"]["thing1"]["value"] == activity.title


def test_a_reminder_queued_under_the_old_layout_still_runs(pg_app, fake_wechat):
    """RQ keeps a job's function as a dotted path: a job queued before the code moved names the old one."""
    from bot.cli.core import old_jobs

    client = pg_app.test_client()
    school = add_school()
    activity = add_activity(school, starts_in=tomorrow_at(10), deadline_before=timedelta(hours=1))
    family, token = add_family(school, user="old-path")
    accepts_notice(pg_app, fake_wechat, "old-path", "reminder")
    client.post(f"/api/v1/activities/{activity.id}/enrolment", headers=bearer(token),
                json={"child_ids": child_ids(family), "wants_reminder": True})
    enrolment_id = db.session.execute(db.select(Enrolment.id).filter_by(family_id=family.id)).scalar_one()
    jobs.queue().enqueue("handlers.reminders.send_reminder", enrolment_id)
    runner = pg_app.test_cli_runner()
    assert "1 jobs on old paths" in runner.invoke(old_jobs, catch_exceptions=False).output

    run_jobs(pg_app)
    assert fake_wechat.deliveries("subscribe", mini_openid("old-path"))["total"] == 1
    assert "0 jobs on old paths" in runner.invoke(old_jobs, catch_exceptions=False).output
