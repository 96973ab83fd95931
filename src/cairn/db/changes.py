"""The change log: one row per change to a searchable object, in the same transaction.

Search indexes, OAI-PMH deletions, webhooks and ResourceSync are fed from it, so its
sequence numbers must become visible in order: a reader that has seen ``seq`` N must never
later see a smaller one commit.  SQLite serialises writers anyway; on PostgreSQL each
transaction takes a transaction-scoped advisory lock before it appends, so sequence numbers
are handed out and committed in one order.  ``seq`` never goes back (SQLite
``AUTOINCREMENT``, a PostgreSQL sequence), not even after rows are deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, func, insert, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from cairn.core.timeutil import utcnow
from cairn.db.base import Base, UTCDateTime


class Change(Base):
    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    op: Mapped[str] = mapped_column(String(16))
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = {"sqlite_autoincrement": True}


ORDER_LOCK = 0x63616972  # the advisory lock that orders appends on PostgreSQL ("cair")
_TAKE_ORDER_LOCK = text(f"SELECT pg_advisory_xact_lock({ORDER_LOCK})")
_MAX_SEQ = select(func.max(Change.seq))


def record_change(session: Session, kind: str, object_id: str, op: str) -> None:
    """Append a change; it commits (or not) with the caller's unit of work."""
    record_changes(session, [(kind, object_id, op)])


def record_changes(session: Session, changes: list[tuple[str, str, str]]) -> None:
    """Append several changes in one statement, in order."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_TAKE_ORDER_LOCK)
    now = utcnow()
    session.execute(
        insert(Change),
        [{"kind": k, "object_id": o, "op": op, "created": now} for k, o, op in changes],
    )


def changes_since(session: Session, seq: int, limit: int = 1000) -> list[Change]:
    stmt = select(Change).where(Change.seq > seq).order_by(Change.seq).limit(limit)
    return list(session.scalars(stmt))


def last_seq(session: Session) -> int:
    """The newest committed sequence number (0 when the log is empty)."""
    return int(session.scalar(_MAX_SEQ) or 0)
