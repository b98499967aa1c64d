"""What WeChat really does: customer-service windows, delivery receipts, the follow scene, whose openid, QR codes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 12:00:00

Additive only: new nullable columns and one new table.
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('window_kind', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('window_opened_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('window_sent', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('follow_scene', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('app', sa.String(length=10), nullable=True))
    # Residents who wrote before this migration: their last message opened a 48-h window.
    op.execute("UPDATE resident SET window_kind = 'message', window_opened_at = last_message_at "
               "WHERE last_message_at IS NOT NULL")
    with op.batch_alter_table('push_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_status', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('total_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('filter_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sent_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('error_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('receipt_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('msg_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_delivery_msg_id', ['msg_id'], unique=False)
    op.create_table(
        'wechat_receipt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('msg_id', sa.String(length=32), nullable=False),
        sa.Column('openid', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=40), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('matched', sa.Boolean(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wechat_receipt')),
    )
    op.create_index('ix_wechat_receipt_kind_msg', 'wechat_receipt', ['kind', 'msg_id', 'matched'])
    op.create_table(
        'qr_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scene', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=60), nullable=False),
        sa.Column('region_code', sa.String(length=20), nullable=False),
        sa.Column('ticket', sa.String(length=200), nullable=False),
        sa.Column('url', sa.String(length=300), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_qr_code')),
        sa.UniqueConstraint('scene', name=op.f('uq_qr_code_scene')),
    )
    op.create_index('ix_qr_code_region_code', 'qr_code', ['region_code'])


def downgrade() -> None:
    op.drop_index('ix_qr_code_region_code', table_name='qr_code')
    op.drop_table('qr_code')
    op.drop_index('ix_wechat_receipt_kind_msg', table_name='wechat_receipt')
    op.drop_table('wechat_receipt')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_msg_id')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('msg_id')
    with op.batch_alter_table('push_batch', schema=None) as batch_op:
        for column in ('receipt_at', 'error_count', 'sent_count', 'filter_count', 'total_count',
                       'receipt_status'):
            batch_op.drop_column(column)
    with op.batch_alter_table('resident', schema=None) as batch_op:
        for column in ('app', 'follow_scene', 'window_sent', 'window_opened_at', 'window_kind'):
            batch_op.drop_column(column)
