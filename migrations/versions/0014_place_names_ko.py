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


# ALTER TABLE … ADD/DROP COLUMN (SQLite 3.35 and later), as in 0009: a copy of the table would
# turn the inline foreign keys of earlier columns into table constraints that SQLite's DROP
# COLUMN then refuses (0011's downgrade).


def upgrade() -> None:
    for table in ("facilities", "crossing_points"):
        op.add_column(table, sa.Column("name_ko", sa.String(length=200), nullable=True))


def downgrade() -> None:
    for table in ("facilities", "crossing_points"):
        op.drop_column(table, "name_ko")
