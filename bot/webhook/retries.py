"""WeChat's retries and time limit: each message is answered once, the same way, within 5 s.

WeChat retries a webhook call that has not answered in 5 s, three tries in all, with the same
MsgId. The first call claims the message in the gate's round trip (gate.py) and stores its
answer here; a retry, on any web process, returns that stored answer (waiting briefly while the
first call still works).
"""
import contextvars
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from pathlib import Path

import redis
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from bot.webhook import gate
from handlers.people import ledger
from infra import state
from models import db

log = logging.getLogger(__name__)

NOTHING = ""  # stored for 'success': nothing to say
KEEP = Path(__file__).parent / "keep.lua"


def keep(retry_key: str, answer: str | None, records: list[ledger.Record],
         writes: list[state.Write]) -> None:
    """The answer for WeChat's retries, the message's ledger records and the handler's `set_soon`
    writes, in one round trip (keep.lua, atomic); then, unless a drainer process does it, the
    ledger's next batch."""
    keys = [gate.answer_key(retry_key), ledger.STREAM, *(write.key for write in writes)]
    args = [answer or NOTHING, gate.ANSWER_TTL, len(records), ledger.RECORD_WIDTH,
            *ledger.flattened(records), *(part for write in writes for part in (write.value, write.ex))]
    try:
        current_app.extensions["webhook_keep"](keys=keys, args=args)
    except redis.RedisError as error:
        log.warning("answer not kept for retries: %s", error)
        if records:  # the log row cannot wait in Redis: write it now
            try:
                ledger.write(records)
            except SQLAlchemyError as lost:  # both stores down: the resident still gets the answer
                log.error("message not logged, Redis and the database unavailable: %s", lost)
                db.session.rollback()
        return
    if records and current_app.config["LEDGER_DRAIN"] == "inline":
        try:
            # A consumer per thread: each retries only its own failed batch.
            ledger.drain(consumer=f"web-{socket.gethostname()}-{os.getpid()}-{threading.get_ident()}")
        except (redis.RedisError, SQLAlchemyError) as error:  # they wait in the stream
            log.warning("database unavailable, the log waits in the ledger: %s", error)
            db.session.rollback()


def init_app(app: Flask) -> None:
    app.extensions["webhook_keep"] = state.register_script(app, KEEP)


def forget_claim(retry_key: str) -> None:
    """The message failed before anything was committed: let WeChat's retry try again."""
    try:
        state.store().delete(gate.claim_key(retry_key))
    except redis.RedisError:
        pass  # it expires after CLAIM_TTL


def wait_for_answer(retry_key: str, wait: float) -> str | None:
    """A retry while the first call still works: its answer once stored, or None (success)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            stored = state.store().get(gate.answer_key(retry_key))
        except redis.RedisError:
            return None
        if stored is not None:
            return stored or None
        time.sleep(0.05)
    return None


def within_budget(work: Callable[[], str | None], budget: float,
                  send_late: Callable[[str], None]) -> str | None:
    """Run `work` in the app's pool; past the budget reply nothing now and send the answer later.

    The late answer goes out as a customer-service message, which WeChat allows for 48 h after
    the user's last message.
    """
    app = current_app._get_current_object()

    def in_context():
        with app.app_context():
            return work()

    future = pool(app).submit(contextvars.copy_context().run, in_context)  # keeps the request id
    try:
        return future.result(timeout=budget)
    except TimeoutError:
        def deliver(done):
            if done.exception() is None and done.result():
                with app.app_context():
                    send_late(done.result())

        future.add_done_callback(deliver)
        return None


def pool(app: Flask) -> ThreadPoolExecutor:
    answer_pool = app.extensions.get("answer_pool")
    if answer_pool is None:  # built once, not as setdefault's default on every message
        answer_pool = app.extensions.setdefault("answer_pool", ThreadPoolExecutor(max_workers=8))
    return answer_pool
