from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.statuses import ServiceTopic, one_of
from models.timeutil import utcnow


class AreaService(db.Model):
    """An area's own answer to a service question (bulky waste, medicine, collection times …), kept by
    the area's staff: what to do, when, whom to call, where to go.

    A resident gets the entry of the nearest node above their area (community → street → district →
    city) that has one; without any, the city-wide general text.
    """

    __tablename__ = "area_service"
    __table_args__ = (
        UniqueConstraint("region_code", "topic", name="uq_area_service_region_topic"),
        CheckConstraint(one_of("topic", ServiceTopic), name="topic"),
        CheckConstraint("text <> ''", name="text_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    topic: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(300))
    hours: Mapped[str] = mapped_column(String(100), default="")  # e.g. 每周六 9:00-11:00
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(120), default="")
    kept_by: Mapped[str] = mapped_column(String(64))  # the staff username that last saved it
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
