"""Changchun's local time for what people read; naive UTC for what is stored and compared."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from models.timeutil import utcnow

LOCAL = ZoneInfo("Asia/Shanghai")  # Changchun keeps Beijing time

__all__ = ["LOCAL", "to_utc", "local", "iso", "local_date", "utcnow", "label"]


def to_utc(value: datetime) -> datetime:
    """Naive UTC; a naive input is Changchun time (what a school admin types)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def local(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc).astimezone(LOCAL)


def iso(value: datetime | None) -> str | None:
    return local(value).isoformat() if value else None


def local_date(value: datetime) -> date:
    return local(value).date()


def label(value: datetime) -> str:
    """2026年12月05日 09:00, as a person reads it."""
    return local(value).strftime("%Y年%m月%d日 %H:%M")
