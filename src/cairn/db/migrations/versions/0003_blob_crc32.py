"""blob crc32

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:32:10.683955
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("file_blobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("crc32", sa.BigInteger(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("file_blobs", schema=None) as batch_op:
        batch_op.drop_column("crc32")
