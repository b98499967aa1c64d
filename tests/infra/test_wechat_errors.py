"""WeChat's error codes: a persistent 40001 stops after one token refresh, a used-up daily quota
waits for its reset instead of hammering, and mini-program login errors are clear and need no
access token."""
from datetime import timedelta

from rq.registry import ScheduledJobRegistry

from handlers.campaigns.push import deliver
from infra import jobs
from infra.wechat.errors import Handling, handling, is_known
from infra.wechat.send import Sender, SendError
from tests.push_support import STREET_A, add_residents, add_staff, follow, opt_in, push, run_jobs, statuses


def test_a_persistent_40001_stops_after_one_refresh(app, fake_wechat):
    fake_wechat.set_fault("/cgi-bin/message/custom/send", 40001)  # e.g. a token of the wrong app
    try:
        Sender().custom_text("o-anyone", "你好")
    except SendError as error:
        assert (error.code, error.kind) == ("40001", "transient")
    else:
        raise AssertionError("40001 was not reported")
    assert len(fake_wechat.calls("/cgi-bin/message/custom/send")) == 2  # the call and one retry
    assert len(fake_wechat.calls("/cgi-bin/token")) == 2  # the first token and one refresh


def test_the_errcode_table(app):
    assert handling(45009) == Handling.QUOTA
    assert handling(40001) == Handling.REFRESH
    assert handling(45066) == Handling.RETRY
    for code in (40007, 48001, 40164, 45028, 45015, 45047, 43101, 40226, 40125):
        assert handling(code) == Handling.PERMANENT and is_known(code)
    assert handling(99999) == Handling.PERMANENT and not is_known(99999)  # unknown: permanent


def test_a_used_up_template_quota_waits_for_the_reset(pg_app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    people = add_residents(STREET_A, 3, prefix="o-tpl-")
    opt_in(people, "template")
    follow(fake_wechat, people)
    fake_wechat.configure(template_daily_quota=1)
    sent = push(street, [STREET_A])
    assert statuses(sent.id) == {"sent": 1, "pending": 2}
    # One refused call, not a burst of retries: the batch waits for midnight in Beijing.
    assert [c["errcode"] for c in fake_wechat.calls("/cgi-bin/message/template/send")] == [0, 45009]
    registry = ScheduledJobRegistry(queue=jobs.queue("push"))
    [job_id] = registry.get_job_ids()
    assert "-quota-" in job_id
    when = registry.get_scheduled_time(job_id).replace(tzinfo=None)  # UTC
    assert when == deliver.next_quota_reset() + timedelta(minutes=1)
    assert (when.hour, when.minute) == (16, 1)  # 00:01 in Beijing
    # After the reset (WeChat's and ours) the batch finishes, nobody twice.
    fake_wechat.configure(template_daily_quota=100)
    jobs.queue("push").enqueue(deliver.deliver_batch, sent.id, 1)
    run_jobs()
    assert statuses(sent.id) == {"sent": 3}
    assert fake_wechat.deliveries("template")["duplicates"] == 0


def test_login_fetches_no_access_token(client, fake_wechat):
    response = client.post("/api/v1/login", json={"code": "alice"})
    assert response.status_code == 200
    assert fake_wechat.calls("/cgi-bin/token") == []
    assert "access_token" not in fake_wechat.calls("/sns/jscode2session")[0]["params"]


def test_login_still_works_when_the_token_fetch_fails(client, fake_wechat):
    fake_wechat.set_fault("/cgi-bin/token", 45009)
    assert client.post("/api/v1/login", json={"code": "bob"}).status_code == 200


def test_code2session_errors_are_clear(client, fake_wechat):
    fake_wechat.set_fault("/sns/jscode2session", 40226, times=1)
    blocked = client.post("/api/v1/login", json={"code": "mallory"})
    assert (blocked.status_code, blocked.get_json()["error"]["code"]) == (403, "login_blocked")
    assert "稍后再试" not in blocked.get_json()["error"]["message"]
    fake_wechat.set_fault("/sns/jscode2session", 40125, times=1)
    wrong = client.post("/api/v1/login", json={"code": "trent"})
    assert (wrong.status_code, wrong.get_json()["error"]["code"]) == (503, "login_misconfigured")
    assert "稍后再试" not in wrong.get_json()["error"]["message"]
