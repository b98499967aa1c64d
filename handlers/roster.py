"""Residents and volunteers as the console lists, filters, approves and exports them, per subtree.

The residents issue owns the models (Resident's area, Volunteer, service records); this module
only reads them through handlers/scope.py, so a staff member never reaches outside their subtree.
"""
from handlers import scope
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


def residents(staff, area: str | None = None, page: int = 1) -> tuple[list[Resident], bool]:
    query = scope.residents_filter(db.select(Resident), staff)
    area = area_filter(staff, area)
    column, _ = scope.resident_region_code()
    if area != staff.region_code and column is not None:
        query = query.where(column.startswith(area, autoescape=True))
    rows = db.session.execute(query.order_by(Resident.id.desc()).limit(PAGE + 1)
                              .offset((page - 1) * PAGE)).scalars().all()
    return rows[:PAGE], len(rows) > PAGE
