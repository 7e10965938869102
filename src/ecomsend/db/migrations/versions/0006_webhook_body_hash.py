"""Webhook receipts remember the SHA-256 of the signed body: the HMAC covers only the body, so
a captured delivery re-sent under other headers (another shop, another topic, a new webhook id)
is recognised as the same delivery and acted on once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_receipt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_sha256', sa.String(length=64), nullable=True))
        batch_op.create_index('uq_webhook_receipt_body', ['platform', 'body_sha256'],
                              unique=True)
        batch_op.create_index('ix_webhook_receipt_received', ['received_at'])
    with op.batch_alter_table('shopify_product', schema=None) as batch_op:
        batch_op.create_index('ix_shopify_product_shopify_id', ['shopify_id'])


def downgrade() -> None:
    with op.batch_alter_table('shopify_product', schema=None) as batch_op:
        batch_op.drop_index('ix_shopify_product_shopify_id')
    with op.batch_alter_table('webhook_receipt', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_receipt_received')
        batch_op.drop_index('uq_webhook_receipt_body')
        batch_op.drop_column('body_sha256')
