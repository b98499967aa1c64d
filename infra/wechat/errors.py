"""WeChat's error codes, sorted once into what a caller should do about each.

Global return codes: https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html
"""
from enum import StrEnum

# Checked against the table in /work/scratch/wechat_facts.md §6 (global return codes, API_Call_Limits:
# https://developers.weixin.qq.com/doc/service/en/Message_Management/API_Call_Limits.html).


class Handling(StrEnum):
    PERMANENT = "permanent"  # the same call would fail again: record it, never retry
    RETRY = "retry"  # WeChat was busy: try again later
    REFRESH = "refresh"  # the access token went stale: fetch a new one, then retry once
    QUOTA = "quota"  # a quota is used up: wait for its reset
    DUPLICATE = "duplicate"  # the same clientmsgid was sent before: the first send stands


# -1 system busy; 45011 the API's per-minute limit; 45066 the same clientmsgid again within a
# minute; 89503 the call waits for an admin to confirm the caller's IP.
RETRY = {-1, 45011, 45066, 89503}
REFRESH = {40001, 40014, 42001}  # invalid, malformed or expired access token: refreshed once
# 45009: the API's daily call quota (template messages 100,000 a day, the token 2,000): nothing
# helps before the daily reset at 00:00 Beijing time, so the caller waits for it.
QUOTA = {45009}
DUPLICATE = {45065}
# Everything else is permanent. Named here because they are met in practice: 43004 unfollowed,
# 40003 invalid openid, 45015 outside the customer-service window, 45047 over the window's count,
# 43101 the user did not accept (or used up) the subscribe message, 40007 invalid media_id,
# 48001 API not authorised, 40164 caller IP not whitelisted, 45028 no mass-send quota left,
# 45002 content too long, 47003 template data malformed. 45028 (no mass-send quota: monthly, or
# a test account) is a quota, but one that does not reset by tomorrow: permanent for this send.
# 48002/43101 the user refuses messages; 40125/40243/40013 our secret or app id is wrong or frozen.
KNOWN_PERMANENT = {43004, 40003, 45015, 45047, 43101, 40007, 48001, 40164, 45028, 45002, 47003,
                   40008, 40037, 44003, 44004, 45008, 40130, 40032, 45159, 45067, 40125, 40226,
                   40029, 40163, 48002, 48004, 47001, 41030, 40243, 40013, 41001,
                   # the custom menu: button count, type, name, key, url sizes; domains
                   40016, 40017, 40018, 40019, 40020, 40023, 40024, 40025, 40026, 40027,
                   40054, 40055, 65316, 45064, 46003}


def handling(code: int) -> Handling:
    """Unknown codes are permanent: retrying a call WeChat refused for a reason we do not know
    only repeats the refusal (it is counted in a metric so the table can grow)."""
    if code in RETRY:
        return Handling.RETRY
    if code in REFRESH:
        return Handling.REFRESH
    if code in QUOTA:
        return Handling.QUOTA
    if code in DUPLICATE:
        return Handling.DUPLICATE
    return Handling.PERMANENT


def is_known(code: int) -> bool:
    return code in RETRY | REFRESH | QUOTA | DUPLICATE | KNOWN_PERMANENT
