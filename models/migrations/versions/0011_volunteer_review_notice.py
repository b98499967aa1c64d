"""The volunteer is told the review's decision: the notice job's claim

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 05:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_notified_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.drop_column('review_notified_at')
