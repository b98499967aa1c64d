"""Residents: one record per WeChat user, created on follow or first message; their area; forgetting them."""
from collections.abc import Callable

from sqlalchemy import delete, event, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers import dialogs
from handlers.errors import Refused
from handlers.people import ledger, regions, windows
from models import Consent, InboundMessage, Resident, ServiceRecord, Volunteer, WeChatReceipt, db
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
    insert = UPSERTS[db.session.get_bind().dialect.name](Resident).values(
        openid=openid, app=OFFICIAL, **touched)
    db.session.execute(insert.on_conflict_do_update(index_elements=["openid"], set_=touched))
    resident = db.session.execute(
        db.select(Resident).filter_by(openid=openid).execution_options(populate_existing=True)).scalar_one()
    windows.open_window(resident, window, now)
    return resident


UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


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


# Other capabilities that keep personal data about a resident (families, children …) register a
# step here; each deletes or anonymises its rows and says what it removed, in Chinese.
FORGETTERS: list[Callable[[Resident], list[str]]] = []


def forgets(step: Callable[[Resident], list[str]]) -> Callable[[Resident], list[str]]:
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
    return regions.path_name(region.code)


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


def forget(openid: str) -> list[str]:
    """Delete or anonymise everything personal about the user (PIPL art. 47).

    Returns what was removed, in Chinese, so the user can be told. Service hours stay in their
    area's totals without a name; the message log keeps that a message came, not who or what.
    """
    ledger.before_forgetting(openid)
    db.session.info.setdefault(FORGOTTEN, set()).add(openid)
    removed = []
    if dialogs.load(openid) is not None:
        removed.append("未完成的登记内容")
    dialogs.clear(openid)
    resident = find(openid)
    if resident is not None:
        others = linked(resident)  # the same person in the other app: forgotten too
        removed += forget_resident(resident)
        for other in others:
            removed += [item for item in forget_resident(other) if item not in removed]
    db.session.execute(update(WeChatReceipt).where(WeChatReceipt.openid == openid).values(openid=None))
    result = db.session.execute(
        update(InboundMessage)
        .where(InboundMessage.openid == openid)
        .values(openid=None, content=None, reply=None)
    )
    if result.rowcount:
        removed.append(f"{result.rowcount} 条消息记录")
    return removed


FORGOTTEN = "forgotten_openids"


def just_forgot(openid: str) -> bool:
    """Whether this transaction forgot `openid` (the message asking for it is logged unsigned)."""
    return openid in db.session.info.get(FORGOTTEN, set())


@event.listens_for(Session, "after_transaction_end")
def _clear_forgotten(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(FORGOTTEN, None)


def forget_resident(resident: Resident) -> list[str]:
    removed = [item for step in FORGETTERS for item in step(resident)]
    volunteer = db.session.execute(
        db.select(Volunteer).filter_by(resident_id=resident.id)).scalar_one_or_none()
    if volunteer is not None:
        hours = db.session.execute(update(ServiceRecord).where(
            ServiceRecord.volunteer_id == volunteer.id).values(volunteer_id=None)).rowcount
        db.session.delete(volunteer)
        removed.append("志愿者登记（姓名、手机号、服务区域和时间）")
        if hours:
            removed.append(f"{hours} 条服务记录与您的关联（时长只留在所在地区的统计里）")
    consents = db.session.execute(delete(Consent).where(Consent.resident_id == resident.id)).rowcount
    if consents:
        removed.append("同意书记录")
    if resident.region_code:
        removed.append("绑定的小区")
    db.session.delete(resident)
    removed.append("关注记录")
    db.session.flush()
    return removed
