"""The chat side of understanding: which intent a text goes to, the replies that are only a text
(greetings, the campaign, services, reports, categories …), numbered choices, and items named
beside a request.

The capabilities register their own intents (`@router.on_intent("volunteer_register")` next to
their keywords); this module registers the reader and the intents no capability owns.
"""
from dataclasses import replace

from content.cells import cell_types
from content.intents import load_intents, reply, settings
from content.texts import lookup
from handlers import dialogs
from handlers.dialogs import DialogState
from handlers.router import Message, router
from handlers.sorting import format_reply, get_engine, teaching
from handlers.sorting.answering import ask
from handlers.understanding import get_understanding, understand
from handlers.understanding import teaching as phrasings

CHOOSE = "choose"  # the reading is a close call: ask which one is meant
WITH_ITEMS = "with_items"  # a request with items beside it
# Requests whose reply comes after the answers for the items named with them.
ANSWERS_ITEMS = frozenset({"volunteer_register", "volunteer_status", "area_bind", "area_show", "quiz",
                           "survey", "activities", "campaign", "human", "help", "greeting", "thanks"})
CHOICE_TTL = 300  # seconds a numbered choice waits for its digit


@router.intent_reader
def route_name(text: str) -> str:
    """The intent a text is routed to (sorting has no handler: the router's fallback answers it)."""
    teaching.refresh(get_engine())  # a text staff have just taught is an item
    phrasings.refresh(get_understanding())  # … or means what they said it means
    reading = understand(text)
    if reading.choices:
        return CHOOSE
    if reading.intent in ANSWERS_ITEMS and reading.aside:
        return WITH_ITEMS
    if reading.intent == "help" and asks_for_services(text):
        return "service"  # the area's services, not the menu
    return reading.intent


def asks_for_services(text: str) -> bool:
    normalised = get_understanding().reader.normalise(text)
    return any(word in normalised for word in settings()["service_list_words"])


# --- replies that are a text ------------------------------------------------------------------------

def can_do() -> str:
    return reply("can_do")


@router.on_intent("greeting")
def greet(message: Message) -> str:
    return reply("greeting", can_do=can_do())


@router.on_intent("thanks")
def welcome_thanks(message: Message) -> str:
    return reply("thanks")


@router.on_intent("smalltalk")
def small_talk(message: Message) -> str:
    return reply("smalltalk", can_do=can_do())


@router.on_intent("unclear")
def not_understood(message: Message) -> str:
    """An honest "I don't know what you mean", with what the bot can do; never a bin guess."""
    return reply("unclear", can_do=can_do())


def how_to_report(message: Message) -> str:
    """How to report by phone, while the database is away (the report intent itself is
    handlers/reports/chat.py's dialog)."""
    return reply("report")


@router.on_intent("human")
def how_to_reach_a_person(message: Message) -> str:
    return reply("human")


@router.on_intent("campaign")
def about_campaign(message: Message) -> str:
    targets = "\n".join(reply("target_line", name=cell.name, count=cell.target) for cell in cell_types().values())
    return reply("campaign", targets=targets)


def service_answer(message: Message) -> str:
    """A general Changchun answer for the service the message is about (bulky, renovation …).

    The service intent itself is handlers/places/chat.py's: it adds the drop-off points."""
    text = message.text.lower()
    for topic, words in settings()["service_topics"].items():
        if any(word in text for word in words):
            return reply(f"service.{topic}")
    return reply("service.general")


@router.on_intent("category_info")
def about_category(message: Message) -> str:
    """What a category holds: its definition and typical items; all four when none is named."""
    categories = get_engine().knowledge.categories
    text = message.text.lower()
    for code in ("hazardous", "kitchen", "residual", "recyclable"):
        entry = lookup("intents/replies.toml", f"category.{code}")
        if any(word in text for word in entry["words"]):
            category = categories[code]
            return reply("category.line", label=category["label"], bin_colour=category["bin_colour"],
                         definition=entry["definition"], examples="、".join(entry["examples"]),
                         tip=category["tip"])
    return reply("category.overview")


# --- numbered choices ------------------------------------------------------------------------------

def choice_prompt(state: DialogState, openid: str) -> str:
    intents = load_intents()
    lines = "\n".join(reply("choice_line", number=index, label=intents[name].label)
                      for index, name in enumerate(state.data["options"], 1))
    return reply("choose", options=lines)


CHOICE = dialogs.register(dialogs.Dialog(
    name="choice", title="选择", start_word="", take=lambda state, message: "", prompt=choice_prompt,
    ttl=CHOICE_TTL))


@router.on_intent(CHOOSE)
def offer_choices(message: Message) -> str:
    return dialogs.start(message.openid, CHOICE, "choose",
                         {"options": list(understand(message.text).choices), "text": message.text})


@router.on_dialog("choice")
def take_choice(message: Message) -> str | None:
    """A digit answers the choice with the first message; anything else is read afresh."""
    state = dialogs.load(message.openid)
    dialogs.clear(message.openid)
    options = state.data["options"] if state else []
    word = message.text.strip()
    if word.isdigit() and 1 <= int(word) <= len(options):
        original = replace(message, text=state.data["text"])
        return handler_of(options[int(word) - 1])(original)
    handler = router.find_free(message)
    return handler(message) if handler else None


def handler_of(intent: str):
    return router.intents.get(intent) or router.fallback_handler


# --- a request with items beside it ---------------------------------------------------------------

@router.on_intent(WITH_ITEMS)
def answer_with_items(message: Message) -> str:
    """The items' bins first, then the request ("我想当志愿者，顺便问下电池扔哪")."""
    reading = understand(message.text)
    items = format_reply(ask("、".join(reading.aside)))
    request = handler_of(reading.intent)(message) or ""
    return reply("with_items", items=items, request=request)


# The replies above need neither the database nor shared state (handlers/inbox.py answers them
# while the database is away).
TEXT_ONLY = {"greeting": greet, "thanks": welcome_thanks, "smalltalk": small_talk, "unclear": not_understood,
             "report": how_to_report, "human": how_to_reach_a_person, "campaign": about_campaign,
             "service": service_answer, "category_info": about_category}
