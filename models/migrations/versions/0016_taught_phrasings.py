"""Phrasings city staff taught the chat's understanding

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('taught_phrasing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('sample', sa.String(length=200), nullable=False),
    sa.Column('intent', sa.String(length=32), nullable=False),
    sa.Column('taught_by', sa.String(length=64), nullable=False),
    sa.Column('taught_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taught_phrasing')),
    sa.UniqueConstraint('text', name=op.f('uq_taught_phrasing_text'))
    )


def downgrade() -> None:
    op.drop_table('taught_phrasing')
