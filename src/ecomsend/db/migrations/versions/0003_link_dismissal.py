"""Link products page: rejected link suggestions (link_dismissal)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecomsend.db.types

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('link_dismissal',
    sa.Column('tiktok_shop_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('shopify_id', sa.String(length=64), nullable=False),
    sa.Column('tiktok_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', ecomsend.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['tiktok_shop_id'], ['tiktok_shop.id'], name=op.f('fk_link_dismissal_tiktok_shop_id_tiktok_shop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_dismissal')),
    sa.UniqueConstraint('tiktok_shop_id', 'shopify_id', 'tiktok_id', name=op.f('uq_link_dismissal_tiktok_shop_id_shopify_id_tiktok_id'))
    )


def downgrade() -> None:
    op.drop_table('link_dismissal')
