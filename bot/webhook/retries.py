"""WeChat's retries and time limit: each message is answered once, the same way, within 5 s.

WeChat retries a webhook call that has not answered in 5 s, three tries in all, with the same
MsgId. The first call takes a lock in shared state and stores its answer; a retry, on any web
process, returns that stored answer (waiting briefly while the first call still works).
"""
import contextvars
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, TimeoutError

import redis
from flask import Flask, current_app

from infra import state

log = logging.getLogger(__name__)

# WeChat's retries come within 15 s. Kept short because an answer may repeat what the user typed
# (a name, a phone number); later replays get the log's redacted copy (handlers/inbox.py).
ANSWER_TTL = 60
LOCK_TTL = 60
NOTHING = ""  # stored for 'success': nothing to say


def answer_once(key: str, compute: Callable[[], str | None], wait: float) -> str | None:
    store = state.store()
    answer_key, lock_key = f"wx:answer:{key}", f"wx:lock:{key}"
    try:
        # Most messages are new: claim first, and read a stored answer only if that fails.
        if not store.set(lock_key, "1", nx=True, ex=LOCK_TTL):
            return wait_for_answer(answer_key, wait)
    except redis.RedisError as error:
        # Without shared state a retry may be answered again; the message log's unique key
        # still keeps its side effects from happening twice.
        log.warning("state unavailable, answering without retry cache: %s", error)
        return compute()
    try:
        answer = compute()
    except Exception:
        forget_claim(lock_key)  # let a retry try again: nothing was committed
        raise
    try:
        store.set(answer_key, answer or NOTHING, ex=ANSWER_TTL)
    except redis.RedisError as error:
        log.warning("answer not cached for retries: %s", error)
    return answer


def forget_claim(lock_key: str) -> None:
    try:
        state.store().delete(lock_key)
    except redis.RedisError:
        pass  # it expires after LOCK_TTL


def wait_for_answer(answer_key: str, wait: float) -> str | None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            stored = state.store().get(answer_key)
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
    return app.extensions.setdefault("answer_pool", ThreadPoolExecutor(max_workers=8))
