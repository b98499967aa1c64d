"""messages, residents and sorting knowledge

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 02:00:10.705275
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbound_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedup_key', sa.String(length=64), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=32), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_message')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_inbound_message_dedup_key'))
    )
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_message_openid'), ['openid'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_message_received_at'), ['received_at'], unique=False)

    op.create_table('resident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('unionid', sa.String(length=64), nullable=True),
    sa.Column('subscribed', sa.Boolean(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(), nullable=False),
    sa.Column('last_message_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident')),
    sa.UniqueConstraint('openid', name=op.f('uq_resident_openid'))
    )
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_unionid'), ['unionid'], unique=False)

    op.create_table('taught_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('item', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('taught_by', sa.String(length=64), nullable=False),
    sa.Column('taught_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("category IN ('recyclable', 'hazardous', 'kitchen', 'residual', 'special')", name=op.f('ck_taught_item_category')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taught_item')),
    sa.UniqueConstraint('query', name=op.f('uq_taught_item_query'))
    )
    op.create_table('unrecognised_query',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('normalized', sa.String(length=200), nullable=False),
    sa.Column('sample', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unrecognised_query')),
    sa.UniqueConstraint('normalized', name=op.f('uq_unrecognised_query_normalized'))
    )
    with op.batch_alter_table('unrecognised_query', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unrecognised_query_last_seen_at'), ['last_seen_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('unrecognised_query', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unrecognised_query_last_seen_at'))

    op.drop_table('unrecognised_query')
    op.drop_table('taught_item')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_unionid'))

    op.drop_table('resident')
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_message_received_at'))
        batch_op.drop_index(batch_op.f('ix_inbound_message_openid'))

    op.drop_table('inbound_message')
