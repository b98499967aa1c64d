"""Zero-waste cell creation (无废细胞创建): an explicit state machine with who may make each step.

apply → self-assess and upload evidence → submit → district review → city review and score →
public notice (公示) → naming (命名授牌) → annual re-review, which renews or revokes. A unit acts
through its contact's mini-program account; reviewers act in the console. A district step needs a
reviewer anchored at the cell's district (a city reviewer may not stand in: the district knows its
units); a city step needs one anchored at the city. Every step is a CellEvent with who and when.
"""
from dataclasses import dataclass
from datetime import timedelta

from content import cells as catalogue
from content.cells import label
from handlers.errors import Refused
from handlers.people import phones, residents
from handlers.staff import audit, scope
from models import Region, Resident, db
from models.cells import Cell, CellEvent, CellScore
from models.timeutil import utcnow

EDITABLE = ("applied", "returned")  # the unit may change its self-assessment and evidence
UNIT, DISTRICT, CITY, DISTRICT_OR_CITY = "unit", "district", "city", "district_or_city"
LEVEL_NAMES = {level: label("level", level) for level in (DISTRICT, CITY, DISTRICT_OR_CITY)}


class CellError(Refused):
    """The step cannot be made; `message` is for the person who tried, `code` for the API."""

    def __init__(self, code: str, message: str, status: int = 400, fields: dict | None = None):
        super().__init__(message, code, fields, status)


class Forbidden(CellError):
    def __init__(self, message: str):
        super().__init__("forbidden", message, 403)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: decided by the step (a score decides pass or not)
    actor: str  # UNIT, DISTRICT, CITY or DISTRICT_OR_CITY
    needs_comment: bool = False


TRANSITIONS = {t.action: t for t in (
    Transition("submit", EDITABLE, "submitted", UNIT),
    Transition("withdraw", ("applied", "returned", "submitted"), "withdrawn", UNIT),
    Transition("district_pass", ("submitted",), "district_passed", DISTRICT),
    Transition("district_return", ("submitted",), "returned", DISTRICT, needs_comment=True),
    Transition("city_score", ("district_passed",), None, CITY),
    # An objection during the notice also sends the cell back to the unit.
    Transition("city_return", ("district_passed", "in_notice"), "returned", CITY, needs_comment=True),
    Transition("publish_notice", ("city_passed",), "in_notice", CITY),
    Transition("name", ("in_notice",), "named", CITY),
    Transition("renew", ("named",), "named", DISTRICT_OR_CITY),
    Transition("revoke", ("named",), "revoked", DISTRICT_OR_CITY, needs_comment=True),
)}
STAFF_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.actor != UNIT)
IN_REVIEW = ("submitted", "district_passed", "city_passed", "in_notice")
# The console's audit log names each review step (handlers/staff/audit.py lists the other actions).
audit.ACTION_NAMES.update({f"cell_{action}": label("audit", "action", action=label("action", action))
                           for action in STAFF_ACTIONS})


# --- applying and self-assessment (the unit) ----------------------------------------------------

def apply(resident: Resident, unit_name: str, cell_type: str, region_code: str, contact_name: str,
          contact_phone: str, commitment: bool) -> Cell:
    unit_name, contact_name = (unit_name or "").strip(), (contact_name or "").strip()
    if cell_type not in catalogue.cell_types():
        raise CellError("unknown_type", label("error", "unknown_type"))
    region = db.session.get(Region, region_code or "")
    if region is None or not region.active or region.level < 2:
        raise CellError("unknown_region", label("error", "unknown_region"))
    if not 2 <= len(unit_name) <= 80:
        raise CellError("unit_name", label("error", "unit_name"))
    if not contact_name or len(contact_name) > 40:
        raise CellError("contact", label("error", "contact"))
    contact_phone = phones.clean(contact_phone)
    if contact_phone is None:  # the one phone check and message of every form
        raise CellError("invalid_fields", phones.problem(), fields={"contact_phone": phones.problem()})
    if commitment is not True:
        raise CellError("commitment", label("error", "commitment"))
    if db.session.execute(db.select(Cell.id).filter_by(
            unit_name=unit_name, cell_type=cell_type, region_code=region_code)).first():
        raise CellError("duplicate", label("error", "duplicate"), 409)
    cell = Cell(unit_name=unit_name, cell_type=cell_type, region_code=region_code,
                indicator_set=catalogue.current_set(cell_type).key, contact_name=contact_name,
                contact_phone=contact_phone, applicant_id=resident.id, status="applied",
                commitment_version=catalogue.workflow_texts()["commitment_version"])
    db.session.add(cell)
    db.session.flush()
    record(cell, "apply", None, "applied", unit_actor(resident))
    return cell


