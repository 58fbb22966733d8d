"""Places get a Korean name beside the English one, shown on Korean pages and found by search.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 09:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("facilities", "crossing_points"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("name_ko", sa.String(length=200), nullable=True))


def downgrade() -> None:
    for table in ("facilities", "crossing_points"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name_ko")
