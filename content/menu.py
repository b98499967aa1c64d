"""The Official Account's custom menu as data (content/menu.toml), checked against WeChat's rules.

https://developers.weixin.qq.com/doc/service/api/custommenu/api_createcustommenu.html
"""
import copy

from content.texts import table

MAX_BUTTONS, MAX_SUB_BUTTONS = 3, 5
NAME_BYTES, SUB_NAME_BYTES, KEY_BYTES, URL_BYTES = 16, 60, 128, 1024
TYPES = {"click", "view", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
         "pic_weixin", "location_select", "media_id", "article_id", "article_view_limited",
         "miniprogram"}
KEYED = {"click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album",
         "pic_weixin", "location_select"}


def menu(miniapp_id: str = "") -> dict:
    """The menu as WeChat's menu/create takes it, the mini-program's app id filled in."""
    data = copy.deepcopy(table("menu.toml"))
    for button in data["button"]:
        for entry in [button, *button.get("sub_button", [])]:
            if "appid" in entry:
                entry["appid"] = entry["appid"].format(miniapp_id=miniapp_id)
    return {"button": data["button"]}


def click_keys(data: dict) -> set[str]:
    return {entry["key"] for button in data["button"]
            for entry in [button, *button.get("sub_button", [])] if entry.get("type") in KEYED}


def problems(data: dict) -> list[str]:
    """What WeChat would refuse (40016–40027 …), in English for the publishing staff's log."""
    found = []
    buttons = data.get("button") or []
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        found.append(f"{len(buttons)} buttons: 1 to {MAX_BUTTONS} allowed")
    for button in buttons:
        subs = button.get("sub_button")
        found += _check(button, NAME_BYTES, has_subs=bool(subs))
        if subs is not None and not 1 <= len(subs) <= MAX_SUB_BUTTONS:
            found.append(f"{button.get('name')}: {len(subs)} sub-buttons, 1 to {MAX_SUB_BUTTONS} allowed")
        for sub in subs or []:
            found += _check(sub, SUB_NAME_BYTES, has_subs=False)
    return found


def _check(entry: dict, name_bytes: int, has_subs: bool) -> list[str]:
    name = entry.get("name") or ""
    found = []
    if not name or len(name.encode()) > name_bytes:
        found.append(f"name {name!r}: 1 to {name_bytes} bytes")
    if has_subs:
        if "type" in entry:
            found.append(f"{name}: a button with sub-buttons has no type")
        return found
    kind = entry.get("type")
    if kind not in TYPES:
        found.append(f"{name}: unknown type {kind!r}")
    if kind in KEYED and not 0 < len((entry.get("key") or "").encode()) <= KEY_BYTES:
        found.append(f"{name}: key of 1 to {KEY_BYTES} bytes needed")
    if kind in ("view", "miniprogram") and not 0 < len((entry.get("url") or "").encode()) <= URL_BYTES:
        found.append(f"{name}: url of 1 to {URL_BYTES} bytes needed")
    if kind == "miniprogram" and not (entry.get("appid") and entry.get("pagepath")):
        found.append(f"{name}: a mini-program button needs appid and pagepath")
    return found
