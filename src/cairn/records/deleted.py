"""Listing deleted records (tombstones) for administrators.

Deleted records leave the search index, so this listing reads the records table: one query
for the page and one count. A deleted record's ``updated`` is the moment it was deleted
(``RecordService.delete_record`` sets it with the tombstone, and nothing changes a deleted
record afterwards), so "newest deletion first" is an order on an indexed column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from cairn.core.errors import InvalidRequest
from cairn.db.like import contains
from cairn.records.models import Record
from cairn.records.schema import VocabularyLookup

MAX_PAGE_SIZE = 100
MAX_QUERY = 200
SORTS = ("newest", "oldest")
REASONS = "removalreasons"


@dataclass(frozen=True)
class DeletedRecord:
    """One tombstone as an administrator sees it."""

    id: str
    title: str
    removal_reason: str | None  # id in the removalreasons vocabulary
    removal_reason_title: str | None
    note: str
    citation_text: str
    is_visible: bool
    removed_by: str | None  # a user id, or "system"
    removal_date: datetime


@dataclass(frozen=True)
class DeletedPage:
    items: list[DeletedRecord]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _matches(q: str) -> ColumnElement[bool]:
    return or_(contains(Record.id, q), contains(Record.title, q))


def check_args(q: str, page: int, size: int, sort: str) -> str:
    """The query text, stripped; InvalidRequest for arguments out of range."""
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"page must be 1 or more and size between 1 and {MAX_PAGE_SIZE}.")
    if sort not in SORTS:
        raise InvalidRequest(f"sort must be one of: {', '.join(SORTS)}.")
    q = q.strip()
    if len(q) > MAX_QUERY:
        raise InvalidRequest(f"The search text is longer than {MAX_QUERY} characters.")
    return q


def _parse_date(value: Any, fallback: datetime) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return fallback
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return fallback


def _item(
    row: tuple[str, str, dict[str, Any] | None, datetime], vocabularies: VocabularyLookup
) -> DeletedRecord:
    record_id, title, tombstone, updated = row
    tomb = tombstone or {}
    reason = (tomb.get("removal_reason") or {}).get("id")
    term = vocabularies.peek(REASONS, reason) if isinstance(reason, str) else None
    reason_title = ((term or {}).get("title") or {}).get("en") if term else None
    removed_by = (tomb.get("removed_by") or {}).get("user")
    return DeletedRecord(
        id=record_id,
        title=title,
        removal_reason=reason if isinstance(reason, str) else None,
        removal_reason_title=reason_title,
        note=str(tomb.get("note") or ""),
        citation_text=str(tomb.get("citation_text") or ""),
        is_visible=bool(tomb.get("is_visible", True)),
        removed_by=str(removed_by) if removed_by is not None else None,
        removal_date=_parse_date(tomb.get("removal_date"), updated),
    )


def _filtered(stmt: Select[Any], q: str) -> Select[Any]:
    stmt = stmt.where(Record.is_deleted.is_(True))
    return stmt.where(_matches(q)) if q else stmt


def list_deleted(
    session: Session,
    vocabularies: VocabularyLookup,
    q: str = "",
    page: int = 1,
    size: int = 20,
    sort: str = "newest",
) -> DeletedPage:
    """A page of deleted records whose id or title contains ``q`` (any case). The caller
    checks the permission; arguments are checked here."""
    q = check_args(q, page, size, sort)
    total = session.scalar(_filtered(select(func.count()).select_from(Record), q)) or 0
    order = (
        (Record.updated.desc(), Record.id.desc())
        if sort == "newest"
        else (Record.updated.asc(), Record.id.asc())
    )
    stmt = _filtered(select(Record.id, Record.title, Record.tombstone, Record.updated), q)
    rows = session.execute(stmt.order_by(*order).offset((page - 1) * size).limit(size))
    items = [_item((r[0], r[1], r[2], r[3]), vocabularies) for r in rows]
    return DeletedPage(items, int(total), page, size)
