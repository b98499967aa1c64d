from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.statuses import Audience, EnrolmentStatus, one_of
from models.timeutil import utcnow


class Activity(db.Model):
    """A school's activity for pupils and their families. Times are naive UTC like the rest."""

    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("capacity_families > 0 AND capacity_people > 0", name="capacity"),
        # The places taken never exceed the places offered, whatever races the code loses.
        CheckConstraint("enrolled_families >= 0 AND enrolled_families <= capacity_families",
                        name="families_within_capacity"),
        CheckConstraint("enrolled_people >= 0 AND enrolled_people <= capacity_people",
                        name="people_within_capacity"),
        CheckConstraint("ends_at > starts_at AND enrol_deadline <= starts_at", name="times"),
        CheckConstraint(one_of("audience", Audience), name="audience"),
        CheckConstraint("title <> ''", name="title_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    # The school's region node (copied so area figures and lists filter without a join); an
    # 'area' activity is open to every family whose area or child's school lies under area_code.
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    area_code: Mapped[str] = mapped_column(String(20), index=True)
    audience: Mapped[str] = mapped_column(String(8), default=Audience.SCHOOL)
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    enrol_deadline: Mapped[datetime]
    capacity_families: Mapped[int]
    capacity_people: Mapped[int]
    enrolled_families: Mapped[int] = mapped_column(default=0)
    enrolled_people: Mapped[int] = mapped_column(default=0)
    # Hands out waiting-list order; taken under the activity's row lock, so it never repeats.
    next_seq: Mapped[int] = mapped_column(default=1)
    has_cover: Mapped[bool] = mapped_column(default=False)
    cancelled: Mapped[bool] = mapped_column(default=False)
    # Staff cancel the whole activity with a reason every enrolled or waiting family is told.
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    cancel_reason: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActivityCover(db.Model):
    """The cover image, apart from the activity so lists never load the bytes."""

    __tablename__ = "activity_cover"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Enrolment(db.Model):
    """A family's place (or place in the queue) at an activity."""

    __tablename__ = "enrolment"
    __table_args__ = (
        # No family twice, whatever the mini-program or the network repeats.
        UniqueConstraint("activity_id", "family_id", name="uq_enrolment_family"),
        UniqueConstraint("activity_id", "seq", name="uq_enrolment_seq"),
        CheckConstraint(one_of("status", EnrolmentStatus), name="status"),
        CheckConstraint("adults >= 1 AND children >= 1", name="people"),
        Index("ix_enrolment_queue", "activity_id", "status", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    # SET NULL: a guardian who asks to be forgotten leaves a nameless row in the figures.
    family_id: Mapped[int | None] = mapped_column(ForeignKey("family.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    seq: Mapped[int]  # the order of arrival; the waiting list is served by it
    adults: Mapped[int] = mapped_column(SmallInteger)
    children: Mapped[int] = mapped_column(SmallInteger)
    # One-time subscriptions the user granted in the mini-program (wx.requestSubscribeMessage).
    wants_reminder: Mapped[bool] = mapped_column(default=False)
    wants_promotion_notice: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by: Mapped[str | None] = mapped_column(String(64))  # 'code' or a staff username
    reminded_at: Mapped[datetime | None]
    promotion_notified_at: Mapped[datetime | None]
    # Claimed by the job telling the family the whole activity was cancelled (sent at most once).
    activity_cancel_notified_at: Mapped[datetime | None]
    # The volunteer hours this attendance earned, so a second check-in never doubles them.
    service_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_record.id", ondelete="SET NULL"))

    pupils: Mapped[list["EnrolmentChild"]] = relationship(cascade="all, delete-orphan")

    @property
    def people(self) -> int:
        return self.adults + self.children


class EnrolmentChild(db.Model):
    """Which of the family's children come."""

    __tablename__ = "enrolment_child"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), primary_key=True)
