"""Tables of parents (concepts), published records and drafts.

``data`` holds the writable parts of a version (metadata, access, files, pids,
custom_fields) exactly as validated.  A few columns are copied out of it for listings
and permission filters.  ``revision_id`` is SQLAlchemy's version counter: every UPDATE
and DELETE checks it, so concurrent writers never overwrite each other silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cairn.core.timeutil import utcnow
from cairn.db.base import Base, JSONDoc, UTCDateTime


class Parent(Base):
    __tablename__ = "parents"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    latest_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    latest_index: Mapped[int] = mapped_column(Integer, default=0)
    draft_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revision_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": revision_id}


class _Version:
    """Columns shared by drafts and records."""

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    index: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    access_record: Mapped[str] = mapped_column(String(16), default="public")
    title: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Record(_Version, Base):
    __tablename__ = "records"

    parent_id: Mapped[str] = mapped_column(ForeignKey("parents.id"))
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    tombstone: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    revision_id: Mapped[int] = mapped_column(Integer, nullable=False)
    # whether anonymous visitors could ever read it: harvesters learn of the deletion or
    # restriction of such a record, and never hear of one that was never public
    was_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=true())

    __mapper_args__ = {"version_id_col": revision_id}
    __table_args__ = (
        UniqueConstraint("parent_id", "index", name="uq_records_parent_index"),
        Index("ix_records_created", "created"),
        Index("ix_records_updated_id", "updated", "id"),  # OAI-PMH harvests in this order
    )


class Draft(_Version, Base):
    __tablename__ = "drafts"

    parent_id: Mapped[str] = mapped_column(ForeignKey("parents.id"), index=True)
    # only for the unit of work's insert order; services load parents explicitly
    parent: Mapped[Parent] = relationship(lazy="raise")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    fork_revision_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    revision_id: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": revision_id}
    __table_args__ = (Index("ix_drafts_updated", "updated"),)


class PersistentIdentifier(Base):
    """Every id handed out, so record and parent ids never collide."""

    __tablename__ = "pids"

    pid_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    pid_value: Mapped[str] = mapped_column(String(255), primary_key=True)
    status: Mapped[str] = mapped_column(String(1), default="N")
    object_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
