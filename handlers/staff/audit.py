"""The console's audit log: who did what, where; readable by staff for their own subtree only."""
import json
from dataclasses import dataclass
from datetime import date, timedelta

from content.staff_texts import staff_table
from handlers.staff import scope
from infra.clock import day_start
from models import db
from models.staff import AuditEntry, Staff

# Action code → its name in the log; handlers/cells adds its review steps to this copy.
ACTION_NAMES = dict(staff_table("audit_actions"))


def record(actor: Staff | None, action: str, region_code: str, target: str = "",
           detail: dict | None = None, ip: str = "", username: str = "") -> AuditEntry:
    """Add an entry to the session; it commits with the action it records."""
    entry = AuditEntry(
        staff_id=actor.id if actor else None,
        username=(actor.username if actor else username)[:64],
        action=action, region_code=region_code, target=target[:200], ip=ip[:64],
        detail=json.dumps(detail, ensure_ascii=False) if detail else None)
    db.session.add(entry)
    return entry


def reason_of(entry: AuditEntry) -> str:
    """The reason staff gave for what they did (a rejection), shown with the entry."""
    detail = json.loads(entry.detail) if entry.detail else {}
    return detail.get("reason") or "" if isinstance(detail, dict) else ""


@dataclass
class Filters:
    """What the audit log page asks for; empty fields do not filter."""
    action: str = ""
    who: str = ""
    since: date | None = None  # Beijing calendar days, both ends included
    until: date | None = None


def search(actor: Staff, filters: Filters, page: int = 1, per_page: int = 50) -> tuple[list[AuditEntry], bool]:
    """One page of the actor's subtree's entries, newest first, and whether there is a next page."""
    query = scope.scope_filter(db.select(AuditEntry), AuditEntry.region_code, actor)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.who.strip():
        query = query.where(AuditEntry.username.contains(filters.who.strip()[:64], autoescape=True))
    if filters.since:
        query = query.where(AuditEntry.at >= day_start(filters.since))
    if filters.until:
        query = query.where(AuditEntry.at < day_start(filters.until + timedelta(days=1)))
    query = query.order_by(AuditEntry.id.desc()).limit(per_page + 1).offset((max(page, 1) - 1) * per_page)
    rows = list(db.session.execute(query).scalars())
    return rows[:per_page], len(rows) > per_page
