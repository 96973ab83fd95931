"""The storage protocol: what every byte store offers, the value it returns, its errors, and the
helpers both backends share (checksumming writer, multipart plan, byte stream, blob ids)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import uuid
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Protocol, runtime_checkable
from urllib.parse import quote

logger = logging.getLogger("cairn.storage")

MiB = 1 << 20
CHUNK_SIZE = MiB

_BLOB_KEY = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{32})")
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class StoredBlob:
    """Bytes that were durably stored: where they are and what they hash to."""

    backend: str  # "local" | "s3" — the backend's name
    uri: str  # meaningful to that backend ("ab/cd/<uuid>", "s3://bucket/key")
    size: int
    md5: str  # hex
    sha256: str  # hex
    # CRC-32 of the bytes when computed as they passed (not part of a blob's identity)
    crc32: int | None = field(default=None, compare=False)


class StorageError(Exception):
    """The backend failed (I/O, network, misconfiguration)."""


class BlobTooLarge(StorageError):
    """A write went past ``max_size``; nothing of it is kept."""


class BlobNotFound(StorageError):
    """No blob (or upload) under that uri/id in this backend."""


class ChecksumMismatch(ValueError):
    """Appended bytes did not match the checksum the client sent; none of them were kept."""


@runtime_checkable
class BlobWriter(Protocol):
    """Incremental writer; computes md5, sha256 and size while writing."""

    def write(self, chunk: bytes) -> None: ...

    def commit(self) -> StoredBlob: ...

    def abort(self) -> None: ...


@runtime_checkable
class StorageBackend(Protocol):
    """A byte store. Every method is synchronous and safe to call from several threads."""

    name: str

    def writer(self, max_size: int | None = None) -> BlobWriter: ...

    def write_stream(self, chunks: Iterable[bytes], max_size: int | None = None) -> StoredBlob: ...

    def open_range(
        self, uri: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes]: ...

    def size(self, uri: str) -> int: ...

    def exists(self, uri: str) -> bool: ...

    def delete(self, uri: str) -> None: ...

    def checksums(self, uri: str) -> tuple[str, str, int]: ...

    def iter_uris(self) -> Iterator[tuple[str, int, float]]: ...

    def local_path(self, uri: str) -> Path | None: ...

    def presigned_url(
        self,
        uri: str,
        filename: str,
        content_type: str,
        expires: int = 3600,
        disposition: str = "attachment",
    ) -> str | None: ...

    def multipart_start(self, parts: int, part_size: int, size: int) -> str: ...

    def multipart_put(
        self, upload_id: str, part: int, chunks: Iterable[bytes], length: int
    ) -> None: ...

    def multipart_complete(self, upload_id: str) -> StoredBlob: ...

    def multipart_abort(self, upload_id: str) -> None: ...

    def append_start(self, size: int | None) -> str: ...

    def append(
        self,
        upload_id: str,
        offset: int,
        chunks: Iterable[bytes],
        checksum: tuple[str, bytes] | None = None,
    ) -> int: ...

    def append_length(self, upload_id: str) -> int: ...

    def append_finish(self, upload_id: str) -> StoredBlob: ...

    def append_abort(self, upload_id: str) -> None: ...

    def iter_uploads(self) -> Iterator[tuple[str, str, float]]: ...

    def purge_temporary(self, older_than: float) -> int: ...

    def close(self) -> None: ...


# -- checksums -------------------------------------------------------------------------------


class Digests:
    """md5 + sha256 + CRC-32 + byte count of everything passed to :meth:`update`."""

    __slots__ = ("_md5", "_sha256", "crc32", "size")

    def __init__(self) -> None:
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self.crc32 = 0
        self.size = 0

    def update(self, chunk: bytes) -> None:
        self._md5.update(chunk)
        self._sha256.update(chunk)
        self.crc32 = zlib.crc32(chunk, self.crc32)
        self.size += len(chunk)

    def result(self) -> tuple[str, str, int]:
        return self._md5.hexdigest(), self._sha256.hexdigest(), self.size


def digest_blob(chunks: Iterable[bytes]) -> Digests:
    """All digests of a stream of chunks."""
    digests = Digests()
    for chunk in chunks:
        digests.update(chunk)
    return digests


def digest_chunks(chunks: Iterable[bytes]) -> tuple[str, str, int]:
    """(md5, sha256, size) of a stream of chunks."""
    digests = Digests()
    for chunk in chunks:
        digests.update(chunk)
    return digests.result()


def checksum_hasher(algorithm: str) -> hashlib._Hash:
    """A hashlib object for a client-named algorithm (tus ``Upload-Checksum``)."""
    try:
        return hashlib.new(algorithm.lower(), usedforsecurity=False)
    except ValueError:
        raise ValueError(f"unsupported checksum algorithm: {algorithm}") from None


class ChecksummingWriter(ABC):
    """The state machine every backend writer shares: ``max_size``, hashing, commit once, abort
    idempotently, abort on any failure. Subclasses move the bytes (``_put``/``_finish``/
    ``_discard``). Usable as a context manager: leaving the block without commit aborts."""

    def __init__(self, max_size: int | None) -> None:
        if max_size is not None and max_size < 0:
            raise ValueError("max_size must be >= 0")
        self.max_size = max_size
        self.digests = Digests()
        self._state = "open"  # open | committed | aborted

    @abstractmethod
    def _put(self, chunk: bytes) -> None: ...

    @abstractmethod
    def _finish(self, md5: str, sha256: str, size: int) -> StoredBlob: ...

    @abstractmethod
    def _discard(self) -> None: ...

    @property
    def size(self) -> int:
        return self.digests.size

    def write(self, chunk: bytes) -> None:
        self._require_open()
        if not chunk:
            return
        if self.max_size is not None and self.digests.size + len(chunk) > self.max_size:
            self._abort_quietly()
            raise BlobTooLarge(f"the content exceeds the maximum size of {self.max_size} bytes")
        try:
            self._put(chunk)
        except BaseException:
            self._abort_quietly()
            raise
        self.digests.update(chunk)

    def commit(self) -> StoredBlob:
        self._require_open()
        md5, sha256, size = self.digests.result()
        try:
            blob = self._finish(md5, sha256, size)
        except BaseException:
            self._abort_quietly()
            raise
        self._state = "committed"
        return replace(blob, crc32=self.digests.crc32)

    def abort(self) -> None:
        if self._state != "open":
            return
        self._state = "aborted"
        self._discard()

    def _abort_quietly(self) -> None:
        try:
            self.abort()
        except Exception:  # the original error matters more; leftovers are swept later
            logger.warning("could not remove a partly written blob", exc_info=True)

    def _require_open(self) -> None:
        if self._state != "open":
            raise RuntimeError(f"the writer is already {self._state}")

    def __enter__(self) -> ChecksummingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._state == "open":
            if exc_type is None:
                self.abort()
            else:
                self._abort_quietly()


def write_all(writer: BlobWriter, chunks: Iterable[bytes]) -> StoredBlob:
    """Write every chunk and commit; abort on any error (the ``write_stream`` convenience)."""
    try:
        for chunk in chunks:
            writer.write(chunk)
        return writer.commit()
    except BaseException:
        writer.abort()
        raise


# -- reading ---------------------------------------------------------------------------------


class ByteStream(Iterator[bytes]):
    """An iterator of chunks that owns a resource (file, HTTP body) and releases it when
    exhausted, on error, on :meth:`close` or when garbage collected, even if never started."""

    def __init__(self, chunks: Iterator[bytes], on_close: Callable[[], None] | None = None):
        self._chunks = chunks
        self._on_close = on_close
        self._closed = False

    def __iter__(self) -> ByteStream:
        return self

    def __next__(self) -> bytes:
        if self._closed:
            raise StopIteration
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        if self._on_close is not None:
            self._on_close()

    def __enter__(self) -> ByteStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def check_range(start: int, end: int | None) -> None:
    if start < 0:
        raise ValueError("start must be >= 0")
    if end is not None and end < 0:
        raise ValueError("end must be >= 0")


def exact_length(chunks: Iterable[bytes], length: int) -> Iterator[bytes]:
    """Pass chunks through, checking the stream is exactly ``length`` bytes: ValueError before
    yielding a chunk that would run past it, or at the end if it is short."""
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > length:
            raise ValueError(f"the part is longer than its declared length of {length} bytes")
        yield chunk
    if seen != length:
        raise ValueError(f"the part has {seen} bytes, not its declared length of {length}")


def regroup(chunks: Iterable[bytes], length: int, piece: int) -> Iterator[bytes]:
    """Re-cut a stream that must be exactly ``length`` bytes (see :func:`exact_length`) into
    pieces of ``piece`` bytes, the last one shorter."""
    buffer = bytearray()
    for chunk in exact_length(chunks, length):
        buffer += chunk
        while len(buffer) >= piece:
            with memoryview(buffer) as view:
                out = bytes(view[:piece])
            del buffer[:piece]
            yield out
    if buffer:
        yield bytes(buffer)


# -- ids and keys ----------------------------------------------------------------------------


def new_id() -> str:
    return uuid.uuid4().hex


def blob_key(blob_id: str) -> str:
    """``ab/cd/<id>``: two levels of 256 directories keep every directory small."""
    return f"{blob_id[:2]}/{blob_id[2:4]}/{blob_id}"


def parse_blob_key(key: str) -> str | None:
    """The blob id of a well-formed ``ab/cd/<id>`` key, else None."""
    match = _BLOB_KEY.fullmatch(key)
    if match is None or match.group(3)[:4] != match.group(1) + match.group(2):
        return None
    return match.group(3)


def check_upload_id(upload_id: str) -> str:
    if not isinstance(upload_id, str) or not _UPLOAD_ID.fullmatch(upload_id):
        raise BlobNotFound(f"no such upload: {upload_id!r}")
    return upload_id


def is_upload_id(value: str) -> bool:
    return bool(_UPLOAD_ID.fullmatch(value))


# -- multipart -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MultipartPlan:
    """``parts`` parts of ``part_size`` bytes each, the last one the remainder of ``size``."""

    parts: int
    part_size: int
    size: int

    def __post_init__(self) -> None:
        if self.parts < 1 or self.part_size < 1 or self.size < 0:
            raise ValueError("parts and part_size must be >= 1 and size >= 0")
        last = self.size - self.part_size * (self.parts - 1)
        smallest = 0 if self.parts == 1 else 1
        if not smallest <= last <= self.part_size:
            raise ValueError(
                f"{self.parts} parts of {self.part_size} bytes cannot hold {self.size} bytes"
            )

    def part_length(self, part: int) -> int:
        if not 1 <= part <= self.parts:
            raise ValueError(f"part must be between 1 and {self.parts}, not {part}")
        if part < self.parts:
            return self.part_size
        return self.size - self.part_size * (self.parts - 1)

    def offset(self, part: int) -> int:
        return (part - 1) * self.part_size

    def check_length(self, part: int, length: int) -> None:
        expected = self.part_length(part)
        if length != expected:
            raise ValueError(f"part {part} must be {expected} bytes long, not {length}")

    def require_all(self, received: Iterable[int]) -> None:
        missing = sorted(set(range(1, self.parts + 1)) - set(received))
        if missing:
            shown = ", ".join(str(n) for n in missing[:20])
            more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
            raise ValueError(f"missing parts: {shown}{more}")

    def to_dict(self) -> dict[str, int]:
        return {"parts": self.parts, "part_size": self.part_size, "size": self.size}


# -- downloads -------------------------------------------------------------------------------


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A safe ``Content-Disposition`` (RFC 6266): an ASCII ``filename`` fallback and the exact
    name in ``filename*`` (RFC 8187)."""
    if disposition not in ("attachment", "inline"):
        raise ValueError("disposition must be 'attachment' or 'inline'")
    name = filename.rsplit("/", 1)[-1] or "download"
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f")
    fallback = (
        "".join(ch if " " <= ch < "\x7f" and ch not in '"\\%' else "_" for ch in name) or "download"
    )
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
