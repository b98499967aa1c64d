from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.statuses import VolunteerStatus, one_of
from models.timeutil import utcnow


class Volunteer(db.Model):
    """A resident registered as a volunteer: pending until staff of their area approve."""

    __tablename__ = "volunteer"
    __table_args__ = (
        CheckConstraint(one_of("status", VolunteerStatus), name="status"),
        CheckConstraint("name <> ''", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: however often WeChat retries or the API is called, one volunteer per resident.
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(11))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    skills: Mapped[str] = mapped_column(String(200))  # codes from content/volunteers.toml, comma-separated
    availability: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=VolunteerStatus.PENDING, index=True)
    channel: Mapped[str] = mapped_column(String(8))  # chat or api
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    review_reason: Mapped[str | None] = mapped_column(String(200))  # why staff rejected; told to the volunteer
    # Claimed by the job telling the volunteer the decision; cleared by a new decision.
    review_notified_at: Mapped[datetime | None]

    services: Mapped[list["ServiceRecord"]] = relationship(back_populates="volunteer")


class ServiceRecord(db.Model):
    """One stretch of volunteer service, as a service certificate lists it."""

    __tablename__ = "service_record"
    __table_args__ = (
        # A day of service is at most 24 h; zero-hour entries are mistakes.
        CheckConstraint("hours > 0 AND hours <= 24", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SET NULL: when a volunteer asks to be forgotten, the hours stay in the area's totals, nameless.
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteer.id", ondelete="SET NULL"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    activity: Mapped[str] = mapped_column(String(200))  # the service content
    served_on: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    organiser: Mapped[str] = mapped_column(String(100))  # the organising unit
    recorded_by: Mapped[str] = mapped_column(String(64))  # staff username
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    volunteer: Mapped[Volunteer | None] = relationship(back_populates="services")
