"""A chat report's photo fetched from WeChat's temporary media, or why it could not be

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_fetch_error', sa.String(length=32), server_default='',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('photo_fetch_error')
