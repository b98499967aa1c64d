"""Volunteer registration in the chat: consent, name, phone, area, skills, time, then a summary to confirm.

"上一步" goes back, "修改2" corrects one field from anywhere, "取消" drops it, and the user may
leave and resume within the dialog's expiry; a sorting question typed in between is answered.
"""
import re

from content.texts import text
from content.volunteering import options
from handlers import dialogs
from handlers.dialogs import DialogState, Invalid, NotAnAnswer
from handlers.people import areas, consent, phones, privacy, regions, residents
from handlers.router import Message, router
from handlers.volunteers import records as volunteers

STEPS = ("consent", "name", "phone", "area", "skills", "availability", "confirm")
# "修改2" or "修改手机": the summary's numbers, or the field's everyday names.
FIELDS = {"1": "name", "2": "phone", "3": "area", "4": "skills", "5": "availability",
          "姓名": "name", "名字": "name", "手机": "phone", "手机号": "phone", "电话": "phone",
          "区域": "area", "服务区域": "area", "地区": "area", "小区": "area",
          "服务内容": "skills", "技能": "skills", "时间": "availability", "服务时间": "availability"}
EDIT = re.compile(r"^(?:修改|更改|改)\s*[第]?\s*(\S+?)\s*(?:项)?$")
CONFIRM = {"确认", "确认提交", "提交", "确定", "没问题", "对", "是"}
CHOICE_SPLIT = re.compile(r"[\s,，、;；和及]+")


def prompt(state: DialogState, openid: str) -> str:
    step, data = state.step, state.data
    if step == "consent":
        return consent.explanation("volunteer")
    if step == "area":
        resident = residents.find(openid)
        hint = ""
        if resident is not None and resident.region_code and data.get("node") == regions.CITY:
            hint = text("volunteer.keep_area", path=regions.path_name(resident.region_code))
        return text("volunteer.ask_area", chooser=areas.chooser_prompt(data, hint))
    if step in ("skills", "availability"):
        return text(f"volunteer.ask_{step}", options=areas.numbered(options(step).values()))
    if step == "confirm":
        return summary(data)
    return text(f"volunteer.ask_{step}")


def summary(data: dict) -> str:
    return text("volunteer.summary", name=data["name"], phone=data["phone"],
                area=regions.path_name(data["region_code"]),
                skills=volunteers.labels("skills", data["skills"]),
                availability=volunteers.labels("availability", data["availability"]))


def take(state: DialogState, message: Message) -> str:
    edit = EDIT.match(message.text.strip())
    if edit and state.step != "consent" and edit.group(1) in FIELDS:
        return start_edit(state, message.openid, FIELDS[edit.group(1)])
    before = state.step
    done = TAKERS[state.step](state, message)
    if done is not None:
        return done
    if state.step != before and state.data.get("editing") and all_filled(state.data):
        state.step = "confirm"  # one field corrected: straight back to the summary
    dialogs.save(message.openid, state)
    return prompt(state, message.openid)


def start_edit(state: DialogState, openid: str, field: str) -> str:
    state.data["editing"] = all_filled(state.data)  # back to the summary after this one field
    if field == "area":
        state.data["node"] = regions.CITY
    state.advance(field)
    dialogs.save(openid, state)
    return prompt(state, openid)


def all_filled(data: dict) -> bool:
    return all(data.get(key) for key in ("name", "phone", "region_code", "skills", "availability"))


def next_step(state: DialogState) -> None:
    state.advance(STEPS[STEPS.index(state.step) + 1])


def take_consent(state: DialogState, message: Message) -> str | None:
    word = message.text.strip().lower()
    if word in consent.DECLINE:
        dialogs.clear(message.openid)
        return text("consent.declined")
    if word not in consent.AGREE:
        raise NotAnAnswer(text("consent.agree_or_not"))
    # Recorded now, before anything personal is asked (PIPL art. 14).
    consent.grant(residents.find_or_create(message.openid), "volunteer", "chat")
    next_step(state)
    return None


def take_name(state: DialogState, message: Message) -> None:
    name = volunteers.clean_name(message.text)
    if name is None or dialogs.looks_like_sorting(message.text):
        raise NotAnAnswer(text("volunteer.bad_name"))
    state.data["name"] = name
    next_step(state)


