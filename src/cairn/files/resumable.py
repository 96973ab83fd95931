"""Resumable uploads (the tus 1.0 protocol's state): create, append, finish, terminate.

Bytes are appended in the storage backend's upload area, which keeps what reached it even
when a server is killed mid-request; the offset a client resumes from is what the backend
reports, never an in-memory counter.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cairn.core.errors import (
    FieldError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from cairn.core.identity import Identity
from cairn.core.ids import normalize_id
from cairn.core.timeutil import utcnow
from cairn.db import Database
from cairn.files.containers import resolve
from cairn.files.models import FileEntry, ResumableUpload
from cairn.files.service import FilesService
from cairn.storage import StorageBackend


class OffsetMismatch(Exception):
    """The client's Upload-Offset is not where the upload stands (tus: 409)."""


class UploadGone(NotFound):
    message = "The upload does not exist or has expired."


@dataclass(frozen=True)
class UploadState:
    id: str
    record_id: str
    key: str
    size: int | None
    offset: int
    expires: datetime
    metadata: dict[str, Any]
    entry: dict[str, Any] | None = None  # the committed file, once complete

    @property
    def complete(self) -> bool:
        return self.size is not None and self.offset >= self.size


class ResumableUploads:
    def __init__(self, files: FilesService) -> None:
        self.files = files
        self.db = files.db

    def _row(self, identity: Identity, upload_id: str, record_id: str) -> ResumableUpload:
        with self.db.read() as session:
            row = session.get(ResumableUpload, upload_id) if len(upload_id) <= 32 else None
        if row is None or row.expires <= utcnow() or row.container_id != normalize_id(record_id):
            raise UploadGone()
        if not (
            identity.is_admin or (identity.user_id is not None and identity.user_id == row.owner_id)
        ):
            raise PermissionDenied()
        return row

    def _state(self, row: ResumableUpload, offset: int, entry: dict | None = None) -> UploadState:
        return UploadState(
            row.id,
            row.container_id,
            row.key,
            row.size,
            offset,
            row.expires,
            dict(row.metadata_),
            entry,
        )

    def create(
        self,
        identity: Identity,
        record_id: str,
        key: str,
        size: int,
        metadata: dict[str, Any] | None = None,
    ) -> UploadState:
        """Start an upload of ``size`` bytes for ``key``; the file entry is created pending."""
        if size < 0:
            raise ValidationFailed([FieldError("Upload-Length", ["Must be 0 or more."])])
        entry = self.files.init_files(identity, record_id, [{"key": key, "size": size}])[0]
        storage = self.files.storage
        with self.db.write() as uow:
            c = resolve(uow.session, self.files.policy, identity, record_id, draft=True, write=True)
            row = ResumableUpload(
                id=uuid.uuid4().hex,
                container_id=c.id,
                key=entry["key"],
                owner_id=identity.user_id,
                backend=self.files.default_backend,
                storage_upload_id=storage.append_start(size),
                size=size,
                metadata_=metadata or {},
                created=utcnow(),
                expires=utcnow() + timedelta(hours=self.files.limits.tus_expiry_hours),
            )
            uow.session.add(row)
            uow.session.flush()
            state = self._state(row, 0)
        return state

    def status(self, identity: Identity, record_id: str, upload_id: str) -> UploadState:
        row = self._row(identity, upload_id, record_id)
        offset = self.files.storages[row.backend].append_length(row.storage_upload_id)
        return self._state(row, offset)

    def append(
        self,
        identity: Identity,
        record_id: str,
        upload_id: str,
        offset: int,
        chunks: Iterable[bytes],
    ) -> UploadState:
        """Append the bytes at ``offset``; finishing the file when the last byte arrives."""
        row = self._row(identity, upload_id, record_id)
        backend = self.files.storages[row.backend]
        current = backend.append_length(row.storage_upload_id)
        if offset != current:
            raise OffsetMismatch(current)
        try:
            new_offset = backend.append(
                row.storage_upload_id, offset, _limit(chunks, row.size, offset)
            )
        except ValueError as exc:
            raise OffsetMismatch(backend.append_length(row.storage_upload_id)) from exc
        if row.size is not None and new_offset >= row.size:
            return self._finish(identity, row, new_offset)
        return self._state(row, new_offset)

    def _finish(self, identity: Identity, row: ResumableUpload, offset: int) -> UploadState:
        backend = self.files.storages[row.backend]
        stored = backend.append_finish(row.storage_upload_id)
        self.files._stage(identity, row.container_id, row.key, stored)
        entry = self.files.commit(identity, row.container_id, row.key)
        with self.db.write() as uow:
            done = uow.session.get(ResumableUpload, row.id)
            if done is not None:
                uow.session.delete(done)
        return self._state(row, offset, entry)

    def terminate(self, identity: Identity, record_id: str, upload_id: str) -> None:
        row = self._row(identity, upload_id, record_id)
        self.files.storages[row.backend].append_abort(row.storage_upload_id)
        with self.db.write() as uow:
            done = uow.session.get(ResumableUpload, row.id)
            if done is not None:
                uow.session.delete(done)
            self._drop_pending_entry(uow.session, row)

    def expire(self) -> int:
        """Abort uploads past their expiry (``cairn files gc`` does this too)."""
        return expire_uploads(self.db, self.files.storages)

    @staticmethod
    def _drop_pending_entry(session: Session, row: ResumableUpload) -> None:
        _drop_pending_entry(session, row)


def _drop_pending_entry(session: Session, row: ResumableUpload) -> None:
    """The file entry a tus upload created, while it is still pending."""
    entry = session.scalar(
        select(FileEntry).where(
            FileEntry.container_kind == "draft",
            FileEntry.container_id == row.container_id,
            FileEntry.key == row.key,
            FileEntry.status == "pending",
        )
    )
    if entry is not None:
        session.delete(entry)


def expire_uploads(db: Database, storages: Mapping[str, StorageBackend]) -> int:
    """Abort tus uploads past their expiry: their bytes, their row, their pending entry."""
    with db.read() as session:
        rows = list(
            session.scalars(select(ResumableUpload).where(ResumableUpload.expires <= utcnow()))
        )
    for row in rows:
        backend = storages.get(row.backend)
        if backend is not None:
            backend.append_abort(row.storage_upload_id)
        with db.write() as uow:
            done = uow.session.get(ResumableUpload, row.id)
            if done is not None:
                uow.session.delete(done)
            _drop_pending_entry(uow.session, row)
    return len(rows)


def _limit(chunks: Iterable[bytes], size: int | None, offset: int) -> Iterable[bytes]:
    """Refuse bytes past the declared length (tus: the upload must not grow)."""
    room = None if size is None else size - offset
    for chunk in chunks:
        if room is not None:
            if len(chunk) > room:
                raise InvalidRequest("More bytes than the declared Upload-Length.")
            room -= len(chunk)
        yield chunk
