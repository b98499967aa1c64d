"""Changchun's local time for what people read; naive UTC for what is stored and compared.

The only place that knows Changchun keeps Beijing time (UTC+8).
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from models.timeutil import utcnow

LOCAL = ZoneInfo("Asia/Shanghai")  # Changchun keeps Beijing time

__all__ = ["LOCAL", "to_utc", "local", "iso", "local_date", "utcnow", "label", "day_start", "week_start",
           "today", "local_noon"]


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


def today() -> date:
    return local_date(utcnow())


def day_start(day: date) -> datetime:
    """The naive-UTC instant at which `day` starts in Changchun."""
    return to_utc(datetime.combine(day, time(0), tzinfo=LOCAL))


def week_start(moment: datetime) -> datetime:
    """The Monday 00:00 (Changchun) that starts `moment`'s week, as naive UTC."""
    day = local_date(moment)
    return day_start(day - timedelta(days=day.weekday()))


def local_noon(day: date) -> datetime:
    """A day-only record (a service day) counted at its Changchun noon, as naive UTC."""
    return to_utc(datetime.combine(day, time(12), tzinfo=LOCAL))
