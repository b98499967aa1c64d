"""Which WeChat channel reaches each recipient, within WeChat's limits, and the plan staff see.

Order of choice, cheapest first for the resident and the account:
- a whole district (or the city) goes by one tag mass send (the city: to all followers); WeChat
  itself drops followers who had their 4 mass messages this month (service account);
- otherwise, and for those the mass send drops: a customer-service message to a resident whose
  customer-service window is open and not used up (no monthly quota used; people/windows.py: 5
  within 48 h of a message, 3 within 1 minute of a follow, scan or menu click), a template message
  to those who opted in (daily quota per account), a subscribe message (one per grant);
- otherwise a mass send by openid list (one of the resident's 4 this month, 2–10,000 per call);
- otherwise out of reach, with the reason.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, update

from handlers.campaigns.push.tags import tag_refused
from handlers.campaigns.push.targeting import Target, month_start, recipients_query
from handlers.people import windows
from handlers.people.residents import MINIAPP
from handlers.staff import scope
from infra.clock import day_start, local_date
from models import Delivery, DistrictTag, MessageOptIn, db
from models.timeutil import utcnow

MASS = ("mass_tag", "mass_all", "mass_list")
PERSONAL = ("custom", "template", "subscribe")
# A window about to close is not planned for: the batch job may start a few seconds later.
# Rules and source: handlers/people/windows.py
# (https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Messages.html).
WINDOW_MARGIN = timedelta(seconds=10)

CHANNEL_NAMES = {"mass_tag": "按区县标签群发", "mass_all": "全市群发", "mass_list": "按名单群发",
                 "custom": "客服消息（互动窗口内）", "template": "模板消息（已授权）",
                 "subscribe": "订阅消息（已订阅）"}
REASON_NAMES = {"unsubscribed": "已取消关注", "monthly_limit": "本月4次群发已用完且无其他渠道",
                "mass_needs_two": "群发名单至少需2人", "template_quota": "模板消息当日额度已满",
                "miniapp_only": "只用过小程序且未订阅（公众号无法触达）"}


@dataclass
class Recipient:
    resident_id: int
    openid: str
    region_code: str
    channel: str = "none"
    reason: str = ""
    tag_id: int | None = None


@dataclass
class Plan:
    recipients: list[Recipient]
    channels: Counter = field(default_factory=Counter)
    unreachable: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return len(self.recipients)

    def summary(self) -> dict:
        return {"total": self.total, "channels": dict(self.channels),
                "unreachable": dict(self.unreachable)}


def limits() -> dict:
    config = current_app.config
    return {"mass_month": config["PUSH_MASS_PER_MONTH"], "template_day": config["PUSH_TEMPLATE_DAILY_QUOTA"]}


@dataclass
class Situation:
    """What a channel choice depends on besides the recipient, read once for a whole push."""
    now: object
    at_mass_limit: set[int]
    opt_ins: dict[int, set[str]]
    template_left: int
    city_wide: bool
    # Districts reached whole: the worker tags every subscribed resident of each before sending
    # (tags.sync), so membership is the resident's area, not the tags of an earlier sync.
    tag_districts: set[str]
    tags: dict[str, int]


def situation(target: Target) -> Situation:
    lim = limits()
    now = utcnow()
    whole = target.whole_nodes()
    city_wide = any(scope.level(c) == "city" for c in whole)
    tags = dict(db.session.execute(db.select(DistrictTag.district_code, DistrictTag.tag_id)).all())
    # A district WeChat refused a tag (the account's 100 are used) goes by openid list instead.
    districts = set() if city_wide else {c for c in whole if scope.level(c) == "district"
                                         and (c in tags or not tag_refused(c))}
    return Situation(now=now, at_mass_limit=_at_mass_limit(lim["mass_month"]), opt_ins=_opt_ins(),
                     template_left=lim["template_day"] - _templates_today(now), city_wide=city_wide,
                     tag_districts=districts, tags=tags)


def choose(r: Recipient, row, seen: Situation) -> None:
    """The one decision of a recipient's channel (or why none), for the plan staff see and the worker."""
    _, _, region_code, subscribed, window, opened_at, window_sent, app = row
    if not subscribed:
        r.reason = "unsubscribed"
        return
    opted = seen.opt_ins.get(r.resident_id, ())
    if app == MINIAPP:  # a mini-program openid: only the mini-program's subscribe messages
        if "subscribe" in opted:
            r.channel = "subscribe"
        else:
            r.reason = "miniapp_only"
        return
    mass_left = r.resident_id not in seen.at_mass_limit
    district = r.region_code[:6]
    if seen.city_wide and mass_left:
        r.channel = "mass_all"
        return
    if mass_left and district in seen.tag_districts:
        # Not yet tagged (a first send, before the worker's sync): the tag is made then, id unknown yet.
        r.channel, r.tag_id = "mass_tag", seen.tags.get(district)
        return
    # The tag send will not reach this one (monthly limit): a personal channel.
    if windows.left(window, opened_at, window_sent, seen.now + WINDOW_MARGIN):
        r.channel = "custom"
    elif "template" in opted and seen.template_left > 0:
        r.channel = "template"
        seen.template_left -= 1
    elif "subscribe" in opted:
        r.channel = "subscribe"
    elif mass_left:  # (city-wide, mass_left was taken by mass_all above)
        r.channel = "mass_list"
    elif "template" in opted:
        r.reason = "template_quota"
    else:
        r.reason = "monthly_limit"


