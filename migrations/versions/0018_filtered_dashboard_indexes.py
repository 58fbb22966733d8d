"""Indexes for the filtered dashboard: a live person's id beside their event, status and gender,
and a live detention's facility beside its person, so that the persons of a few hundred events
and their detentions are counted from the indexes alone.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:20:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_persons_live_event_status_gender_id",
            ["event_id", "status", "gender", "id"],
            unique=False,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )
        batch_op.drop_index("ix_persons_live_event_status_gender")
    with op.batch_alter_table("detentions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_detentions_live_person_facility",
            ["person_id", "facility_id"],
            unique=False,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )


def downgrade() -> None:
    with op.batch_alter_table("detentions", schema=None) as batch_op:
        batch_op.drop_index("ix_detentions_live_person_facility")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_persons_live_event_status_gender",
            ["event_id", "status", "gender"],
            unique=False,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )
        batch_op.drop_index("ix_persons_live_event_status_gender_id")
