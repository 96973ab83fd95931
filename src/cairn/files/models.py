"""Tables of stored blobs and the file entries that name them.

A *blob* is bytes in a storage backend with their checksums; it is written once and never
changed. An *entry* gives a blob a key inside a draft or a record. Publishing, editing and
new versions copy entries, never bytes, so a 100,000-file record publishes in one
``INSERT ... SELECT``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cairn.core.timeutil import utcnow
from cairn.db.base import Base, JSONDoc, UTCDateTime

KEY_LENGTH = 1024


class FileBlob(Base):
    __tablename__ = "file_blobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    backend: Mapped[str] = mapped_column(String(32))
    uri: Mapped[str] = mapped_column(String(1024))
    size: Mapped[int] = mapped_column(BigInteger)
    md5: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    crc32: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_check: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_check_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    __table_args__ = (Index("ix_file_blobs_last_check", "last_check"),)


class FileEntry(Base):
    """A key in a draft (``container_kind='draft'``) or a published record."""

    __tablename__ = "file_entries"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    uuid: Mapped[str] = mapped_column(String(32))
    container_kind: Mapped[str] = mapped_column(String(8))
    container_id: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    blob_id: Mapped[str | None] = mapped_column(
        ForeignKey("file_blobs.id"), nullable=True, index=True
    )
    # a finished upload not yet committed: the blob exists, the entry is still pending
    staged_blob_id: Mapped[str | None] = mapped_column(ForeignKey("file_blobs.id"), nullable=True)
    mimetype: Mapped[str] = mapped_column(String(255), default="application/octet-stream")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONDoc, nullable=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    transfer: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    expected_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    expected_checksum: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("container_kind", "container_id", "key", name="uq_file_entries_key"),
    )


class FixityCheck(Base):
    __tablename__ = "fixity_checks"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    blob_id: Mapped[str] = mapped_column(ForeignKey("file_blobs.id"), index=True)
    checked: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text, default="")


class Quota(Base):
    """Limits raised by an admin for one record (all its versions) or one user."""

    __tablename__ = "file_quotas"

    subject: Mapped[str] = mapped_column(String(40), primary_key=True)  # "parent:<id>"|"user:<id>"
    quota_size: Mapped[int] = mapped_column(BigInteger)
    max_file_size: Mapped[int] = mapped_column(BigInteger)
    max_files: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ResumableUpload(Base):
    """A tus upload in progress: bytes live in the storage backend's append area."""

    __tablename__ = "resumable_uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    container_id: Mapped[str] = mapped_column(String(16), index=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    backend: Mapped[str] = mapped_column(String(32))
    storage_upload_id: Mapped[str] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDoc, default=dict)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires: Mapped[datetime] = mapped_column(UTCDateTime())
