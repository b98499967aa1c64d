"""Free text in the chat is a sorting question: the router's fallback."""
from collections.abc import Callable
from dataclasses import replace

from handlers.router import Message, router
from handlers.sorting import Classification, format_reply, get_engine, teaching
from infra.metrics import count_sorting

# A message is read up to this many characters; a longer one is someone's essay, not a question.
MAX_CHARS = 500
# At most this many items are answered (and unrecognised mentions kept for staff); a line says
# how many more there were. Several lines per item: five keep a reply well inside WeChat's 2,048 bytes.
MAX_ITEMS = 5


def ask(text: str) -> Classification:
    """Classify a resident's question with what staff have taught, and log what was missed."""
    engine = get_engine()
    teaching.refresh(engine)
    result = limited(engine.classify(text[:MAX_CHARS]))
    teaching.record_unrecognised(engine, result)
    count_sorting(result)
    return result


def limited(result: Classification) -> Classification:
    """Each item answered once, the first MAX_ITEMS items and unrecognised mentions at most."""
    answers, seen = [], set()
    for answer in result.answers:
        if answer.item.lower() not in seen:
            seen.add(answer.item.lower())
            answers.append(answer)
    unrecognised = tuple(dict.fromkeys(result.unrecognised))
    more = max(0, len(answers) - MAX_ITEMS) + max(0, len(unrecognised) - MAX_ITEMS)
    if not more and len(answers) == len(result.answers) and len(unrecognised) == len(result.unrecognised):
        return result
    return replace(result, answers=tuple(answers[:MAX_ITEMS]), unrecognised=unrecognised[:MAX_ITEMS],
                   more=more)


# Capabilities above sorting add a line to an answer (drop-off points for batteries, medicine …).
Addendum = Callable[[Message, Classification], str | None]
ADDENDA: list[Addendum] = []


def addendum(add: Addendum) -> Addendum:
    ADDENDA.append(add)
    return add


@router.fallback
def answer_question(message: Message) -> str:
    result = ask(message.text)
    return "\n\n".join([format_reply(result), *filter(None, (add(message, result) for add in ADDENDA))])
