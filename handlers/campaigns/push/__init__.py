"""Campaign pushes: who a push reaches (targeting), by which WeChat channel (channels), the plan
staff see before sending, and delivery as RQ jobs that are safe to run twice (deliver).

    create_push → plan (how many per channel, who is out of reach and why) → start
      → prepare job: recipients written as Delivery rows, cut into batches
      → one job per (push, batch): rate-limited, retried on transient errors, outcomes recorded
    progress / cancel / resume at any time; report rolls the outcomes up city → district → street.
"""
from handlers.errors import Refused


class PushError(Refused):
    """A push the console refuses; the message is for staff, in Chinese."""


from handlers.campaigns.push import forgetting  # noqa: E402,F401  registers with handlers.residents
