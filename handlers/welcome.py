"""Following, unfollowing, help, the menu, and messages the bot cannot read."""
from content.texts import replies, text
from handlers.campaigns import qrcodes
from handlers.people import areas, residents
from handlers.router import Message, router
from infra.clock import label, utcnow
from models import Activity, School, db


@router.on_event("subscribe", "subscribe_scan", "scan")
def greet(message: Message) -> str:
    """A follow, also through a poster's QR code (wechatpy 1.8.18 names it subscribe_scan; the
    scene is kept on the resident by the inbox), and a scan by a follower. The follow or scan is
    counted under its code; a code that names a street or community offers to bind it (with
    consent), one that names a school or an activity says which."""
    scene = message.event_key if message.event != "subscribe" else ""
    if scene:
        qrcodes.record_scan(scene, "scan" if message.event == "scan" else "follow")
    area = areas.scene_area(scene) if scene else None
    if area is not None:
        return text("welcome") + "\n\n" + areas.offer(message.openid, area)
    about = scene_text(scene)
    return text("welcome") + ("\n\n" + about if about else "")


def scene_text(scene: str) -> str:
    """What a school's or an activity's QR code is about; '' for other scenes."""
    found = qrcodes.target(scene)
    if found is None:
        return ""
    kind, number = found
    if kind == "school":
        school = db.session.get(School, number)
        return text("qr.school", school=school.name) if school else ""
    activity = db.session.get(Activity, number)
    if activity is None:
        return ""
    if activity.cancelled or activity.starts_at <= utcnow():
        return text("qr.activity_over", title=activity.title)
    return text("qr.activity", title=activity.title, starts=label(activity.starts_at),
                place=activity.place, deadline=label(activity.enrol_deadline))


@router.on_event("unsubscribe")
def forget_unfollower(message: Message) -> None:
    # Nobody can read a reply after unfollowing; the user's data goes (PIPL: no purpose left).
    residents.forget(message.openid)
    return None


@router.on_keyword("帮助", "help", "?", "？", "菜单")
@router.on_intent("help")
def help_text(message: Message) -> str:
    return text("help")


def menu_reply(message: Message) -> str:
    return replies()["menu"][message.event_key]


for key in replies()["menu"]:
    router.on_click(key)(menu_reply)


@router.on_kind("voice")
def voice_without_text(message: Message) -> str:
    return text("voice_unrecognised")


@router.on_kind("unknown", "image", "video", "shortvideo", "link", "file")
def other_kind(message: Message) -> str:
    return text("other_kind")
