from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC, so that SQLite and PostgreSQL store and compare the same values."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
