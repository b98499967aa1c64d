"""Following, unfollowing, help, the menu, and messages the bot cannot read."""
from content.texts import replies, text
from handlers.people import areas, residents
from handlers.router import Message, router


@router.on_event("subscribe", "subscribe_scan", "scan")
def greet(message: Message) -> str:
    """A follow, also through a campaign QR code (wechatpy 1.8.18 names it subscribe_scan; the
    scene is recorded on the resident by the inbox), and a scan by a follower. A code that names
    a street or community offers to bind it (with consent)."""
    area = areas.scene_area(message.event_key) if message.event != "subscribe" else None
    if area is not None:
        return text("welcome") + "\n\n" + areas.offer(message.openid, area)
    return text("welcome")


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
