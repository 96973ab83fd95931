"""Fixity checks, garbage collection and moving files between backends.

These run from the command line as the system identity; each reports progress through a
callback so the CLI can draw a progress bar.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from cairn.core.errors import PermissionDenied
from cairn.core.identity import Identity
from cairn.core.timeutil import isoformat, utcnow
from cairn.db import Database
from cairn.files.models import FileBlob, FileEntry, FixityCheck, ResumableUpload
from cairn.files.resumable import expire_uploads
from cairn.storage import StorageBackend, StorageError

Progress = Callable[[int], None]  # called with the number of items just done


@dataclass
class FixityReport:
    checked: int = 0
    failures: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"checked": self.checked, "failed": len(self.failures), "failures": self.failures}


def _require_admin(identity: Identity) -> None:
    if not identity.is_admin:
        raise PermissionDenied()


def _referenced() -> object:
    return or_(
        FileBlob.id.in_(select(FileEntry.blob_id).where(FileEntry.blob_id.is_not(None))),
        FileBlob.id.in_(
            select(FileEntry.staged_blob_id).where(FileEntry.staged_blob_id.is_not(None))
        ),
    )


class FilesMaintenance:
    def __init__(self, db: Database, storages: Mapping[str, StorageBackend]) -> None:
        self.db = db
        self.storages = dict(storages)

    def blobs_to_check(
        self, identity: Identity, since: datetime | None = None, sample: float | None = None
    ) -> list[str]:
        _require_admin(identity)
        stmt = select(FileBlob.id).order_by(FileBlob.id)
        if since is not None:
            stmt = stmt.where(FileBlob.created >= since)
        with self.db.read() as session:
            ids = list(session.scalars(stmt))
        if sample is not None and sample < 1:
            count = max(1, round(len(ids) * sample)) if sample > 0 else 0
            ids = sorted(random.sample(ids, min(count, len(ids))))
        return ids

    def check(
        self, identity: Identity, blob_ids: list[str], progress: Progress | None = None
    ) -> FixityReport:
        """Re-read each blob, compare its checksums and record the outcome."""
        _require_admin(identity)
        report = FixityReport()
        for blob_id in blob_ids:
            with self.db.read() as session:
                blob = session.get(FileBlob, blob_id)
            if blob is None:
                continue
            detail = ""
            try:
                md5, sha256, size = self.storages[blob.backend].checksums(blob.uri)
                ok = (md5, sha256, size) == (blob.md5, blob.sha256, blob.size)
                if not ok:
                    detail = (
                        f"expected md5 {blob.md5}, sha256 {blob.sha256}, {blob.size} bytes; "
                        f"found md5 {md5}, sha256 {sha256}, {size} bytes"
                    )
            except (StorageError, KeyError, OSError) as exc:
                ok, detail = False, f"unreadable: {exc}"
            now = utcnow()
            with self.db.write() as uow:
                uow.session.add(FixityCheck(blob_id=blob.id, checked=now, ok=ok, detail=detail))
                row = uow.session.get(FileBlob, blob.id)
                if row is not None:
                    row.last_check, row.last_check_ok = now, ok
            report.checked += 1
            if not ok:
                report.failures.append(
                    {
                        "blob": blob.id,
                        "backend": blob.backend,
                        "uri": blob.uri,
                        "detail": detail,
                        "checked": isoformat(now),
                        "keys": self._keys(blob.id),
                    }
                )
            if progress:
                progress(1)
        return report

    def _keys(self, blob_id: str) -> list[str]:
        with self.db.read() as session:
            rows = session.execute(
                select(FileEntry.container_kind, FileEntry.container_id, FileEntry.key)
                .where(or_(FileEntry.blob_id == blob_id, FileEntry.staged_blob_id == blob_id))
                .limit(20)
            ).all()
        return [f"{kind}:{cid}/{key}" for kind, cid, key in rows]

    def garbage(self, identity: Identity, grace_hours: int) -> list[FileBlob]:
        """Blob rows no entry references, older than the grace period."""
        _require_admin(identity)
        cutoff = utcnow() - timedelta(hours=grace_hours)
        with self.db.read() as session:
            return list(
                session.scalars(
                    select(FileBlob).where(~_referenced(), FileBlob.created < cutoff)  # type: ignore[operator]
                )
            )

    def collect(
        self, identity: Identity, grace_hours: int, progress: Progress | None = None
    ) -> dict[str, int]:
        """Delete unreferenced blobs, stray bytes and stale temporary uploads."""
        _require_admin(identity)
        removed_rows = 0
        for blob in self.garbage(identity, grace_hours):
            with self.db.write() as uow:
                still_unused = uow.session.scalar(
                    select(func.count())
                    .select_from(FileEntry)
                    .where(or_(FileEntry.blob_id == blob.id, FileEntry.staged_blob_id == blob.id))
                )
                if still_unused:
                    continue
                uow.session.execute(
                    FixityCheck.__table__.delete().where(FixityCheck.blob_id == blob.id)
                )
                row = uow.session.get(FileBlob, blob.id)
                if row is not None:
                    uow.session.delete(row)
                backend = self.storages.get(blob.backend)
                if backend is not None:
                    uow.after_commit(lambda b=backend, u=blob.uri: b.delete(u))
            removed_rows += 1
            if progress:
                progress(1)
        expired = expire_uploads(self.db, self.storages)
        cutoff = time.time() - grace_hours * 3600
        abandoned = self._abort_abandoned_uploads(cutoff)
        stray = 0
        with self.db.read() as session:
            known = {(b, u) for b, u in session.execute(select(FileBlob.backend, FileBlob.uri))}
        for name, backend in self.storages.items():
            for uri, _size, mtime in backend.iter_uris():
                if (name, uri) not in known and mtime < cutoff:
                    backend.delete(uri)
                    stray += 1
            backend.purge_temporary(cutoff)
        return {
            "blobs": removed_rows,
            "stray": stray,
            "expired_uploads": expired,
            "abandoned_uploads": abandoned,
        }

    def _abort_abandoned_uploads(self, cutoff: float) -> int:
        """Multipart and append uploads in storage that no entry or tus upload owns."""
        with self.db.read() as session:
            owned = set(session.scalars(select(ResumableUpload.storage_upload_id)))
            for transfer in session.scalars(
                select(FileEntry.transfer).where(FileEntry.status == "pending")
            ):
                if transfer and transfer.get("upload_id"):
                    owned.add(transfer["upload_id"])
        aborted = 0
        for backend in self.storages.values():
            for upload_id, kind, last_activity in list(backend.iter_uploads()):
                if upload_id in owned or last_activity >= cutoff:
                    continue
                if kind == "multipart":
                    backend.multipart_abort(upload_id)
                else:
                    backend.append_abort(upload_id)
                aborted += 1
        return aborted

    def migrate(self, identity: Identity, target: str, progress: Progress | None = None) -> int:
        """Copy every blob not on ``target`` there, verify it, switch the row, delete the old."""
        _require_admin(identity)
        destination = self.storages[target]
        with self.db.read() as session:
            ids = list(session.scalars(select(FileBlob.id).where(FileBlob.backend != target)))
        moved = 0
        for blob_id in ids:
            with self.db.read() as session:
                blob = session.get(FileBlob, blob_id)
            if blob is None:
                continue
            source = self.storages[blob.backend]
            stored = destination.write_stream(source.open_range(blob.uri), max_size=blob.size)
            if (stored.md5, stored.sha256, stored.size) != (blob.md5, blob.sha256, blob.size):
                destination.delete(stored.uri)
                raise StorageError(f"blob {blob.id} changed while copying; run a fixity check")
            with self.db.write() as uow:
                row = uow.session.get(FileBlob, blob.id)
                assert row is not None
                old_uri = row.uri
                row.backend, row.uri = target, stored.uri
                row.crc32 = row.crc32 if row.crc32 is not None else stored.crc32
                uow.after_commit(lambda s=source, u=old_uri: s.delete(u))
            moved += 1
            if progress:
                progress(1)
        return moved
