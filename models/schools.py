from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.timeutil import utcnow


class School(db.Model):
    """A school of the campaign (无废学校), anchored at a region node so its figures roll up the tree."""

    __tablename__ = "school"
    __table_args__ = (UniqueConstraint("region_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchoolStaff(db.Model):
    """Which school a school admin runs: one school per account (the staff table stays as it is)."""

    __tablename__ = "school_staff"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
