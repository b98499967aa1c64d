"""A worker SIGKILLed in the middle of a push: the others finish it, losing and doubling nothing.

Real `flask --app bot worker` processes on Redis and PostgreSQL; the fake WeChat API counts every
message that reaches a user, so a duplicate or a missing delivery cannot hide.
"""
import os
import signal
import subprocess
import sys
import time

from handlers.campaigns.push import deliver
from models import db
from tests import ROOT, processes
from tests.push_support import (
    STREET_A,
    add_residents,
    add_staff,
    follow,
    opt_in,
    push,
    statuses,
)


def worker_env(app) -> dict:
    return {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": app.config["REDIS_URL"], "WECHAT_API_BASE_URL": app.config["WECHAT_API_BASE_URL"],
            "WARM_UP": "0", "LOG_JSON": "0", "SECRET_KEY": app.config["SECRET_KEY"],
            "PUSH_BATCH_SIZE": "50", "PUSH_MASS_BATCH": "50", "PUSH_LOCK_TTL": "2",
            # A batch takes about a second here; a dead worker's batch is retried 5 + 15 s on.
            "JOB_TIMEOUT": "5", "WORKER_MAINTENANCE_INTERVAL": "1"}


def flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "bot", *args]


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def pending(push_id: int) -> int:
    db.session.expire_all()
    return deliver.progress(push_id)["pending"]


def test_a_worker_killed_mid_push_loses_and_duplicates_nothing(pg_app, fake_wechat):
    """Issue 9 too: a push split over two workers delivers each recipient once."""
    street = add_staff("nanling", "street_admin", STREET_A)
    opted = add_residents(STREET_A, 200, prefix="o-opted-")
    listed = add_residents(STREET_A, 200, prefix="o-listed-")
    opt_in(opted, "template")
    follow(fake_wechat, opted + listed)
    # Slow enough that the kill lands in the middle: 20 ms a template message, 0.3 s a mass call.
    fake_wechat.set_fault("/cgi-bin/message/template/send", delay=0.02)
    fake_wechat.set_fault("/cgi-bin/message/mass/send", delay=0.3)
    sent = push(street, [STREET_A], run=False)
    deliver.start(sent)  # queued in Redis for the workers
    env = worker_env(pg_app)
    # Two workers share the push (as on two machines); one is SIGKILLed, the other goes on.
    victim, survivor = (processes.start(flask("worker"), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL) for _ in range(2))
    try:
        try:
            wait_for(lambda: fake_wechat.deliveries()["total"] >= 120)
        finally:
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
        delivered_at_kill = fake_wechat.deliveries()["total"]
        assert delivered_at_kill < 400, "the push finished before the kill: make the fake slower"

        # Nobody runs push-resume: the survivor's maintenance retries what the victim held.
        wait_for(lambda: pending(sent.id) == 0, timeout=120)
    finally:
        # The survivor, and what is left of the victim's group (its work-horse may have lived on).
        processes.stop(survivor, timeout=30)
        processes.stop(victim)

    delivered = fake_wechat.deliveries()
    assert delivered["duplicates"] == 0
    assert delivered["total"] == 400
    assert {d["openid"] for d in delivered["deliveries"]} == {r.openid for r in opted + listed}
    assert statuses(sent.id) == {"sent": 400}
    assert deliver.progress(sent.id)["status"] == "done"
    # The CLI shows it: a full bar and the counts.
    shown = processes.run(flask("push-progress", str(sent.id), "--timeout", "5"), cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert f"push {sent.id}: done — sent 400" in shown.stdout
