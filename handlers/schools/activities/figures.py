"""Per-activity figures (families, pupils, attendance) and their roll-up up the region tree."""
from dataclasses import dataclass

from sqlalchemy import case, func

from handlers.staff import scope
from models import Activity, Enrolment, Region, School, db
from models.timeutil import utcnow


@dataclass
class Figures:
    activities: int = 0
    families: int = 0
    pupils: int = 0
    people: int = 0
    waitlisted: int = 0
    held_families: int = 0  # enrolled families of activities that have started
    attended: int = 0

    @property
    def attendance_rate(self) -> float | None:
        """Attended ÷ enrolled, over activities that have started; None before any has."""
        return round(self.attended / self.held_families, 3) if self.held_families else None

    def add(self, other: "Figures") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {**{name: getattr(self, name) for name in self.__dataclass_fields__},
                "attendance_rate": self.attendance_rate}


def figures_query(where):
    enrolled = Enrolment.status == "enrolled"
    started = db.and_(enrolled, Activity.starts_at <= utcnow())
    return (db.select(
        Activity.id, Activity.region_code, Activity.school_id,
        func.sum(case((enrolled, 1), else_=0)), func.sum(case((enrolled, Enrolment.children), else_=0)),
        func.sum(case((enrolled, Enrolment.adults + Enrolment.children), else_=0)),
        func.sum(case((Enrolment.status == "waitlisted", 1), else_=0)),
        func.sum(case((started, 1), else_=0)),
        func.sum(case((db.and_(enrolled, Enrolment.checked_in_at.is_not(None)), 1), else_=0)))
        .select_from(Activity).outerjoin(Enrolment, Enrolment.activity_id == Activity.id)
        .where(Activity.cancelled.is_(False), where).group_by(Activity.id))


def per_activity(where) -> dict[int, tuple[str, int, Figures]]:
    """activity id → (region code, school id, figures)."""
    found = {}
    for activity_id, region, school_id, *numbers in db.session.execute(figures_query(where)):
        found[activity_id] = (region, school_id, Figures(1, *(int(n or 0) for n in numbers)))
    return found


def of_activity(activity: Activity) -> Figures:
    row = per_activity(Activity.id == activity.id).get(activity.id)
    return row[2] if row else Figures(1)


def of_school(school_id: int) -> Figures:
    total = Figures()
    for _, _, figures in per_activity(Activity.school_id == school_id).values():
        total.add(figures)
    return total


def child_code(code: str, node: str) -> str:
    """The node one level below `node` on the way to `code` (a district under the city …)."""
    for length in (6, 9, 12):
        if len(node) < length <= len(code):
            return code[:length]
    return code


def roll_up(node: str) -> tuple[Figures, list[tuple[str, str, Figures]]]:
    """The node's total and one row per child node below it (districts of the city, …)."""
    assert scope.valid_code(node)
    total, rows = Figures(), {}
    for region, _, figures in per_activity(Activity.region_code.startswith(node)).values():
        total.add(figures)
        rows.setdefault(child_code(region, node), Figures()).add(figures)
    names = dict(db.session.execute(db.select(Region.code, Region.name).where(Region.code.in_(rows))).all())
    return total, [(code, names.get(code, code), rows[code]) for code in sorted(rows)]


def by_school(node: str) -> list[tuple[School, Figures]]:
    totals: dict[int, Figures] = {}
    for _, school_id, figures in per_activity(Activity.region_code.startswith(node)).values():
        totals.setdefault(school_id, Figures()).add(figures)
    found = db.session.execute(db.select(School).where(School.id.in_(totals))).scalars()
    return sorted(((school, totals[school.id]) for school in found), key=lambda pair: pair[0].name)
