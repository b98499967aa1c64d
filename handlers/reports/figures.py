"""Reports' figures per node: counts by status and the median time to resolve, rolled up
street ⊂ district ⊂ city (a report counts at its street, its district and the city)."""
from dataclasses import dataclass, field
from statistics import median

from handlers.staff import scope
from models import db
from models.reports import Report
from models.staff import Staff
from models.statuses import ReportStatus

PREFIXES = (4, 6, 9)  # city, district, street codes


@dataclass
class NodeFigures:
    code: str
    name: str
    level: str
    counts: dict[str, int] = field(default_factory=lambda: {status.value: 0 for status in ReportStatus})
    hours: list[float] = field(default_factory=list)  # to resolve, of the resolved ones

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def median_hours(self) -> float | None:
        return round(median(self.hours), 1) if self.hours else None


def rolled_up(staff: Staff) -> list[NodeFigures]:
    """One row per city, district and street node in the staff member's subtree that has reports,
    and the staff member's own node first, in code order."""
    rows = db.session.execute(scope.scope_filter(
        db.select(Report.region_code, Report.status, Report.created_at, Report.closed_at),
        Report.region_code, staff))
    nodes: dict[str, NodeFigures] = {}
    own = staff.region_code
    for region_code, status, created_at, closed_at in rows:
        codes = {region_code[:size] for size in PREFIXES if len(region_code) >= size}
        codes = {code for code in codes if code.startswith(own)} | {own}
        for code in codes:
            node = nodes.setdefault(code, NodeFigures(code, "", scope.level(code)))
            node.counts[status] += 1
            if status == ReportStatus.RESOLVED and closed_at:
                node.hours.append((closed_at - created_at).total_seconds() / 3600)
    names = scope.region_names(nodes)
    for node in nodes.values():
        node.name = names[node.code]
    return [nodes[code] for code in sorted(nodes)]
