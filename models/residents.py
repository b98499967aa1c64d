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
    # Whose openid this is: "official" (the Official Account: chat, follows) or "miniapp" (the
    # mini-program's login). One person has one of each, linked only by the unionid. None: a row
    # from before migration 0014 (treated as the Official Account's).
    app: Mapped[str | None] = mapped_column(String(10))
    subscribed: Mapped[bool] = mapped_column(default=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the user last wrote to the Official Account (a message, not an event).
    last_message_at: Mapped[datetime | None]
    # The customer-service window WeChat opened for them (handlers/people/windows.py): "message"
    # (5 messages within 48 h of a message) or "interaction" (3 within 1 minute of a follow, a QR
    # scan or a menu click), when it opened and how many messages we sent in it.
    window_kind: Mapped[str | None] = mapped_column(String(12))
    window_opened_at: Mapped[datetime | None]
    window_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    # The campaign QR code scene they followed through ("" or None: a plain follow).
    follow_scene: Mapped[str | None] = mapped_column(String(64))
    # The street or community they live in (bound in the chat or the mini-program); staff
    # scope and push reach follow it.
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    area_bound_at: Mapped[datetime | None]
