"""Indexes for estimates: merged-away records alone, and each source's persons read from the
index (replacing the index on source_id, which it begins with).

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-06 12:10:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_persons_merged_into_id",
            ["merged_into_id"],
            unique=False,
            sqlite_where=sa.text("merged_into_id IS NOT NULL"),
            postgresql_where=sa.text("merged_into_id IS NOT NULL"),
        )
    with op.batch_alter_table("person_sources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_sources_source_id_person_id", ["source_id", "person_id"], unique=False
        )
        batch_op.drop_index("ix_person_sources_source_id")


def downgrade() -> None:
    with op.batch_alter_table("person_sources", schema=None) as batch_op:
        batch_op.create_index("ix_person_sources_source_id", ["source_id"], unique=False)
        batch_op.drop_index("ix_person_sources_source_id_person_id")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index("ix_persons_merged_into_id")
