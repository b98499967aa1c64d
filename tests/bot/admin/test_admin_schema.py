"""The staff table's invariants in the database itself: an account's node is a node of the region tree."""
from contextlib import contextmanager

import pytest
from alembic import command as alembic_command
from sqlalchemy import insert, inspect
from sqlalchemy.exc import IntegrityError

from bot.cli.core import alembic_config
from handlers.staff.accounts import StaffError, create_staff
from models import db
from models.staff import Staff
from tests.admin_support import CITY, add_staff, password_hash


@contextmanager
def enforcing_connection():
    """A connection that enforces foreign keys: PostgreSQL always; SQLite only when told per connection."""
    with db.engine.connect() as conn:
        sqlite = db.engine.dialect.name == "sqlite"
        if sqlite:  # before any statement: SQLite ignores the pragma inside a transaction
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        try:
            yield conn
        finally:
            conn.rollback()
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys = OFF")


def staff_row(username: str, region_code: str) -> dict:
    return {"username": username, "display_name": username, "password_hash": password_hash(),
            "role": "street_admin", "region_code": region_code, "active": True, "session_epoch": 0}


def test_migrations_put_a_foreign_key_from_staff_to_region(app):
    keys = inspect(db.engine).get_foreign_keys("staff")
    assert {"name": "fk_staff_region_code_region", "referred_table": "region",
            "constrained_columns": ["region_code"], "referred_columns": ["code"]}.items() <= next(
        k for k in keys if k["referred_table"] == "region").items()


def test_the_database_refuses_staff_on_a_region_that_does_not_exist(app):
    add_staff("city", "city_admin", CITY)
    with enforcing_connection() as conn:
        conn.execute(insert(Staff).values(**staff_row("fine", "220102001")))
        with pytest.raises(IntegrityError):
            conn.execute(insert(Staff).values(**staff_row("nowhere", "220199999")))
    # and the console's own check still answers first, in Chinese
    with pytest.raises(StaffError):
        create_staff(None, "nowhere", "", "Changchun-2201x", "city_admin", "9999")


def test_the_migration_goes_down_and_up_and_stops_on_accounts_without_a_region(app):
    add_staff("city", "city_admin", CITY)
    db.session.remove()
    config = alembic_config()
    alembic_command.downgrade(config, "0011")
    assert not any(k["referred_table"] == "region" for k in inspect(db.engine).get_foreign_keys("staff"))
    with db.engine.begin() as conn:  # no constraint now: an account on a missing node gets in
        conn.execute(insert(Staff).values(**staff_row("orphan", "220199999")))
    with pytest.raises(RuntimeError, match=r"orphan \(220199999\)"):
        alembic_command.upgrade(config, "head")
    with db.engine.begin() as conn:
        conn.execute(db.delete(Staff).where(Staff.username == "orphan"))
    alembic_command.upgrade(config, "head")
    assert any(k["referred_table"] == "region" for k in inspect(db.engine).get_foreign_keys("staff"))
    assert db.session.execute(db.select(Staff.username)).scalars().all() == ["city"]  # kept through the rebuild
