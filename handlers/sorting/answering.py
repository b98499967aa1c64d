"""Free text in the chat is a sorting question: the router's fallback."""
from handlers.router import Message, router
from handlers.sorting import Classification, format_reply, get_engine, teaching
from infra.metrics import count_sorting


def ask(text: str) -> Classification:
    """Classify a resident's question with what staff have taught, and log what was missed."""
    engine = get_engine()
    teaching.refresh(engine)
    result = engine.classify(text)
    teaching.record_unrecognised(engine, result)
    count_sorting(result)
    return result


@router.fallback
def answer_question(message: Message) -> str:
    return format_reply(ask(message.text))
