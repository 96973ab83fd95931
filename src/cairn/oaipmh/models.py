"""Tables of the OAI-PMH sets an administrator defines by a query, and their members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cairn.core.timeutil import utcnow
from cairn.db.base import Base, UTCDateTime


class OaiSet(Base):
    """A set of the records a search query finds (``search_pattern``)."""

    __tablename__ = "oai_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    spec: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    search_pattern: Mapped[str] = mapped_column(Text)
    system_created: Mapped[bool] = mapped_column(Boolean, default=False)
    # bumped whenever the query changes; a build of the members is for one revision
    pattern_revision: Mapped[int] = mapped_column(Integer, default=1)
    # whether the members are those of the current query (a build job sets it)
    ready: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OaiSetMember(Base):
    """``record_id`` is in set ``set_id``. A member that is deleted or restricted stays
    one, so harvesters of the set learn that it is gone."""

    __tablename__ = "oai_set_members"

    set_id: Mapped[int] = mapped_column(
        ForeignKey("oai_sets.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class OaiSetFeed(Base):
    """The change-log position the members are current with (one row, ``id`` 1)."""

    __tablename__ = "oai_set_feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
