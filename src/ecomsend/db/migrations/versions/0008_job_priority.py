"""LocalQueue job priority: `local_job.priority` (higher runs first) and the claim's index, so
one shop's bulk listing cannot starve another shop's stock pushes (issue 12 §3).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 22:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('local_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.create_index('ix_local_job_claim',
                              ['status', sa.text('priority DESC'), 'scheduled_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('local_job', schema=None) as batch_op:
        batch_op.drop_index('ix_local_job_claim')
        batch_op.drop_column('priority')
