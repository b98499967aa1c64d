"""Customer-service (客服消息) windows, as WeChat counts them since June 2023.

Source: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Messages.html
(English: https://developers.weixin.qq.com/doc/service/en/guide/product/kf/intro.html):
- a message from the user (text, image, voice, location, link …) allows 5 messages within 48 h;
- following, scanning a parametric QR code, or clicking a menu of type click, scancode_push or
  scancode_waitmsg allows 3 messages within 1 minute (「点击菜单 … 不会产生用户发送消息场景的客服消息下发额度」);
- nothing else opens a window: the automatic LOCATION report, VIEW and view_miniprogram menu
  clicks, delivery receipts (TEMPLATESENDJOBFINISH, MASSSENDJOBFINISH), subscribe-message events,
  unsubscribe. Beyond the window WeChat answers 45015, beyond its count 45047.

The doc does not say how windows combine; we keep one window per resident: a message always
opens a fresh 48-h window; a follow, scan or click opens the 1-minute one only when no window is
open with messages left (pushes go out minutes or hours later: a 48-h window with one message left
is worth more to them than three messages within a minute).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from models import Resident, db
from models.timeutil import utcnow


@dataclass(frozen=True)
class Rule:
    messages: int
    lasts: timedelta


RULES = {"message": Rule(5, timedelta(hours=48)), "interaction": Rule(3, timedelta(minutes=1))}
# Events that open the short window; wechatpy names a follow through a QR code subscribe_scan.
INTERACTIONS = {"subscribe", "subscribe_scan", "scan", "click", "scancode_push", "scancode_waitmsg"}


def opened_by(kind: str, event: str) -> str | None:
    """The window a message or event opens: 'message', 'interaction' or None."""
    if kind != "event":
        return "message"
    return "interaction" if event in INTERACTIONS else None


def left(kind: str | None, opened_at: datetime | None, sent: int, now: datetime | None = None) -> int:
    """Messages the window still allows now (0 when closed or none)."""
    rule = RULES.get(kind or "")
    now = now or utcnow()
    if rule is None or opened_at is None or now - opened_at >= rule.lasts:
        return 0
    return max(0, rule.messages - (sent or 0))


def open_window(resident: Resident, kind: str, now: datetime | None = None) -> None:
    """The user acted: a message opens a fresh window; an interaction only when none is open."""
    now = now or utcnow()
    if kind != "message" and left(resident.window_kind, resident.window_opened_at,
                                  resident.window_sent, now):
        return
    resident.window_kind, resident.window_opened_at, resident.window_sent = kind, now, 0


def allows(resident: Resident, now: datetime | None = None) -> int:
    return left(resident.window_kind, resident.window_opened_at, resident.window_sent, now)


def spend(resident_ids: list[int]) -> None:
    """Count customer-service messages that WeChat accepted (or may have) against their windows."""
    if resident_ids:
        db.session.execute(update(Resident).where(Resident.id.in_(resident_ids))
                           .values(window_sent=Resident.window_sent + 1))


def spend_openid(openid: str) -> None:
    """After a one-off customer-service message from a job (a late answer, a notice): commits."""
    db.session.execute(update(Resident).where(Resident.openid == openid)
                       .values(window_sent=Resident.window_sent + 1))
    db.session.commit()


def custom_text(sender, openid: str, text: str) -> None:
    """Send a customer-service text through `sender` (infra.wechat.send.Sender) and count it."""
    sender.custom_text(openid, text)
    spend_openid(openid)
