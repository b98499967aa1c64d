"""Jobs that deliver messages through the WeChat API, with WeChat's errors sorted out.

A permanent error (the user unfollowed, a bad openid, the 48-h window closed) is recorded and
not retried; a transient one (system busy, a quota) raises, so RQ retries with backoff.
"""
import logging

from wechatpy.exceptions import WeChatClientException

from bot import state, wechat
from bot.logs import hashed

log = logging.getLogger(__name__)

# A late answer's claim outlives every retry of its job.
LATE_CLAIM_TTL = 2 * 24 * 3600

# 43004 unfollowed, 40003 invalid openid, 45015 outside the 48-h window, 45047 over the
# per-user customer-service cap, 43101 the user did not accept subscribe messages.
PERMANENT_ERRORS = {43004, 40003, 45015, 45047, 43101}


def is_permanent(error: WeChatClientException) -> bool:
    return error.errcode in PERMANENT_ERRORS


def send_customer_text(openid: str, text: str) -> str:
    """A customer-service text message; returns 'sent' or the permanent error's code."""
    try:
        wechat.client().message.send_text(openid, text)
    except WeChatClientException as error:
        if not is_permanent(error):
            raise
        log.info("customer message to %s not deliverable: %s", hashed(openid), error.errcode)
        return str(error.errcode)
    return "sent"


def send_late_answer(openid: str, text: str, message_key: str) -> str:
    """The answer to a message that took longer than WeChat waits; sent at most once.

    The call is claimed first. When WeChat answers with an error nothing went out, so the claim
    is given back and RQ retries; when the outcome is unknown (a time-out, a dead worker) the
    claim stays and a retry sends nothing rather than a second copy.
    """
    claim = f"late-answer:{message_key}"
    if not state.store().set(claim, "1", nx=True, ex=LATE_CLAIM_TTL):
        return "claimed before"
    try:
        return send_customer_text(openid, text)
    except WeChatClientException as error:
        if error.errcode is not None:  # WeChat said no: nothing was sent
            state.store().delete(claim)
        raise
