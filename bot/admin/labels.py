"""What a person reads for a stored value: Chinese labels, region names, Beijing time.

Registered as Jinja filters and globals of the console, so every template says a status, a channel,
a region or a time the same way; the labels live in content/console_labels.toml.
"""
from datetime import date, datetime

from flask import g

from content.texts import table
from handlers.staff import scope
from infra import clock


def zh(code, kind: str) -> str:
    """The Chinese label of `code` in the table `kind` (push_status, delivery, channel …)."""
    if code is None:
        return ""
    return table("console_labels.toml").get(kind, {}).get(str(code), str(code))


def region_name(code: str | None) -> str:
    """A region's name for its code, looked up once per request."""
    if not code:
        return ""
    names = g.setdefault("region_name_cache", {})
    if code not in names:
        names.update(scope.region_names([code]))
    return names.get(code, code)


def local_time(value: datetime | None, seconds: bool = False) -> str:
    """A stored naive-UTC instant as Beijing time: 2026-12-05 09:00."""
    if value is None:
        return ""
    return clock.local(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def local_day(value: datetime | date | None) -> str:
    """The Beijing calendar day of a stored naive-UTC instant (a date is shown as it is)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return clock.local_date(value).isoformat()
    return value.isoformat()


def form_time(value: datetime | None) -> str:
    """A stored instant as the value of a datetime-local input, in Beijing time."""
    return clock.local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def register(app) -> None:
    """Add the filters to the app's Jinja environment (the console's templates use them)."""
    filters = {"zh": zh, "region_name": region_name, "local_time": local_time, "local_day": local_day,
               "form_time": form_time}
    for name, function in filters.items():
        app.add_template_filter(function, name)
