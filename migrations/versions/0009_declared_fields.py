"""Every date of a person (and a source's date) is a fuzzy date: its precision and an
approximate flag beside it; a reported count may be approximate; persons get a date of death
and a nationality; events are found by their span's end too; vocabulary terms get other names.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 09:00:00

Existing dates were entered as exact days: their precision stays empty, which reads as "day".
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# (table, fuzzy date columns) that gain a precision and an approximate flag.
FUZZY = {
    "persons": ("arrest_date", "last_seen_date", "status_as_of"),
    "detentions": ("date_from", "date_to"),
    "status_records": ("as_of",),
    "sources": ("published_on",),
}
# Other names of the default terms: what spreadsheets write for them.
ALIASES = {
    ("gender", "female"): ["F", "W", "woman", "여", "여자"],
    ("gender", "male"): ["M", "man", "남", "남자"],
    ("gender", "unknown"): ["U", "?", "모름", "불명"],
    ("status", "vanished"): ["disappeared", "missing", "실종", "행방불명", "행불"],
    ("status", "repatriated"): ["forcibly repatriated", "송환", "북송", "강제북송"],
    ("status", "detained"): ["in detention", "구류", "수감", "구금 중"],
    ("status", "detained_in_nk"): ["detained in NK", "북한 구금", "북한 내 수감"],
    ("status", "deceased"): ["dead", "died", "사망자"],
    ("status", "released"): ["freed", "석방됨"],
    ("status", "resettled"): ["정착함", "입국"],
    ("status", "unknown"): ["모름", "불명"],
    ("facility_kind", "prison"): ["감옥", "교도소"],
    ("facility_kind", "detention_centre"): ["detention center", "구치소", "구류장", "수용소"],
    ("facility_kind", "labour_camp"): ["labor camp", "교화소", "노동단련대"],
    ("facility_kind", "border_post"): ["border guard post", "변방대", "국경 경비대"],
    ("source_kind", "interview"): ["인터뷰"],
    ("source_kind", "media"): ["news", "press", "언론", "기사"],
    ("source_kind", "relative"): ["family", "가족 증언"],
}


def _flag(name):
    return sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())


def upgrade():
    # Plain ADD COLUMNs, never a batch copy of the table: on SQLite, copying persons would drop
    # the old table, and its name keys with it (ON DELETE CASCADE).
    for table, names in FUZZY.items():
        for name in names:
            op.add_column(table, sa.Column(f"{name}_precision", sa.String(length=5), nullable=True))
            op.add_column(table, _flag(f"{name}_approximate"))
    op.add_column("persons", sa.Column("nationality", sa.String(length=2), nullable=True))
    op.add_column("persons", sa.Column("date_of_death", sa.Date(), nullable=True))
    op.add_column(
        "persons", sa.Column("date_of_death_precision", sa.String(length=5), nullable=True)
    )
    op.add_column("persons", _flag("date_of_death_approximate"))
    for table in ("repatriation_events", "event_sources"):
        op.add_column(table, _flag("people_approximate"))
    op.create_index(
        op.f("ix_repatriation_events_date_end"), "repatriation_events", ["date_end"], unique=False
    )
    op.add_column(
        "vocabulary_terms",
        sa.Column("aliases", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    terms = sa.table(
        "vocabulary_terms",
        sa.column("vocabulary", sa.String),
        sa.column("code", sa.String),
        sa.column("aliases", sa.JSON),
    )
    for (vocabulary, code), aliases in ALIASES.items():
        op.execute(
            terms.update()
            .where(terms.c.vocabulary == vocabulary, terms.c.code == code)
            .values(aliases=aliases)
        )


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): no copy of the table, as above.
    op.drop_column("vocabulary_terms", "aliases")
    op.drop_index(op.f("ix_repatriation_events_date_end"), table_name="repatriation_events")
    for table in ("event_sources", "repatriation_events"):
        op.drop_column(table, "people_approximate")
    for name in ("date_of_death_approximate", "date_of_death_precision", "date_of_death"):
        op.drop_column("persons", name)
    op.drop_column("persons", "nationality")
    for table, names in FUZZY.items():
        for name in names:
            op.drop_column(table, f"{name}_approximate")
            op.drop_column(table, f"{name}_precision")
