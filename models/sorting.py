from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.timeutil import utcnow

CATEGORY_CHECK = "category IN ('recyclable', 'hazardous', 'kitchen', 'residual', 'special')"


class UnrecognisedQuery(db.Model):
    """A sorting question the bot could not answer with confidence, counted for staff to teach."""

    __tablename__ = "unrecognised_query"

    id: Mapped[int] = mapped_column(primary_key=True)
    normalized: Mapped[str] = mapped_column(String(200), unique=True)
    sample: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class TaughtItem(db.Model):
    """A query a staff member mapped to an item and category; it wins over the built-in knowledge."""

    __tablename__ = "taught_item"
    __table_args__ = (CheckConstraint(CATEGORY_CHECK, name="category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200), unique=True)
    item: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(16))
    taught_by: Mapped[str] = mapped_column(String(64))
    taught_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaughtPhrasing(db.Model):
    """A message city staff said means an intent (the chat's understanding reads it so at once)."""

    __tablename__ = "taught_phrasing"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200), unique=True)  # as the understanding normalises it
    sample: Mapped[str] = mapped_column(String(200))  # as the resident typed it
    intent: Mapped[str] = mapped_column(String(32))
    taught_by: Mapped[str] = mapped_column(String(64))
    taught_at: Mapped[datetime] = mapped_column(default=utcnow)


class DismissedNoise(db.Model):
    """An entry of an unrecognised list city staff marked as noise: hidden there, never taught.

    `list` is "query" (an UnrecognisedQuery, by its normalized text) or "message" (a message the
    chat did not act on, by its content); `key` is the text's SHA-256, as messages have no length limit.
    """

    __tablename__ = "dismissed_noise"
    __table_args__ = (
        CheckConstraint("list IN ('query', 'message')", name="list"),
        UniqueConstraint("list", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    dismissed_by: Mapped[str] = mapped_column(String(64))
    dismissed_at: Mapped[datetime] = mapped_column(default=utcnow)
