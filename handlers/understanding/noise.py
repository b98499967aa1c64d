"""Noise in the unrecognised lists: entries city staff dismissed, hidden from the lists by default.

Dismissing only hides: the entry keeps being counted, the chat reads the message as before, and
nothing is taught or untaught (a dismissed entry can still be taught, and restored to the list).
Two lists: "query" (sorting questions the engine could not answer: UnrecognisedQuery, by its
normalized text) and "message" (messages the chat did not act on, by their content).
"""
import hashlib

from sqlalchemy.exc import IntegrityError

from models import DismissedNoise, InboundMessage, UnrecognisedQuery, db
from models.timeutil import utcnow

QUERY, MESSAGE = "query", "message"
# The column each list's entries are known by.
COLUMNS = {QUERY: UnrecognisedQuery.normalized, MESSAGE: InboundMessage.content}


def key_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def dismissed(kind: str):
    """SELECT of the texts dismissed from list `kind`, to filter that list's rows with."""
    return db.select(DismissedNoise.text).where(DismissedNoise.list == kind)


def shown(kind: str, noise: bool = False):
    """The condition on a list's rows: live entries by default, or (noise=True) the dismissed ones."""
    column = COLUMNS[kind]
    return column.in_(dismissed(kind)) if noise else column.not_in(dismissed(kind))


def query_texts(ids: list[int]) -> list[str]:
    """The normalized texts of unrecognised queries, by the ids the console lists them with."""
    if not ids:
        return []
    return list(db.session.execute(
        db.select(UnrecognisedQuery.normalized).where(UnrecognisedQuery.id.in_(ids))).scalars())


def dismiss(kind: str, texts: list[str], by: str) -> list[str]:
    """Mark entries of list `kind` as noise; returns those newly dismissed (repeats are harmless)."""
    done = []
    for text in dict.fromkeys(t for t in texts if t):
        try:
            with db.session.begin_nested():
                db.session.add(DismissedNoise(list=kind, key=key_of(text), text=text, dismissed_by=by,
                                              dismissed_at=utcnow()))
        except IntegrityError:  # dismissed already (a double click, or another member of staff)
            continue
        done.append(text)
    return done


def restore(kind: str, texts: list[str]) -> list[str]:
    """Put dismissed entries back on their list; returns those restored."""
    keys = {key_of(t): t for t in texts if t}
    if not keys:
        return []
    found = list(db.session.execute(db.select(DismissedNoise.key).where(
        DismissedNoise.list == kind, DismissedNoise.key.in_(keys))).scalars())
    db.session.execute(db.delete(DismissedNoise).where(
        DismissedNoise.list == kind, DismissedNoise.key.in_(found)))
    return [keys[k] for k in found]


def count(kind: str) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(DismissedNoise)
                              .where(DismissedNoise.list == kind)).scalar_one()
