"""File use cases on drafts and records: init, upload, commit, list, read, delete, import.

Bytes go to a storage backend as a stream (never held in memory); rows change in one unit
of work. Methods are synchronous and are called off the event loop.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from cairn.access import Policy
from cairn.core.errors import (
    FieldError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from cairn.core.identity import Identity
from cairn.core.timeutil import utcnow
from cairn.db import Database
from cairn.db.changes import record_change
from cairn.files import quotas
from cairn.files.archive import Archive, ArchiveMember
from cairn.files.containers import Container, resolve
from cairn.files.dump import dump_entry
from cairn.files.http import guess_mimetype
from cairn.files.keys import BadKey, check_key
from cairn.files.limits import FILE_SIZE_MESSAGE, MAX_FILES_MESSAGE, QUOTA_MESSAGE, FileLimits
from cairn.files.models import FileBlob, FileEntry
from cairn.records.models import Draft, Parent, Record
from cairn.storage import BlobTooLarge, StorageBackend, StoredBlob

DISABLED = "Files are disabled for this draft."
INIT_FIELDS = {"key", "size", "checksum", "metadata", "access", "transfer"}


@dataclass(frozen=True)
class FileList:
    container: Container
    entries: list[dict[str, Any]]
    total: int
    order: list[str]
    default_preview: str | None


@dataclass(frozen=True)
class Download:
    entry: dict[str, Any]
    blob: FileBlob
    backend: StorageBackend

    def open_range(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        return self.backend.open_range(self.blob.uri, start, end)

    def presigned_url(self, filename: str) -> str | None:
        """A direct URL at the backend (S3 with presigning on), else None."""
        return self.backend.presigned_url(self.blob.uri, filename, self.entry["mimetype"])

    def is_local(self) -> bool:
        """Whether the bytes are a local file (nginx can send them itself)."""
        return self.backend.local_path(self.blob.uri) is not None


@dataclass(frozen=True)
class ArchiveDownload:
    """ "Download all": the ZIP, and what the response headers need."""

    archive: Archive
    filename: str
    etag: str
    last_modified: datetime


def _blob_row(stored: StoredBlob) -> FileBlob:
    return FileBlob(
        id=uuid.uuid4().hex,
        backend=stored.backend,
        uri=stored.uri,
        size=stored.size,
        md5=stored.md5,
        sha256=stored.sha256,
        crc32=stored.crc32,
        created=utcnow(),
    )


class FilesService:
    def __init__(
        self,
        db: Database,
        policy: Policy,
        storages: Mapping[str, StorageBackend],
        default_backend: str,
        limits: FileLimits,
    ) -> None:
        self.db = db
        self.policy = policy
        self.storages = dict(storages)
        self.default_backend = default_backend
        self.limits = limits

    @property
    def storage(self) -> StorageBackend:
        return self.storages[self.default_backend]

    # -- helpers -------------------------------------------------------------
    @staticmethod
    def _key(key: str) -> str:
        try:
            return check_key(key)
        except BadKey as exc:
            raise ValidationFailed([FieldError("key", [str(exc)])]) from None

    @staticmethod
    def _entry(session: Session, c: Container, key: str) -> FileEntry:
        entry = session.scalar(
            select(FileEntry).where(
                FileEntry.container_kind == c.kind,
                FileEntry.container_id == c.id,
                FileEntry.key == key,
            )
        )
        if entry is None:
            raise NotFound(f"File {key!r} not found.")
        return entry

    @staticmethod
    def _blobs(session: Session, ids: Iterable[str | None]) -> dict[str, FileBlob]:
        wanted = {i for i in ids if i}
        if not wanted:
            return {}
        return {b.id: b for b in session.scalars(select(FileBlob).where(FileBlob.id.in_(wanted)))}

    def _dump(self, session: Session, entries: list[FileEntry]) -> list[dict[str, Any]]:
        blobs = self._blobs(session, (e.blob_id for e in entries))
        return [dump_entry(e, blobs.get(e.blob_id or "")) for e in entries]

    # -- reading -------------------------------------------------------------
    def list_files(
        self,
        identity: Identity,
        record_id: str,
        *,
        draft: bool,
        prefix: str = "",
        page: int = 1,
        size: int | None = None,
    ) -> FileList:
        with self.db.read() as session:
            c = resolve(session, self.policy, identity, record_id, draft=draft)
            where = [FileEntry.container_kind == c.kind, FileEntry.container_id == c.id]
            if prefix:  # case-sensitive on every database (SQLite's LIKE is not)
                where.append(func.substr(FileEntry.key, 1, len(prefix)) == prefix)
            total = session.scalar(select(func.count()).select_from(FileEntry).where(*where)) or 0
            stmt = select(FileEntry).where(*where).order_by(FileEntry.key)
            if size is not None:
                stmt = stmt.limit(size).offset((page - 1) * size)
            entries = list(session.scalars(stmt))
            data = self._row_data(session, c)
            files = data.get("files") or {}
            return FileList(
                c,
                self._dump(session, entries),
                int(total),
                list(files.get("order", [])),
                files.get("default_preview"),
            )

    @staticmethod
    def _row_data(session: Session, c: Container) -> dict[str, Any]:
        row = session.get(Record if c.kind == "record" and c.locked else Draft, c.id)
        if row is None and c.kind == "record":
            row = session.get(Draft, c.id)
        return row.data if row is not None else {}

    def read_file(self, identity: Identity, record_id: str, key: str, *, draft: bool) -> dict:
        key = self._key(key)
        with self.db.read() as session:
            c = resolve(session, self.policy, identity, record_id, draft=draft)
            return self._dump(session, [self._entry(session, c, key)])[0]

    def open_file(self, identity: Identity, record_id: str, key: str, *, draft: bool) -> Download:
        """A completed file, ready to stream."""
        key = self._key(key)
        with self.db.read() as session:
            c = resolve(session, self.policy, identity, record_id, draft=draft)
            entry = self._entry(session, c, key)
            if entry.status != "completed" or entry.blob_id is None:
                raise NotFound(f"File {key!r} has no committed content.")
            blob = session.get(FileBlob, entry.blob_id)
            assert blob is not None
            return Download(dump_entry(entry, blob), blob, self.storages[blob.backend])

    def archive(self, identity: Identity, record_id: str, *, draft: bool) -> ArchiveDownload:
        """Every committed file of a draft or record as one streamed ZIP."""
        with self.db.read() as session:
            c = resolve(session, self.policy, identity, record_id, draft=draft)
            rows = session.execute(
                select(FileEntry, FileBlob)
                .join(FileBlob, FileBlob.id == FileEntry.blob_id)
                .where(
                    FileEntry.container_kind == c.kind,
                    FileEntry.container_id == c.id,
                    FileEntry.status == "completed",
                )
                .order_by(FileEntry.key)
            ).all()
        members = [
            ArchiveMember(
                arcname=entry.key,
                size=blob.size,
                mtime=blob.created,
                crc32=blob.crc32,
                open_range=partial(self.storages[blob.backend].open_range, blob.uri),
            )
            for entry, blob in rows
        ]
        archive = Archive(members)
        limit = self.limits.archive_max_size
        if limit and archive.size() > limit:
            raise InvalidRequest(
                "The archive is larger than this repository allows; download the files one by one."
            )
        # blobs never change, so their ids (and the layout inputs) identify the bytes
        digest = hashlib.sha256(
            ("".join(f"{e.key}\0{b.id}\0" for e, b in rows) + archive.fingerprint()).encode()
        ).hexdigest()
        newest = max((b.created for _, b in rows), default=None)
        return ArchiveDownload(archive, f"{c.id}.zip", f'"zip-{digest[:32]}"', newest or utcnow())

    # -- init, update, delete ------------------------------------------------
    def _parse_init(self, body: object) -> list[dict[str, Any]]:
        if not isinstance(body, list):
            raise ValidationFailed(
                [FieldError("", ["Invalid data: expected a list of objects with a key."])]
            )
        errors: list[FieldError] = []
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        for i, raw in enumerate(body):
            if not isinstance(raw, dict):
                errors.append(FieldError(str(i), ["Invalid data: expected an object."]))
                continue
            for extra in sorted(set(raw) - INIT_FIELDS):
                errors.append(FieldError(f"{i}.{extra}", ["Unknown field."]))
            try:
                key = check_key(raw.get("key"))
            except BadKey as exc:
                errors.append(FieldError(f"{i}.key", [str(exc)]))
                continue
            if key in seen:
                errors.append(FieldError(f"{i}.key", ["Duplicate key."]))
            seen.add(key)
            item = {"key": key}
            item.update(self._parse_init_options(i, raw, errors))
            items.append(item)
        if errors:
            raise ValidationFailed(errors)
        return items

    def _parse_init_options(
        self, i: int, raw: dict[str, Any], errors: list[FieldError]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        size = raw.get("size")
        if size is not None:
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                errors.append(FieldError(f"{i}.size", ["Must be a whole number of bytes."]))
            else:
                out["size"] = size  # checked against the record's limits in init_files
        checksum = raw.get("checksum")
        if checksum is not None:
            ok = isinstance(checksum, str) and checksum.lower().startswith("md5:")
            digest = checksum[4:].lower() if ok else ""
            if not ok or len(digest) != 32 or any(ch not in "0123456789abcdef" for ch in digest):
                errors.append(FieldError(f"{i}.checksum", ["Must be 'md5:' and 32 hex digits."]))
            else:
                out["checksum"] = f"md5:{digest}"
        metadata = raw.get("metadata")
        if metadata is not None:
            if isinstance(metadata, dict):
                out["metadata"] = metadata
            else:
                errors.append(FieldError(f"{i}.metadata", ["Not a valid object."]))
        access = raw.get("access")
        if access is not None:
            hidden = access.get("hidden") if isinstance(access, dict) else None
            if not isinstance(hidden, bool):
                errors.append(FieldError(f"{i}.access", ['Expected {"hidden": true|false}.']))
            else:
                out["hidden"] = hidden
        transfer = raw.get("transfer")
        if transfer is not None:
            out["transfer"] = self._parse_transfer(i, transfer, out.get("size"), errors)
        return out

    @staticmethod
    def _parse_transfer(
        i: int, transfer: object, size: int | None, errors: list[FieldError]
    ) -> dict[str, Any]:
        if not isinstance(transfer, dict):
            errors.append(FieldError(f"{i}.transfer", ["Not a valid object."]))
            return {"type": "L"}
        kind = transfer.get("type", "L")
        if kind == "L":
            return {"type": "L"}
        if kind in ("F", "R"):
            raise PermissionDenied()  # fetch/remote transfers are system-only, as in InvenioRDM
        if kind != "M":
            errors.append(FieldError(f"{i}.transfer.type", ["Must be one of: L, M."]))
            return {"type": "L"}
        parts, part_size = transfer.get("parts"), transfer.get("part_size")
        valid = (
            isinstance(parts, int)
            and isinstance(part_size, int)
            and isinstance(size, int)
            and not isinstance(parts, bool)
            and 1 <= parts <= 10_000
            and part_size >= 1
            and (parts - 1) * part_size < max(size, 1) <= parts * part_size
        )
        if not valid:
            errors.append(
                FieldError(
                    f"{i}.transfer",
                    [
                        "Multipart needs size, parts (1-10000) and part_size with "
                        "(parts - 1) * part_size < size <= parts * part_size."
                    ],
                )
            )
            return {"type": "L"}
        return {"type": "M", "parts": parts, "part_size": part_size}

    def init_files(self, identity: Identity, record_id: str, body: object) -> list[dict]:
        items = self._parse_init(body)
        with self.db.write() as uow:
            session = uow.session
            c = resolve(session, self.policy, identity, record_id, draft=True, write=True)
            if not c.files_enabled:
                raise ValidationFailed(
                    [FieldError("files.enabled", ["Files are disabled for this draft."])]
                )
            limits = quotas.effective(session, c, self.limits)
            too_big = [
                FieldError(f"{n}.size", [FILE_SIZE_MESSAGE])
                for n, it in enumerate(items)
                if it.get("size", 0) > limits.max_file_size
            ]
            if too_big:
                raise ValidationFailed(too_big)
            existing = (
                set(
                    session.scalars(
                        select(FileEntry.key).where(
                            FileEntry.container_kind == c.kind,
                            FileEntry.container_id == c.id,
                            FileEntry.key.in_([it["key"] for it in items]),
                        )
                    )
                )
                if len(items) <= 1000
                else None
            )
            count = quotas.count_files(session, c)
            new = [it for it in items if existing is None or it["key"] not in existing]
            if count + len(new) > limits.max_files:
                raise ValidationFailed([], MAX_FILES_MESSAGE)
            declared = sum(it.get("size", 0) for it in items)
            quotas.check_room(session, c, limits, declared)
            now = utcnow()
            rows = []
            for it in items:
                rows.append(
                    {
                        "uuid": uuid.uuid4().hex,
                        "container_kind": c.kind,
                        "container_id": c.id,
                        "key": it["key"],
                        "status": "pending",
                        "mimetype": guess_mimetype(it["key"]),
                        "metadata": it.get("metadata"),
                        "hidden": it.get("hidden", False),
                        "transfer": it.get("transfer", {"type": "L"}),
                        "expected_size": it.get("size"),
                        "expected_checksum": it.get("checksum"),
                        "created": now,
                        "updated": now,
                    }
                )
            keys = [r["key"] for r in rows]
            # re-initialising a key replaces its entry (InvenioRDM does the same)
            session.execute(
                delete(FileEntry).where(
                    FileEntry.container_kind == c.kind,
                    FileEntry.container_id == c.id,
                    FileEntry.key.in_(keys),
                )
            )
            for row in rows:
                if row["transfer"]["type"] == "M":
                    t = row["transfer"]
                    t["upload_id"] = self.storage.multipart_start(
                        t["parts"], t["part_size"], row["expected_size"]
                    )
                    t["backend"] = self.default_backend
            session.execute(insert(FileEntry.__table__), rows)  # type: ignore[arg-type]
            entries = list(
                session.scalars(
                    select(FileEntry)
                    .where(
                        FileEntry.container_kind == c.kind,
                        FileEntry.container_id == c.id,
                        FileEntry.key.in_(keys),
                    )
                    .order_by(FileEntry.key)
                )
            )
            return self._dump(session, entries)

    def update_file(self, identity: Identity, record_id: str, key: str, body: object) -> dict:
        key = self._key(key)
        if not isinstance(body, dict):
            raise ValidationFailed([FieldError("", ["Invalid data: expected an object."])])
        errors: list[FieldError] = []
        for extra in sorted(set(body) - {"metadata", "access", "key"}):
            errors.append(FieldError(extra, ["Unknown field."]))
        options = self._parse_init_options(
            0, {k: body[k] for k in ("metadata", "access") if k in body}, errors
        )
        if errors:
            raise ValidationFailed(
                [FieldError(e.field.removeprefix("0."), e.messages) for e in errors]
            )
        with self.db.write() as uow:
            c = resolve(uow.session, self.policy, identity, record_id, draft=True, write=True)
            entry = self._entry(uow.session, c, key)
            if "metadata" in body:
                entry.metadata_ = options.get("metadata")
            if "hidden" in options:
                entry.hidden = options["hidden"]
            entry.updated = utcnow()
            uow.session.flush()
            return self._dump(uow.session, [entry])[0]

    def delete_file(self, identity: Identity, record_id: str, key: str) -> None:
        key = self._key(key)
        with self.db.write() as uow:
            c = resolve(uow.session, self.policy, identity, record_id, draft=True, write=True)
            entry = self._entry(uow.session, c, key)
            self._abort_transfer(entry)
            completed = entry.status == "completed"
            uow.session.delete(entry)
            if completed:
                record_change(uow.session, "draft", c.id, "files")

    def delete_all(self, identity: Identity, record_id: str) -> None:
        with self.db.write() as uow:
            c = resolve(uow.session, self.policy, identity, record_id, draft=True, write=True)
            for entry in uow.session.scalars(
                select(FileEntry).where(
                    FileEntry.container_kind == c.kind,
                    FileEntry.container_id == c.id,
                    FileEntry.transfer["type"].as_string() == "M",
                )
            ):
                self._abort_transfer(entry)
            uow.session.execute(
                delete(FileEntry).where(
                    FileEntry.container_kind == c.kind, FileEntry.container_id == c.id
                )
            )
            record_change(uow.session, "draft", c.id, "files")

    def _abort_transfer(self, entry: FileEntry) -> None:
        upload_id = entry.transfer.get("upload_id")
        if entry.status == "pending" and upload_id:
            backend = self.storages.get(entry.transfer.get("backend", self.default_backend))
            if backend is not None:
                backend.multipart_abort(upload_id)

    # -- uploading and committing ----------------------------------------------
    def _room(
        self, identity: Identity, record_id: str, key: str, *, measure: bool = True
    ) -> tuple[Container, int, FileEntry, str]:
        """The pending entry, and how many bytes it may take (with the message to give when
        they run out). ``measure=False`` skips the byte count (commits need none)."""
        with self.db.read() as session:
            c = resolve(session, self.policy, identity, record_id, draft=True, write=True)
            entry = self._entry(session, c, key)
            if entry.status != "pending":
                raise InvalidRequest("This file is already committed; delete or re-initialise it.")
            if not measure:
                return c, 0, entry, FILE_SIZE_MESSAGE
            limits = quotas.effective(session, c, self.limits)
            room = quotas.room(session, c, limits, replacing=entry)
            if room < limits.max_file_size:
                return c, room, entry, QUOTA_MESSAGE
            return c, limits.max_file_size, entry, FILE_SIZE_MESSAGE

    def upload_content(
        self, identity: Identity, record_id: str, key: str, chunks: Iterable[bytes]
    ) -> dict:
        """Stream the bytes of a pending file (transfer type L) into storage."""
        key = self._key(key)
        _c, max_size, entry, message = self._room(identity, record_id, key)
        if entry.transfer.get("type", "L") != "L":
            raise InvalidRequest("This file uses multipart transfer; upload its parts instead.")
        if entry.expected_size is not None and entry.expected_size < max_size:
            max_size = entry.expected_size
            message = f"More bytes than the {entry.expected_size} declared at init."
        try:
            stored = self.storage.write_stream(chunks, max_size=max_size)
        except BlobTooLarge:
            raise ValidationFailed([FieldError("size", [message])]) from None
        return self._stage(identity, record_id, key, stored)

    def _stage(self, identity: Identity, record_id: str, key: str, stored: StoredBlob) -> dict:
        backend = self.storages[stored.backend]
        try:
            with self.db.write() as uow:
                c = resolve(uow.session, self.policy, identity, record_id, draft=True, write=True)
                entry = self._entry(uow.session, c, key)
                if entry.expected_size is not None and stored.size != entry.expected_size:
                    raise ValidationFailed(
                        [
                            FieldError(
                                "size",
                                [f"Expected {entry.expected_size} bytes, got {stored.size}."],
                            )
                        ]
                    )
                blob = _blob_row(stored)
                uow.session.add(blob)
                uow.session.flush()
                entry.staged_blob_id = blob.id
                entry.updated = utcnow()
                uow.session.flush()
                out = self._dump(uow.session, [entry])[0]
                out["size"] = stored.size
                return out
        except BaseException:
            backend.delete(stored.uri)
            raise

    def upload_part(
        self,
        identity: Identity,
        record_id: str,
        key: str,
        part: int,
        chunks: Iterable[bytes],
        length: int,
    ) -> dict:
        key = self._key(key)
        _c, _room, entry, _message = self._room(identity, record_id, key, measure=False)
        transfer = entry.transfer
        if transfer.get("type") != "M":
            raise InvalidRequest("This file does not use multipart transfer.")
        if not 1 <= part <= transfer["parts"]:
            raise ValidationFailed(
                [FieldError("part", [f"Must be between 1 and {transfer['parts']}."])]
            )
        backend = self.storages[transfer.get("backend", self.default_backend)]
        try:
            backend.multipart_put(transfer["upload_id"], part, chunks, length)
        except ValueError as exc:
            raise ValidationFailed([FieldError("part", [str(exc)])]) from None
        with self.db.read() as session:
            c = resolve(session, self.policy, identity, record_id, draft=True, write=True)
            return self._dump(session, [self._entry(session, c, key)])[0]

    def commit(self, identity: Identity, record_id: str, key: str) -> dict:
        """Finish a file: check its content and checksum; keep nothing if they are wrong."""
        key = self._key(key)
        with self.db.read() as session:  # a retried commit answers with the committed file
            c = resolve(session, self.policy, identity, record_id, draft=True, write=True)
            done = self._entry(session, c, key)
            if done.status == "completed":
                return self._dump(session, [done])[0]
        _c, _room, entry, _message = self._room(identity, record_id, key, measure=False)
        if entry.transfer.get("type") == "M":
            backend = self.storages[entry.transfer.get("backend", self.default_backend)]
            try:
                stored = backend.multipart_complete(entry.transfer["upload_id"])
            except ValueError as exc:
                raise ValidationFailed([FieldError("parts", [str(exc)])]) from None
            self._stage(identity, record_id, key, stored)
        with self.db.write() as uow:
            c = resolve(uow.session, self.policy, identity, record_id, draft=True, write=True)
            entry = self._entry(uow.session, c, key)
            if entry.status == "completed":
                return self._dump(uow.session, [entry])[0]
            if entry.staged_blob_id is None:
                raise ValidationFailed(
                    [FieldError("content", ["The file has no uploaded content yet."])]
                )
            blob = uow.session.get(FileBlob, entry.staged_blob_id)
            assert blob is not None
            mismatch = bool(entry.expected_checksum) and (
                entry.expected_checksum != f"md5:{blob.md5}"
            )
            if mismatch:  # keep nothing of a corrupted upload
                entry.staged_blob_id = None
                entry.updated = utcnow()
                uow.session.flush()
                uow.session.delete(blob)
                backend, uri = self.storages[blob.backend], blob.uri
                uow.after_commit(lambda: backend.delete(uri))
                expected, got = entry.expected_checksum, f"md5:{blob.md5}"
            else:
                entry.blob_id, entry.staged_blob_id = blob.id, None
                entry.status = "completed"
                entry.updated = utcnow()
                uow.session.flush()
                record_change(uow.session, "draft", c.id, "files")
                return self._dump(uow.session, [entry])[0]
        raise ValidationFailed(
            [
                FieldError(
                    "checksum",
                    [f"Checksum mismatch: expected {expected}, got {got}; upload discarded."],
                )
            ]
        )

    # -- versions ----------------------------------------------------------
    def import_files(self, identity: Identity, record_id: str) -> list[dict]:
        """Link every file of the previous version into a new-version draft (no byte copy)."""
        with self.db.write() as uow:
            session = uow.session
            c = resolve(session, self.policy, identity, record_id, draft=True, write=True)
            parent = session.get(Parent, c.parent_id)
            assert parent is not None
            if parent.latest_id is None or parent.latest_id == c.id:
                raise InvalidRequest("There is no previous version to import files from.")
            if quotas.count_files(session, c):
                raise InvalidRequest("The draft already has files; delete them before importing.")
            now = utcnow()
            source = select(
                func.lower(func.hex(func.randomblob(16)))
                if self.db.dialect == "sqlite"
                else func.replace(func.gen_random_uuid().cast(FileEntry.uuid.type), "-", ""),
                literal(c.kind),
                literal(c.id),
                FileEntry.key,
                FileEntry.status,
                FileEntry.blob_id,
                FileEntry.mimetype,
                FileEntry.metadata_,
                FileEntry.hidden,
                FileEntry.transfer,
                FileEntry.expected_size,
                FileEntry.expected_checksum,
                literal(now, FileEntry.created.type),
                literal(now, FileEntry.updated.type),
            ).where(
                FileEntry.container_kind == "record",
                FileEntry.container_id == parent.latest_id,
                FileEntry.status == "completed",
            )
            columns = [
                "uuid",
                "container_kind",
                "container_id",
                "key",
                "status",
                "blob_id",
                "mimetype",
                "metadata",
                "hidden",
                "transfer",
                "expected_size",
                "expected_checksum",
                "created",
                "updated",
            ]
            session.execute(insert(FileEntry.__table__).from_select(columns, source))
            record_change(session, "draft", c.id, "files")
            entries = list(
                session.scalars(
                    select(FileEntry)
                    .where(FileEntry.container_kind == c.kind, FileEntry.container_id == c.id)
                    .order_by(FileEntry.key)
                    .limit(1000)
                )
            )
            return self._dump(session, entries)

    def set_quota(self, identity: Identity, record_id: str, body: object) -> dict:
        return quotas.set_record_quota(self.db, self.policy, identity, record_id, body, self.limits)

    def move_draft_entries(self, session: Session, draft_id: str) -> None:
        """At first publish the draft's entries become the record's (one UPDATE)."""
        session.execute(
            update(FileEntry)
            .where(FileEntry.container_kind == "draft", FileEntry.container_id == draft_id)
            .values(container_kind="record")
        )
