"""The console's audit log: who did what, where; readable by staff for their own subtree only."""
import json

from content.staff_texts import staff_table
from handlers.staff import scope
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


def recent(actor: Staff, limit: int = 200) -> list[AuditEntry]:
    query = scope.scope_filter(db.select(AuditEntry), AuditEntry.region_code, actor)
    return list(db.session.execute(query.order_by(AuditEntry.id.desc()).limit(limit)).scalars())
