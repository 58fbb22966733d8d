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


# ALTER TABLE … ADD/DROP COLUMN (SQLite 3.35 and later), as in 0009: a copy of the table would
# turn 0011's inline foreign key (consent_source_id) into a table constraint that SQLite's DROP
# COLUMN then refuses when 0011 is taken down.


def upgrade() -> None:
    op.add_column("persons", sa.Column("arrest_region", sa.String(length=100), nullable=True))
    op.add_column("persons", sa.Column("last_seen_region", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column("persons", "last_seen_region")
    op.drop_column("persons", "arrest_region")
