"""OAI-PMH: sets defined by a query, their members, and which records were ever public

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 17:40:00

``oai_sets`` holds the sets an administrator defines by a search query; ``oai_set_members``
which published records each one holds (kept current from the change log, whose position is
in ``oai_set_feed``). ``records.was_public`` tells whether a record was ever public: only
those are reported as deleted to harvesters once deleted or restricted. Records that exist
before this migration count as once public (their history is not known), so no harvester
misses a deletion.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases (no copy of the table); the server default fills
    # the existing rows and stays (Cairn always writes the column itself)
    op.add_column(
        "records",
        sa.Column("was_public", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "oai_sets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("spec", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("search_pattern", sa.Text(), nullable=False),
        sa.Column("system_created", sa.Boolean(), nullable=False),
        sa.Column("pattern_revision", sa.Integer(), nullable=False),
        sa.Column("ready", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oai_sets")),
        sa.UniqueConstraint("spec", name=op.f("uq_oai_sets_spec")),
    )
    op.create_table(
        "oai_set_members",
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["oai_sets.id"],
            name=op.f("fk_oai_set_members_set_id_oai_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("set_id", "record_id", name=op.f("pk_oai_set_members")),
    )
    op.create_index("ix_oai_set_members_record_id", "oai_set_members", ["record_id"])
    op.create_table(
        "oai_set_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oai_set_feed")),
    )


def downgrade() -> None:
    op.drop_table("oai_set_feed")
    op.drop_index("ix_oai_set_members_record_id", table_name="oai_set_members")
    op.drop_table("oai_set_members")
    op.drop_table("oai_sets")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("was_public")
