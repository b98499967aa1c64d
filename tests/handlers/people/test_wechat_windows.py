"""Customer-service windows as WeChat counts them: a message opens 5 within 48 h, a follow, scan or
menu click 3 within 1 minute; receipts, location reports and VIEW events open nothing and
re-create nobody. The push plan and the fake agree."""
from datetime import timedelta

from bot.webhook import simulate
from handlers.campaigns.push import deliver
from handlers.people import windows
from models import InboundMessage, Resident, WeChatReceipt, db
from models.timeutil import utcnow
from tests.push_support import STREET_A, add_residents, add_staff, follow, push


def resident(openid: str) -> Resident | None:
    db.session.expire_all()
    return db.session.execute(db.select(Resident).filter_by(openid=openid)).scalar()


def template_receipt(openid: str, msg_id: int = 200163836, status: str = "success") -> str:
    return simulate.message_xml(openid, "event", {"Event": "TEMPLATESENDJOBFINISH", "MsgID": msg_id,
                                                  "Status": status})


def test_a_template_receipt_neither_opens_a_window_nor_brings_back_an_unfollowed_resident(app, wechat):
    assert wechat.reply(template_receipt("o-stranger")) is None
    assert resident("o-stranger") is None  # a receipt creates nobody

    assert wechat.reply(simulate.event_xml("o-leaver", "subscribe"))  # welcomed
    assert resident("o-leaver").window_kind == "interaction"
    assert wechat.reply(simulate.event_xml("o-leaver", "unsubscribe")) is None
    assert resident("o-leaver") is None  # forgotten on unfollowing
    assert wechat.reply(template_receipt("o-leaver", 200163837, "failed:user block")) is None
    assert resident("o-leaver") is None  # the late receipt does not bring them back
    logged = db.session.execute(db.select(InboundMessage.openid)).scalars().all()
    kept = db.session.execute(db.select(WeChatReceipt.openid)).scalars().all()
    assert "o-leaver" not in logged + kept and "o-stranger" not in logged + kept


def test_only_what_the_user_does_opens_a_window(app, wechat):
    wechat.ask("o-writer", "电池怎么扔")
    writer = resident("o-writer")
    assert (writer.window_kind, windows.allows(writer)) == ("message", 5)

    wechat.reply(simulate.event_xml("o-clicker", "subscribe"))
    clicker = resident("o-clicker")
    assert (clicker.window_kind, windows.allows(clicker)) == ("interaction", 3)
    assert windows.allows(clicker, utcnow() + timedelta(seconds=61)) == 0  # one minute only

    # A location report, a VIEW click and a mini-program jump: nothing changes.
    opened_at = clicker.window_opened_at
    location = simulate.message_xml("o-clicker", "event", {"Event": "LOCATION", "Latitude": 43.88,
                                                           "Longitude": 125.32, "Precision": 65.0})
    for xml in (location, simulate.event_xml("o-clicker", "VIEW", "https://example.org"),
                simulate.event_xml("o-clicker", "view_miniprogram", "pages/index/index")):
        assert wechat.post(xml).status_code == 200
    assert resident("o-clicker").window_opened_at == opened_at
    for xml in (location, simulate.event_xml("o-viewer", "VIEW", "https://example.org")):
        wechat.post(xml.replace("o-clicker", "o-viewer"))
    assert resident("o-viewer") is None

    # A follow does not shorten the 48-h window a message opened.
    wechat.reply(simulate.event_xml("o-writer", "subscribe"))
    assert resident("o-writer").window_kind == "message"


def test_the_push_plan_follows_the_windows(app, wechat, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    quiet = add_residents(STREET_A, 2, prefix="o-quiet-")  # no window: reached by a mass list
    follow(fake_wechat, quiet)
    wechat.ask("o-writer", "你好")
    wechat.reply(simulate.event_xml("o-follower", "subscribe"))
    wechat.reply(template_receipt("o-receipt"))
    writer, follower = resident("o-writer"), db.session.execute(
        db.select(Resident).filter_by(openid="o-follower")).scalar()
    writer.region_code = follower.region_code = STREET_A
    # The follow was two minutes ago: its 1-minute window has closed.
    follower.window_opened_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    draft = push(street, [STREET_A], run=False)
    plan = {r.openid: r.channel for r in deliver.plan(draft).recipients}
    assert plan == {"o-writer": "custom", "o-follower": "mass_list", "o-quiet-0": "mass_list",
                    "o-quiet-1": "mass_list"}


def test_a_used_up_window_is_not_planned_and_the_fake_refuses_the_sixth(app, fake_wechat):
    street = add_staff("nanling", "street_admin", STREET_A)
    [talker] = add_residents(STREET_A, 1, prefix="o-talker-", active=True)
    others = add_residents(STREET_A, 2, prefix="o-other-")
    follow(fake_wechat, others)
    fake_wechat.user_acts(talker.openid, "message")
    used = []
    for _ in range(6):
        push(street, [STREET_A])
        used.append(resident(talker.openid).window_sent)
    assert used == [1, 2, 3, 4, 5, 5]  # five customer-service messages, then a mass list
    assert not [c for c in fake_wechat.calls("/cgi-bin/message/custom/send") if c["errcode"]]
    # The fake counts as WeChat does: a sixth would be refused.
    from infra.wechat.send import Sender, SendError

    try:
        Sender().custom_text(talker.openid, "第六条")
    except SendError as error:
        assert error.code == "45047"
    else:
        raise AssertionError("the fake allowed a sixth message")
