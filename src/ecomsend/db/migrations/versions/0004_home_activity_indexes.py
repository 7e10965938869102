"""Home and Activity pages: indexes for the last webhook per shop and for resolving a TikTok
webhook's shop (its activity row is scoped to the shop)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 19:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_receipt', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_receipt_shop_time',
                              ['platform', 'shop_key', 'received_at'], unique=False)
    with op.batch_alter_table('tiktok_shop', schema=None) as batch_op:
        batch_op.create_index('ix_tiktok_shop_tiktok_shop_id', ['tiktok_shop_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tiktok_shop', schema=None) as batch_op:
        batch_op.drop_index('ix_tiktok_shop_tiktok_shop_id')
    with op.batch_alter_table('webhook_receipt', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_receipt_shop_time')
