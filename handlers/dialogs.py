"""Multi-turn conversations in the chat: one active dialog per user, its state in shared state.

State lives in Redis (in-process in the embedded default) and expires, so an abandoned dialog
does not trap the user; until then they can leave and resume. A dialog's state is written only
when the message's database transaction commits: a message whose handling failed (and that WeChat
retries) never moved the dialog on, and a message that did commit is never handled again
(handlers/inbox.py), so retries neither skip nor repeat a step.
"""
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import redis
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from content.texts import text
from handlers.router import Message, normalize_keyword, router
from handlers.sorting import format_reply, get_engine
from handlers.sorting.answering import ask
from infra import state as shared
from models import db

log = logging.getLogger(__name__)

CANCEL = {"取消", "退出", "不登记了", "算了"}
BACK = {"上一步", "返回", "后退"}
CONTINUE = {"继续", "继续登记", "继续绑定"}
WRITES = "dialog_writes"
# Questions answered in the middle of a dialog without leaving it (handlers/understanding/).
ASIDE = frozenset({"human", "report", "service", "campaign", "category_info", "help"})


class Invalid(Exception):
    """The text was meant as an answer but is not a valid one; the message says what is wanted."""


class NotAnAnswer(Exception):
    """The text does not answer the step: maybe a sorting question, else the message applies."""


@dataclass
class DialogState:
    name: str
    step: str
    data: dict = field(default_factory=dict)
    history: list[str] = field(default_factory=list)  # the steps "上一步" goes back to

    def advance(self, step: str) -> None:
        self.history.append(self.step)
        self.step = step


@dataclass
class Dialog:
    """A conversation: its steps answer text; `prompt` says what the current step wants."""

    name: str
    title: str  # 志愿者登记 …, as the user reads it
    start_word: str  # what the user sends to start it again
    take: Callable[[DialogState, Message], str]  # answers a step, may raise Invalid/NotAnAnswer
    prompt: Callable[[DialogState, str], str]  # (state, openid) → what the current step asks
    back: Callable[[DialogState], None] | None = None
    ttl: int | None = None  # seconds the state waits for an answer; None: the app's DIALOG_TTL


DIALOGS: dict[str, Dialog] = {}
STARTERS: set[Callable] = set()  # keyword handlers that start (or resume) a dialog


def starter(handler: Callable) -> Callable:
    """Marks a keyword handler that starts a dialog: mid-dialog its answer needs no reminder."""
    STARTERS.add(handler)
    return handler


def register(dialog: Dialog) -> Dialog:
    DIALOGS[dialog.name] = dialog
    return dialog


# --- state -----------------------------------------------------------------------------------

def key(openid: str) -> str:
    return f"dialog:{openid}"


def load(openid: str) -> DialogState | None:
    writes = db.session.info.get(WRITES, {})
    if openid in writes:  # written earlier in this transaction
        return writes[openid]
    raw = shared.read(key(openid))
    return DialogState(**json.loads(raw)) if raw else None


def save(openid: str, dialog_state: DialogState) -> None:
    db.session.info.setdefault(WRITES, {})[openid] = dialog_state


def clear(openid: str) -> None:
    db.session.info.setdefault(WRITES, {})[openid] = None


# Routed like a dialog while shared state is unreachable: whether the user is in one is unknown.
UNREACHABLE = "state-unreachable"


@router.dialog_lookup
def active_name(openid: str) -> str | None:
    """The name of the user's dialog, for routing."""
    try:
        raw = shared.read(key(openid))
    except redis.RedisError as error:
        log.warning("dialog state unavailable: %s", error)
        return UNREACHABLE
    return json.loads(raw)["name"] if raw else None


@router.on_dialog(UNREACHABLE)
def while_state_is_unreachable(message: Message) -> str:
    """No dialog can start or go on without shared state. Items are still answered; anything
    else (a name, a phone number, 志愿者) is asked again in a few minutes, not misread as an item."""

    return certain_items_only(ask(message.text))


def certain_items_only(result) -> str:
    """The sorting answer when every item in it is known for certain; else "try again in a few
    minutes", for a text that is more likely a dialog's answer than an item."""
    known = result.answers and not result.unrecognised and not any(a.guess for a in result.answers)
    return format_reply(result) if known else text("unavailable")


