"""The message log and residents' last contact, written behind the answer.

Most messages are questions the bot answers from what it knows (a bin, a service, a greeting),
and answering them needs nothing from the database. Their log row and the resident's new contact
(the 48-h customer-service window a message opens) go into a Redis stream in the round trip that
stores the answer for WeChat's retries; a drainer writes them to the database in batches, one
transaction for many messages instead of one each.

Nothing lost: a record is in Redis before WeChat gets the answer (when Redis cannot take it, it is
written to the database at once), and leaves the stream only after its batch has committed. A
drainer killed mid-batch leaves its records pending, and another claims them after CLAIM_IDLE_MS.
Nothing doubled: log rows are keyed by WeChat's retry identity (a second write does nothing), and
a resident's contact only moves forward in time. Redis must keep its data (appendonly): a Redis
crash loses the log rows since its last fsync, never an answer.

Forgetting a resident (删除我的信息, unfollowing) marks them in shared state and then takes the lock
every batch takes, so a batch already under way cannot bring their messages back.
"""
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime

import redis
from sqlalchemy import case, event, or_, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

from infra import state
from models import InboundMessage, Resident, db, upserts
from models.timeutil import utcnow

log = logging.getLogger(__name__)

STREAM, GROUP = "ledger:inbox", "writers"
CLAIM_IDLE_MS = 30_000  # a record pending this long belongs to a drainer that died
FORGOTTEN_TTL = 24 * 3600  # longer than any record waits in the stream
BATCH = 500
BLOCK_MS = 500  # a blocking read; under the Redis client's 1-s socket timeout
RECLAIM_EVERY = 10.0
# A batch costs about the same for 5 records as for 500 (a lock, a lookup, two statements, a
# commit): a drainer that keeps up with the load waits a moment to write more in each.
GATHER_SECONDS = 0.2
LOCK_ID = 0x1ED6E2  # the PostgreSQL advisory lock that batches and forgetting share


@dataclass(frozen=True)
class Record:
    """A message answered without the database: its log row and its sender's contact."""

    dedup_key: str
    openid: str
    kind: str
    content: str
    answered_by: str
    reply: str
    received_at: str  # ISO, naive UTC

    def fields(self) -> dict[str, str]:
        return dict(vars(self))  # all str: no need for asdict's deep copy

    @property
    def at(self) -> datetime:
        return datetime.fromisoformat(self.received_at)


# --- what a message's handler left for a commit to do -------------------------------------------

WROTE = "ledger_wrote"


