"""Publishing the Official Account's custom menu from content/menu.toml (a command, or city staff
in the console); each publication from the console is in the audit log."""
from flask import current_app

from content import menu as menu_data
from handlers import load_routes
from handlers.staff import audit
from infra.wechat.send import Sender, SendError


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


class MenuRefused(Exception):
    """WeChat refused the menu or the call; code is its errcode (or 'timeout', 'network' …)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def publish(staff=None) -> dict:
    """Replace the published menu (WeChat: menu/create); returns what was published. With staff,
    the attempt is audited (its outcome: ok or WeChat's errcode)."""
    data = build()
    try:
        Sender().create_menu(data)
    except SendError as error:
        _audit(staff, error.code)
        raise MenuRefused(error.code) from error
    _audit(staff, "ok")
    return data


def published() -> dict | None:
    """The menu WeChat has now (None: none published); MenuRefused when it cannot be read."""
    try:
        return Sender().menu()
    except SendError as error:
        raise MenuRefused(error.code) from error


def _audit(staff, outcome: str) -> None:
    if staff is not None:
        audit.record(staff, "menu_publish", staff.region_code, "menu", {"outcome": outcome})