def plan(target: Target, sender_code: str) -> Plan:
    """Each recipient's channel, or why they are out of reach; nothing is written.

    The console shows this before sending and the worker sends by it (deliver.prepare), so what
    staff read is what goes out, short of what changes in between (a window closing, a quota used).
    """
    seen = situation(target)
    result = Plan([])
    for row in db.session.execute(recipients_query(target, sender_code)).all():
        r = Recipient(row[0], row[1], row[2] or "")
        result.recipients.append(r)
        choose(r, row, seen)
    _need_two(result.recipients)
    for r in result.recipients:
        if r.channel == "none":
            result.unreachable[r.reason] += 1
        else:
            result.channels[r.channel] += 1
    return result


def _need_two(recipients: list[Recipient]) -> None:
    """A mass send by openid list needs at least 2 openids; a lone one is out of reach."""
    listed = [r for r in recipients if r.channel == "mass_list"]
    if len(listed) == 1:
        listed[0].channel, listed[0].reason = "none", "mass_needs_two"


def _at_mass_limit(limit: int) -> set[int]:
    """Residents who had `limit` mass messages from us this calendar month (WeChat drops them)."""
    query = (db.select(Delivery.resident_id)
             .where(Delivery.channel.in_(MASS), Delivery.status == "sent",
                    Delivery.sent_at >= month_start(), Delivery.resident_id.is_not(None))
             .group_by(Delivery.resident_id).having(func.count() >= limit))
    return set(db.session.execute(query).scalars())


def _opt_ins() -> dict[int, set[str]]:
    found = defaultdict(set)
    for resident_id, kind in db.session.execute(
            db.select(MessageOptIn.resident_id, MessageOptIn.kind).where(MessageOptIn.remaining > 0)):
        found[resident_id].add(kind)
    return found


def _templates_today(now) -> int:
    """Template messages this account sent today (WeChat counts days in Beijing time)."""
    since = day_start(local_date(now))
    return db.session.scalar(db.select(func.count()).select_from(Delivery).where(
        Delivery.channel == "template", Delivery.sent_at >= since,
        Delivery.status.in_(("sent", "pending")))) or 0


def campaign_template(app: str) -> str:
    """The campaign's subscribe template of a resident's app: each app has its own templates,
    so an accept of the other app's template grants nothing here."""
    config = current_app.config
    return config["PUSH_MINIAPP_SUBSCRIBE_TEMPLATE_ID" if app == MINIAPP else "PUSH_SUBSCRIBE_TEMPLATE_ID"]


def grants_from_events(app: str) -> bool:
    """Whether WeChat's subscribe_msg_popup_event is the record of an accept for residents of
    `app`, rather than the mini-program's own report (POST /api/v1/me/notices).

    One accept reaches us twice when the mini-program's message push is configured: WeChat's
    event and the mini-program's call after wx.requestSubscribeMessage. Counting both makes one
    accept two grants, and the second send fails 43101. So one source per app: the Official
    Account's events always (its webhook is the product; nothing else reports them), the
    mini-program's when its push is configured (WECHAT_MINIAPP_PUSH), else its API call.
    A reject ends the grants from either source: nothing is counted twice by stopping.
    """
    return app != MINIAPP or current_app.config["WECHAT_MINIAPP_PUSH"]


def opt_in(resident_id: int, kind: str, grants: int = 1) -> None:
    """The resident accepted template messages, or granted `grants` subscribe messages."""
    row = db.session.get(MessageOptIn, (resident_id, kind))
    if row is None:
        db.session.add(MessageOptIn(resident_id=resident_id, kind=kind, remaining=grants))
    elif kind == "subscribe":
        row.remaining += grants
    else:
        row.remaining = max(row.remaining, 1)
    db.session.flush()


def refused_subscribe(resident_ids: list[int]) -> None:
    """The residents refused subscribe messages (a reject in WeChat, or 43101 on a send): no grant
    is left, so no campaign plans a subscribe message for them until they accept again."""
    if resident_ids:
        db.session.execute(update(MessageOptIn).where(
            MessageOptIn.resident_id.in_(resident_ids), MessageOptIn.kind == "subscribe")
            .values(remaining=0))
