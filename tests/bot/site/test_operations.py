"""Health, readiness, metrics, request ids and rate limits, as operators and abusers meet them."""
import pytest

from bot.webhook import simulate
from tests.conftest import WeChat, postgres_config, running_app
from tests.outage import Relay


def test_liveness_and_readiness_when_all_is_well(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "state": "ok"}


def test_readiness_fails_while_redis_is_down_and_recovers(postgres_url, fake_wechat):
    relay = Relay(6379)
    config = postgres_config(postgres_url)
    config["REDIS_URL"] = config["REDIS_URL"].replace(":6379/", f":{relay.port}/")  # this run's db
    with running_app(config, fake_wechat) as app:
        client = app.test_client()
        relay.cut()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"] == {"database": "ok", "state": "down"}
        relay.restore()
        assert client.get("/readyz").status_code == 200
    relay.cut()


def test_metrics_count_messages_and_unrecognised_items(client, wechat):
    wechat.ask("o-metrics", "塑料瓶和xyzzy")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'wufei_messages_total{kind="text"}' in body
    assert 'wufei_sorting_mentions_total{outcome="unrecognised"}' in body
    assert "wufei_answer_seconds_bucket" in body


def test_every_response_carries_a_request_id(client):
    assert len(client.get("/healthz").headers["X-Request-Id"]) == 16
    assert client.get("/healthz", headers={"X-Request-Id": "abc"}).headers["X-Request-Id"] == "abc"


def test_an_answer_worked_out_in_the_pool_logs_under_its_request_id(app, wechat, monkeypatch):
    from handlers.sorting import get_engine
    from infra.logs import REQUEST_ID

    engine, seen = get_engine(), []
    classify = engine.classify
    monkeypatch.setattr(engine, "classify", lambda text: seen.append(REQUEST_ID.get()) or classify(text))
    xml = simulate.text_xml("o-traced", "塑料瓶", msg_id=4242)
    response = wechat.post(xml, headers={"X-Request-Id": "trace-4242"})
    assert "可回收物" in simulate.reply_content(wechat.sender.read_reply(response.data))
    assert seen == ["trace-4242"]
    assert REQUEST_ID.get() == "-"  # the next request on this thread starts clean


@pytest.fixture
def strict_app(backend, request, tmp_path, fake_wechat):
    limits = {"RATELIMIT_PER_USER": "3/minute", "RATELIMIT_API": "5/minute", "RATELIMIT_API_PER_USER": "2/minute"}
    if backend == "postgres":
        config = postgres_config(request.getfixturevalue("postgres_url"))
    else:
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.sqlite3'}", "REDIS_URL": ""}
    with running_app({**config, **limits}, fake_wechat) as app:
        yield app


def test_a_flooding_user_is_told_to_slow_down_and_others_are_not(strict_app):
    wechat = WeChat(strict_app.test_client(), strict_app)
    replies = [wechat.ask("o-flood", "塑料瓶") for _ in range(4)]
    assert all("可回收物" in reply for reply in replies[:3])
    assert "稍等" in replies[3]
    assert "可回收物" in wechat.ask("o-calm", "塑料瓶")


def test_a_retry_does_not_count_against_the_user(strict_app):
    wechat = WeChat(strict_app.test_client(), strict_app)
    xml = simulate.text_xml("o-retried", "塑料瓶", msg_id=31337)
    assert len({wechat.reply(xml) for _ in range(5)}) == 1
    assert "可回收物" in wechat.ask("o-retried", "玻璃瓶")


