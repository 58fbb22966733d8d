"""The sheet an import read: a workbook's other sheet is another import, not the same file again.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 10:45:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_batches", sa.Column("sheet", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column("import_batches", "sheet")
