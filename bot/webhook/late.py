"""The answer to a message that took longer than WeChat waits, sent later at most once.

It goes out as a customer-service message; the claim lives in shared state and outlives every
retry of the job.
"""
from handlers.people import windows
from infra import state
from infra.wechat.once import send_once
from infra.wechat.send import Sender

CLAIM_TTL = 2 * 24 * 3600


def send_late_answer(openid: str, text: str, message_key: str) -> str:
    """Job: 'sent', 'skipped' (sent before), 'unconfirmed' or WeChat's refusal code."""
    claim = f"late-answer:{message_key}"
    return send_once(
        "late answer", openid,
        claim=lambda: bool(state.store().set(claim, "1", nx=True, ex=CLAIM_TTL)),
        send=lambda: windows.custom_text(Sender(), openid, text),
        release=lambda: state.store().delete(claim))
