"""Files' part in the record lifecycle (a records ``RecordComponent``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cairn.core.errors import FieldError
from cairn.files.dump import dump_record_entry
from cairn.files.models import FileBlob, FileEntry
from cairn.records.models import Draft, Record

ENTRIES_IN_BODY = 1000  # larger records list their files through /files, page by page
DISABLE_MESSAGE = "You must first delete all files to set the record to be metadata-only."
MISSING_MESSAGE = (
    "Missing uploaded files. To disable files for this record please mark it as metadata-only."
)
PENDING_MESSAGE = "Some files are still being uploaded; commit or delete them before publishing."


def _where(kind: str, container_id: str) -> list[Any]:
    return [FileEntry.container_kind == kind, FileEntry.container_id == container_id]


def _enabled(data: dict[str, Any]) -> bool:
    return bool((data.get("files") or {}).get("enabled", True))


class FilesComponent:
    def check_update(
        self, session: Session, draft: Draft, data: dict[str, Any]
    ) -> list[FieldError]:
        if draft.fork_revision_id is not None or _enabled(data):
            return []
        has_files = session.scalar(select(FileEntry.id).where(*_where("draft", draft.id)).limit(1))
        return [FieldError("files.enabled", [DISABLE_MESSAGE])] if has_files else []

    def check_publish(self, session: Session, draft: Draft) -> list[FieldError]:
        if draft.fork_revision_id is not None:
            return []  # files of a published record are locked; they stay as they are
        if not _enabled(draft.data):
            return []
        rows = dict(
            session.execute(
                select(FileEntry.status, func.count())
                .where(*_where("draft", draft.id))
                .group_by(FileEntry.status)
            ).all()
        )
        if rows.get("pending"):
            return [FieldError("files.enabled", [PENDING_MESSAGE])]
        if not rows.get("completed"):
            return [FieldError("files.enabled", [MISSING_MESSAGE])]
        return []

    def on_publish(self, session: Session, draft: Draft, record: Record, first: bool) -> None:
        if draft.fork_revision_id is not None or not _enabled(draft.data):
            return  # locked files stay; a metadata-only draft has none (check_update)
        session.execute(
            update(FileEntry)
            .where(*_where("draft", draft.id))
            .values(container_kind="record", staged_blob_id=None)
        )

    def on_discard(self, session: Session, draft: Draft, published: bool) -> None:
        if draft.fork_revision_id is None:
            session.execute(delete(FileEntry).where(*_where("draft", draft.id)))

    def _block(self, session: Session, row: Draft | Record) -> dict[str, Any] | None:
        if not _enabled(row.data):
            return None
        kind = "record" if isinstance(row, Record) or row.fork_revision_id is not None else "draft"
        where = [*_where(kind, row.id), FileEntry.status == "completed"]
        count, total = session.execute(
            select(func.count(), func.coalesce(func.sum(FileBlob.size), 0))
            .select_from(FileEntry)
            .join(FileBlob, FileBlob.id == FileEntry.blob_id)
            .where(*where)
        ).one()
        entries: dict[str, Any] = {}
        if count:
            rows = session.execute(
                select(FileEntry, FileBlob)
                .join(FileBlob, FileBlob.id == FileEntry.blob_id)
                .where(*where)
                .order_by(FileEntry.key)
                .limit(ENTRIES_IN_BODY)
            ).all()
            entries = {e.key: dump_record_entry(e, b) for e, b in rows}
        return {"count": int(count), "total_bytes": int(total), "entries": entries}

    def files_blocks(
        self, session: Session, rows: Sequence[Draft | Record]
    ) -> dict[str, dict[str, Any] | None]:
        """Counts, sizes and entries of each row's finished files: two queries for all the
        rows (a page of search hits), plus one more for each rare row with more files than
        a body lists (:data:`ENTRIES_IN_BODY`)."""
        kinds: dict[str, str] = {}
        blocks: dict[str, dict[str, Any] | None] = {}
        for row in rows:
            if not _enabled(row.data):
                blocks[row.id] = None
            else:
                record = isinstance(row, Record) or row.fork_revision_id is not None
                kinds[row.id] = "record" if record else "draft"
                blocks[row.id] = {"count": 0, "total_bytes": 0, "entries": {}}
        for kind in set(kinds.values()):
            ids = [i for i, k in kinds.items() if k == kind]
            where = [
                FileEntry.container_kind == kind,
                FileEntry.container_id.in_(ids),
                FileEntry.status == "completed",
            ]
            counts = session.execute(
                select(
                    FileEntry.container_id,
                    func.count(),
                    func.coalesce(func.sum(FileBlob.size), 0),
                )
                .join(FileBlob, FileBlob.id == FileEntry.blob_id)
                .where(*where)
                .group_by(FileEntry.container_id)
            ).all()
            small = []
            for container_id, count, total in counts:
                blocks[container_id] = {
                    "count": int(count),
                    "total_bytes": int(total),
                    "entries": {},
                }
                if count <= ENTRIES_IN_BODY:
                    small.append(container_id)
            if small:
                entries = session.execute(
                    select(FileEntry, FileBlob)
                    .join(FileBlob, FileBlob.id == FileEntry.blob_id)
                    .where(*where[:1], FileEntry.container_id.in_(small), where[2])
                    .order_by(FileEntry.container_id, FileEntry.key)
                ).all()
                for entry, blob in entries:
                    block = blocks[entry.container_id]
                    assert block is not None
                    block["entries"][entry.key] = dump_record_entry(entry, blob)
        for row in rows:  # the rare record with more files than a body lists
            block = blocks.get(row.id)
            if block is not None and block["count"] > ENTRIES_IN_BODY:
                blocks[row.id] = self._block(session, row)
        return blocks

    def index_files(self, session: Session, kind: str, ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        if not ids:
            return found
        rows = session.execute(
            select(FileEntry.container_id, FileEntry.key).where(
                FileEntry.container_kind == kind,
                FileEntry.container_id.in_(list(ids)),
                FileEntry.status == "completed",
            )
        )
        for container_id, key in rows:
            found.setdefault(container_id, []).append(key)
        return found
