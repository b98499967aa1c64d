"""Rate limits per IP and per user of the mini-program API, shared through Redis.

The webhook counts its own, in its one round trip before answering (bot/webhook/gate.py)."""
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse


def init_app(app: Flask, *blueprints_and_limits) -> Limiter:
    """A limiter for this app; each (blueprint, limit) pair is limited per client IP."""
    config = app.config
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=config["REDIS_URL"] or "memory://",
        # A Redis outage must not take the webhook down with it.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    for blueprint, limit in blueprints_and_limits:
        limiter.limit(limit)(blueprint)
    app.extensions["rate_limiter"] = limiter
    app.extensions["user_limit"] = parse(config["RATELIMIT_API_PER_USER"])
    return limiter


def user_allowed(app: Flask, openid: str) -> bool:
    """False when this mini-program user made more API calls than allowed."""
    limiter: Limiter = app.extensions["rate_limiter"]
    try:
        return limiter.limiter.hit(app.extensions["user_limit"], "api-user", openid)
    except Exception:  # storage down: serve rather than refuse
        return True
