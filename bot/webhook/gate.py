"""What the webhook asks shared state before answering a message, in one round trip.

One script (gate.lua) checks that the signed URL came with this body only (WeChat signs the
token, timestamp and nonce, not the body), counts the client IP and the sender against their
limits, claims the message against WeChat's retries (or finds the answer a first call stored),
and reads the keys the answer will need (the sender's dialog, the taught versions). Redis runs
the script atomically, so a refused call claims nothing.
"""
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import redis
from flask import Flask, current_app
from limits import parse

from infra import state

log = logging.getLogger(__name__)

SCRIPT = Path(__file__).parent / "gate.lua"
# WeChat's retries come within 15 s; a stored answer may repeat what the user typed, so it is
# kept only briefly (later replays get the log's redacted copy).
CLAIM_TTL = ANSWER_TTL = 60


@dataclass(frozen=True)
class Verdict:
    """'new' (claimed: answer it), 'retry' (`answer` is the first call's: '' for nothing to
    say, None while it still works), 'reused' (the signed URL came with another body), 'too_many' (the IP's limit),
    'too_fast' (the sender's limit), or 'unguarded' (shared state is down)."""

    kind: str
    answer: str | None = None
    prefetched: dict[str, str | None] = field(default_factory=dict)


def init_app(app: Flask) -> None:
    config = app.config
    app.extensions["webhook_limits"] = (parse(config["RATELIMIT_WEBHOOK"]),
                                        parse(config["RATELIMIT_PER_USER"]))
    app.extensions["webhook_gate"] = state.register_script(app, state.COUNTER, SCRIPT)


def check(timestamp: str, nonce: str, body: bytes, client_ip: str, openid: str, retry_key: str,
          reads: list[str]) -> Verdict:
    config = current_app.config
    per_ip, per_user = current_app.extensions["webhook_limits"]
    keys = [f"wx:signed:{timestamp}:{nonce}", f"wx:rate:ip:{client_ip}", claim_key(retry_key),
            answer_key(retry_key), f"wx:rate:user:{openid}", *reads]
    # A timestamp passes the freshness check from max_age before to max_age after it.
    args = [hashlib.sha256(body).hexdigest(), 2 * config["WECHAT_MAX_AGE"] + 1,
            per_ip.amount, per_ip.get_expiry(), CLAIM_TTL, per_user.amount, per_user.get_expiry()]
    try:
        result = current_app.extensions["webhook_gate"](keys=keys, args=args)
    except redis.RedisError as error:
        # The webhook keeps answering: the message log's unique key still keeps a retry's side
        # effects from happening twice, and the freshness check limits what a replay can do.
        log.warning("state unavailable, answering unguarded: %s", error)
        return Verdict("unguarded")
    kind, stored = result[0], result[1] if len(result) > 1 else None
    return Verdict(kind, stored, dict(zip(reads, result[2:])) if kind == "new" else {})


def claim_key(retry_key: str) -> str:
    return f"wx:lock:{retry_key}"


def answer_key(retry_key: str) -> str:
    return f"wx:answer:{retry_key}"
