"""Category templates carry what a category can require beyond attributes: the size chart
(TikTok template or uploaded image), certifications with their uploaded images and files, and
the EU GPSR manufacturer / responsible person (issue 13 §1). One JSON column, `{}` by default.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 22:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('category_template') as batch:
        batch.add_column(sa.Column('compliance', sa.JSON(), nullable=False,
                                   server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table('category_template') as batch:
        batch.drop_column('compliance')