@event.listens_for(Session, "after_commit")
def write_after_commit(session: Session) -> None:
    writes = session.info.pop(WRITES, None)
    if not writes:
        return
    ttl = current_app.config["DIALOG_TTL"]
    try:
        store = shared.store()
        for openid, dialog_state in writes.items():
            if dialog_state is None:
                store.delete(key(openid))
            else:
                dialog = DIALOGS.get(dialog_state.name)
                store.set(key(openid), json.dumps(asdict(dialog_state), ensure_ascii=False),
                          ex=dialog.ttl if dialog and dialog.ttl else ttl)
    except redis.RedisError as error:  # the database has committed: say so, do not undo it
        log.error("dialog state not saved: %s", error)


@event.listens_for(Session, "after_transaction_end")
def drop_after_rollback(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outer transaction ended without commit: forget writes
        session.info.pop(WRITES, None)


@router.on_keyword(*CANCEL, *CONTINUE)
def no_dialog(message: Message) -> str:
    return text("no_dialog")


# --- conversation ------------------------------------------------------------------------------

def start(openid: str, dialog: Dialog, step: str, data: dict | None = None) -> str:
    """Begin `dialog` unless one is active: the same one resumes, another one is finished first."""
    current = load(openid)
    if current is not None and current.name in DIALOGS:
        active = DIALOGS[current.name]
        wording = "dialog.resume" if active is dialog else "dialog.busy"
        return text(wording, title=active.title, prompt=active.prompt(current, openid))
    new = DialogState(dialog.name, step, data or {})
    save(openid, new)
    return dialog.prompt(new, openid)


def continue_dialog(dialog: Dialog, message: Message) -> str:
    """Answer a message while `dialog` is active: controls, other keywords, the step, or sorting."""
    openid, word = message.openid, normalize_keyword(message.text)
    current = load(openid)
    if current is None:  # expired between routing and now
        return text("dialog.expired", start=dialog.start_word)
    if word in CANCEL:
        clear(openid)
        return text("dialog.cancelled", title=dialog.title, start=dialog.start_word)
    if word in BACK:
        return go_back(dialog, current, openid)
    if word in CONTINUE:
        return dialog.prompt(current, openid)
    other = router.keywords.get(word) if word else None  # an image or a location has no text
    if other in STARTERS:  # resumes this dialog, or says to finish it first
        return other(message)
    if other is not None:  # 帮助, 我的小区, 我的服务时长 … still work mid-dialog
        return with_reminder(other(message) or "", dialog, openid)
    try:
        answer = dialog.take(current, message)
    except Invalid as invalid:
        return str(invalid)
    except NotAnAnswer as not_an_answer:
        return (answer_aside(message.text, dialog, openid) or answer_request(message, dialog)
                or str(not_an_answer))
    return answer


def go_back(dialog: Dialog, current: DialogState, openid: str) -> str:
    if dialog.back is not None:
        dialog.back(current)
    elif current.history:
        current.step = current.history.pop()
    else:
        return text("dialog.at_start") + "\n" + dialog.prompt(current, openid)
    save(openid, current)
    return dialog.prompt(current, openid)


def with_reminder(answer: str, dialog: Dialog, openid: str) -> str:
    """An answer to something else, followed by what the dialog is still waiting for."""
    current = load(openid)
    if current is None or current.name != dialog.name:  # the keyword ended or replaced it
        return answer
    return text("dialog.reminder", answer=answer, title=dialog.title,
                prompt=dialog.prompt(current, openid))


def answer_aside(question: str, dialog: Dialog, openid: str) -> str | None:
    """A sorting answer for a question typed mid-dialog, or None when it is not one."""

    if not looks_like_sorting(question):
        return None
    return with_reminder(format_reply(ask(question)), dialog, openid)


def answer_request(message: Message, dialog: Dialog) -> str | None:
    """A question that is no answer but that a text answers (人工客服, 大件垃圾怎么处理 …), with
    what the dialog still waits for; None for anything else."""
    intent = router.intent_of(message.text)
    if intent not in ASIDE or intent not in router.intents:
        return None
    return with_reminder(router.intents[intent](message) or "", dialog, message.openid)


def looks_like_sorting(question: str) -> bool:
    """A question word (扔哪, 什么垃圾 …), or an item named exactly as the dictionary has it.

    Near matches and the model's guesses do not count: the engine hears 吴十 as 钨丝 and
    guesses a bin for 李四, and both are names.
    """

    if any(word in question for word in text("dialog.question_words").split()):
        return True
    engine = get_engine()
    return any(not answer.guess and answer.item == answer.mention
               and engine.knows(answer.item)
               for answer in engine.classify(question).answers)
