"""The at-most-once notice: claim it, send it, then keep the claim or give it back.

A notice (a review decision, a reminder, a cancellation, a late answer) is claimed before it is
sent, so a job that runs twice sends once. What happens to the claim depends on what WeChat said:
- sent: the claim stays;
- refused for good (unfollowed, window closed, subscription used up): the claim stays and the
  refusal's code is the outcome, never retried;
- refused for now (busy, a quota): nothing went out, so the claim is given back and the error
  raised for RQ to retry;
- no answer (a time-out after the call left): it may have been delivered, so the claim stays
  and the outcome is 'unconfirmed': at most once rather than twice.
"""
import logging
from collections.abc import Callable

from infra.logs import hashed
from infra.wechat.send import SendError

log = logging.getLogger(__name__)


def send_once(what: str, openid: str, claim: Callable[[], bool], send: Callable[[], None],
              release: Callable[[], None]) -> str:
    """'sent', 'skipped' (claimed before), 'unconfirmed' or a permanent error's code."""
    if not claim():
        return "skipped"
    try:
        send()
    except SendError as error:
        if error.kind == "permanent":
            log.info("%s not deliverable to %s: %s", what, hashed(openid), error.code)
            return error.code
        if error.kind == "unknown":
            log.warning("%s to %s unconfirmed: %s", what, hashed(openid), error.code)
            return "unconfirmed"
        release()
        raise
    except Exception:
        release()
        raise
    return "sent"
