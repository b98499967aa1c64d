"""Reports in the chat (随手拍): what (a numbered kind, maybe with a few words), a photo (an image
message, or skip), where (a location message, or the bound area) → filed, with its number.

WeChat's image message carries a MediaId and a PicUrl, not the bytes: the report keeps both, and
the photo itself is fetched in the background (photos.py).
"""
import re

from content.report_texts import kind_labels, text, words
from handlers import dialogs
from handlers.dialogs import DialogState, NotAnAnswer
from handlers.people import regions, residents
from handlers.reports import photos, records
from handlers.reports.records import ReportError
from handlers.router import Message, router

KIND = re.compile(r"^\s*(\d+)[\s.,:\u3001\uff0c\uff1a]*(.*)$", re.S)  # 1、 1， 1： also


def prompt(state: DialogState, openid: str) -> str:
    if state.step == "kind":
        kinds = "\n".join(text("chat.kind_line", number=number, label=label)
                          for number, label in enumerate(kind_labels().values(), 1))
        return text("chat.ask_kind", kinds=kinds)
    if state.step == "photo":
        return text("chat.ask_photo")
    resident = residents.find(openid)
    if resident is not None and resident.region_code:
        return text("chat.ask_where_bound", area=regions.path_name(resident.region_code))
    return text("chat.ask_where")


def take(state: DialogState, message: Message) -> str:
    openid = message.openid
    if state.step == "kind":
        take_kind(state, message.text)
    elif state.step == "photo":
        take_photo(state, message)
    else:
        return take_where(state, message)
    dialogs.save(openid, state)
    return prompt(state, openid)


def take_kind(state: DialogState, answer: str) -> None:
    kinds = list(kind_labels())
    chosen = KIND.match(answer)
    if chosen is None or not 1 <= int(chosen.group(1)) <= len(kinds):
        raise NotAnAnswer(text("chat.bad_kind", count=len(kinds)))
    state.data["kind"] = kinds[int(chosen.group(1)) - 1]
    state.data["description"] = chosen.group(2).strip()[:records.MAX_DESCRIPTION]
    state.advance("photo")


def take_photo(state: DialogState, message: Message) -> None:
    if message.kind == "image":
        state.data["media_id"] = message.details.get("MediaId", "")
        state.data["pic_url"] = message.details.get("PicUrl", "")
    elif message.text.strip() not in words("skip_words"):
        raise NotAnAnswer(text("chat.bad_photo"))
    state.advance("where")


def take_where(state: DialogState, message: Message) -> str:
    resident = residents.find_or_create(message.openid)
    lat = lng = None
    if message.kind == "location" and message.location:
        lat, lng = message.location
    elif message.text.strip() != text("chat.bound_word"):
        raise NotAnAnswer(prompt(state, message.openid))
    if not resident.region_code:
        dialogs.clear(message.openid)
        return text("chat.need_area")
    data = state.data
    dialogs.clear(message.openid)
    try:
        report = records.file(resident, data["kind"], resident.region_code, data.get("description", ""),
                              lat, lng, media_id=data.get("media_id", ""), pic_url=data.get("pic_url", ""))
    except ReportError as refused:
        return refused.message
    photos.fetch_later(report)
    return text("chat.saved", id=report.id, kind=records.kind_label(report.kind),
                area=regions.path_name(report.region_code))


REPORT = dialogs.register(dialogs.Dialog(
    name="report", title=text("chat.title"), start_word=text("chat.start_word"), take=take, prompt=prompt))


@router.on_intent("report")
@router.on_keyword(*words("keywords"))
@dialogs.starter
def start_report(message: Message) -> str:
    resident = residents.find(message.openid)
    if resident is not None:
        try:
            records.check_limit(resident)
        except ReportError as refused:
            return refused.message
    return dialogs.start(message.openid, REPORT, "kind")


@router.on_dialog("report", kinds=("image", "location"))
def continue_report(message: Message) -> str:
    return dialogs.continue_dialog(REPORT, message)


@router.on_keyword(*words("mine_keywords"))
def my_reports(message: Message) -> str:
    """The resident's reports with their status (and the note of a closed one)."""
    resident = residents.find(message.openid)
    found = records.of_resident(resident)[:10] if resident else []
    if not found:
        return text("chat.mine_none")
    lines = [text("chat.mine_line", id=report.id, kind=records.kind_label(report.kind),
                  date=report.created_at.strftime("%m-%d"), status=records.status_label(report.status),
                  note=text("chat.mine_note", note=report.resolution) if report.resolution else "")
             for report in found]
    return text("chat.mine", lines="\n".join(lines))
