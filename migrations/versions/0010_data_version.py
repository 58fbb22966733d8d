"""The data version: one row that every commit writing records moves on, so that summaries
are computed once per change of the data and cached until the next.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:00:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    # Naive UTC, as tracker.db.UTCDateTime stores it. The moment of the upgrade names the data as it stands: no summary is cached for it yet.
    op.bulk_insert(
        table, [{"id": 1, "version": 1, "changed_at": datetime.now(UTC).replace(tzinfo=None)}]
    )


def downgrade() -> None:
    op.drop_table("data_version")
