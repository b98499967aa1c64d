from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.timeutil import utcnow

PURPOSES = ("area", "volunteer")


class Consent(db.Model):
    """A resident's consent (PIPL art. 14) to one purpose, with the version of the text they read."""

    __tablename__ = "consent"
    __table_args__ = (
        UniqueConstraint("resident_id", "purpose"),
        CheckConstraint("purpose IN ('area', 'volunteer')", name="purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))  # chat or api
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
