"""Documented by: which sources document each person, and what each says; lists of sources
saved by name for estimates of the undocumented (issue #19).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 09:20:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
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
    op.create_table(
        "estimate_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("source_ids", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_estimate_lists_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate_lists")),
        sa.UniqueConstraint("name", name=op.f("uq_estimate_lists_name")),
    )


def downgrade() -> None:
    op.drop_table("estimate_lists")
    with op.batch_alter_table("person_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_sources_source_id"))
        batch_op.drop_index(batch_op.f("ix_person_sources_person_id"))
    op.drop_table("person_sources")
