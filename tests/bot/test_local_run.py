"""The local run reads well: readable logs without secrets, and a clean stop."""
import os
import signal
import socket
import subprocess
import sys
import time

import requests

from tests import ROOT, processes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def local_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "LOG_JSON")}
    return {**env, "WARM_UP": "0", **extra}


def log_line_of_a_local_app(**extra) -> str:
    script = ("import logging; from bot import create_app; "
              "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
              "logging.getLogger('bot.webhook').warning('居民问：%s', '废电池扔哪')")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=local_env(**extra),
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stderr.strip().splitlines()[-1]


def test_a_local_run_logs_lines_a_person_reads():
    line = log_line_of_a_local_app()
    assert "WARNING" in line and "bot.webhook" in line and "居民问：废电池扔哪" in line
    assert not line.startswith("{")


def test_production_logs_are_json_with_chinese_as_it_is():
    line = log_line_of_a_local_app(LOG_JSON="1")
    assert line.startswith("{") and "居民问：废电池扔哪" in line and "\\u" not in line


def test_the_fake_wechat_api_logs_no_secret_or_token():
    port = free_port()
    fake = processes.start([sys.executable, "-m", "fake_wechat", "--port", str(port)], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        fake.stdout.readline()  # "fake WeChat API on …": listening
        base = f"http://127.0.0.1:{port}/"
        token = requests.get(base + "cgi-bin/token", timeout=5, params={
            "grant_type": "client_credential", "appid": "wxlocal", "secret": "s3cret-value"}).json()
        requests.post(base + "cgi-bin/message/custom/send", timeout=5,
                      params={"access_token": token["access_token"]}, json={"touser": "o-x"})
    finally:
        fake.send_signal(signal.SIGINT)
        _, log = fake.communicate(timeout=10)
    assert "/cgi-bin/token" in log
    assert "s3cret-value" not in log and token["access_token"] not in log


def test_make_run_stops_cleanly_on_ctrl_c(tmp_path):
    port, fake_port = free_port(), free_port()
    run = processes.start(["bash", "scripts/run.sh"], cwd=ROOT,
                          env=local_env(PORT=str(port), FAKE_PORT=str(fake_port)),
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.3)
    else:
        processes.stop(run)
        raise AssertionError("make run's app did not start")
    os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    assert run.wait(timeout=20) == 0
    left = subprocess.run(["pgrep", "-g", str(run.pid)], capture_output=True, text=True).stdout.split()
    assert left == []


def test_the_demo_has_communities_to_bind_and_adds_them_once(region_tree):
    from bot.cli.demo import demo
    from models import Region, db

    runner = region_tree.test_cli_runner()
    assert "9 demo communities added" in runner.invoke(demo, catch_exceptions=False).output
    assert "0 demo communities added" in runner.invoke(demo, catch_exceptions=False).output
    names = set(db.session.execute(db.select(Region.name).filter_by(parent_code="220102001")).scalars())
    assert {"南岭社区", "大岭社区", "红旗社区"} <= names


def test_an_answer_later_than_the_budget_appears_in_the_simulator(monkeypatch, tmp_path, fake_wechat):
    from bot import create_app
    from bot.cli.core import migrate
    from bot.webhook import simulate
    from handlers.sorting import get_engine

    fake_wechat.reset()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sim.sqlite3'}", "REDIS_URL": "",
                      "SECRET_KEY": "test", "WARM_UP": False, "SIMULATOR_ENABLED": True,
                      "WECHAT_REPLY_BUDGET": 0.3, "WECHAT_API_BASE_URL": fake_wechat.base_url})
    with app.app_context():
        app.test_cli_runner().invoke(migrate, catch_exceptions=False)
    engine = get_engine()
    classify = engine.classify
    monkeypatch.setattr(engine, "classify", lambda text: (time.sleep(1.0), classify(text))[1])
    client, config = app.test_client(), app.config
    sender = simulate.WeChatSender(config["WECHAT_TOKEN"], config["WECHAT_APP_ID"], config["WECHAT_AES_KEY"])
    query, body = sender.prepare(simulate.text_xml("o-simulator-late", "废电池"))
    assert client.post(f"/wechat?{query}", data=body, content_type="application/xml").data == b"success"
    texts, deadline = [], time.monotonic() + 10
    while not texts and time.monotonic() < deadline:
        texts = client.get("/simulator/later?openid=o-simulator-late").json["texts"]
        time.sleep(0.2)
    assert len(texts) == 1 and "有害垃圾" in texts[0]
    assert client.get("/simulator/later?openid=o-someone-else").json["texts"] == []
