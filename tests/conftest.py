"""Fixtures: the app on each backend, real Redis and PostgreSQL, and WeChat's side of the wire.

`app` runs every test twice: on the embedded default (SQLite file, in-process state) and on
production parts (PostgreSQL and Redis on this machine). The WeChat API is the local fake.
"""
import os
from contextlib import contextmanager

import psycopg
import pytest
import redis
from sqlalchemy import create_engine, text

from bot import create_app
from bot.cli.core import migrate
from bot.webhook import simulate
from models import db
from tests.services import PG_ADMIN_URL, PG_DATABASE, REDIS_CLAIM, REDIS_URL

# Whatever a test starts is stopped when the run ends, even on Ctrl-C or SIGTERM, or the run fails.
pytest_plugins = ["tests.process_check"]


def pg_url() -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{PG_DATABASE}"


@pytest.fixture(scope="session")
def postgres_url():
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,))
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    yield pg_url()
    if "TEST_PG_DATABASE" not in os.environ:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def release_redis_db():
    yield
    # Empty, for the next run that claims it (workers' registrations, queued jobs, locks).
    redis.Redis.from_url(REDIS_URL).flushdb()
    index = REDIS_URL.rsplit("/", 1)[1]
    redis.Redis(host="127.0.0.1", port=6379, db=0).delete(REDIS_CLAIM.format(index))


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


# The Official Account and the mini-program are two apps, as in production: their own app ids,
# tokens and openids; the fake refuses one app's token on the other's APIs (48001) and an openid
# of one app sent to by the other (40003).
MINI_APP_ID, MINI_APP_SECRET = "wxmini0000000000", "mini-secret"


@pytest.fixture(scope="session")
def fake_wechat():
    from fake_wechat import serve_fake_wechat

    with serve_fake_wechat(miniapp_ids=(MINI_APP_ID,)) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> str:
    return request.param


@contextmanager
def running_app(config: dict, fake_wechat):
    fake_wechat.reset()
    app = create_app({**config, "TESTING": True, "SECRET_KEY": "test", "LOG_JSON": False,
                      "WARM_UP": False,
                      # A loaded test machine must not turn answers into late ones; the
                      # time-budget test sets its own.
                      "WECHAT_REPLY_BUDGET": 30.0,
                      "WECHAT_MINIAPP_ID": MINI_APP_ID, "WECHAT_MINIAPP_SECRET": MINI_APP_SECRET,
                      "WECHAT_API_BASE_URL": fake_wechat.base_url})
    with app.app_context():
        app.test_cli_runner().invoke(migrate, catch_exceptions=False)
        yield app
        db.session.remove()
        db.engine.dispose()


def postgres_config(url: str) -> dict:
    reset_postgres(url)
    redis.Redis.from_url(REDIS_URL).flushdb()
    return {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": REDIS_URL}


@pytest.fixture
def app(backend, request, tmp_path, fake_wechat):
    if backend == "postgres":
        config = postgres_config(request.getfixturevalue("postgres_url"))
    else:
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wufei.sqlite3'}",
                  "REDIS_URL": ""}
    with running_app(config, fake_wechat) as app:
        yield app


@pytest.fixture
def pg_app(postgres_url, fake_wechat):
    """Production parts only: for what needs state shared between processes."""
    with running_app(postgres_config(postgres_url), fake_wechat) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


class WeChat:
    """Posts messages to the webhook the way WeChat's servers do, and reads the replies."""

    def __init__(self, client, app, mode="plain"):
        self.client = client
        config = app.config
        self.sender = simulate.WeChatSender(
            config["WECHAT_TOKEN"], config["WECHAT_APP_ID"], config["WECHAT_AES_KEY"], mode)

    def post(self, xml: str, headers: dict | None = None):
        query, body = self.sender.prepare(xml)
        return self.client.post(f"/wechat?{query}", data=body, content_type="application/xml",
                                headers=headers)

    def reply(self, xml: str) -> str | None:
        """The text the user sees, or None when the webhook answered 'success'."""
        response = self.post(xml)
        assert response.status_code == 200, response.data
        return simulate.reply_content(self.sender.read_reply(response.data))

    def ask(self, openid: str, text: str, msg_id: int | None = None) -> str | None:
        return self.reply(simulate.text_xml(openid, text, msg_id))


@pytest.fixture(params=["plain", "compatible", "safe"])
def wechat_any_mode(request, client, app) -> WeChat:
    return WeChat(client, app, request.param)


@pytest.fixture
def wechat(client, app) -> WeChat:
    return WeChat(client, app)


@pytest.fixture
def region_tree(app):
    """The official region tree of 长春市, imported as `flask --app bot import-regions` does."""
    from handlers.people.regions import import_official

    import_official()
    db.session.commit()
    return app


@pytest.fixture
def mini_program(client, app, fake_wechat):
    """The mini-program's side: log a fake WeChat user in and call the API with their token."""
    from tests.people_support import MiniProgram

    return MiniProgram(client, app)
