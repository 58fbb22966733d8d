"""Documented by: which sources document each person, and what each says (issue #19).

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-06 09:20:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("says", sa.Text(), nullable=True),
        sa.Column("page_ref", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_sources_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_person_sources_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_sources")),
        sa.UniqueConstraint(
            "person_id", "source_id", name=op.f("uq_person_sources_person_id_source_id")
        ),
    )
    with op.batch_alter_table("person_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_sources_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_sources_source_id"), ["source_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("person_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_sources_source_id"))
        batch_op.drop_index(batch_op.f("ix_person_sources_person_id"))
    op.drop_table("person_sources")
