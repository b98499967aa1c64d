"""Degrade, don't fail: with Redis or PostgreSQL gone, residents still get sorting answers."""
import pytest

from bot.webhook import simulate
from models import InboundMessage, db
from tests.conftest import WeChat, postgres_config, running_app
from tests.outage import Relay

# What a test may cut: the service's port, and the setting that points the app at it.
SERVICES = {"redis": (6379, "REDIS_URL"), "postgres": (5432, "SQLALCHEMY_DATABASE_URI")}


@pytest.fixture
def outage(request, postgres_url, fake_wechat):
    """The app on PostgreSQL and Redis, with one of them (the test's param) reached through a relay
    the test can cut and restore: yields (wechat, relay)."""
    port, setting = SERVICES[request.param]
    relay = Relay(port)
    config = postgres_config(postgres_url)
    config[setting] = config[setting].replace(f":{port}/", f":{relay.port}/")
    try:
        with running_app(config, fake_wechat) as app:
            yield WeChat(app.test_client(), app), relay
    finally:
        relay.cut()


def logged() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(InboundMessage))


@pytest.mark.parametrize("outage", ["redis"], indirect=True)
def test_without_redis_sorting_is_answered_and_logged_once_and_recovers(outage):
    wechat, redis_relay = outage
    redis_relay.cut()
    xml = simulate.text_xml("o-no-redis", "废电池是什么垃圾", msg_id=9001)
    assert "有害垃圾" in wechat.reply(xml)
    assert "有害垃圾" in wechat.reply(xml)  # a retry: answered, not done twice
    assert logged() == 1
    redis_relay.restore()
    replies = {wechat.ask("o-no-redis", "塑料瓶", msg_id=9002) for _ in range(3)}
    assert len(replies) == 1 and "可回收物" in replies.pop()
    assert logged() == 2


@pytest.mark.parametrize("outage", ["postgres"], indirect=True)
def test_without_database_sorting_is_answered_and_the_rest_says_try_later(outage):
    wechat, pg_relay = outage
    wechat.ask("o-no-db", "剩饭")
    pg_relay.cut()
    assert "厨余垃圾" in wechat.ask("o-no-db", "剩饭是什么垃圾")
    assert "再试" in wechat.reply(simulate.event_xml("o-no-db", "subscribe"))
    pg_relay.restore()
    assert "可回收物" in wechat.ask("o-no-db", "旧报纸")
    assert logged() == 2  # what came while the database was away is not pretended kept


@pytest.mark.parametrize("outage", ["postgres"], indirect=True)
def test_without_database_requests_get_no_bin_guess(outage):
    wechat, pg_relay = outage
    wechat.ask("o-no-db-2", "剩饭")
    pg_relay.cut()
    assert "12345" in wechat.ask("o-no-db-2", "人工客服")
    volunteering = wechat.ask("o-no-db-2", "我想报名当志愿者")
    assert "再试" in volunteering and "可回收物" not in volunteering
    pg_relay.restore()