def indicators(cell: Cell) -> catalogue.IndicatorSet:
    return catalogue.indicator_set(cell.indicator_set)


def check_unit(cell: Cell, resident: Resident, editing: bool = False) -> None:
    if resident is None or cell.applicant_id != resident.id:
        raise Forbidden(label("error", "not_yours"))
    if editing and cell.status not in EDITABLE:
        raise CellError("not_editable", label("error", "not_editable"), 409)


def self_assess(cell: Cell, resident: Resident, entries: dict[str, tuple[int, str]]) -> None:
    """Set the unit's own points (and a note) for some indicators; the rest stay as they were."""
    check_unit(cell, resident, editing=True)
    checked = {code: (indicator_points(cell, code, points), note) for code, (points, note) in entries.items()}
    scores = {score.indicator_code: score for score in cell.scores}
    for code, (points, note) in checked.items():
        score = scores.get(code) or CellScore(cell_id=cell.id, indicator_code=code)
        score.self_points, score.note = points, (note or "")[:2000]
        if code not in scores:
            cell.scores.append(score)
    cell.self_score = sum(score.self_points for score in cell.scores)
    record(cell, "self_assess", cell.status, cell.status, unit_actor(resident), score=cell.self_score)


def indicator_points(cell: Cell, code: str, points) -> int:
    indicator = indicators(cell).get(code)
    if indicator is None:
        raise CellError("unknown_indicator", label("error", "unknown_indicator"))
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= indicator.points:
        raise CellError("points", label("error", "points", code=code, points=indicator.points))
    return points


def missing(cell: Cell) -> list[dict]:
    """What the unit still has to do before it can submit: each item names the indicator."""
    scores = {score.indicator_code: score for score in cell.scores}
    proven = {evidence.indicator_code for evidence in cell.evidence}
    gaps = []
    for indicator in indicators(cell).indicators:
        values = {"code": indicator.code, "title": indicator.title, "evidence": indicator.evidence}
        if indicator.code not in scores:
            gaps.append({"indicator": indicator.code, "kind": "self_assessment",
                         "message": label("missing", "self_assessment", **values)})
        # Points claimed need proof; an indicator the unit scores 0 needs none.
        elif scores[indicator.code].self_points > 0 and indicator.code not in proven:
            gaps.append({"indicator": indicator.code, "kind": "evidence",
                         "message": label("missing", "evidence", **values)})
    return gaps


def evidence_completeness(cell: Cell) -> tuple[int, int]:
    """(indicators with evidence, indicators the unit claims points for)."""
    claimed = {s.indicator_code for s in cell.scores if s.self_points > 0}
    proven = {e.indicator_code for e in cell.evidence} & claimed
    return len(proven), len(claimed)


# --- steps ------------------------------------------------------------------------------------

def unit_step(cell: Cell, resident: Resident, action: str) -> Cell:
    """submit or withdraw, by the unit's contact."""
    transition = transition_for(cell, action)
    if transition.actor != UNIT:
        raise Forbidden(label("error", "not_yours"))
    check_unit(cell, resident)
    if action == "submit" and missing(cell):
        raise CellError("incomplete", label("error", "incomplete"), 409)
    return move(cell, transition, transition.target, unit_actor(resident))


def staff_step(cell: Cell, staff, action: str, comment: str = "",
               review: dict[str, int] | None = None, now=None) -> Cell:
    """A reviewer's step; `review` gives the city's points per indicator for city_score."""
    transition = transition_for(cell, action)
    if transition.actor == UNIT or not may_act(staff, cell, transition.actor):
        raise Forbidden(label("error", "refused", level=LEVEL_NAMES.get(transition.actor, "")))
    comment = (comment or "").strip()[:2000]
    if transition.needs_comment and not comment:
        raise CellError("comment_required", label("error", "comment_required"))
    now = now or utcnow()
    target, score = transition.target, None
    if action == "city_score":
        score = apply_review(cell, review or {})
        target = "city_passed" if score >= indicators(cell).pass_score else "not_passed"
    elif action == "publish_notice":
        cell.notice_until = now + timedelta(days=catalogue.workflow_texts()["notice_days"])
    elif action == "name":
        if cell.notice_until and cell.notice_until > now:
            until = cell.notice_until.strftime("%Y-%m-%d %H:%M")
            raise CellError("notice_running", label("error", "notice_running", until=until), 409)
        cell.named_at, cell.reviewed_year = now, now.year
    elif action == "renew":
        cell.reviewed_year = now.year
    actor = (staff.username, staff.role, None)
    move(cell, transition, target, actor, comment=comment, score=score, now=now)
    audit.record(staff, f"cell_{action}", cell.region_code,
                 target=label("audit", "target", unit=cell.unit_name, id=cell.id),
                 detail={"status": cell.status, "score": score} if score is not None else None)
    return cell


