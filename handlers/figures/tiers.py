"""The campaign's own figures, recomputed from records: awareness, participation, cells vs targets, reach.

Definitions are in docs/figures.md; this module is their only implementation. Every figure is for a
node of the region tree (its subtree: codes starting with its code) and a period [since, until).
Weeks run Monday to Sunday in Changchun time (infra/clock); stored times are naive UTC.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func

from content import cells as catalogue
from handlers.cells.workflow import IN_REVIEW
from infra.clock import local, local_noon, week_start
from models import Region, Resident, ServiceRecord, Volunteer, db
from models.activities import Enrolment
from models.cells import Cell, CellEvent
from models.families import Family
from models.pushes import Delivery, Push
from models.quiz import KnowledgeAnswer, QuizAttempt, Survey
from models.timeutil import utcnow

AWARE_SHARE = 0.6  # a resident is aware when at least 60 % of their answers in the period are right
STAGES = {"named": "created", **{s: "in_review" for s in IN_REVIEW}, "applied": "applied",
          "returned": "applied"}


@dataclass
class Rate:
    count: int  # aware residents, or participants
    base: int  # residents who answered (the sample), or residents bound there
    reached: int | None = None  # awareness: residents asked a knowledge question

    @property
    def rate(self) -> float | None:
        return round(self.count / self.base, 4) if self.base else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def under(column, code: str):
    """Rows whose region code lies in `code`'s subtree (codes are digits only: no wildcards)."""
    return column.startswith(code, autoescape=True)


