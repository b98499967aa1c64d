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
from models.statuses import CellStatus, one_of
from models.timeutil import utcnow


class Cell(db.Model):
    """A unit's application to become a zero-waste cell (无废细胞) of one type, and where it stands."""

    __tablename__ = "cell"
    __table_args__ = (
        CheckConstraint(one_of("status", CellStatus), name="status"),
        CheckConstraint("unit_name <> ''", name="unit_name_not_empty"),
        # One open application per unit and type: a second one would double the figures.
        UniqueConstraint("unit_name", "cell_type", "region_code", name="uq_cell_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_name: Mapped[str] = mapped_column(String(80))
    cell_type: Mapped[str] = mapped_column(String(24), index=True)  # content/cells/targets_2025.csv
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    indicator_set: Mapped[str] = mapped_column(String(32))  # 'school.v1': the set it is assessed on
    contact_name: Mapped[str] = mapped_column(String(40))
    contact_phone: Mapped[str] = mapped_column(String(20))
    # The unit's signed commitment (承诺书): the text version it agreed to, and when.
    commitment_version: Mapped[str] = mapped_column(String(16))
    committed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # SET NULL: a contact who asks to be forgotten leaves the unit's application in place.
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"),
                                                     index=True)
    status: Mapped[str] = mapped_column(String(16), default=CellStatus.APPLIED, index=True)
    self_score: Mapped[int | None] = mapped_column(SmallInteger)
    review_score: Mapped[int | None] = mapped_column(SmallInteger)  # the city's score
    notice_until: Mapped[datetime | None]  # end of the public notice (公示)
    named_at: Mapped[datetime | None]
    reviewed_year: Mapped[int | None]  # the last year the annual re-review confirmed it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    scores: Mapped[list["CellScore"]] = relationship(cascade="all, delete-orphan",
                                                     order_by="CellScore.indicator_code")
    evidence: Mapped[list["CellEvidence"]] = relationship(cascade="all, delete-orphan",
                                                          order_by="CellEvidence.id")
    events: Mapped[list["CellEvent"]] = relationship(cascade="all, delete-orphan",
                                                     order_by="CellEvent.id")


class CellScore(db.Model):
    """One indicator of one cell: the unit's own points, and the city's review points."""

    __tablename__ = "cell_score"
    __table_args__ = (CheckConstraint("self_points >= 0", name="self_points"),
                      CheckConstraint("review_points IS NULL OR review_points >= 0", name="review_points"))

    cell_id: Mapped[int] = mapped_column(ForeignKey("cell.id", ondelete="CASCADE"), primary_key=True)
    indicator_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    self_points: Mapped[int] = mapped_column(SmallInteger, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    review_points: Mapped[int | None] = mapped_column(SmallInteger)


class CellEvidence(db.Model):
    """A file the unit uploaded to prove one indicator.

    The bytes are in the database (at most CELL_EVIDENCE_MAX_BYTES, a hundred files a cell), so
    any web machine can serve them; loaded only when a file is downloaded.
    """

    __tablename__ = "cell_evidence"
    __table_args__ = (Index("ix_cell_evidence_cell_indicator", "cell_id", "indicator_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cell.id", ondelete="CASCADE"))
    indicator_code: Mapped[str] = mapped_column(String(12))
    filename: Mapped[str] = mapped_column(String(120))  # as the unit named it, for display
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CellEvent(db.Model):
    """One step of a cell's procedure: who moved it from which status to which, and when."""

    __tablename__ = "cell_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cell.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    # A staff username, or 'unit' with the resident who acted for the unit.
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="SET NULL"),
                                                    index=True)
    score: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
