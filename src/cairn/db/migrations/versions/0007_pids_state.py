"""DOI registrations and their state

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 15:40:00

One row per DOI Cairn knows of (managed or external): the record that has it, its provider,
its state as owners see it (reserved, registering, registered, hidden, failed, external),
the registry's own state and the reason of the last failure.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "doi_registrations",
        sa.Column("doi", sa.String(length=255), nullable=False),
        sa.Column("identifier", sa.String(length=255), nullable=False),
        sa.Column("record_id", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("remote", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("will_retry", sa.Boolean(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("doi", name=op.f("pk_doi_registrations")),
    )
    with op.batch_alter_table("doi_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_doi_registrations_record_id"), ["record_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("doi_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_doi_registrations_record_id"))
    op.drop_table("doi_registrations")