def take_phone(state: DialogState, message: Message) -> None:
    phone = phones.clean(message.text)
    if phone is None:
        if re.search(r"\d", message.text):  # meant as a number: say what is wrong with it
            raise Invalid(text("volunteer.bad_phone", text=message.text.strip()[:20]))
        raise NotAnAnswer(text("volunteer.ask_phone"))
    state.data["phone"] = phone
    next_step(state)


def take_area(state: DialogState, message: Message) -> None:
    resident = residents.find(message.openid)
    keep = message.text.strip() == "0" and state.data.get("node") == regions.CITY
    if keep and resident is not None and resident.region_code:
        code = resident.region_code
    else:
        code = areas.choose(state.data, message.text)
    if code is not None:
        state.data["region_code"] = code
        state.data["node"] = regions.CITY
        next_step(state)


def take_choices(state: DialogState, message: Message) -> None:
    kind = state.step
    codes = list(options(kind))
    picked = []
    for part in CHOICE_SPLIT.split(message.text.strip()):
        if part.isdigit() and 1 <= int(part) <= len(codes):
            picked.append(codes[int(part) - 1])
        elif part:
            by_label = [c for c, label in options(kind).items() if part in label]
            if len(by_label) != 1:
                raise NotAnAnswer(text("volunteer.bad_choice", options=areas.numbered(options(kind).values())))
            picked += by_label
    if not picked:
        raise NotAnAnswer(text("volunteer.bad_choice", options=areas.numbered(options(kind).values())))
    state.data[kind] = list(dict.fromkeys(picked))
    next_step(state)


def take_confirm(state: DialogState, message: Message) -> str:
    if message.text.strip() not in CONFIRM:
        raise NotAnAnswer(text("volunteer.confirm_or_edit"))
    data = state.data
    application = volunteers.Application(data["name"], data["phone"], data["region_code"],
                                         data["skills"], data["availability"])
    resident = residents.find_or_create(message.openid)
    dialogs.clear(message.openid)
    try:
        volunteer = volunteers.register(resident, application, "chat")
    except volunteers.AlreadyRegistered as already:
        return text("volunteer.already", status=volunteers.status_label(already.volunteer))
    return text("volunteer.submitted", area=regions.path_name(volunteer.region_code))


def back(state: DialogState) -> None:
    """Up one level in the area chooser, else to the previous step."""
    if state.step == "area" and areas.chooser_up(state.data):
        return
    if state.history:
        state.step = state.history.pop()
        if state.step == "consent":  # consent is given; nothing to go back to
            state.step = "name"


TAKERS = {"consent": take_consent, "name": take_name, "phone": take_phone, "area": take_area,
          "skills": take_choices, "availability": take_choices, "confirm": take_confirm}

REGISTRATION = dialogs.register(dialogs.Dialog(
    name="volunteer", title="志愿者登记", start_word="志愿者报名", take=take, prompt=prompt, back=back))


@router.on_dialog("volunteer")
def continue_registration(message: Message) -> str:
    before = dialogs.load(message.openid)
    reply = dialogs.continue_dialog(REGISTRATION, message)
    after = dialogs.load(message.openid)
    # What is typed here may be a name or a phone number, and replies repeat them.
    privacy.keep_out_of_log(message, *(s.data.get(key) for s in (before, after) if s
                                       for key in ("name", "phone")))
    return reply


@router.on_keyword("志愿者报名", "志愿者登记", "报名志愿者", "我要当志愿者", "当志愿者", "志愿者")
@router.on_intent("volunteer_register")
@dialogs.starter
def start_registration(message: Message) -> str:
    resident = residents.find_or_create(message.openid)
    existing = volunteers.of(resident)
    if existing is not None:
        return text("volunteer.already", status=volunteers.status_label(existing))
    step = "name" if consent.has(resident, "volunteer") else "consent"
    return dialogs.start(message.openid, REGISTRATION, step, {"node": regions.CITY})


@router.on_keyword("我的志愿者", "志愿者状态", "我的登记")
def show_registration(message: Message) -> str:
    resident = residents.find(message.openid)
    volunteer = volunteers.of(resident) if resident else None
    if volunteer is None:
        return text("volunteer.none")
    privacy.keep_out_of_log(message, volunteer.name, volunteer.phone)
    reason = volunteers.rejection_reason(volunteer)
    return text("volunteer.mine", name=volunteer.name, phone=volunteer.phone,
                area=regions.path_name(volunteer.region_code), status=volunteers.status_label(volunteer)) + (
        text("volunteer.mine_reason", reason=reason) if reason else "")
