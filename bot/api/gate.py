"""What an API call asks shared state before it is answered, in one round trip.

One script (gate.lua) counts the client IP's calls to the endpoint against its limit, counts the signed-in user (a token
whose signature holds) against theirs, and reads the taught versions the sorting knowledge and
the understanding check before they answer. So a sorting question needs no other round trip,
as in the webhook's gate (bot/webhook/gate.py).
"""
import logging
from functools import wraps
from pathlib import Path

import redis
from flask import Flask, current_app, g, request
from limits import parse

from bot.api import too_many_requests
from bot.api.login import signed_openid
from handlers.inbox import knowledge_reads
from infra import state

log = logging.getLogger(__name__)

SCRIPT = Path(__file__).parent / "gate.lua"


def init_app(app: Flask) -> None:
    config = app.config
    app.extensions["api_limits"] = (parse(config["RATELIMIT_API"]), parse(config["RATELIMIT_API_PER_USER"]))
    app.extensions["api_gate"] = state.register_script(app, state.COUNTER, SCRIPT)


def gated(view):
    """The view, after the gate: 429 past the IP's limit; the user's limit is for `personal`
    to apply once it knows the token names a resident."""
    @wraps(view)
    def after_the_gate(*args, **kwargs):
        prefetched = check(f"{request.remote_addr}:{request.endpoint}",
                           signed_openid(request.headers.get("Authorization", "")))
        with state.prefetched(prefetched):
            return view(*args, **kwargs)
    return after_the_gate


def check(client: str, openid: str | None) -> dict[str, str | None]:
    """The prefetched values; raises the 429 of a client (an IP, on one endpoint) past its limit."""
    per_ip, per_user = current_app.extensions["api_limits"]
    reads = knowledge_reads()
    keys = [f"api:rate:ip:{client}", f"api:rate:user:{openid}" if openid else "", *reads]
    args = [per_ip.amount, per_ip.get_expiry(), per_user.amount, per_user.get_expiry()]
    g.over_user_limit = False
    try:
        result = current_app.extensions["api_gate"](keys=keys, args=args)
    except redis.RedisError as error:
        log.warning("state unavailable, serving the API without limits: %s", error)  # like the webhook
        return {}
    if result[0] == "too_many":
        raise too_many_requests(retry_after=max(int(result[1]), 1))
    g.over_user_limit = bool(result[1])
    return dict(zip(reads, result[2:]))

