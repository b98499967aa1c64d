"""INSERT … ON CONFLICT, in the dialect of the session's database (PostgreSQL in production,
SQLite in the embedded default): both have it, with the same SQLAlchemy construct."""
from sqlalchemy.dialects import postgresql, sqlite

from models import db

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert(model):
    """An insert of `model` that takes .on_conflict_do_nothing() / .on_conflict_do_update()."""
    return INSERTS[db.session.get_bind().dialect.name](model)
