"""Search keys of persons' names (one row per key, indexed for prefix lookups), and the
pairs of persons a researcher said are different people.

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-29 16:45:00

Existing persons get their keys here, computed by the same code the services use
(tracker/search/names.py), in batches so a large database never sits in memory.
"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade():
    op.create_table(
        "person_name_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_name_keys_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_name_keys")),
    )
    with op.batch_alter_table("person_name_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_name_keys_name_key", ["name_key", "person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_name_keys_person_id"), ["person_id"], unique=False
        )
    op.create_table(
        "distinct_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_a_id", sa.Integer(), nullable=False),
        sa.Column("person_b_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_distinct_persons_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_a_id"], ["persons.id"], name=op.f("fk_distinct_persons_person_a_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["person_b_id"], ["persons.id"], name=op.f("fk_distinct_persons_person_b_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distinct_persons")),
        sa.UniqueConstraint(
            "person_a_id", "person_b_id", name=op.f("uq_distinct_persons_person_a_id_person_b_id")
        ),
    )
    with op.batch_alter_table("distinct_persons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distinct_persons_person_b_id"), ["person_b_id"], unique=False
        )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_persons_merged_into_id_persons"), "persons", ["merged_into_id"], ["id"]
        )
    fill_keys()


def fill_keys():
    from tracker.search.names import iter_keys, person_readings

    connection = op.get_bind()
    keys = sa.table(
        "person_name_keys", sa.column("person_id", sa.Integer), sa.column("name_key", sa.String)
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT id, family_name, given_name, name_hangul, aliases FROM persons"
                " WHERE id > :last ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": BATCH},
        ).all()
        if not rows:
            return
        values = []
        for row in rows:
            aliases = (
                row.aliases if isinstance(row.aliases, list) else json.loads(row.aliases or "[]")
            )
            forms = person_readings(row.family_name, row.given_name, [row.name_hangul, *aliases])
            values += [{"person_id": row.id, "name_key": key} for key in iter_keys(forms)]
        if values:
            connection.execute(keys.insert(), values)
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_persons_merged_into_id_persons"), type_="foreignkey"
        )
        batch_op.drop_column("merged_into_id")
    with op.batch_alter_table("distinct_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distinct_persons_person_b_id"))
    op.drop_table("distinct_persons")
    with op.batch_alter_table("person_name_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_name_keys_person_id"))
        batch_op.drop_index("ix_person_name_keys_name_key")
    op.drop_table("person_name_keys")
