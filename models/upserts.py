"""INSERT … ON CONFLICT, in the dialect of the session's database (PostgreSQL in production,
SQLite in the embedded default): both have it, with the same SQLAlchemy construct."""
import json
from functools import cache

from sqlalchemy import bindparam, column, func, select
from sqlalchemy.dialects import postgresql, sqlite

from models import db

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert(model):
    """An insert of `model` that takes .on_conflict_do_nothing() / .on_conflict_do_update()."""
    return INSERTS[db.session.get_bind().dialect.name](model)


def insert_rows(model, rows: list[dict]):
    """An insert of `rows` (dicts with the same keys) into `model`, like `insert`, and the
    parameters to execute it with.

    On PostgreSQL it is one statement that reads the rows from one JSON parameter
    (json_to_recordset): the server plans and runs one statement, not one per row as an
    executemany sends them, and the driver adapts one string. SQLite, in-process, takes the
    executemany.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return insert(model), rows
    return rows_from_json(model.__table__, tuple(rows[0])), {"rows": json.dumps(rows, default=str)}


@cache
def rows_from_json(table, columns: tuple[str, ...]):
    recordset = func.json_to_recordset(bindparam("rows")).table_valued(
        *(column(name, table.c[name].type) for name in columns)).render_derived(with_types=True)
    return postgresql.insert(table).from_select(columns, select(*recordset.c))
