"""records by (updated, id), the order OAI-PMH harvests in

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 15:30:00

A harvest pages through records by datestamp (`updated`) and id; without this index every
page sorts the whole table.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_updated_id", "records", ["updated", "id"])


def downgrade() -> None:
    op.drop_index("ix_records_updated_id", table_name="records")
