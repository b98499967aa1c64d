from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.timeutil import utcnow


class InboundMessage(db.Model):
    """One message or event from WeChat, logged once however often WeChat retries it."""

    __tablename__ = "inbound_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # MsgId, or a hash of FromUserName+CreateTime+Event for events: WeChat's retry identity.
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    openid: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    content: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str] = mapped_column(String(32), default="")
    # What the user was told, so a retry gets the same answer even without Redis.
    reply: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
