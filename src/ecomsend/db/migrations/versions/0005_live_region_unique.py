"""One *connected* TikTok shop per region per Shopify shop: a disconnected connection keeps its
history while another TikTok shop of the same region is connected (partial unique index
instead of the unique constraint on shop_id + region)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text('disconnected_at IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('tiktok_shop', schema=None) as batch_op:
        batch_op.drop_constraint('uq_tiktok_shop_shop_id_region', type_='unique')
        batch_op.create_index('uq_tiktok_shop_live_region', ['shop_id', 'region'], unique=True,
                              sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    with op.batch_alter_table('tiktok_shop', schema=None) as batch_op:
        batch_op.drop_index('uq_tiktok_shop_live_region', sqlite_where=LIVE,
                            postgresql_where=LIVE)
        batch_op.create_unique_constraint('uq_tiktok_shop_shop_id_region', ['shop_id', 'region'])