def recent_weeks(count: int = 8, now: datetime | None = None) -> list[datetime]:
    this_week = week_start(now or utcnow())
    return [this_week - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


# --- awareness ------------------------------------------------------------------------------------

def answer_rows(code: str, since: datetime, until: datetime) -> list[tuple]:
    """(person, region_code, correct, at) of every knowledge answer with a right answer in the period."""
    query = (db.select(KnowledgeAnswer.resident_id, KnowledgeAnswer.attempt_id, KnowledgeAnswer.id,
                       KnowledgeAnswer.region_code, KnowledgeAnswer.correct, KnowledgeAnswer.answered_at)
             .where(KnowledgeAnswer.correct.is_not(None), KnowledgeAnswer.answered_at >= since,
                    KnowledgeAnswer.answered_at < until))
    if len(code) > 4:  # the city counts residents who have not bound an area too
        query = query.where(under(KnowledgeAnswer.region_code, code))
    rows = []
    for resident_id, attempt_id, row_id, region, correct, at in db.session.execute(query):
        # A forgotten resident's answers still count, as one anonymous person per quiz or survey answer.
        person = f"r{resident_id}" if resident_id else f"q{attempt_id}" if attempt_id else f"s{row_id}"
        rows.append((person, region or "", bool(correct), at))
    return rows


def awareness_of(rows) -> Rate:
    tally: dict[str, list[int]] = {}
    for person, _, correct, _ in rows:
        right_total = tally.setdefault(person, [0, 0])
        right_total[0] += correct
        right_total[1] += 1
    aware = sum(1 for right, total in tally.values() if right >= AWARE_SHARE * total)
    return Rate(aware, len(tally))


def reached(code: str, since: datetime, until: datetime) -> set[str]:
    """Residents asked a knowledge question: started a quiz, answered a survey, or got one pushed."""
    starts = db.select(QuizAttempt.resident_id, QuizAttempt.id).where(
        QuizAttempt.started_at >= since, QuizAttempt.started_at < until)
    if len(code) > 4:
        starts = starts.where(under(QuizAttempt.region_code, code))
    people = {f"r{rid}" if rid else f"q{aid}" for rid, aid in db.session.execute(starts)}
    people |= {row[0] for row in answer_rows(code, since, until)}
    return people | survey_deliveries(code, since, until)


def survey_deliveries(code: str, since: datetime, until: datetime) -> set[str]:
    query = (db.select(Delivery.resident_id).join(Push, Push.id == Delivery.push_id)
             .join(Survey, Survey.content_item_id == Push.item_id)
             .where(Survey.answer.is_not(None), Delivery.status == "sent", Delivery.resident_id.is_not(None),
                    Delivery.sent_at >= since, Delivery.sent_at < until, under(Delivery.region_code, code)))
    return {f"r{rid}" for rid, in db.session.execute(query)}


def awareness(code: str, since: datetime, until: datetime) -> Rate:
    rate = awareness_of(answer_rows(code, since, until))
    rate.reached = len(reached(code, since, until))
    return rate


# --- participation --------------------------------------------------------------------------------

def participation_rows(code: str, since: datetime, until: datetime) -> list[tuple[int, str, datetime]]:
    """(resident id, resident's area, when) for every participating act of residents bound under `code`."""
    def bound(query):
        return query.where(Resident.region_code.is_not(None), under(Resident.region_code, code))

    service_day = db.select(Resident.id, Resident.region_code, ServiceRecord.served_on).join(
        Volunteer, Volunteer.id == ServiceRecord.volunteer_id).join(Resident, Resident.id == Volunteer.resident_id)
    sources = [
        bound(service_day).where(ServiceRecord.served_on >= since.date(), ServiceRecord.served_on < until.date()
                                 + timedelta(days=1)),
        bound(db.select(Resident.id, Resident.region_code, KnowledgeAnswer.answered_at)
              .join(Resident, Resident.id == KnowledgeAnswer.resident_id)
              .where(KnowledgeAnswer.answered_at >= since, KnowledgeAnswer.answered_at < until)),
        bound(db.select(Resident.id, Resident.region_code, CellEvent.at)
              .join(Resident, Resident.id == CellEvent.resident_id)
              .where(CellEvent.at >= since, CellEvent.at < until)),
        bound(db.select(Resident.id, Resident.region_code, Enrolment.checked_in_at)  # activity attendance
              .join(Family, Family.id == Enrolment.family_id).join(Resident, Resident.id == Family.resident_id)
              .where(Enrolment.checked_in_at >= since, Enrolment.checked_in_at < until)),
    ]
    rows = []
    for query in sources:
        for resident_id, region, at in db.session.execute(query):
            if not isinstance(at, datetime):  # a service day: counted at its Beijing noon
                at = local_noon(at)
            if since <= at < until:
                rows.append((resident_id, region, at))
    return rows


def bound_residents(code: str, at: datetime) -> int:
    """Residents bound under `code` by `at` (those who bound later are not yet there)."""
    bound_since = func.coalesce(Resident.area_bound_at, Resident.first_seen_at)
    return db.session.execute(db.select(func.count()).select_from(Resident).where(
        Resident.region_code.is_not(None), under(Resident.region_code, code), bound_since < at)).scalar_one()


def participation(code: str, since: datetime, until: datetime) -> Rate:
    people = {resident_id for resident_id, _, _ in participation_rows(code, since, until)}
    return Rate(len(people), bound_residents(code, until))


# --- trends and children ----------------------------------------------------------------------

def weekly(code: str, weeks: list[datetime]) -> list[dict]:
    """Awareness and participation per week, from one pass over the records of the whole range."""
    since, until = weeks[0], weeks[-1] + timedelta(weeks=1)
    answers, acts = answer_rows(code, since, until), participation_rows(code, since, until)
    trend = []
    for start in weeks:
        end = start + timedelta(weeks=1)
        week_answers = [row for row in answers if start <= row[3] < end]
        people = {rid for rid, _, at in acts if start <= at < end}
        trend.append({"week": local(start), "awareness": awareness_of(week_answers),
                      "participation": Rate(len(people), bound_residents(code, end))})
    return trend


def children(code: str) -> list[Region]:
    return list(db.session.execute(db.select(Region).where(
        Region.parent_code == code, Region.active.is_(True)).order_by(Region.code)).scalars())


# --- cells and targets ------------------------------------------------------------------------

@dataclass
class TypeRow:
    code: str
    name: str
    target: int
    created: int = 0
    in_review: int = 0
    applied: int = 0
    other: int = 0  # not passed, revoked, withdrawn
    gaps: list[int] = field(default_factory=list)  # self score − review score, per reviewed cell
    proven: int = 0
    claimed: int = 0

    @property
    def progress(self) -> float | None:
        return round(self.created / self.target, 4) if self.target else None

    @property
    def mean_gap(self) -> float | None:
        return round(sum(self.gaps) / len(self.gaps), 1) if self.gaps else None

    @property
    def completeness(self) -> float | None:
        return round(self.proven / self.claimed, 4) if self.claimed else None


def cells_under(code: str) -> list[Cell]:
    from sqlalchemy.orm import selectinload

    query = db.select(Cell).where(under(Cell.region_code, code)).options(
        selectinload(Cell.scores), selectinload(Cell.evidence))
    return list(db.session.execute(query).scalars())


def targets(code: str, cells: list[Cell] | None = None) -> list[TypeRow]:
    """Per cell type: created (named), in review, applied, vs the city's 2025 target."""
    rows = {t.code: TypeRow(t.code, t.name, t.target) for t in catalogue.cell_types().values()}
    for cell in cells if cells is not None else cells_under(code):
        row = rows[cell.cell_type]
        stage = STAGES.get(cell.status, "other")
        setattr(row, stage, getattr(row, stage) + 1)
        if cell.review_score is not None and cell.self_score is not None:
            row.gaps.append(cell.self_score - cell.review_score)
        if cell.status != "withdrawn":
            claimed = {s.indicator_code for s in cell.scores if s.self_points > 0}
            row.claimed += len(claimed)
            row.proven += len(claimed & {e.indicator_code for e in cell.evidence})
    return list(rows.values())


def totals(rows: list[TypeRow]) -> TypeRow:
    total = TypeRow("all", "合计", sum(r.target for r in rows))
    for row in rows:
        for name in ("created", "in_review", "applied", "other", "proven", "claimed"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.gaps += row.gaps
    return total


def targets_by_district(city: str = "2201") -> dict[str, list[TypeRow]]:
    """district code → its rows; one query for every cell of the city."""
    everything = cells_under(city)
    return {district.code: targets(district.code, [c for c in everything if c.region_code.startswith(district.code)])
            for district in children(city)}


# --- pushes and reach (deliveries) -------------------------------------------------------

def reach(code: str, since: datetime, until: datetime) -> dict:
    """Distinct residents under the node a push reached in the period, and how many pushes reached
    them, from whichever tier each was sent: both counted from the same deliveries, so a node
    reached by a city push shows that push."""
    reached = (db.select(Delivery.push_id, Delivery.resident_id).where(
        Delivery.status == "sent", Delivery.resident_id.is_not(None), under(Delivery.region_code, code),
        Delivery.sent_at >= since, Delivery.sent_at < until).subquery())
    residents, pushes = db.session.execute(db.select(
        func.count(func.distinct(reached.c.resident_id)), func.count(func.distinct(reached.c.push_id)))).one()
    return {"pushes": pushes, "residents": residents}
