"""Cases ready for the UN (issue #20): a person's consent to go to the UN Working Group and the
status of the case's submission; the organisation that submits (one row).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 09:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FUZZY = ("consent_date", "un_submitted_on", "un_clarified_on")


def _flag(name):
    return sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())


def upgrade():
    # Plain ADD COLUMNs, never a batch copy of persons (see 0009).
    op.add_column("persons", sa.Column("consent_given_by", sa.String(length=200), nullable=True))
    for name in FUZZY:
        op.add_column("persons", sa.Column(name, sa.Date(), nullable=True))
        op.add_column("persons", sa.Column(f"{name}_precision", sa.String(length=5), nullable=True))
        op.add_column("persons", _flag(f"{name}_approximate"))
    fk = op.f("fk_persons_consent_source_id_sources")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column's reference inline, never as a separate constraint.
        op.execute(
            f"ALTER TABLE persons ADD COLUMN consent_source_id INTEGER "
            f"CONSTRAINT {fk} REFERENCES sources (id)"
        )
    else:
        op.add_column("persons", sa.Column("consent_source_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, "persons", "sources", ["consent_source_id"], ["id"])
    op.add_column("persons", sa.Column("consent_note", sa.Text(), nullable=True))
    op.add_column("persons", sa.Column("un_reference", sa.String(length=50), nullable=True))
    op.add_column("persons", sa.Column("un_government_reply", sa.Text(), nullable=True))
    op.create_table(
        "un_submitter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_un_submitter_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_un_submitter")),
    )


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): no copy of the table, as in 0009.
    op.drop_table("un_submitter")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_persons_consent_source_id_sources"), "persons")
    names = ["consent_given_by", "consent_source_id", "consent_note", "un_reference"]
    names.append("un_government_reply")
    for name in FUZZY:
        names += [name, f"{name}_precision", f"{name}_approximate"]
    for name in names:
        op.drop_column("persons", name)
