"""Two web processes behind a load balancer share one Redis and one PostgreSQL.

WeChat's retries of one message may land on different machines; they must still have one effect
and one answer.
"""
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bench.webhook import free_port
from bot.webhook import simulate
from models import InboundMessage, Resident, db
from tests import ROOT, processes

TOKEN = "scale-out-token"


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "web process exited"
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=3).ok:
                return
        except (requests.ConnectionError, requests.Timeout):  # bound, engine still loading
            time.sleep(0.2)
    raise TimeoutError(f"nothing serving on {port}")


@pytest.fixture
def two_web_processes(pg_app):
    env = {**os.environ, "DATABASE_URL": pg_app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": pg_app.config["REDIS_URL"], "WECHAT_TOKEN": TOKEN,
           "SECRET_KEY": "scale-out", "LOG_JSON": "0"}
    ports = [free_port(), free_port()]
    web = [processes.start(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "bot:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for port in ports]
    try:
        for port, process in zip(ports, web):
            wait_until_serving(port, process)
        yield ports
    finally:
        for process in web:
            processes.stop(process, timeout=20)


def test_retry_storm_over_two_web_processes_has_one_effect(pg_app, two_web_processes):
    sender = simulate.WeChatSender(TOKEN)
    xml = simulate.text_xml("o-two-machines", "电池和剩饭分别扔哪", msg_id=5550001)

    def post(port: int) -> str:
        query, body = sender.prepare(xml)
        response = requests.post(f"http://127.0.0.1:{port}/wechat?{query}", data=body, timeout=10)
        assert response.status_code == 200
        return simulate.reply_content(response.text)

    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(post, two_web_processes * 3))
    assert replies[0] and "厨余垃圾" in replies[0]
    assert all(reply == replies[0] for reply in replies)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(InboundMessage)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Resident)) == 1
