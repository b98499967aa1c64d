"""Publishing the Official Account's custom menu from content/menu.toml."""
from flask import current_app

from content import menu as menu_data
from handlers import load_routes
from infra.wechat.send import Sender


class MenuError(ValueError):
    """The menu WeChat would refuse, or a button nobody answers; the message lists why."""


def build() -> dict:
    """The menu to publish, checked: WeChat's limits, and every click key answered by the chat."""
    data = menu_data.menu(current_app.config["WECHAT_MINIAPP_ID"])
    found = menu_data.problems(data)
    unanswered = menu_data.click_keys(data) - set(load_routes().clicks)
    found += [f"click key {key} has no answer in the chat" for key in sorted(unanswered)]
    if found:
        raise MenuError("; ".join(found))
    return data


def publish() -> dict:
    """Replace the published menu (WeChat: menu/create); returns what was published."""
    data = build()
    Sender().create_menu(data)
    return data