def may_act(staff, cell: Cell, actor: str) -> bool:
    """A reviewer of the cell's district, or of the city, as the step needs."""
    if staff is None or not scope.may(staff, "review_cells") or not scope.in_scope(staff, cell.region_code):
        return False
    node = scope.level(staff.region_code)
    return node == actor or (actor == DISTRICT_OR_CITY and node in (DISTRICT, CITY))


def actions_for(cell: Cell, staff) -> list[str]:
    """The steps this staff member may take on the cell now (the console shows these)."""
    return [action for action in STAFF_ACTIONS
            if cell.status in TRANSITIONS[action].sources and may_act(staff, cell, TRANSITIONS[action].actor)]


def apply_review(cell: Cell, review: dict[str, int]) -> int:
    codes = [indicator.code for indicator in indicators(cell).indicators]
    if set(review) != set(codes):
        raise CellError("review_incomplete", label("error", "review_incomplete"))
    points = {code: indicator_points(cell, code, review[code]) for code in codes}
    scores = {score.indicator_code: score for score in cell.scores}
    for code in codes:
        if code not in scores:  # an indicator the unit left at 0 points
            scores[code] = CellScore(cell_id=cell.id, indicator_code=code, self_points=0)
            cell.scores.append(scores[code])
        scores[code].review_points = points[code]
    cell.review_score = sum(points.values())
    return cell.review_score


def transition_for(cell: Cell, action: str) -> Transition:
    transition = TRANSITIONS.get(action)
    if transition is None or cell.status not in transition.sources:
        raise CellError("not_allowed", label("error", "not_allowed"), 409)
    return transition


def move(cell: Cell, transition: Transition, target: str, actor: tuple, comment: str = "",
         score: int | None = None, now=None) -> Cell:
    before = cell.status
    cell.status, cell.updated_at = target, now or utcnow()
    record(cell, transition.action, before, target, actor, comment=comment, score=score, now=now)
    return cell


def unit_actor(resident: Resident) -> tuple:
    return ("unit", "unit", resident.id)


def record(cell: Cell, action: str, before: str | None, after: str, actor: tuple, comment: str = "",
           score: int | None = None, now=None) -> CellEvent:
    name, role, resident_id = actor
    event = CellEvent(cell_id=cell.id, action=action, from_status=before, to_status=after, actor=name,
                      actor_role=role, resident_id=resident_id, comment=comment, score=score,
                      at=now or utcnow())
    cell.events.append(event)
    return event


# --- reading ----------------------------------------------------------------------------------

def get(cell_id) -> Cell | None:
    return db.session.get(Cell, cell_id) if isinstance(cell_id, int) else None


def of_resident(resident: Resident) -> list[Cell]:
    return list(db.session.execute(
        db.select(Cell).filter_by(applicant_id=resident.id).order_by(Cell.id)).scalars())


def in_scope(staff, status: str | None = None, cell_type: str | None = None) -> list[Cell]:
    query = scope.scope_filter(db.select(Cell), Cell.region_code, staff)
    if status:
        query = query.filter_by(status=status)
    if cell_type:
        query = query.filter_by(cell_type=cell_type)
    return list(db.session.execute(query.order_by(Cell.updated_at.desc(), Cell.id.desc())).scalars())


def status_label(status: str) -> str:
    return label("status", status)


@residents.forgets
def forget_applicant(resident: Resident) -> list[residents.Removed]:
    """The unit's application stays for its review; the contact's name, phone and account go."""
    from sqlalchemy import update

    n = db.session.execute(update(Cell).where(Cell.applicant_id == resident.id).values(
        applicant_id=None, contact_name=label("forgotten", "contact"), contact_phone="")).rowcount
    db.session.execute(update(CellEvent).where(CellEvent.resident_id == resident.id)
                       .values(resident_id=None))
    return [residents.Removed("cell_contact", label("forgotten", "applications", count=n))] if n else []