def test_a_mini_program_user_who_floods_the_api_is_slowed_down_and_others_are_not(strict_app):
    from tests.people_support import MiniProgram

    mini_program = MiniProgram(strict_app.test_client(), strict_app)
    eager, calm = mini_program.login("eager"), mini_program.login("calm")  # the login endpoint counts its own five per IP
    statuses = [mini_program.call("GET", "/me", eager).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert mini_program.call("GET", "/me", calm).status_code == 200


def test_api_flood_from_one_ip_gets_json_429(strict_app):
    client = strict_app.test_client()
    statuses = [client.get("/api/v1/sorting", query_string={"q": "塑料瓶"}).status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = client.get("/api/v1/sorting", query_string={"q": "塑料瓶"})
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 60  # the rest of the minute


@pytest.mark.parametrize("hops, limited_by", [(1, "client"), (0, "proxy")])
def test_rate_limits_see_the_client_behind_trusted_proxies_only(pg_app_config, fake_wechat,
                                                               hops, limited_by):
    config = {**pg_app_config, "RATELIMIT_API": "2/minute", "PROXY_HOPS": hops}
    with running_app(config, fake_wechat) as app:
        client = app.test_client()

        def ask(forwarded_for: str) -> int:
            return client.get("/api/v1/sorting", query_string={"q": "塑料瓶"},
                              headers={"X-Forwarded-For": forwarded_for}).status_code

        assert [ask("203.0.113.7"), ask("203.0.113.7"), ask("203.0.113.7")] == [200, 200, 429]
        # Another resident behind the same load balancer; a spoofed header when none is trusted.
        assert ask("198.51.100.9") == (200 if limited_by == "client" else 429)


@pytest.fixture
def pg_app_config(postgres_url):
    return postgres_config(postgres_url)


def metric(client, name: str, **labels) -> float | None:
    from prometheus_client.parser import text_string_to_metric_families

    body = client.get("/metrics").get_data(as_text=True)
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


def test_metrics_show_queue_depth_and_the_progress_of_a_running_push(pg_app, fake_wechat):
    from handlers.campaigns.push import deliver
    from tests.push_support import (
        STREET_A,
        add_residents,
        add_staff,
        follow,
        push,
        run_jobs,
    )

    client = pg_app.test_client()
    sent_before = metric(client, "wufei_push_deliveries_total", status="sent") or 0  # counters are per process
    pg_app.config["PUSH_BATCH_SIZE"] = 4  # ten residents who wrote lately: three batches
    follow(fake_wechat, add_residents(STREET_A, 10, active=True), active=True)
    sent = push(add_staff("nanling", "street_admin", STREET_A), [STREET_A], run=False)
    deliver.start(sent)
    assert metric(client, "wufei_queue_jobs", queue="push", state="queued") == 1  # preparing

    deliver.prepare(sent.id)  # what the worker does first: recipients written, batches queued
    assert metric(client, "wufei_push_recipients", push=str(sent.id), state="pending") == 10
    assert metric(client, "wufei_queue_jobs", queue="push", state="queued") == 1 + 3

    run_jobs()
    assert metric(client, "wufei_queue_jobs", queue="push", state="queued") == 0
    assert metric(client, "wufei_push_recipients", push=str(sent.id)) is None  # done, not sending
    assert metric(client, "wufei_push_deliveries_total", status="sent") - sent_before == 10


def test_metrics_still_answer_while_redis_is_down(postgres_url, fake_wechat):
    relay = Relay(6379)
    config = postgres_config(postgres_url)
    config["REDIS_URL"] = config["REDIS_URL"].replace(":6379/", f":{relay.port}/")  # this run's db
    with running_app(config, fake_wechat) as app:
        relay.cut()
        response = app.test_client().get("/metrics")
        assert response.status_code == 200
        assert "wufei_queue_jobs" not in response.get_data(as_text=True)
        relay.restore()
        assert metric(app.test_client(), "wufei_queue_jobs", queue="default", state="queued") == 0
    relay.cut()


@pytest.mark.parametrize("settings, refused", [
    ({"WECHAT_API_BASE_URL": "https://api.weixin.qq.com/", "SECRET_KEY": "k"}, "WECHAT_TOKEN"),
    ({"REDIS_URL": "redis://127.0.0.1:6379/0", "SECRET_KEY": ""}, "SECRET_KEY"),
])
def test_the_app_refuses_to_start_on_secrets_that_would_be_a_hole(settings, refused):
    from bot import create_app

    with pytest.raises(RuntimeError, match=refused):
        create_app({"WARM_UP": False, **settings})
    local = create_app({"WARM_UP": False, "REDIS_URL": "", "SECRET_KEY": ""})  # `make run`
    assert len(local.config["SECRET_KEY"]) == 64


def test_metrics_are_for_internal_scrapers_or_the_metrics_token_only(client, app):
    def scrape(address: str, **headers):
        return client.get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": address})

    assert scrape("114.114.114.114").status_code == 403  # the internet
    assert scrape("127.0.0.1", **{"X-Forwarded-For": "114.114.114.114"}).status_code == 403  # via a proxy
    assert scrape("10.1.2.3").status_code == 200 and "wufei_" in scrape("10.1.2.3").text
    app.config["METRICS_TOKEN"] = "scrape-secret-1"
    assert scrape("10.1.2.3").status_code == 401
    assert scrape("10.1.2.3", Authorization="Bearer wrong").status_code == 401
    assert scrape("114.114.114.114", Authorization="Bearer scrape-secret-1").status_code == 200


def test_api_and_site_responses_are_not_sniffed(client):
    for path in ("/api/v1/regions", "/api/v1/nothing-here", "/api/v1/me", "/healthz"):
        assert client.get(path).headers.get("X-Content-Type-Options") == "nosniff", path
