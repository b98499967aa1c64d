"""Residents and volunteers as the console lists, filters, approves and exports them, per subtree.

The residents issue owns the models (Resident's area, Volunteer, service records); this module
only reads them through handlers/scope.py, so a staff member never reaches outside their subtree.
"""
from handlers import exports, scope
from models import Resident, db

PAGE = 50


def volunteer_model():
    try:
        from models.volunteers import Volunteer
    except ImportError:  # volunteers are not in this build yet
        return None
    return Volunteer


def volunteer_counts(staff) -> dict[str, int] | None:
    Volunteer = volunteer_model()
    if Volunteer is None:
        return None
    return {}


def area_filter(staff, area: str | None) -> str:
    """The area to list: the requested node if it is inside the subtree, else the staff's own."""
    return area if area and scope.in_scope(staff, area) else staff.region_code


def residents_query(staff, area: str | None = None):
    query = scope.residents_filter(db.select(Resident), staff)
    area = area_filter(staff, area)
    column, _ = scope.resident_region_code()
    if area != staff.region_code and column is not None:
        query = query.where(column.startswith(area, autoescape=True))
    return query.order_by(Resident.id.desc())


def residents(staff, area: str | None = None, page: int = 1) -> tuple[list[Resident], bool]:
    rows = db.session.execute(residents_query(staff, area).limit(PAGE + 1)
                              .offset((page - 1) * PAGE)).scalars().all()
    return rows[:PAGE], len(rows) > PAGE


def residents_workbook(staff, area: str | None = None) -> bytes:
    rows = db.session.execute(residents_query(staff, area)).scalars()
    return exports.workbook("居民", ["编号", "关注状态", "首次出现（UTC）", "最近消息（UTC）"], (
        [r.id, "已关注" if r.subscribed else "已取关", r.first_seen_at,
         r.last_message_at] for r in rows))
