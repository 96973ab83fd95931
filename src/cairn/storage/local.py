"""Blobs as files under one directory.

Layout under ``root``::

    ab/cd/<id>                 committed blobs (immutable)
    .tmp/<id>                  a writer's bytes until commit
    .uploads/<id>/data         a multipart or append upload's bytes
    .uploads/<id>/multipart.json | append.json   what the upload was declared as
    .uploads/<id>/parts/<n>    marker: multipart part n arrived completely (fsynced)

A blob appears under its final name only by ``os.replace`` after the file was fsynced, and the
directory is fsynced after the rename, so a crash never leaves a partial file under a final name.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cairn.storage.base import (
    CHUNK_SIZE,
    BlobNotFound,
    ByteStream,
    ChecksummingWriter,
    ChecksumMismatch,
    MultipartPlan,
    StorageError,
    StoredBlob,
    blob_key,
    check_range,
    check_upload_id,
    checksum_hasher,
    digest_blob,
    digest_chunks,
    exact_length,
    is_upload_id,
    new_id,
    parse_blob_key,
    write_all,
)

NAME = "local"


@contextlib.contextmanager
def _os_errors(what: str, missing: type[StorageError] = BlobNotFound) -> Iterator[None]:
    try:
        yield
    except FileNotFoundError as exc:
        raise missing(f"{what}: not found") from exc
    except OSError as exc:
        raise StorageError(f"{what}: {exc.strerror or exc}") from exc


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_at(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view = view[written:]
        offset += written


def _read_file(fd: int, start: int, end: int, chunk_size: int) -> Iterator[bytes]:
    position = start
    while position < end:
        chunk = os.pread(fd, min(chunk_size, end - position), position)
        if not chunk:
            return
        position += len(chunk)
        yield chunk


def _subdirs(directory: Path) -> list[str]:
    """The two-hex-digit subdirectories of a store level, sorted."""
    with os.scandir(directory) as entries:
        return sorted(e.name for e in entries if len(e.name) == 2 and e.is_dir())


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_suffix(".new")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class _LocalWriter(ChecksummingWriter):
    def __init__(self, store: LocalStorage, max_size: int | None) -> None:
        super().__init__(max_size)
        self._store = store
        self._id = new_id()
        self._path = store.root / ".tmp" / self._id
        with _os_errors("cannot create a temporary file", StorageError):
            self._fd = os.open(
                self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644
            )

    def _put(self, chunk: bytes) -> None:
        with _os_errors("cannot write"):
            _write_at(self._fd, chunk, self.digests.size)

    def _finish(self, md5: str, sha256: str, size: int) -> StoredBlob:
        with _os_errors("cannot commit"):
            os.fsync(self._fd)
            self._close()
            uri = self._store._install(self._path, self._id)
        return StoredBlob(NAME, uri, size, md5, sha256)

    def _discard(self) -> None:
        self._close()
        with _os_errors("cannot remove a temporary file"):
            self._path.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:  # dropped without commit or abort: .tmp is purged later
        with contextlib.suppress(Exception):
            self._close()


class LocalStorage:
    """The default backend: a directory on a local (or mounted) filesystem."""

    name = NAME

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).absolute()
        self._tmp = self.root / ".tmp"
        self._uploads = self.root / ".uploads"
        with _os_errors(f"cannot create the storage directory {self.root}"):
            self._tmp.mkdir(parents=True, exist_ok=True)
            self._uploads.mkdir(exist_ok=True)

    def close(self) -> None:
        """Nothing to release; present so every backend can be closed alike."""

    # -- blobs -------------------------------------------------------------------------------

    def writer(self, max_size: int | None = None) -> _LocalWriter:
        return _LocalWriter(self, max_size)

    def write_stream(self, chunks: Iterable[bytes], max_size: int | None = None) -> StoredBlob:
        return write_all(self.writer(max_size), chunks)

    def _path(self, uri: str) -> Path:
        if not isinstance(uri, str) or parse_blob_key(uri) is None:
            raise BlobNotFound(f"not a uri of the local store: {uri!r}")
        return self.root / uri

    def _install(self, source: Path, blob_id: str) -> str:
        """Rename a fsynced file into its final place and make the rename durable."""
        key = blob_key(blob_id)
        target = self.root / key
        self._ensure_dir(target.parent)
        os.replace(source, target)
        _fsync_dir(target.parent)
        return key

    def _ensure_dir(self, directory: Path) -> None:
        if directory.is_dir():
            return
        self._ensure_dir(directory.parent)
        with contextlib.suppress(FileExistsError):
            directory.mkdir()
        _fsync_dir(directory.parent)

    def open_range(
        self, uri: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> ByteStream:
        check_range(start, end)
        path = self._path(uri)
        with _os_errors(f"cannot open {uri}"):
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            size = os.fstat(fd).st_size
        except OSError as exc:
            os.close(fd)
            raise StorageError(f"cannot read {uri}: {exc.strerror}") from exc
        stop = size if end is None else min(end, size)
        return ByteStream(_read_file(fd, start, stop, chunk_size), lambda: os.close(fd))

    def size(self, uri: str) -> int:
        with _os_errors(f"cannot stat {uri}"):
            return self._path(uri).stat().st_size

    def exists(self, uri: str) -> bool:
        try:
            return self._path(uri).is_file()
        except BlobNotFound:
            return False

    def delete(self, uri: str) -> None:
        with _os_errors(f"cannot delete {uri}"):
            self._path(uri).unlink(missing_ok=True)

    def checksums(self, uri: str) -> tuple[str, str, int]:
        with _os_errors(f"cannot read {uri}"), self.open_range(uri) as chunks:
            return digest_chunks(chunks)

    def iter_uris(self) -> Iterator[tuple[str, int, float]]:
        with _os_errors("cannot list the store"):
            for first in _subdirs(self.root):
                for second in _subdirs(self.root / first):
                    with os.scandir(self.root / first / second) as entries:
                        names = [entry.name for entry in entries]
                    for name in names:
                        key = f"{first}/{second}/{name}"
                        if parse_blob_key(key) is None:
                            continue
                        with contextlib.suppress(FileNotFoundError):
                            stat = os.stat(self.root / key)
                            yield key, stat.st_size, stat.st_mtime

    def local_path(self, uri: str) -> Path:
        path = self._path(uri)
        if not path.is_file():
            raise BlobNotFound(f"{uri}: not found")
        return path

    def presigned_url(
        self,
        uri: str,
        filename: str,
        content_type: str,
        expires: int = 3600,
        disposition: str = "attachment",
    ) -> str | None:
        return None

    # -- uploads: shared ---------------------------------------------------------------------

    def _upload_dir(self, upload_id: str, kind: str) -> Path:
        directory = self._uploads / check_upload_id(upload_id)
        if not (directory / f"{kind}.json").is_file():
            raise BlobNotFound(f"no such {kind} upload: {upload_id}")
        return directory

    def _meta(self, directory: Path, kind: str) -> dict[str, Any]:
        with _os_errors(f"cannot read upload {directory.name}"):
            loaded: dict[str, Any] = json.loads((directory / f"{kind}.json").read_text("utf-8"))
            return loaded

    def _new_upload(self, kind: str, meta: dict[str, Any], size: int) -> str:
        upload_id = new_id()
        directory = self._uploads / upload_id
        with _os_errors("cannot start an upload", StorageError):
            if size and shutil.disk_usage(self.root).free < size:
                raise StorageError(f"not enough free space in {self.root} for {size} bytes")
            directory.mkdir()
            if kind == "multipart":
                (directory / "parts").mkdir()
            fd = os.open(directory / "data", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                if kind == "multipart":
                    os.ftruncate(fd, size)
                os.fsync(fd)
            finally:
                os.close(fd)
            _write_json(directory / f"{kind}.json", meta)
            _fsync_dir(directory)
            _fsync_dir(self._uploads)
        return upload_id

    def _finish(self, directory: Path) -> StoredBlob:
        """Checksum the upload's data, rename it into place under the upload's id, clean up."""
        upload_id = directory.name
        with _os_errors(f"cannot finish upload {upload_id}"):
            digests = digest_blob(self._read_path(directory / "data"))
            md5, sha256, size = digests.result()
            uri = self._install(directory / "data", upload_id)
            shutil.rmtree(directory, ignore_errors=True)
        return StoredBlob(NAME, uri, size, md5, sha256, digests.crc32)

    def _read_path(self, path: Path) -> Iterator[bytes]:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        with ByteStream(
            _read_file(fd, 0, os.fstat(fd).st_size, CHUNK_SIZE), lambda: os.close(fd)
        ) as chunks:
            yield from chunks

    def _remove_upload(self, upload_id: str) -> None:
        if not is_upload_id(upload_id):
            return
        with (
            _os_errors(f"cannot remove upload {upload_id}"),
            contextlib.suppress(FileNotFoundError),
        ):
            shutil.rmtree(self._uploads / upload_id)

    def _finished_before(self, upload_id: str) -> StoredBlob | None:
        """A retried finish whose first attempt renamed the data but died before cleaning up."""
        key = blob_key(upload_id)
        if not (self.root / key).is_file():
            return None
        md5, sha256, size = self.checksums(key)
        shutil.rmtree(self._uploads / upload_id, ignore_errors=True)
        return StoredBlob(NAME, key, size, md5, sha256)

    def iter_uploads(self) -> Iterator[tuple[str, str, float]]:
        """Pending uploads: (upload id, "multipart" | "append", last activity epoch)."""
        with _os_errors("cannot list uploads"), os.scandir(self._uploads) as entries:
            names = [e.name for e in entries if is_upload_id(e.name) and e.is_dir()]
        for name in names:
            directory = self._uploads / name
            kind = "multipart" if (directory / "multipart.json").exists() else "append"
            mtimes = []
            for path in (directory, directory / "data", directory / "parts"):
                with contextlib.suppress(FileNotFoundError):
                    mtimes.append(path.stat().st_mtime)
            if mtimes:
                yield name, kind, max(mtimes)

    def purge_temporary(self, older_than: float) -> int:
        """Remove writer leftovers (``.tmp``) last touched before ``older_than`` (epoch)."""
        removed = 0
        with _os_errors("cannot purge temporary files"), os.scandir(self._tmp) as entries:
            for entry in entries:
                with contextlib.suppress(FileNotFoundError):
                    if entry.stat().st_mtime < older_than:
                        os.unlink(entry.path)
                        removed += 1
        return removed

    # -- multipart ---------------------------------------------------------------------------

    def multipart_start(self, parts: int, part_size: int, size: int) -> str:
        plan = MultipartPlan(parts, part_size, size)
        return self._new_upload("multipart", plan.to_dict(), size)

    def multipart_put(
        self, upload_id: str, part: int, chunks: Iterable[bytes], length: int
    ) -> None:
        directory = self._upload_dir(upload_id, "multipart")
        plan = MultipartPlan(**self._meta(directory, "multipart"))
        plan.check_length(part, length)
        marker = directory / "parts" / str(part)
        offset = plan.offset(part)
        with _os_errors(f"cannot write part {part} of upload {upload_id}"):
            marker.unlink(missing_ok=True)  # a failed re-upload must not look complete
            fd = os.open(directory / "data", os.O_WRONLY | os.O_CLOEXEC)
            try:
                position = offset
                for chunk in exact_length(chunks, length):
                    _write_at(fd, chunk, position)
                    position += len(chunk)
                os.fsync(fd)
            finally:
                os.close(fd)
            marker.touch()
            _fsync_dir(marker.parent)

    def multipart_complete(self, upload_id: str) -> StoredBlob:
        try:
            directory = self._upload_dir(upload_id, "multipart")
        except BlobNotFound:
            done = self._finished_before(upload_id) if is_upload_id(upload_id) else None
            if done is None:
                raise
            return done
        plan = MultipartPlan(**self._meta(directory, "multipart"))
        with _os_errors(f"cannot list parts of upload {upload_id}"):
            received = [int(name) for name in os.listdir(directory / "parts") if name.isdigit()]
        plan.require_all(received)
        return self._finish(directory)

    def multipart_abort(self, upload_id: str) -> None:
        self._remove_upload(upload_id)

    # -- appends (tus) -----------------------------------------------------------------------

    def append_start(self, size: int | None) -> str:
        if size is not None and size < 0:
            raise ValueError("size must be >= 0")
        return self._new_upload("append", {"size": size}, size or 0)

    @contextlib.contextmanager
    def _locked_data(self, upload_id: str) -> Iterator[tuple[int, int | None]]:
        """The upload's data file, open for writing and exclusively locked: (fd, declared size).
        Another append or finish in progress makes this a ValueError (tus: 409)."""
        directory = self._upload_dir(upload_id, "append")
        declared = self._meta(directory, "append").get("size")
        with _os_errors(f"cannot open upload {upload_id}"):
            fd = os.open(directory / "data", os.O_WRONLY | os.O_CLOEXEC)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ValueError(f"another request is writing to upload {upload_id}") from None
            yield fd, declared
        finally:
            os.close(fd)

    def append(
        self,
        upload_id: str,
        offset: int,
        chunks: Iterable[bytes],
        checksum: tuple[str, bytes] | None = None,
    ) -> int:
        hasher = checksum_hasher(checksum[0]) if checksum else None
        with self._locked_data(upload_id) as (fd, declared):
            length = os.fstat(fd).st_size
            if offset != length:
                raise ValueError(f"offset {offset} does not match the upload's length {length}")
            position = offset
            try:
                for chunk in chunks:
                    if declared is not None and position + len(chunk) > declared:
                        chunk = chunk[: declared - position]
                        with _os_errors("cannot write"):
                            _write_at(fd, chunk, position)
                        position += len(chunk)
                        raise ValueError(f"the upload would exceed its length of {declared}")
                    with _os_errors("cannot write"):
                        _write_at(fd, chunk, position)
                    position += len(chunk)
                    if hasher is not None:
                        hasher.update(chunk)
                if hasher is not None and checksum and hasher.digest() != checksum[1]:
                    raise ChecksumMismatch("the checksum of the appended bytes does not match")
            except BaseException:
                if hasher is not None:  # with a checksum it is all or nothing
                    position = offset
                    with _os_errors("cannot truncate"):
                        os.ftruncate(fd, offset)
                raise
            finally:
                with _os_errors("cannot sync"):
                    os.fsync(fd)
        return position

    def append_length(self, upload_id: str) -> int:
        directory = self._upload_dir(upload_id, "append")
        with _os_errors(f"cannot stat upload {upload_id}"):
            fd = os.open(directory / "data", os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(fd)
                return os.fstat(fd).st_size
            finally:
                os.close(fd)

    def append_finish(self, upload_id: str) -> StoredBlob:
        try:
            directory = self._upload_dir(upload_id, "append")
        except BlobNotFound:
            done = self._finished_before(upload_id) if is_upload_id(upload_id) else None
            if done is None:
                raise
            return done
        with self._locked_data(upload_id) as (fd, declared):
            length = os.fstat(fd).st_size
            if declared is not None and length != declared:
                raise ValueError(f"the upload is incomplete: {length} of {declared} bytes")
            return self._finish(directory)

    def append_abort(self, upload_id: str) -> None:
        self._remove_upload(upload_id)
