"""A resident's area in the chat: "绑定小区" walks district → street → community; "我的小区" shows it.

The chooser here is shared with the volunteer registration's area step.
"""
import re

from content.texts import text
from handlers import dialogs
from handlers.dialogs import DialogState, Invalid, NotAnAnswer
from handlers.people import consent, regions, residents
from handlers.router import Message, router

NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")


# --- the chooser: state.data["node"] is the node whose children are offered --------------------

def chooser_prompt(data: dict, keep_hint: str = "") -> str:
    """The numbered children of the current node (or the candidates of an ambiguous name)."""
    node = regions.get(data.get("node")) or regions.get(regions.CITY)
    if data.get("candidates"):
        options = [regions.get(code) for code in data["candidates"]]
        listed = numbered(f"{regions.path_name(r.code)}" for r in options)
        return text("area.ambiguous", options=listed)
    options = regions.children(node.code)
    listed = numbered(r.name for r in options)
    wording = {1: "area.choose_district", 2: "area.choose_street", 3: "area.choose_community"}
    prompt = text(wording[node.level], parent=node.name, options=listed)
    return prompt + (("\n" + keep_hint) if keep_hint else "")


def numbered(names) -> str:
    return "\n".join(f"{n}. {name}" for n, name in enumerate(names, 1))


def choose(data: dict, answer: str) -> str | None:
    """Move the chooser by the resident's answer; the chosen code once a final node is reached.

    "0" keeps the current street (when its communities are offered). A name may be anywhere
    under the current node (南岭 at the district step picks 南关区南岭街道 at once).
    """
    node = regions.get(data.get("node")) or regions.get(regions.CITY)
    options = [regions.get(c) for c in data.pop("candidates", [])] or regions.children(node.code)
    number = NUMBER.match(answer)
    if number and int(number.group(1)) == 0 and node.level == 3:
        return node.code
    if number and 1 <= int(number.group(1)) <= len(options):
        picked = options[int(number.group(1)) - 1]
    else:
        found = regions.match(node.code, answer)
        if len(found) > 1:  # 正阳街道 is in two districts: let the resident pick by number
            data["candidates"] = [r.code for r in found[:9]]
            return None
        if not found:
            if number:
                raise Invalid(text("area.bad_number", count=len(options)) + "\n" + chooser_prompt(data))
            raise NotAnAnswer(text("area.not_found", text=answer.strip()) + "\n" + chooser_prompt(data))
        picked = found[0]
    if picked.level >= 3 and (picked.level == 4 or not regions.children(picked.code)):
        return picked.code
    data["node"] = picked.code
    return None


def chooser_up(data: dict) -> bool:
    """One level up ("返回"); False when already at the top."""
    data.pop("candidates", None)
    node = regions.get(data.get("node"))
    if node is None or node.level <= 1:
        return False
    data["node"] = node.parent_code
    return True


# --- the "绑定小区" dialog -----------------------------------------------------------------------

def prompt(state: DialogState, openid: str) -> str:
    if state.step == "consent":
        return consent.explanation("area")
    return chooser_prompt(state.data)


def take(state: DialogState, message: Message) -> str:
    resident = residents.find_or_create(message.openid)
    if state.step == "consent":
        return take_consent(state, message, resident)
    code = choose(state.data, message.text)
    if code is None:
        dialogs.save(message.openid, state)
        return chooser_prompt(state.data)
    full_name = residents.bind_area(resident, code)
    dialogs.clear(message.openid)
    return text("area.bound", path=full_name)


def take_consent(state: DialogState, message: Message, resident) -> str:
    word = message.text.strip().lower()
    if word in consent.DECLINE:
        dialogs.clear(message.openid)
        return text("consent.declined")
    if word not in consent.AGREE:
        raise NotAnAnswer(text("consent.agree_or_not"))
    consent.grant(resident, "area", "chat")
    state.advance("choose")
    dialogs.save(message.openid, state)
    return chooser_prompt(state.data)


def back(state: DialogState) -> None:
    if not chooser_up(state.data) and state.history:
        state.step = state.history.pop()


BINDING = dialogs.register(dialogs.Dialog(
    name="area", title="绑定小区", start_word="绑定小区", take=take, prompt=prompt, back=back))


@router.on_dialog("area")
def continue_binding(message: Message) -> str:
    return dialogs.continue_dialog(BINDING, message)


@router.on_keyword("绑定小区", "绑定社区", "绑定街道", "修改小区", "更换小区", "选择小区")
@router.on_intent("area_bind")
@dialogs.starter
def start_binding(message: Message) -> str:
    resident = residents.find_or_create(message.openid)
    step = "choose" if consent.has(resident, "area") else "consent"
    return dialogs.start(message.openid, BINDING, step, {"node": regions.CITY})


@router.on_keyword("我的小区", "我的社区", "我的区域", "查看小区")
@router.on_intent("area_show")
def show_area(message: Message) -> str:
    resident = residents.find(message.openid)
    if resident is None or not resident.region_code:
        return text("area.none")
    return text("area.current", path=regions.path_name(resident.region_code))


# --- a campaign QR code naming an area --------------------------------------------------------

SCENE_AREA = re.compile(r"^(?:area[-:])?(\d{9,12})$")


def scene_area(scene: str):
    """The street or community a QR code's scene names ("area-220102001" or the bare code)."""
    found = SCENE_AREA.match(scene or "")
    region = regions.get(found.group(1)) if found else None
    return region if region is not None and region.active and region.level >= 3 else None


def offer(openid: str, region) -> str:
    """Offer to bind the area a poster's QR code names: the binding dialog, starting (after
    consent, when not given yet) at that street's communities ("0" keeps the street)."""
    resident = residents.find_or_create(openid)
    street = region.code if region.level == 3 else region.parent_code
    step = "choose" if consent.has(resident, "area") else "consent"
    offered = text("area.offered", area=regions.path_name(region.code))
    return offered + "\n" + dialogs.start(openid, BINDING, step, {"node": street})
