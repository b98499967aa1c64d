"""Background jobs: inline in the embedded default, on an RQ worker with Redis."""
import os
import sys

from bot.webhook.late import send_late_answer
from infra import jobs
from tests import ROOT, processes


def sent_texts(fake_wechat) -> list[tuple[str, str]]:
    return [(call["json"]["touser"], call["json"]["text"]["content"])
            for call in fake_wechat.calls("/cgi-bin/message/custom/send")]


def test_a_job_runs_inline_without_redis(app, fake_wechat, backend):
    fake_wechat.set_user("o-inline-user", active=True, subscribed=True)
    jobs.enqueue(send_late_answer, "o-inline-user", "您好", "msg:1")
    expected = [] if backend == "postgres" else [("o-inline-user", "您好")]
    assert sent_texts(fake_wechat) == expected


def test_a_worker_on_another_process_runs_queued_jobs_once(pg_app, fake_wechat):
    fake_wechat.set_user("o-queued-user", active=True, subscribed=True)
    for _ in range(2):  # the same work enqueued twice is one job
        jobs.enqueue(send_late_answer, "o-queued-user", "稍后的回答", "msg:2", job_id="late-answer-1")
    assert sent_texts(fake_wechat) == []
    env = {**os.environ, "DATABASE_URL": pg_app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": pg_app.config["REDIS_URL"],
           "WECHAT_API_BASE_URL": pg_app.config["WECHAT_API_BASE_URL"], "WARM_UP": "0",
           "SECRET_KEY": pg_app.config["SECRET_KEY"]}
    processes.run([sys.executable, "-m", "flask", "--app", "bot", "worker", "--burst"],
                  env=env, cwd=ROOT, check=True, capture_output=True, timeout=60)
    assert sent_texts(fake_wechat) == [("o-queued-user", "稍后的回答")]


def test_a_permanent_wechat_error_is_recorded_not_retried(app, fake_wechat):
    fake_wechat.set_user("o-gone", subscribed=False)
    assert send_late_answer("o-gone", "您好", "msg:3") == "43004"
    assert len(fake_wechat.calls("/cgi-bin/message/custom/send")) == 1


def failing_job(openid: str, phone: str) -> None:
    raise RuntimeError("WeChat refused")


def test_worker_logs_and_stored_jobs_carry_no_job_arguments(pg_app, fake_wechat):
    import io
    import json
    import logging

    from infra.logs import json_handler

    fake_wechat.set_user("o-private-51ab", active=True, subscribed=True)
    jobs.enqueue(send_late_answer, "o-private-51ab", "张三，您的电话13912345678已登记", "msg:51")
    jobs.enqueue(failing_job, "o-private-51ab", "13912345678")
    stored = [job.description for job in jobs.queue().jobs]
    stream = io.StringIO()
    handler = json_handler(stream)
    # RQ's worker logger may have been set up (own handler, no propagation) by an earlier worker
    # in this process: listen on it as well as on the root.
    loggers = [logging.getLogger(), logging.getLogger("rq.worker")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        jobs.run_worker(pg_app, ["default"], burst=True)
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
    logged = stream.getvalue()
    assert sent_texts(fake_wechat) == [("o-private-51ab", "张三，您的电话13912345678已登记")]
    assert "send_late_answer" in logged and "exception raised" in logged  # the jobs were logged
    for private in ("o-private-51ab", "13912345678", "张三"):
        assert private not in logged and json.dumps(private)[1:-1] not in logged  # JSON escapes
        assert not any(private in description for description in stored)
