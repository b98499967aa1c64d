"""Residents' reports (随手拍) and their steps

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 13:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

KINDS = ("overflow", "dumping", "broken_bin", "missed_collection", "other")
STATUSES = ("new", "assigned", "resolved", "rejected")


def one_of(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade() -> None:
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('photo_type', sa.String(length=32), nullable=False),
    sa.Column('photo_media_id', sa.String(length=128), nullable=False),
    sa.Column('photo_url', sa.String(length=500), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('region_code', sa.String(length=20), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assigned_to', sa.String(length=64), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('resolution_photo', sa.LargeBinary(), nullable=True),
    sa.Column('resolution_photo_type', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint(one_of("kind", KINDS), name=op.f('ck_report_kind')),
    sa.CheckConstraint(one_of("status", STATUSES), name=op.f('ck_report_status')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_report_region_code_region')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_report_resident_id_resident'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index('ix_report_region_status', ['region_code', 'status'], unique=False)
        batch_op.create_index('ix_report_resident_created', ['resident_id', 'created_at'], unique=False)
    op.create_table('report_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('notice_claimed_at', sa.DateTime(), nullable=True),
    sa.Column('notified', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_event_report_id_report'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_event'))
    )
    with op.batch_alter_table('report_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_event_report_id'), ['report_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_event_report_id'))
    op.drop_table('report_event')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_resident_created')
        batch_op.drop_index('ix_report_region_status')
    op.drop_table('report')
