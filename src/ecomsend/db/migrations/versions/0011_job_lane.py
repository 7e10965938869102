"""LocalQueue lanes: `local_job.lane` — jobs sharing a lane run one at a time, so a shop's bulk
listing spread over a few lanes holds only that many workers (issue 12 §3).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('local_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lane', sa.String(length=255), nullable=True))
        batch_op.create_index('ix_local_job_lane', ['lane', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('local_job', schema=None) as batch_op:
        batch_op.drop_index('ix_local_job_lane')
        batch_op.drop_column('lane')
