"""Province-level places of arrest and of last sighting: analysts see these instead of the
free-text places, which can single a person out (issue 16).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:40:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("arrest_region", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("last_seen_region", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("last_seen_region")
        batch.drop_column("arrest_region")
