"""A staff account's node must be a node of the region tree: foreign key staff.region_code → region.code

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Accounts were only ever created on existing nodes (handlers/staff/accounts.py checks); should one not
    # be, stop here with its name rather than fail on an anonymous constraint error.
    orphans = op.get_bind().execute(sa.text(
        "SELECT username, region_code FROM staff WHERE region_code NOT IN (SELECT code FROM region)")).all()
    if orphans:
        listed = ", ".join(f"{username} ({code})" for username, code in orphans)
        raise RuntimeError(f"staff on region codes missing from the region table: {listed}; "
                           "run `flask --app bot import-regions` or fix these accounts, then migrate again")
    # Batch mode: SQLite cannot add a constraint to a table, Alembic rebuilds it there.
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_staff_region_code_region'), 'region', ['region_code'], ['code'])


def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_region_code_region'), type_='foreignkey')
