"""Create intents: a row committed before a non-idempotent create (Shopify orderCreate, TikTok
Create Product) and deleted with the link it produced, so a retry after a crash knows a create
may already exist and waits out Shopify's search lag before creating again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ecomsend.db.types

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'create_intent',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('tiktok_shop_id', BigId, nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('entity_id', sa.String(length=64), nullable=False),
        sa.Column('marker', sa.String(length=128), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('attempted_at', ecomsend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('lookups', sa.Integer(), nullable=False),
        sa.Column('created_at', ecomsend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', ecomsend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tiktok_shop_id'], ['tiktok_shop.id'],
                                name=op.f('fk_create_intent_tiktok_shop_id_tiktok_shop'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_create_intent')),
        sa.UniqueConstraint('tiktok_shop_id', 'kind', 'entity_id',
                            name=op.f('uq_create_intent_tiktok_shop_id_kind_entity_id')),
    )


def downgrade() -> None:
    op.drop_table('create_intent')
