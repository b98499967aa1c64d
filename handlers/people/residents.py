"""Residents: one record per WeChat user, created on follow or first message; their area; forgetting them."""
from collections.abc import Callable
from dataclasses import dataclass

import redis
from sqlalchemy import delete, event, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from content.texts import text
from handlers import dialogs
from handlers.errors import Refused
from handlers.people import ledger, regions, windows
from infra import state
from models import Consent, InboundMessage, Resident, ServiceRecord, Volunteer, WeChatReceipt, db, upserts
from models.timeutil import utcnow


def note_activity(openid: str, window: str = "message", scene: str | None = None) -> Resident:
    """Create the resident on first contact, and open the customer-service window the user's
    action opens (windows.py: 'message' for a message, 'interaction' for a follow, a scan, a click).

    Only what the user did comes here: receipts, location reports and VIEW events neither open a
    window nor create (or bring back) a resident. The upsert is race-free when two first
    messages meet.
    """
    now = utcnow()
    touched = {"subscribed": True}
    if window == "message":
        touched["last_message_at"] = now
    if scene:
        touched["follow_scene"] = scene[:64]
    insert = upserts.insert(Resident).values(
        openid=openid, app=OFFICIAL, **touched)
    db.session.execute(insert.on_conflict_do_update(index_elements=["openid"], set_=touched))
    resident = db.session.execute(
        db.select(Resident).filter_by(openid=openid).execution_options(populate_existing=True)).scalar_one()
    windows.open_window(resident, window, now)
    return resident


def find(openid: str) -> Resident | None:
    return db.session.execute(db.select(Resident).filter_by(openid=openid)).scalar_one_or_none()


OFFICIAL, MINIAPP = "official", "miniapp"


def find_or_create(openid: str, unionid: str | None = None, app: str = OFFICIAL) -> Resident:
    """The resident with this openid of `app`; safe when two first messages race on two processes."""
    resident = find(openid)
    if resident is None:
        try:
            with db.session.begin_nested():
                resident = Resident(openid=openid, app=app)
                db.session.add(resident)
        except IntegrityError:  # the other message created it first
            resident = find(openid)
    if unionid and resident.unionid != unionid:  # the mini-program tells us; chat messages do not
        resident.unionid = unionid
    return resident


@dataclass(frozen=True)
class Removed:
    """One kind of personal data a deletion removed: a code for the API, a sentence for the chat."""
    code: str
    text: str


def removed(code: str, **values) -> Removed:
    """A kind of data this module removes, told in the words of content/replies.toml [privacy.removed]."""
    return Removed(code, text(f"privacy.removed.{code}", **values))


# Other capabilities that keep personal data about a resident (families, children …) register a
# step here; each deletes or anonymises its rows and says what it removed.
FORGETTERS: list[Callable[[Resident], list[Removed]]] = []


def forgets(step: Callable[[Resident], list[Removed]]) -> Callable[[Resident], list[Removed]]:
    FORGETTERS.append(step)
    return step


class AreaError(Refused):
    """The area cannot be bound; the message is for the resident."""


def bind_area(resident: Resident, code: str) -> str:
    """Bind the resident to a street or community; returns its full name."""
    region = regions.get(code)
    if region is None or not region.active or region.level < 3:
        raise AreaError("请选择街道（乡镇）或社区")
    resident.region_code = region.code
    resident.area_bound_at = utcnow()
    state.delete_after_commit(area_key(resident.openid))
    return regions.path_name(region.code)


def area_key(openid: str) -> str:
    return f"area:{openid}"


UNBOUND = "-"


def area_of(openid: str) -> str | None:
    """The region code the resident bound, read where the webhook prefetches it (shared state,
    kept for a day; the database when not there)."""
    try:
        cached = state.read(area_key(openid))
    except redis.RedisError:
        cached = None
    if cached is None:
        resident = find(openid)
        cached = resident.region_code if resident and resident.region_code else UNBOUND
        try:
            state.set_soon(area_key(openid), cached, ex=AREA_TTL)
        except redis.RedisError:
            pass  # the database answers next time too
    return None if cached == UNBOUND else cached


AREA_TTL = 24 * 3600


def linked(resident: Resident) -> list[Resident]:
    """The same person's records in the other app, linked by the unionid (none without one)."""
    if not resident.unionid:
        return []
    return list(db.session.execute(db.select(Resident).where(
        Resident.unionid == resident.unionid, Resident.id != resident.id)).scalars())


def official_openid(resident: Resident) -> str | None:
    """The Official Account openid of this person (customer-service, template and mass sends
    go only there), or None when we know only their mini-program openid."""
    if resident.app != MINIAPP:
        return resident.openid
    return next((r.openid for r in linked(resident) if r.app != MINIAPP), None)


def forget(openid: str) -> list[Removed]:
    """Delete or anonymise everything personal about the user (PIPL art. 47).

    Returns what was removed, so the user can be told (the chat) or shown (the API's codes).
    Service hours stay in their area's totals without a name; the message log keeps that a message
    came, not who or what.
    """
    ledger.before_forgetting(openid)
    db.session.info.setdefault(FORGOTTEN, set()).add(openid)
    state.delete_after_commit(area_key(openid))
    gone = []
    if dialogs.load(openid) is not None:
        gone.append(removed("dialog"))
    dialogs.clear(openid)
    resident = find(openid)
    if resident is not None:
        others = linked(resident)  # the same person in the other app: forgotten too
        gone += forget_resident(resident)
        for other in others:
            gone += [item for item in forget_resident(other) if item not in gone]
    db.session.execute(update(WeChatReceipt).where(WeChatReceipt.openid == openid).values(openid=None))
    result = db.session.execute(
        update(InboundMessage)
        .where(InboundMessage.openid == openid)
        .values(openid=None, content=None, reply=None)
    )
    if result.rowcount:
        gone.append(removed("messages", count=result.rowcount))
    return gone


FORGOTTEN = "forgotten_openids"


def just_forgot(openid: str) -> bool:
    """Whether this transaction forgot `openid` (the message asking for it is logged unsigned)."""
    return openid in db.session.info.get(FORGOTTEN, set())


@event.listens_for(Session, "after_transaction_end")
def _clear_forgotten(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(FORGOTTEN, None)


def forget_resident(resident: Resident) -> list[Removed]:
    gone = [item for step in FORGETTERS for item in step(resident)]
    volunteer = db.session.execute(
        db.select(Volunteer).filter_by(resident_id=resident.id)).scalar_one_or_none()
    if volunteer is not None:
        hours = db.session.execute(update(ServiceRecord).where(
            ServiceRecord.volunteer_id == volunteer.id).values(volunteer_id=None)).rowcount
        db.session.delete(volunteer)
        gone.append(removed("volunteer"))
        if hours:
            gone.append(removed("service_records", count=hours))
    consents = db.session.execute(delete(Consent).where(Consent.resident_id == resident.id)).rowcount
    if consents:
        gone.append(removed("consents"))
    if resident.region_code:
        gone.append(removed("area"))
    db.session.delete(resident)
    gone.append(removed("resident"))
    db.session.flush()
    return gone
