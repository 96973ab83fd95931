"""Read-only access to published records in datestamp order, for harvesting (OAI-PMH).

A record's datestamp is its ``updated`` time: publishing, editing-then-publishing, restricting,
deleting and restoring all set it. Records are walked in ``(updated, id)`` order with a keyset
(the last entry's datestamp and id), so a page costs one query however deep the harvest is.
Deleted records and records that are not public are returned without their JSON: a harvester
learns they are gone, nothing else.  Records that were never public are not returned at all:
no harvester can have seen them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, tuple_
from sqlalchemy.orm import Session

from cairn.core.identity import ANONYMOUS
from cairn.records.models import Parent, Record
from cairn.records.service import RecordService

_RESOURCE_TYPE = Record.data["metadata"]["resource_type"]["id"].as_string()


@dataclass(frozen=True)
class HarvestFilter:
    """``start`` inclusive, ``end`` exclusive; ``resource_types`` None: any type;
    ``members`` a condition on :class:`Record` that keeps a set's members (an ``EXISTS``
    probe, so the walk stays on the ``(updated, id)`` index), None: any record."""

    start: datetime | None = None
    end: datetime | None = None
    resource_types: frozenset[str] | None = None
    members: ColumnElement[bool] | None = None


@dataclass(frozen=True)
class HarvestEntry:
    id: str
    datestamp: datetime
    resource_type: str | None
    record: dict[str, Any] | None
    """The record's public JSON (without ``links``); None when deleted or not public."""

    @property
    def deleted(self) -> bool:
        return self.record is None


def _visible(record: Record) -> bool:
    return not record.is_deleted and record.access_record == "public"


class Harvest:
    """Published records for harvesters, as an anonymous visitor may know them."""

    def __init__(self, records: RecordService) -> None:
        self.records = records

    @staticmethod
    def _conditions(where: HarvestFilter) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [Record.was_public.is_(True)]
        if where.start is not None:
            conditions.append(Record.updated >= where.start)
        if where.end is not None:
            conditions.append(Record.updated < where.end)
        if where.resource_types is not None:
            conditions.append(_RESOURCE_TYPE.in_(sorted(where.resource_types)))
        if where.members is not None:
            conditions.append(where.members)
        return conditions

    def _entries(
        self, session: Session, rows: Sequence[tuple[Record, Parent]], with_records: bool
    ) -> list[HarvestEntry]:
        shown = [(r, p) for r, p in rows if _visible(r)] if with_records else []
        items = self.records.record_items(session, ANONYMOUS, shown) if shown else []
        data = {item.data["id"]: item.data for item in items}
        out = []
        for record, _parent in rows:
            md = (record.data or {}).get("metadata") or {}
            rtype = (md.get("resource_type") or {}).get("id")
            # without records, an empty dict marks "not deleted" without dumping the record
            body = data.get(record.id) if with_records else ({} if _visible(record) else None)
            out.append(HarvestEntry(record.id, record.updated, rtype, body))
        return out

    def page(
        self,
        where: HarvestFilter,
        size: int,
        after: tuple[datetime, str] | None = None,
        with_records: bool = True,
    ) -> list[HarvestEntry]:
        """Up to ``size`` entries after the keyset ``after`` (a datestamp and an id)."""
        conditions = self._conditions(where)
        if after is not None:
            stamp, last_id = after
            # a row-value comparison: both SQLite and PostgreSQL walk an index with it
            conditions.append(tuple_(Record.updated, Record.id) > tuple_(stamp, last_id))
        query = (
            select(Record, Parent)
            .join(Parent, Record.parent_id == Parent.id)
            .where(*conditions)
            .order_by(Record.updated, Record.id)
            .limit(size)
        )
        with self.records.db.read() as session:
            rows = [(r, p) for r, p in session.execute(query)]
            return self._entries(session, rows, with_records)

    def count(self, where: HarvestFilter) -> int:
        query = select(func.count()).select_from(Record).where(*self._conditions(where))
        with self.records.db.read() as session:
            return int(session.scalar(query) or 0)

    def get(self, record_id: str) -> HarvestEntry | None:
        """One published record (deleted or not) by id; None when there is none."""
        query = (
            select(Record, Parent)
            .join(Parent, Record.parent_id == Parent.id)
            .where(Record.id == record_id, Record.was_public.is_(True))
        )
        with self.records.db.read() as session:
            rows = [(r, p) for r, p in session.execute(query)]
            entries = self._entries(session, rows, True)
        return entries[0] if entries else None

    def earliest(self) -> datetime | None:
        """The smallest datestamp of any published record."""
        with self.records.db.read() as session:
            # the first in datestamp order (walks the index; MIN with a filter may not)
            return session.scalar(
                select(Record.updated)
                .where(Record.was_public.is_(True))
                .order_by(Record.updated, Record.id)
                .limit(1)
            )
