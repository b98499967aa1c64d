"""Shared state for dedup, dialogs, rate limits and tokens: Redis, or an in-process stand-in.

Everything several web processes or workers must agree on goes through here, never through
module globals. Without REDIS_URL (the embedded default) the state lives in this process only.
"""
import fakeredis
import redis
from flask import Flask, current_app


def connect(url: str) -> redis.Redis:
    if not url:
        return fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)
    # Short time-outs: a hanging Redis must not push a webhook reply past WeChat's 5 s.
    return redis.Redis.from_url(
        url, decode_responses=True, socket_timeout=1.0, socket_connect_timeout=1.0
    )


def init_app(app: Flask) -> None:
    app.extensions["state"] = connect(app.config["REDIS_URL"])


def store() -> redis.Redis:
    return current_app.extensions["state"]
