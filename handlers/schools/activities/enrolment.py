"""Enrolment: places, the ordered waiting list, cancellation and promotion.

Every change to an activity's places happens while holding its row lock (SELECT … FOR UPDATE), so
concurrent enrolments in many web processes are served one at a time, in arrival order; the
unique (activity, family) constraint and the capacity check constraints hold even if code is wrong.
Notices for promoted families are enqueued by the caller after commit (a job must not see, or
miss, an uncommitted promotion).
"""
from dataclasses import dataclass, field

from content.activity_texts import text
from handlers.schools import reminders
from handlers.schools.activities import ActivityError
from handlers.schools.activities.catalogue import ActivityForm, check_times, visible_to
from infra import jobs
from models import Activity, Child, Enrolment, EnrolmentChild, Family, Resident, db
from models.timeutil import utcnow


@dataclass
class EnrolForm:
    child_ids: list[int]
    adults: int = 1
    wants_reminder: bool = False
    wants_promotion_notice: bool = False


@dataclass
class Outcome:
    enrolment: Enrolment
    position: int | None = None  # place in the waiting list, 1 = next in line
    promoted: list[int] = field(default_factory=list)  # enrolment ids promoted by this change


def lock(activity_id: int) -> Activity:
    """The activity, locked until commit; populate_existing so counters are never a stale copy."""
    if not isinstance(activity_id, int) or not 0 < activity_id < 2**31:
        raise ActivityError("activity_not_found")
    activity = db.session.execute(
        db.select(Activity).where(Activity.id == activity_id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if activity is None:
        raise ActivityError("activity_not_found")
    return activity


def find(activity_id: int, family: Family) -> Enrolment | None:
    return db.session.execute(db.select(Enrolment).filter_by(
        activity_id=activity_id, family_id=family.id)).scalar_one_or_none()


def queue_exists(activity: Activity) -> bool:
    return db.session.execute(db.select(Enrolment.id).filter_by(
        activity_id=activity.id, status="waitlisted").limit(1)).first() is not None


def fits(activity: Activity, people: int) -> bool:
    return (activity.enrolled_families + 1 <= activity.capacity_families
            and activity.enrolled_people + people <= activity.capacity_people)


def take_place(activity: Activity, entry: Enrolment) -> None:
    entry.status, entry.enrolled_at = "enrolled", utcnow()
    activity.enrolled_families += 1
    activity.enrolled_people += entry.people


def enrol(family: Family, resident: Resident, activity_id: int, form: EnrolForm) -> Outcome:
    activity = lock(activity_id)
    if not visible_to(activity, family, resident):
        raise ActivityError("activity_not_found")
    if activity.cancelled:
        raise ActivityError("activity_cancelled")
    if utcnow() >= activity.enrol_deadline:
        raise ActivityError("deadline_passed")
    children = own_children(family, form.child_ids)
    people = form.adults + len(children)
    if people > activity.capacity_people:
        raise ActivityError("too_many_people", people=people, capacity=activity.capacity_people)
    entry = find(activity.id, family)
    if entry is not None and entry.status != "cancelled":
        raise ActivityError("already_enrolled", status=text(f"status.{entry.status}"))
    # Whoever waits came first: a newcomer joins the queue even when a small place is free.
    gets_place = not queue_exists(activity) and fits(activity, people)
    if entry is None:
        entry = Enrolment(activity_id=activity.id, family_id=family.id)
    else:  # enrolling again after cancelling: the same row, at the back of the queue
        entry.pupils.clear()
        db.session.flush()
    entry.adults, entry.children = form.adults, len(children)
    entry.wants_reminder, entry.wants_promotion_notice = form.wants_reminder, form.wants_promotion_notice
    entry.created_at, entry.cancelled_at, entry.enrolled_at = utcnow(), None, None
    entry.reminded_at = entry.promotion_notified_at = None
    entry.pupils = [EnrolmentChild(child_id=child.id) for child in children]
    entry.seq, activity.next_seq = activity.next_seq, activity.next_seq + 1
    entry.status = "waitlisted"
    if gets_place:
        take_place(activity, entry)
    db.session.add(entry)
    db.session.flush()
    return Outcome(entry, position_of(entry))


def own_children(family: Family, child_ids: list[int]) -> list[Child]:
    wanted = sorted(set(child_ids))
    if not wanted:
        raise ActivityError("children_required")
    children = list(db.session.execute(db.select(Child).where(
        Child.family_id == family.id, Child.id.in_(wanted))).scalars())
    if len(children) != len(wanted):
        raise ActivityError("invalid_fields", {"child_ids": text("errors.unknown_child")})
    return children


def position_of(entry: Enrolment) -> int | None:
    if entry.status != "waitlisted":
        return None
    ahead = db.session.execute(db.select(db.func.count(Enrolment.id)).where(
        Enrolment.activity_id == entry.activity_id, Enrolment.status == "waitlisted",
        Enrolment.seq < entry.seq)).scalar_one()
    return ahead + 1


def cancel(family: Family, activity_id: int) -> Outcome:
    """The family withdraws; a freed place goes to the waiting list in order."""
    activity = lock(activity_id)
    entry = find(activity.id, family)
    if entry is None or entry.status == "cancelled":
        raise ActivityError("not_enrolled")
    if utcnow() >= activity.starts_at:
        raise ActivityError("already_started")
    return Outcome(entry, None, release(activity, entry))


def release(activity: Activity, entry: Enrolment) -> list[int]:
    """Cancel `entry` (its activity locked by the caller) and promote who waits."""
    if entry.status == "enrolled":
        activity.enrolled_families -= 1
        activity.enrolled_people -= entry.people
    entry.status, entry.cancelled_at = "cancelled", utcnow()
    db.session.flush()
    return promote(activity)


def promote(activity: Activity) -> list[int]:
    """Give free places to the waiting list strictly in order (the activity is locked).

    Promotion stops at the first family that does not fit: skipping it for a smaller family behind
    would break the order families were promised.
    """
    if activity.cancelled or utcnow() >= activity.starts_at:
        return []
    waiting = db.session.execute(db.select(Enrolment).filter_by(
        activity_id=activity.id, status="waitlisted").order_by(Enrolment.seq)).scalars()
    promoted = []
    for entry in waiting:
        if not fits(activity, entry.people):
            break
        take_place(activity, entry)
        promoted.append(entry.id)
        # Told once the promotion is committed; a rollback tells nobody.
        jobs.enqueue_after_commit(reminders.send_promotion_notice, entry.id, job_id=f"promoted-{entry.id}")
    db.session.flush()
    return promoted


def withdraw_family(family: Family) -> list[int]:
    """Cancel the family's places in activities still to come (before the family is deleted)."""
    promoted = []
    rows = db.session.execute(db.select(Enrolment.activity_id).join(Activity)
                              .where(Enrolment.family_id == family.id,
                                     Enrolment.status != "cancelled",
                                     Activity.starts_at > utcnow())).scalars().all()
    for activity_id in rows:
        activity = lock(activity_id)
        promoted += release(activity, find(activity.id, family))
    return promoted


def of_family(family: Family) -> list[Enrolment]:
    return list(db.session.execute(db.select(Enrolment).filter_by(family_id=family.id)
                                   .order_by(Enrolment.id.desc()).limit(200)).scalars())


def as_dict(entry: Enrolment) -> dict:
    return {"id": entry.id, "activity_id": entry.activity_id, "status": entry.status,
            "status_label": text(f"status.{entry.status}"), "position": position_of(entry),
            "adults": entry.adults, "children": entry.children,
            "child_ids": sorted(p.child_id for p in entry.pupils),
            "checked_in": entry.checked_in_at is not None,
            "wants_reminder": entry.wants_reminder,
            "wants_promotion_notice": entry.wants_promotion_notice}


def update_activity(activity_id: int, form: ActivityForm) -> list[int]:
    """Change an activity; returns the enrolments a larger capacity promoted from the waiting list.

    Here beside enrolment because capacity and places change under the same row lock.
    """
    starts, ends, deadline = check_times(form)
    activity = lock(activity_id)
    if activity.cancelled:
        raise ActivityError("activity_cancelled")
    if (form.capacity_families < activity.enrolled_families
            or form.capacity_people < activity.enrolled_people):
        raise ActivityError("capacity_below_enrolled", families=activity.enrolled_families,
                            people=activity.enrolled_people)
    activity.title, activity.description, activity.place = form.title, form.description, form.place
    activity.starts_at, activity.ends_at, activity.enrol_deadline = starts, ends, deadline
    activity.audience = form.audience
    activity.capacity_families, activity.capacity_people = form.capacity_families, form.capacity_people
    db.session.flush()
    return promote(activity)
