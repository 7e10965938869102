"""after_sale: TikTok returns, refunds and cancellation requests, and Shopify-side refunds of
TikTok orders, with the Shopify refund our sync made (issue 13 §2).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 22:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecomsend.db.types

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'after_sale',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('tiktok_shop_id', BigId, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('external_id', sa.String(length=128), nullable=False),
        sa.Column('order_id', sa.String(length=64), nullable=False),
        sa.Column('request_type', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=48), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=True),
        sa.Column('reason_text', sa.String(length=512), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=True),
        sa.Column('refund_total', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('line_item_ids', sa.JSON(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('update_time', ecomsend.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('shopify_refund_id', sa.String(length=128), nullable=True),
        sa.Column('created_at', ecomsend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', ecomsend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tiktok_shop_id'], ['tiktok_shop.id'],
                                name=op.f('fk_after_sale_tiktok_shop_id_tiktok_shop'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_after_sale')),
        sa.UniqueConstraint('tiktok_shop_id', 'kind', 'external_id',
                            name=op.f('uq_after_sale_tiktok_shop_id_kind_external_id')),
    )
    op.create_index('ix_after_sale_shop_order', 'after_sale', ['tiktok_shop_id', 'order_id'])


def downgrade() -> None:
    op.drop_index('ix_after_sale_shop_order', table_name='after_sale')
    op.drop_table('after_sale')
