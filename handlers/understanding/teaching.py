"""City staff teach the chat what a message means: a taught phrasing is read as its intent by
every process at once.

The same scheme as taught items (handlers/sorting/teaching.py): the database is the source of
truth, and a new random version in shared state tells every process to reload
(infra/state.reload_if_changed).
"""
from content.intents import load_intents
from handlers.understanding import noise
from infra import state
from models import InboundMessage, TaughtPhrasing, db
from models.timeutil import utcnow

VERSION_KEY = "understanding:taught:version"
# Intents a phrasing may be taught as: sorting has its own teaching (an item and its bin).
NOT_TAUGHT = {"sorting"}
# What the bot made of a message it did not act on: the handler that answered it, in the log.
NOT_UNDERSTOOD = ("not_understood", "small_talk", "offer_choices")


class PhrasingError(ValueError):
    """A phrasing that cannot be taught."""


def teachable_intents() -> dict[str, str]:
    """Intent name -> the label residents see for it, for the teach form."""
    return {name: intent.label for name, intent in load_intents().items() if name not in NOT_TAUGHT}


def refresh(understanding) -> None:
    """Load the taught phrasings into `understanding` if any process changed them."""
    def load() -> None:
        rows = db.session.execute(db.select(TaughtPhrasing.text, TaughtPhrasing.intent)).all()
        understanding.set_taught(dict(rows))

    state.reload_if_changed(VERSION_KEY, understanding, load)


def teach(understanding, text: str, intent: str, taught_by: str) -> TaughtPhrasing:
    key = understanding.reader.normalise(text)[:200]
    if not key:
        raise PhrasingError("empty")
    if intent not in teachable_intents():
        raise PhrasingError("intent")
    taught = db.session.execute(db.select(TaughtPhrasing).filter_by(text=key)).scalar_one_or_none()
    if taught is None:
        taught = TaughtPhrasing(text=key)
        db.session.add(taught)
    taught.sample, taught.intent, taught.taught_by, taught.taught_at = text[:200], intent, taught_by, utcnow()
    db.session.commit()
    state.announce_change(VERSION_KEY)
    return taught


def untaught(understanding, text: str) -> bool:
    removed = db.session.execute(db.delete(TaughtPhrasing).filter_by(text=understanding.reader.normalise(text)))
    db.session.commit()
    state.announce_change(VERSION_KEY)
    return bool(removed.rowcount)



def not_understood(since, limit: int = 50, dismissed: bool = False) -> list[tuple[str, str, int]]:
    """(what was typed, what the bot made of it, how often) for messages it did not act on;
    without those staff dismissed as noise, or (dismissed=True) only those."""
    count = db.func.count()
    return [tuple(row) for row in db.session.execute(
        db.select(InboundMessage.content, InboundMessage.answered_by, count)
        .where(InboundMessage.answered_by.in_(NOT_UNDERSTOOD), InboundMessage.received_at >= since,
               InboundMessage.content.is_not(None), noise.shown(noise.MESSAGE, dismissed))
        .group_by(InboundMessage.content, InboundMessage.answered_by)
        .order_by(count.desc(), InboundMessage.content).limit(limit))]


def taught_list(limit: int = 200) -> list[TaughtPhrasing]:
    return list(db.session.execute(
        db.select(TaughtPhrasing).order_by(TaughtPhrasing.taught_at.desc()).limit(limit)).scalars())
