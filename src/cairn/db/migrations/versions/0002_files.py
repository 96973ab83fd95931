"""files

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:10:42.026541
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "file_blobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("backend", sa.String(length=32), nullable=False),
        sa.Column("uri", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_check", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_check_ok", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_blobs")),
    )
    with op.batch_alter_table("file_blobs", schema=None) as batch_op:
        batch_op.create_index("ix_file_blobs_last_check", ["last_check"], unique=False)

    op.create_table(
        "file_quotas",
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("quota_size", sa.BigInteger(), nullable=False),
        sa.Column("max_file_size", sa.BigInteger(), nullable=False),
        sa.Column("max_files", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_file_quotas")),
    )
    op.create_table(
        "resumable_uploads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("container_id", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("backend", sa.String(length=32), nullable=False),
        sa.Column("storage_upload_id", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resumable_uploads")),
    )
    with op.batch_alter_table("resumable_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resumable_uploads_container_id"), ["container_id"], unique=False
        )

    op.create_table(
        "file_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("uuid", sa.String(length=32), nullable=False),
        sa.Column("container_kind", sa.String(length=8), nullable=False),
        sa.Column("container_id", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("blob_id", sa.String(length=32), nullable=True),
        sa.Column("staged_blob_id", sa.String(length=32), nullable=True),
        sa.Column("mimetype", sa.String(length=255), nullable=False),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column(
            "transfer",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("expected_size", sa.BigInteger(), nullable=True),
        sa.Column("expected_checksum", sa.String(length=80), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_id"], ["file_blobs.id"], name=op.f("fk_file_entries_blob_id_file_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["staged_blob_id"],
            ["file_blobs.id"],
            name=op.f("fk_file_entries_staged_blob_id_file_blobs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_entries")),
        sa.UniqueConstraint("container_kind", "container_id", "key", name="uq_file_entries_key"),
    )
    with op.batch_alter_table("file_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_entries_blob_id"), ["blob_id"], unique=False)

    op.create_table(
        "fixity_checks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("blob_id", sa.String(length=32), nullable=False),
        sa.Column("checked", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_id"], ["file_blobs.id"], name=op.f("fk_fixity_checks_blob_id_file_blobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fixity_checks")),
    )
    with op.batch_alter_table("fixity_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fixity_checks_blob_id"), ["blob_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("fixity_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fixity_checks_blob_id"))

    op.drop_table("fixity_checks")
    with op.batch_alter_table("file_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_entries_blob_id"))

    op.drop_table("file_entries")
    with op.batch_alter_table("resumable_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resumable_uploads_container_id"))

    op.drop_table("resumable_uploads")
    op.drop_table("file_quotas")
    with op.batch_alter_table("file_blobs", schema=None) as batch_op:
        batch_op.drop_index("ix_file_blobs_last_check")

    op.drop_table("file_blobs")
