from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.timeutil import utcnow


class Resident(db.Model):
    """A WeChat user of the Official Account or the mini-program."""

    __tablename__ = "resident"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), index=True)
    subscribed: Mapped[bool] = mapped_column(default=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Customer-service messages may reach a user only within 48 h of their last message.
    last_message_at: Mapped[datetime | None]
    # The street or community they live in (bound in the chat or the mini-program); staff
    # scope and push reach follow it.
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    area_bound_at: Mapped[datetime | None]
