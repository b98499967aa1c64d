"""Degrade, don't fail: with Redis or PostgreSQL gone, residents still get sorting answers."""
import pytest

from bot import simulate
from models import InboundMessage, db
from tests.conftest import REDIS_URL, WeChat, postgres_config, running_app
from tests.outage import Relay


def relayed(url: str, relay: Relay, port: int) -> str:
    return url.replace(f":{port}/", f":{relay.port}/")


@pytest.fixture
def redis_relay():
    relay = Relay(6379)
    yield relay
    relay.cut()


@pytest.fixture
def pg_relay():
    relay = Relay(5432)
    yield relay
    relay.cut()


def logged() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(InboundMessage))


def test_without_redis_sorting_is_answered_and_logged_once_and_recovers(
        postgres_url, fake_wechat, redis_relay):
    config = postgres_config(postgres_url)
    config["REDIS_URL"] = relayed(REDIS_URL, redis_relay, 6379)
    with running_app(config, fake_wechat) as app:
        wechat = WeChat(app.test_client(), app)
        redis_relay.cut()
        xml = simulate.text_xml("o-no-redis", "废电池是什么垃圾", msg_id=9001)
        assert "有害垃圾" in wechat.reply(xml)
        assert "有害垃圾" in wechat.reply(xml)  # a retry: answered, not done twice
        assert logged() == 1
        redis_relay.restore()
        replies = {wechat.ask("o-no-redis", "塑料瓶", msg_id=9002) for _ in range(3)}
        assert len(replies) == 1 and "可回收物" in replies.pop()
        assert logged() == 2


def test_without_database_sorting_is_answered_and_the_rest_says_try_later(
        postgres_url, fake_wechat, pg_relay):
    config = postgres_config(postgres_url)
    config["SQLALCHEMY_DATABASE_URI"] = relayed(postgres_url, pg_relay, 5432)
    with running_app(config, fake_wechat) as app:
        wechat = WeChat(app.test_client(), app)
        wechat.ask("o-no-db", "剩饭")
        pg_relay.cut()
        assert "厨余垃圾" in wechat.ask("o-no-db", "剩饭是什么垃圾")
        assert "再试" in wechat.reply(simulate.event_xml("o-no-db", "subscribe"))
        pg_relay.restore()
        assert "可回收物" in wechat.ask("o-no-db", "旧报纸")
        assert logged() == 2  # what came while the database was away is not pretended kept
