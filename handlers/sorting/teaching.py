"""Staff teach the bot: taught answers live in the database and reach every process at once.

Each process keeps the taught entries in its engine's overlay. A teach or undo writes the
database, then a new random version into shared state; every process compares that version
before answering and reloads the overlay when it changed (infra/state.reload_if_changed). The
database stays the source of truth, so taught entries survive migrations, Redis restarts and
deploys.
"""
from sqlalchemy.exc import IntegrityError

from infra import state
from models import TaughtItem, UnrecognisedQuery, db
from models.timeutil import utcnow

VERSION_KEY = "sorting:taught:version"


def refresh(engine) -> None:
    """Load the taught entries into `engine` if another process (or this one) changed them."""
    def load() -> None:
        rows = db.session.execute(db.select(TaughtItem)).scalars()
        engine.set_taught({row.query: (row.item, row.category) for row in rows})

    state.reload_if_changed(VERSION_KEY, engine, load)


def teach(engine, query: str, item: str, category: str, taught_by: str) -> TaughtItem:
    """Map a resident's query to an item and category, for everyone, from now on."""
    key = engine.normalize(query)
    if not key:
        raise ValueError("empty query")
    taught = db.session.execute(db.select(TaughtItem).filter_by(query=key)).scalar_one_or_none()
    if taught is None:
        taught = TaughtItem(query=key)
        db.session.add(taught)
    taught.item, taught.category, taught.taught_by, taught.taught_at = (
        item, category, taught_by, utcnow())
    db.session.execute(db.delete(UnrecognisedQuery).filter_by(normalized=key))
    db.session.commit()
    state.announce_change(VERSION_KEY)
    return taught


def untaught(engine, query: str) -> bool:
    """Undo a taught mapping; the built-in knowledge answers again."""
    result = db.session.execute(db.delete(TaughtItem).filter_by(query=engine.normalize(query)))
    db.session.commit()
    state.announce_change(VERSION_KEY)
    return bool(result.rowcount)


def record_unrecognised(engine, result) -> None:
    """Count every mention the engine could not answer, or only guessed, for staff to teach."""
    mentions = list(result.unrecognised) + [a.mention for a in result.answers if a.guess]
    for mention in mentions:
        key = engine.normalize(mention)
        if key:
            count_query(key, mention)


def count_query(key: str, sample: str) -> None:
    if len(key) > UnrecognisedQuery.normalized.type.length:
        # No item's name is that long, so there is nothing to teach; and the column would refuse
        # it, rolling back the whole message's log with it.
        return
    query = db.update(UnrecognisedQuery).filter_by(normalized=key).values(
        count=UnrecognisedQuery.count + 1, last_seen_at=utcnow())
    if db.session.execute(query).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(UnrecognisedQuery(normalized=key, sample=sample[:200]))
    except IntegrityError:  # another process inserted it first: count on its row
        db.session.execute(query)