def test_a_database_stuck_on_a_lock_still_answers_sorting_in_time(postgres_url, fake_wechat):
    """A long transaction (a migration, a stuck export) holds a table: the statement time limit
    frees the resident's request, and the answer comes from memory within WeChat's 5 s."""
    import time

    import psycopg

    config = {**postgres_config(postgres_url), "DATABASE_STATEMENT_TIMEOUT": 0.5}
    with running_app(config, fake_wechat) as app:
        app.config["WECHAT_REPLY_BUDGET"] = 4.0
        wechat = WeChat(app.test_client(), app)
        wechat.ask("o-locked-out", "剩饭")
        with psycopg.connect(postgres_url.replace("+psycopg", "")) as blocker:
            blocker.execute("LOCK TABLE resident IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            reply = wechat.ask("o-locked-out", "废电池是什么垃圾")
            waited = time.monotonic() - started
        assert "有害垃圾" in reply
        assert waited < 4.0
        assert "可回收物" in wechat.ask("o-locked-out", "旧报纸")  # the lock is gone: back to normal


def test_logs_of_a_failing_database_are_json_with_the_request_id_and_no_personal_data(postgres_url, fake_wechat):
    import io
    import json
    import logging

    import psycopg

    from infra.logs import json_handler

    config = {**postgres_config(postgres_url), "DATABASE_STATEMENT_TIMEOUT": 0.3}
    stream = io.StringIO()
    handler = json_handler(stream)
    logging.getLogger().addHandler(handler)
    try:
        with running_app(config, fake_wechat) as app:
            wechat = WeChat(app.test_client(), app)
            wechat.ask("o-private-7f3a", "剩饭")
            with psycopg.connect(postgres_url.replace("+psycopg", "")) as blocker:
                blocker.execute("LOCK TABLE resident IN ACCESS EXCLUSIVE MODE")
                xml = simulate.text_xml("o-private-7f3a", "我的电话13912345678，废电池扔哪", msg_id=7001)
                response = wechat.post(xml, headers={"X-Request-Id": "req-7001"})
            assert "有害垃圾" in simulate.reply_content(wechat.sender.read_reply(response.data))
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    warning = next(line for line in lines if line["message"].startswith("database unavailable"))
    assert warning["request_id"] == "req-7001" and warning["level"] == "WARNING"
    assert "o-private-7f3a" not in stream.getvalue() and "13912345678" not in stream.getvalue()


@pytest.mark.parametrize("outage", ["redis"], indirect=True)
def test_without_redis_dialogs_say_try_again_shortly_and_resume_after(outage):
    wechat, redis_relay = outage
    assert "同意" in wechat.ask("o-mid-dialog", "志愿者")
    assert "第1步" in wechat.ask("o-mid-dialog", "同意")
    redis_relay.cut()
    assert "过几分钟再试" in wechat.ask("o-mid-dialog", "张三")  # not read as an item
    assert "过几分钟再试" in wechat.ask("o-new", "志愿者")  # no dialog starts that could not go on
    assert "有害垃圾" in wechat.ask("o-mid-dialog", "废电池扔哪")
    redis_relay.restore()
    assert "第2步" in wechat.ask("o-mid-dialog", "张三")  # the dialog goes on where it was


@pytest.mark.parametrize("outage", ["redis"], indirect=True)
def test_without_redis_the_console_says_try_later_and_the_api_login_still_works(outage):
    from tests.admin_support import DISTRICT_A, Console, add_staff

    wechat, redis_relay = outage
    client = wechat.client
    add_staff("nanguan", "district_admin", DISTRICT_A)
    console = Console(client, "nanguan")
    token = console.token("/admin/dashboard")
    redis_relay.cut()
    for response in (client.get("/admin/dashboard"), client.get("/admin/volunteers"),
                     client.post("/admin/login", data={"csrf_token": token, "username": "nanguan",
                                                       "password": "Wrong-password-1"})):
        assert response.status_code == 503, response.text
        assert "暂时无法使用" in response.text and response.mimetype == "text/html"
    # code2session needs the app's id and secret only, no access token kept in Redis.
    response = client.post("/api/v1/login", json={"code": "resident-a#1"})
    assert response.status_code == 200 and response.json["token"], response.text
    redis_relay.restore()
    assert client.get("/admin/dashboard").status_code in (200, 302)


@pytest.mark.parametrize("outage", ["postgres"], indirect=True)
def test_without_database_the_api_says_try_later_in_json(outage):
    wechat, pg_relay = outage
    client = wechat.client
    token = client.post("/api/v1/login", json={"code": "resident-b#1"}).json["token"]
    # A request's teardown ends its transaction; the tests share one app context, so end it here,
    # or the cut would leave a server-side transaction that blocks the next test's schema reset.
    db.session.remove()
    pg_relay.cut()
    for path in ("/api/v1/me", "/api/v1/regions"):
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 503, response.text
        assert response.json["error"]["code"] == "unavailable"
    pg_relay.restore()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_database_stuck_on_a_lock_gets_a_clear_answer_from_the_api_and_the_console_in_seconds(
        postgres_url, fake_wechat):
    """A transaction holding the tables the API and the console read: each request gives up at the
    lock time limit and says "try later" in Chinese (503), instead of hanging the whole statement limit."""
    import time

    import psycopg

    from tests.admin_support import DISTRICT_A, Console, add_staff

    config = {**postgres_config(postgres_url), "DATABASE_LOCK_TIMEOUT": 0.5}
    with running_app(config, fake_wechat) as app:
        client = app.test_client()
        token = client.post("/api/v1/login", json={"code": "resident-stalled#1"}).json["token"]
        add_staff("nanguan", "district_admin", DISTRICT_A)
        Console(client, "nanguan")
        db.session.remove()  # the test's own session must not hold what the blocker waits for
        with psycopg.connect(postgres_url.replace("+psycopg", "")) as blocker:
            blocker.execute("LOCK TABLE resident, staff, region IN ACCESS EXCLUSIVE MODE")
            for path in ("/api/v1/me", "/api/v1/regions", "/admin/volunteers", "/admin/dashboard"):
                started = time.monotonic()
                response = client.get(path, headers={"Authorization": f"Bearer {token}"})
                waited = time.monotonic() - started
                assert response.status_code == 503, (path, response.status_code)
                assert waited < 3.0, (path, waited)
                if path.startswith("/api/"):
                    assert response.json["error"]["code"] == "unavailable"
                    assert "稍后" in response.json["error"]["message"]
                else:
                    assert "暂时无法使用" in response.text
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_the_lock_time_limit_is_on_every_postgresql_connection_and_below_the_statement_limit():
    from bot.config import database_options

    url = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://x/y"}
    options = database_options({**url, "DATABASE_STATEMENT_TIMEOUT": 10, "DATABASE_LOCK_TIMEOUT": 3})
    assert options["connect_args"]["options"] == "-c statement_timeout=10000 -c lock_timeout=3000"
    capped = database_options({**url, "DATABASE_STATEMENT_TIMEOUT": 1, "DATABASE_LOCK_TIMEOUT": 30})
    assert capped["connect_args"]["options"].endswith("lock_timeout=1000")


@pytest.mark.parametrize("outage", ["postgres"], indirect=True)
def test_without_database_a_name_typed_in_a_dialog_is_answered_clearly_and_the_dialog_kept(outage):
    wechat, pg_relay = outage
    assert "同意" in wechat.ask("o-mid-dialog-db", "志愿者")
    assert "第1步" in wechat.ask("o-mid-dialog-db", "同意")
    db.session.remove()
    pg_relay.cut()
    reply = wechat.ask("o-mid-dialog-db", "张三")
    assert "过几分钟再试" in reply and "没太明白" not in reply  # not read as an item or a question
    assert "有害垃圾" in wechat.ask("o-mid-dialog-db", "废电池扔哪")
    pg_relay.restore()
    assert "第2步" in wechat.ask("o-mid-dialog-db", "张三")  # the dialog goes on where it was
