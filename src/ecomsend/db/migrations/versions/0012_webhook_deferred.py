"""Webhook receipts can be processed after the acknowledgement (issue 12 §2): in a flood the
inbox records a delivery with its signed body and answers 200, and processes it right after
(`sync/inbox_process.py`). `processed_at` is set in the transaction that applies it (NULL:
waiting), `body` is kept only while it waits, `attempts` counts failed processing runs. Rows
received before this revision were processed when they were recorded.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = sa.text("processed_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('webhook_receipt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('processed_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.execute("UPDATE webhook_receipt SET processed_at = received_at")
    op.create_index('ix_webhook_receipt_waiting', 'webhook_receipt', ['received_at'],
                    postgresql_where=WAITING, sqlite_where=WAITING)


def downgrade() -> None:
    op.drop_index('ix_webhook_receipt_waiting', table_name='webhook_receipt')
    with op.batch_alter_table('webhook_receipt', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('processed_at')
        batch_op.drop_column('body')
