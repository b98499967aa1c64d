from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.statuses import ReportKind, ReportStatus, one_of
from models.timeutil import utcnow


class Report(db.Model):
    """A resident's report (随手拍): an overflowing bin, illegal dumping, a broken bin, a missed collection.

    It belongs to a region node (the resident's bound area, a chosen one, or the street of a
    location): the staff of that node's street handle it. Photos are kept in the database, checked
    by their first bytes; a chat photo is WeChat's media (photo_media_id, photo_url) until fetched
    (WeChat keeps it 3 days), and photo_fetch_error is WeChat's errcode (or photo_type,
    photo_size) when it could not be.
    """

    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint(one_of("kind", ReportKind), name="kind"),
        CheckConstraint(one_of("status", ReportStatus), name="status"),
        Index("ix_report_region_status", "region_code", "status"),
        Index("ix_report_resident_created", "resident_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(String(500), default="")
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_type: Mapped[str] = mapped_column(String(32), default="")
    photo_media_id: Mapped[str] = mapped_column(String(128), default="")
    photo_url: Mapped[str] = mapped_column(String(500), default="")
    photo_fetch_error: Mapped[str] = mapped_column(String(32), default="", server_default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16), default="chat")  # chat or api
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.NEW)
    assigned_to: Mapped[str] = mapped_column(String(64), default="")  # a staff username
    resolution: Mapped[str] = mapped_column(Text, default="")  # the note, or the reason for rejecting
    resolution_photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    resolution_photo_type: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    events: Mapped[list["ReportEvent"]] = relationship(
        back_populates="report", order_by="ReportEvent.id", cascade="all, delete-orphan")


class ReportEvent(db.Model):
    """One step of a report: who (a staff username, or 'resident'), when, from which status to which.

    `notified` is how telling the resident went: '' (not yet, or not a step they are told of),
    'sent', 'unconfirmed' or WeChat's refusal (45015: outside the window).
    """

    __tablename__ = "report_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    notice_claimed_at: Mapped[datetime | None] = mapped_column()
    notified: Mapped[str] = mapped_column(String(32), default="")

    report: Mapped[Report] = relationship(back_populates="events")
