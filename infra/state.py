"""Shared state for dedup, dialogs, rate limits and tokens: Redis, or an in-process stand-in.

Everything several web processes or workers must agree on goes through here, never through
module globals. Without REDIS_URL (the embedded default) the state lives in this process only.

The webhook reads the keys every message needs in its one round trip before answering
(bot/webhook/gate.py) and hands them to `read` through `prefetched`, and sends what `set_soon`
was given in its one round trip after (`closing`); outside the webhook both go to Redis at once.
"""
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import NamedTuple

import redis
from flask import Flask, current_app
from sqlalchemy import event

from models import db

_prefetched: ContextVar[Mapping[str, str | None]] = ContextVar("prefetched", default={})


class Write(NamedTuple):
    """A SET with an expiry that waits for the webhook's round trip after answering."""

    key: str
    value: str
    ex: int


_soon: ContextVar[list[Write] | None] = ContextVar("soon", default=None)


def connect(url: str) -> redis.Redis:
    if not url:
        import fakeredis  # the embedded default only: a process with Redis never loads it

        return fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)
    # Short time-outs: a hanging Redis must not push a webhook reply past WeChat's 5 s.
    return redis.Redis.from_url(
        url, decode_responses=True, socket_timeout=1.0, socket_connect_timeout=1.0
    )


def init_app(app: Flask) -> None:
    app.extensions["state"] = connect(app.config["REDIS_URL"])


# The fixed-window counter `over` that the gate scripts call.
COUNTER = Path(__file__).parent / "counter.lua"


def register_script(app: Flask, *paths: Path) -> redis.commands.core.Script:
    """One script made of the files at `paths`, in order (Redis scripts cannot include one
    another: what one shares with another goes before its text)."""
    return app.extensions["state"].register_script("".join(path.read_text() for path in paths))


def store() -> redis.Redis:
    return current_app.extensions["state"]


@contextmanager
def prefetched(values: Mapping[str, str | None]) -> Iterator[None]:
    """Within this block `read` answers these keys without a round trip (the values were read
    together a moment ago; a key missing from Redis is there as None)."""
    token = _prefetched.set(values)
    try:
        yield
    finally:
        _prefetched.reset(token)


def read(key: str) -> str | None:
    values = _prefetched.get()
    return values[key] if key in values else store().get(key)


@contextmanager
def closing() -> Iterator[list[Write]]:
    """Collects `set_soon` writes made within the block, for the caller to send in its round trip."""
    writes: list[Write] = []
    token = _soon.set(writes)
    try:
        yield writes
    finally:
        _soon.reset(token)


def set_soon(key: str, value: str, ex: int) -> None:
    """SET, in the round trip that closes the webhook's message when there is one."""
    writes = _soon.get()
    if writes is None:
        store().set(key, value, ex=ex)
    else:
        writes.append(Write(key, value, ex))


def delete_after_commit(key: str) -> None:
    """DEL `key` once the current transaction commits (a cache of what it changes): before, a
    reader could fill it again with what is about to change."""
    def delete(_session) -> None:
        try:
            store().delete(key)
        except redis.RedisError:
            pass  # the cached value expires by itself

    event.listen(db.session(), "after_commit", delete, once=True)


# Which shared version each holder in this process last reloaded at: a cache of shared state.
_reloaded: dict[tuple[str, int], tuple[object, str]] = {}


def reload_if_changed(version_key: str, holder: object, reload: Callable[[], None]) -> None:
    """Call `reload` when the version under `version_key` moved since `holder` last reloaded (or
    on its first use): how what staff change in the database reaches every process at once.
    With Redis down the holder keeps what it has, and catches up when Redis is back."""
    try:
        version = read(version_key) or "initial"
    except redis.RedisError:
        return
    stamp, slot = (db.engine.url, version), (version_key, id(holder))
    if _reloaded.get(slot) != stamp:
        reload()
        _reloaded[slot] = stamp


def announce_change(version_key: str) -> None:
    """Every process reloads what `version_key` stands for before it next uses it."""
    store().set(version_key, uuid.uuid4().hex)
