"""Figures for the console's dashboard, always for one staff member's subtree."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from handlers.sorting.query import normalize
from handlers.staff import scope
from handlers.understanding import noise
from handlers.volunteers import roster
from infra import clock
from infra.clock import day_start
from models import InboundMessage, QrCode, Resident, UnrecognisedQuery, db

CHART_DAYS = 14
QUESTION = "answer_question"  # InboundMessage.answered_by of a sorting question
MAX_SCANNED = 20000  # questions read to find the most asked ones: a week of a busy city


@dataclass
class Dashboard:
    today: int = 0
    week: int = 0
    per_day: list[tuple[date, int]] = field(default_factory=list)
    most_asked: list[tuple[str, int]] = field(default_factory=list)
    unrecognised: list[tuple[str, int]] = field(default_factory=list)
    unrecognised_total: int = 0
    residents_bound: int | None = None
    volunteers: dict[str, int] | None = None
    # Followers by the campaign QR code (scene) they followed or last scanned through.
    by_qr_code: list[tuple[str, int]] = field(default_factory=list)


def questions(staff):
    """A select of the sorting questions asked by residents of the staff member's subtree."""
    query = db.select(InboundMessage).where(InboundMessage.answered_by == QUESTION)
    if scope.level(staff.region_code) == "city":
        return query  # every question, from bound and unbound residents alike
    inner = scope.residents_filter(db.select(Resident.openid), staff, bound_only=True)
    return query.where(InboundMessage.openid.in_(inner))


def count_between(staff, start: datetime, end: datetime | None = None) -> int:
    query = questions(staff).where(InboundMessage.received_at >= start)
    if end is not None:
        query = query.where(InboundMessage.received_at < end)
    return db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar_one()


def build(staff, today: date | None = None) -> Dashboard:
    today = today or clock.today()
    week_start = today - timedelta(days=today.weekday())
    board = Dashboard()
    days = [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    board.per_day = [(day, count_between(staff, day_start(day),
                                         day_start(day + timedelta(days=1)))) for day in days]
    board.today = board.per_day[-1][1]
    board.week = count_between(staff, day_start(week_start))
    texts = db.session.execute(
        questions(staff).with_only_columns(InboundMessage.content)
        .where(InboundMessage.received_at >= day_start(today - timedelta(days=6)))
        .order_by(InboundMessage.id.desc()).limit(MAX_SCANNED)).scalars()
    asked = Counter()
    sample: dict[str, str] = {}
    for content in texts:
        key = normalize(content or "")
        if key:
            asked[key] += 1
            sample.setdefault(key, content.strip())
    board.most_asked = [(sample[key], n) for key, n in asked.most_common(10)]
    add_unrecognised(board, staff, asked, sample)
    add_people(board, staff)
    return board


def add_unrecognised(board: Dashboard, staff, asked: Counter, sample: dict) -> None:
    if scope.level(staff.region_code) == "city":
        live = noise.shown(noise.QUERY)  # what staff dismissed as noise is not worth a place here
        rows = db.session.execute(db.select(UnrecognisedQuery.sample, UnrecognisedQuery.count).where(live)
                                  .order_by(UnrecognisedQuery.count.desc()).limit(10))
        board.unrecognised = [tuple(row) for row in rows]
        board.unrecognised_total = db.session.execute(
            db.select(db.func.count(UnrecognisedQuery.id)).where(live)).scalar_one()
        return
    # Below the city the unrecognised list is not kept per area: use this week's questions of
    # the subtree whose wording is on the city's unrecognised list.
    keys = list(asked)[:1000]
    known = set(db.session.execute(db.select(UnrecognisedQuery.normalized)
                                   .where(UnrecognisedQuery.normalized.in_(keys), noise.shown(noise.QUERY)))
                 .scalars()) if keys else set()
    board.unrecognised = [(sample[key], asked[key]) for key, _ in asked.most_common() if key in known][:10]
    board.unrecognised_total = len(known)


def add_people(board: Dashboard, staff) -> None:
    query = scope.residents_filter(db.select(db.func.count(Resident.id)), staff, bound_only=True)
    board.residents_bound = db.session.execute(query).scalar_one()
    board.volunteers = roster.volunteer_counts(staff)
    scenes = scope.residents_filter(
        db.select(Resident.follow_scene, db.func.count(Resident.id))
        .where(Resident.follow_scene.is_not(None), Resident.follow_scene != "")
        .group_by(Resident.follow_scene).order_by(db.func.count(Resident.id).desc()).limit(20), staff)
    labels = dict(db.session.execute(db.select(QrCode.scene, QrCode.label)).all())
    board.by_qr_code = [(labels.get(scene, scene), n) for scene, n in db.session.execute(scenes)]