@event.listens_for(Session, "before_flush")
def _note_flush(session: Session, *_) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(execute_state) -> None:
    if not execute_state.is_select:
        execute_state.session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_note(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def nothing_to_commit(scoped: scoped_session) -> bool:
    """True when the handler wrote nothing and parked nothing for the commit (dialog steps,
    redactions, jobs all keep a note in session.info); one that never asked the database for
    anything opened no session at all."""
    if not scoped.registry.has():
        return True
    session = scoped()
    return not (session.info or session.new or session.dirty or session.deleted)


# --- the stream ---------------------------------------------------------------------------------

RECORD_WIDTH = 2 * len(dataclass_fields(Record))  # an entry's names and values


def flattened(records: list[Record]) -> list[str]:
    """The records' stream entries one after another, each its names and values in turn (what a
    script's XADD takes)."""
    return [part for record in records for item in record.fields().items() for part in item]


def drain(consumer: str, count: int = BATCH, block_ms: int | None = None,
          reclaim: bool = False) -> int:
    """Write the next batch of records to the database; the number written.

    The batch is, in this order: records another drainer read and never acknowledged (taken over
    every RECLAIM_EVERY seconds, or now with `reclaim`), this consumer's own unacknowledged ones
    (its last batch failed), or new ones (waiting up to `block_ms` for them).
    """
    try:
        return drain_batch(state.store(), consumer, count, block_ms, reclaim)
    except redis.ResponseError as error:
        if "NOGROUP" not in str(error):
            raise
        ensure_group(state.store())  # the first drain on this Redis (or after it was emptied)
        return drain_batch(state.store(), consumer, count, block_ms, reclaim)


def drain_batch(store: redis.Redis, consumer: str, count: int, block_ms: int | None,
                reclaim: bool) -> int:
    global _reclaimed_at
    entries = []
    if reclaim or time.monotonic() - _reclaimed_at > RECLAIM_EVERY:
        _reclaimed_at = time.monotonic()
        entries = store.xautoclaim(STREAM, GROUP, consumer, CLAIM_IDLE_MS, "0-0", count=count)[1]
    for start, block in (("0", None), (">", block_ms)):
        if not entries:
            read = store.xreadgroup(GROUP, consumer, {STREAM: start}, count=count, block=block)
            entries = read[0][1] if read else []
    entries = [(entry_id, fields) for entry_id, fields in entries if fields]  # deleted meanwhile
    if not entries:
        return 0
    write([Record(**fields) for _, fields in entries])
    ids = [entry_id for entry_id, _ in entries]
    pipe = store.pipeline()
    pipe.xack(STREAM, GROUP, *ids)
    pipe.xdel(STREAM, *ids)
    pipe.execute()
    return len(entries)


# When this process last looked for records a dead drainer left: a schedule, not shared state.
_reclaimed_at = 0.0


def drain_until(done: Callable[[int], bool], pause: float = 1.0) -> None:
    """Drain batch after batch until `done(written)`; an outage pauses it, never ends it."""
    consumer = f"ledger-{socket.gethostname()}-{os.getpid()}"
    while True:
        started = time.monotonic()
        try:
            written = drain(consumer, block_ms=BLOCK_MS)
        except (redis.RedisError, SQLAlchemyError) as error:
            log.warning("ledger not drained, trying again: %s", error)
            db.session.rollback()
            time.sleep(pause)
            continue
        if written:
            log.info("ledger: %d messages logged", written)
        if done(written):
            return
        if 0 < written < BATCH:
            time.sleep(max(0.0, GATHER_SECONDS - (time.monotonic() - started)))


def ensure_group(store: redis.Redis) -> None:
    try:
        store.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def waiting() -> int:
    """Records in the stream not yet written (for /metrics and health)."""
    return state.store().xlen(STREAM)


# --- the database -------------------------------------------------------------------------------

def write(records: list[Record]) -> None:
    """Log the records' messages and move their senders' contact forward, in one transaction."""
    serialise()
    records = without_forgotten(records)
    if records:
        log_rows(records)
        touch_residents(records)
    db.session.commit()


def log_rows(records: list[Record]) -> None:
    rows = [{"dedup_key": r.dedup_key, "openid": r.openid, "kind": r.kind, "content": r.content or None,
             "answered_by": r.answered_by, "reply": r.reply or None, "received_at": r.at}
            for r in records]
    insert, params = upserts.insert_rows(InboundMessage, rows)
    db.session.execute(insert.on_conflict_do_nothing(index_elements=["dedup_key"]), params)


def touch_residents(records: list[Record]) -> None:
    """A message opens a fresh 48-h window (handlers/people/windows.py); an older record than
    what the row already holds changes nothing."""
    latest: dict[str, datetime] = {}
    for record in records:
        latest[record.openid] = max(record.at, latest.get(record.openid, record.at))
    insert, params = upserts.insert_rows(Resident, [
        {"openid": openid, "app": "official", "subscribed": True, "first_seen_at": at,
         "last_message_at": at, "window_kind": "message", "window_opened_at": at, "window_sent": 0}
        for openid, at in latest.items()])
    new = insert.excluded
    newer = or_(Resident.last_message_at.is_(None), new.last_message_at > Resident.last_message_at)
    db.session.execute(insert.on_conflict_do_update(index_elements=["openid"], set_={
        "subscribed": True,
        "last_message_at": case((newer, new.last_message_at), else_=Resident.last_message_at),
        "window_kind": case((newer, new.window_kind), else_=Resident.window_kind),
        "window_opened_at": case((newer, new.window_opened_at), else_=Resident.window_opened_at),
        "window_sent": case((newer, 0), else_=Resident.window_sent),
    }), params)


def serialise() -> None:
    """Hold, until this transaction ends, the lock that batches and forgetting share: PostgreSQL's
    advisory lock, or SQLite's write lock (any write statement takes it)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
    else:
        db.session.execute(text("DELETE FROM inbound_message WHERE 0"))


# --- forgetting ---------------------------------------------------------------------------------

def forgotten_key(openid: str) -> str:
    return f"ledger:forgotten:{openid}"


def before_forgetting(openid: str) -> None:
    """Call in the transaction that forgets `openid`, before it deletes anything: records of
    theirs still in the stream will not be written."""
    try:
        state.store().set(forgotten_key(openid), utcnow().isoformat(), ex=FORGOTTEN_TTL)
    except redis.RedisError as error:  # nothing can be drained either until Redis is back
        log.warning("forgetting not marked in shared state: %s", error)
    serialise()


def without_forgotten(records: list[Record]) -> list[Record]:
    openids = sorted({record.openid for record in records})
    try:
        marks = dict(zip(openids, state.store().mget([forgotten_key(o) for o in openids])))
    except redis.RedisError:  # a record written at once because Redis is down: none in the stream
        return records
    return [r for r in records
            if not marks[r.openid] or r.at > datetime.fromisoformat(marks[r.openid])]
