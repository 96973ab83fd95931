"""The documents of the two records indexes, read straight from the tables.

* ``records``: every published record that is not deleted (``GET /api/records`` and the
  versions listing search it).
* ``drafts``: what a user's dashboard lists (``GET /api/user/records``): for every version
  id, its draft if there is one, else its published record.  Its ``is_latest_draft`` marks
  the newest entry of each record (a new-version draft, else the latest version).

A change to one version can change its siblings (``is_latest`` moves when a version is
published), so changes are applied per parent: every version of a touched parent is
indexed again.  Rows are read with plain column selects (no ORM objects) because a rebuild
reads every row of the repository.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from cairn.core.timeutil import isoformat
from cairn.records.components import RecordComponent
from cairn.records.dump import access_status
from cairn.records.models import Draft, Parent, Record
from cairn.search import Delete, Upsert, record_document

RECORDS = "records"
DRAFTS = "drafts"
INDEXES = (RECORDS, DRAFTS)
Change = Upsert | Delete

_PARENT_COLUMNS = (
    Parent.id,
    Parent.owner_id,
    Parent.latest_id,
    Parent.latest_index,
    Parent.draft_id,
    Parent.data,
)


@dataclass(frozen=True)
class _Parent:
    id: str
    owner_id: int | None
    latest_id: str | None
    latest_index: int
    draft_id: str | None
    data: dict[str, Any] | None

    @property
    def newest_index(self) -> int:
        """The index of the newest entry: a pending new version, else the latest one."""
        pending = self.draft_id is not None and self.draft_id != self.latest_id
        return self.latest_index + (1 if pending else 0)


@dataclass(frozen=True)
class _Version:
    id: str
    parent_id: str
    index: int
    data: dict[str, Any] | None
    created: datetime
    updated: datetime
    is_draft: bool
    fork_revision_id: int | None = None  # drafts: the edited record's revision
    is_deleted: bool = False  # records

    @property
    def files_kind(self) -> str:
        """Where this version's files live (an edit draft shows its record's files)."""
        return "draft" if self.is_draft and self.fork_revision_id is None else "record"


def _record_select() -> Select[Any]:
    return select(
        Record.id,
        Record.parent_id,
        Record.index,
        Record.data,
        Record.created,
        Record.updated,
        Record.is_deleted,
        *_PARENT_COLUMNS,
    ).join(Parent, Parent.id == Record.parent_id)


def _draft_select() -> Select[Any]:
    return select(
        Draft.id,
        Draft.parent_id,
        Draft.index,
        Draft.data,
        Draft.created,
        Draft.updated,
        Draft.fork_revision_id,
        *_PARENT_COLUMNS,
    ).join(Parent, Parent.id == Draft.parent_id)


def _split_record(row: Sequence[Any]) -> tuple[_Version, _Parent]:
    version = _Version(row[0], row[1], row[2], row[3], row[4], row[5], False, None, row[6])
    return version, _Parent(*row[7:])


def _split_draft(row: Sequence[Any]) -> tuple[_Version, _Parent]:
    version = _Version(row[0], row[1], row[2], row[3], row[4], row[5], True, row[6])
    return version, _Parent(*row[7:])


class DocumentSource:
    """Builds index documents from the tables; files come from the record components."""

    def __init__(self, components: Sequence[RecordComponent] = ()) -> None:
        self.components = tuple(components)

    # -- one document ----------------------------------------------------------------------
    def _files(
        self, session: Session, versions: Iterable[_Version]
    ) -> dict[tuple[str, str], list[str]]:
        wanted: dict[str, list[str]] = {"draft": [], "record": []}
        for version in versions:
            wanted[version.files_kind].append(version.id)
        found: dict[tuple[str, str], list[str]] = {}
        for component in self.components:
            for kind, ids in wanted.items():
                for container, keys in component.index_files(session, kind, ids).items():
                    found.setdefault((kind, container), []).extend(keys)
        return found

    @staticmethod
    def document(
        version: _Version, parent: _Parent, keys: list[str], *, in_drafts: bool
    ) -> dict[str, Any]:
        data = version.data or {}
        files_data = data.get("files") or {}
        enabled = bool(files_data.get("enabled", True))
        files = {
            "enabled": enabled,
            "count": len(keys) if enabled else 0,
            "entries": [{"key": key} for key in keys] if enabled else [],
        }
        access = dict(data.get("access") or {})
        access["status"] = access_status(access, files)
        published = not version.is_draft or version.fork_revision_id is not None
        if version.is_draft:
            status = (
                "published"
                if version.fork_revision_id is not None
                else ("new_version_draft" if version.index > 1 else "draft")
            )
        else:
            status = "published"
        is_latest = parent.latest_id == version.id
        view = {
            "id": version.id,
            "created": isoformat(version.created),
            "updated": isoformat(version.updated),
            "parent": {"id": parent.id, "pids": (parent.data or {}).get("pids", {})},
            "pids": data.get("pids", {}),
            "metadata": data.get("metadata", {}),
            "access": access,
            "files": files,
            "versions": {
                "index": version.index,
                "is_latest": is_latest,
                "is_latest_draft": (
                    version.index == parent.newest_index
                    if in_drafts
                    else parent.draft_id is None and is_latest
                ),
            },
            "is_published": published,
            "status": status,
        }
        return record_document(view, owner_id=parent.owner_id, is_draft=version.is_draft)

    def _upserts(
        self, session: Session, rows: list[tuple[_Version, _Parent]], *, in_drafts: bool
    ) -> list[Change]:
        files = self._files(session, (v for v, _ in rows))
        return [
            Upsert(
                v.id,
                self.document(v, p, files.get((v.files_kind, v.id), []), in_drafts=in_drafts),
            )
            for v, p in rows
        ]

    # -- changes -----------------------------------------------------------------------------
    def for_objects(
        self, session: Session, ids: Iterable[str], indexes: Iterable[str] = INDEXES
    ) -> dict[str, list[Change]]:
        """What to apply to each of ``indexes`` after the versions ``ids`` changed."""
        wanted = frozenset(indexes)
        ids = sorted(set(ids))
        parent_ids = set(session.scalars(select(Draft.parent_id).where(Draft.id.in_(ids))))
        parent_ids |= set(session.scalars(select(Record.parent_id).where(Record.id.in_(ids))))
        records = [
            _split_record(r)
            for r in session.execute(_record_select().where(Record.parent_id.in_(parent_ids)))
        ]
        drafts = [
            _split_draft(r)
            for r in session.execute(_draft_select().where(Draft.parent_id.in_(parent_ids)))
        ]
        live = [(v, p) for v, p in records if not v.is_deleted]
        draft_ids = {v.id for v, _ in drafts}
        entries = drafts + [(v, p) for v, p in live if v.id not in draft_ids]
        gone = set(ids) | {v.id for v, _ in records}
        out: dict[str, list[Change]] = {}
        if RECORDS in wanted:
            out[RECORDS] = [
                *(Delete(i) for i in sorted(gone - {v.id for v, _ in live})),
                *self._upserts(session, live, in_drafts=False),
            ]
        if DRAFTS in wanted:
            out[DRAFTS] = [
                *(Delete(i) for i in sorted(gone - {v.id for v, _ in entries})),
                *self._upserts(session, entries, in_drafts=True),
            ]
        return out

    # -- everything --------------------------------------------------------------------------
    def count(self, session: Session, index: str) -> int:
        """How many documents :meth:`all_documents` yields for ``index`` (for progress)."""
        live = select(func.count()).select_from(Record).where(Record.is_deleted.is_(False))
        if index == RECORDS:
            return int(session.scalar(live) or 0)
        drafts = int(session.scalar(select(func.count()).select_from(Draft)) or 0)
        alone = live.where(~exists().where(Draft.id == Record.id))
        return drafts + int(session.scalar(alone) or 0)

    def _parts(self, index: str) -> list[tuple[str, Any, Select[Any], Any, bool]]:
        """The walks that make up ``index``: (name, key column, statement, row splitter,
        documents for the drafts index)."""
        live = Record.is_deleted.is_(False)
        if index == RECORDS:
            return [("records", Record.id, _record_select().where(live), _split_record, False)]
        alone = _record_select().where(live, ~exists().where(Draft.id == Record.id))
        return [
            ("drafts", Draft.id, _draft_select(), _split_draft, True),
            ("alone", Record.id, alone, _split_record, True),
        ]

    def ranges(self, session: Session, index: str, size: int) -> Iterator[tuple[str, str, str]]:
        """``(part, first id, last id)`` slices of about ``size`` documents covering
        ``index`` (for loading in parallel: see :mod:`cairn.records.bulk_index`)."""
        for part, key, stmt, _split, _drafts in self._parts(index):
            ids = session.execute(
                stmt.with_only_columns(key).order_by(key).execution_options(yield_per=10_000)
            ).scalars()
            chunk: list[str] = []
            for value in ids:
                chunk.append(value)
                if len(chunk) == size:
                    yield part, chunk[0], chunk[-1]
                    chunk = []
            if chunk:
                yield part, chunk[0], chunk[-1]

    def documents_in_range(
        self, session: Session, index: str, part: str, first: str, last: str
    ) -> list[Change]:
        for name, key, stmt, split, in_drafts in self._parts(index):
            if name == part:
                rows = [split(r) for r in session.execute(stmt.where(key >= first, key <= last))]
                return self._upserts(session, rows, in_drafts=in_drafts)
        raise ValueError(f"unknown part {part!r} of index {index!r}")

    def all_documents(
        self, session: Session, index: str, batch: int = 2000
    ) -> Iterator[list[Change]]:
        """Every document of ``index``, ``batch`` at a time (keyset paging by id)."""
        for _part, key, stmt, split, in_drafts in self._parts(index):
            after = ""
            while True:
                page = list(session.execute(stmt.where(key > after).order_by(key).limit(batch)))
                if not page:
                    break
                after = page[-1][0]
                yield self._upserts(session, [split(r) for r in page], in_drafts=in_drafts)
