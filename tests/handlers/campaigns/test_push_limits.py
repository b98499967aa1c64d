"""WeChat's limits hold: 4 mass messages a month, the 48-h window and its cap, 60 mass calls a
minute, the daily template quota; permanent errors are not retried, transient ones are."""
import pytest
from rq.registry import ScheduledJobRegistry

from handlers.campaigns.push import deliver
from infra import jobs, state
from infra import throttle as ratelimit
from models import Delivery, db
from tests.push_support import (
    STREET_A,
    STREET_A2,
    accept_in_wechat,
    add_residents,
    add_staff,
    follow,
    opt_in,
    push,
    run_jobs,
    statuses,
)


def deliveries_of(push_id: int) -> dict:
    return {d.resident_id: d for d in db.session.execute(db.select(Delivery).filter_by(push_id=push_id)).scalars()}


def test_no_resident_gets_more_than_four_mass_messages_a_month(app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    people = add_residents(STREET_A, 3)
    follow(fake_wechat, people)
    for _ in range(4):
        assert statuses(push(street, [STREET_A]).id) == {"sent": 3}
    fifth = push(street, [STREET_A])
    assert {(d.status, d.error) for d in deliveries_of(fifth.id).values()} == {("unreachable", "monthly_limit")}
    assert all(row["count"] == 4 for row in fake_wechat.deliveries("mass")["deliveries"])
    # WeChat never had to drop one (FilterCount: those left after its filtering)
    assert all(job["FilterCount"] == job["TotalCount"] for job in fake_wechat.mass_jobs())


def test_customer_messages_only_within_48_hours_and_under_the_cap(app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    [talker] = add_residents(STREET_A, 1, prefix="o-talker-", active=True)
    talker.window_sent = 3  # 3 of the 5 messages its 48-h window allows are used
    db.session.commit()
    quiet = add_residents(STREET_A, 2, prefix="o-quiet-")  # last wrote 10 days ago
    follow(fake_wechat, quiet)
    follow(fake_wechat, [talker], active=True)
    channels_used = []
    for _ in range(3):
        sent = deliveries_of(push(street, [STREET_A]).id)
        channels_used.append(sent[talker.id].channel)
        assert {sent[q.id].channel for q in quiet} == {"mass_list"}
    assert channels_used == ["custom", "custom", "mass_list"]  # the third would be 45047
    assert not [c for c in fake_wechat.calls("/cgi-bin/message/custom/send") if c["errcode"]]


def test_mass_calls_stay_within_sixty_a_minute(pg_app, fake_wechat):
    pg_app.config.update(PUSH_MASS_PER_MINUTE=3, PUSH_MASS_BATCH=2)
    fake_wechat.configure(mass_per_minute=3)
    street = add_staff("nanling", "street_admin", STREET_A)
    people = add_residents(STREET_A, 8)
    follow(fake_wechat, people)
    sent = push(street, [STREET_A])  # 4 batches of 2: one more than the minute allows
    assert statuses(sent.id) == {"sent": 6, "pending": 2}
    assert not [c for c in fake_wechat.calls("/cgi-bin/message/mass/send") if c["errcode"] == 45011]
    [waiting] = ScheduledJobRegistry(queue=jobs.queue("push")).get_job_ids()
    assert waiting.startswith(f"push-{sent.id}-b")
    # A minute later (for us and for WeChat) the waiting batch goes out.
    state.store().delete(ratelimit.KEY)
    fake_wechat.state.mass_times.clear()
    jobs.queue("push").enqueue(deliver.deliver_batch, sent.id, 4)
    run_jobs()
    assert statuses(sent.id) == {"sent": 8}
    assert fake_wechat.deliveries()["duplicates"] == 0


def test_the_daily_template_quota_is_respected(app, fake_wechat):
    app.config["PUSH_TEMPLATE_DAILY_QUOTA"] = 2
    street = add_staff("nanling", "street_admin", STREET_A)
    opted = add_residents(STREET_A, 3, prefix="o-opted-")
    quiet = add_residents(STREET_A2, 1, prefix="o-quiet-")
    opt_in(opted, "template")
    follow(fake_wechat, opted + quiet)
    district = add_staff("nanguan", "district_admin", "220102")
    draft = push(district, [STREET_A, STREET_A2], run=False)
    assert deliver.plan(draft).summary()["channels"] == {"template": 2, "mass_list": 2}
    deliver.start(draft)
    run_jobs()
    assert statuses(draft.id) == {"sent": 4}
    nxt = push(district, [STREET_A], run=False)  # today's quota is spent: no template at all
    assert "template" not in deliver.plan(nxt).summary()["channels"]
    del street


def test_permanent_failures_are_recorded_not_retried(app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    [left, stays] = add_residents(STREET_A, 2, active=True)
    fake_wechat.set_user(stays.openid, active=True)
    fake_wechat.set_user(left.openid, active=True, subscribed=False)  # unfollowed; we have not heard yet
    sent = push(street, [STREET_A])
    rows = deliveries_of(sent.id)
    assert (rows[left.id].status, rows[left.id].error) == ("failed", "43004")
    assert rows[stays.id].status == "sent"
    calls = [c for c in fake_wechat.calls("/cgi-bin/message/custom/send") if c["json"]["touser"] == left.openid]
    assert len(calls) == 1
    assert deliver.progress(sent.id)["status"] == "done"


def test_a_blip_of_system_busy_is_retried_at_once(app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    people = add_residents(STREET_A, 2, active=True)
    follow(fake_wechat, people, active=True)
    fake_wechat.set_fault("/cgi-bin/message/custom/send", -1, times=2)
    sent = push(street, [STREET_A])
    assert statuses(sent.id) == {"sent": 2}
    assert fake_wechat.deliveries()["duplicates"] == 0


def test_a_lasting_transient_error_is_retried_by_rq_with_backoff(pg_app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    people = add_residents(STREET_A, 3, active=True)
    follow(fake_wechat, people, active=True)
    fake_wechat.set_fault("/cgi-bin/message/custom/send", 45011, times=3)  # busy for a while
    sent = push(street, [STREET_A])
    assert statuses(sent.id) == {"pending": 3}
    [job_id] = ScheduledJobRegistry(queue=jobs.queue("push")).get_job_ids()  # back in 5 s
    job = jobs.queue("push").fetch_job(job_id)
    assert job.retries_left == deliver.RETRY.max - 1
    jobs.queue("push").enqueue(deliver.deliver_batch, sent.id, 1)
    run_jobs()
    assert statuses(sent.id) == {"sent": 3}
    assert fake_wechat.deliveries()["duplicates"] == 0


@pytest.mark.parametrize("kind", ["custom", "subscribe"])
def test_a_message_a_dead_worker_may_have_sent_is_never_sent_again(app, fake_wechat, monkeypatch, kind):
    street = add_staff("nanling", "street_admin", STREET_A)
    people = add_residents(STREET_A, 3, active=kind == "custom")
    follow(fake_wechat, people, active=kind == "custom")
    if kind == "subscribe":
        for person in people:
            accept_in_wechat(app, fake_wechat, person.openid, app.config["PUSH_SUBSCRIBE_TEMPLATE_ID"],
                             miniapp=False)
    monkeypatch.setattr(deliver, "_enqueue_batch", lambda push, number: None)
    sent = push(street, [STREET_A])  # prepared: recipients written, no batch run yet
    first = min(deliveries_of(sent.id).values(), key=lambda d: d.id)
    # A worker claimed the first recipient and was SIGKILLed during the call: nobody knows.
    state.store().hset(f"push:{sent.id}:b1:attempts", first.id, "claimed")
    deliver.deliver_batch(sent.id, 1)
    db.session.expire_all()
    rows = deliveries_of(sent.id)
    assert (rows[first.resident_id].status, rows[first.resident_id].error) == ("unconfirmed", "worker_died")
    assert statuses(sent.id) == {"sent": 2, "unconfirmed": 1}
    assert fake_wechat.deliveries(openid=people[0].openid)["total"] == 0  # not sent a second time


def test_a_repeated_template_call_reaches_the_user_once(app, fake_wechat):
    """WeChat's client_msg_id (10 min): why a template batch may be re-run after a crash."""
    from infra.wechat.send import Sender

    fake_wechat.set_user("o-opted", active=False)
    api = Sender()
    for _ in range(2):
        api.template("o-opted", "campaign-notice", {"first": {"value": "无废城市"}}, "", client_msg_id="wufei-1-7")
    api.template("o-opted", "campaign-notice", {"first": {"value": "无废城市"}}, "", client_msg_id="wufei-2-9")
    assert fake_wechat.deliveries("template", "o-opted")["total"] == 2
