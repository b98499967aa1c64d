"""Rate limits per IP (webhook and API) and per WeChat user (chat and API), shared through Redis."""
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
    app.extensions["user_limits"] = {"chat": parse(config["RATELIMIT_PER_USER"]),
                                     "api": parse(config["RATELIMIT_API_PER_USER"])}
    return limiter


def user_allowed(app: Flask, openid: str, channel: str = "chat") -> bool:
    """False when this WeChat user sent more chat messages (or API calls) than allowed."""
    limiter: Limiter = app.extensions["rate_limiter"]
    try:
        return limiter.limiter.hit(app.extensions["user_limits"][channel], f"{channel}-user", openid)
    except Exception:  # storage down: serve rather than refuse
        return True
