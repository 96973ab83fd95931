"""Cases every storage backend must pass.

A test module subclasses :class:`StorageConformance` (as ``Test…``) and provides two fixtures:
``store`` (a fresh, empty backend) and ``leftovers`` (a callable listing whatever the backend
keeps besides committed blobs: temporary files, upload state, open S3 multipart uploads).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from cairn.storage import (
    BlobNotFound,
    BlobTooLarge,
    ChecksumMismatch,
    StorageBackend,
    StoredBlob,
)

MiB = 1 << 20
Leftovers = Callable[[], list[str]]


class Disconnect(Exception):
    """Stands for a client that went away mid-request."""


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def read_all(store: StorageBackend, uri: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join(store.open_range(uri, start, end))


def assert_blob(store: StorageBackend, blob: StoredBlob, data: bytes) -> None:
    assert blob.backend == store.name
    assert blob.size == len(data)
    assert blob.md5 == hashlib.md5(data).hexdigest()
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert read_all(store, blob.uri) == data
    assert store.size(blob.uri) == len(data)


class StorageConformance:
    # -- blobs -------------------------------------------------------------------------------

    def test_round_trip_with_checksums(self, store: StorageBackend) -> None:
        data = os.urandom(3 * MiB + 12345)
        blob = store.write_stream(chunked(data, 300_001))
        assert_blob(store, blob, data)
        assert store.exists(blob.uri)
        assert store.checksums(blob.uri) == (blob.md5, blob.sha256, blob.size)
        assert isinstance(store, StorageBackend)

    def test_incremental_writer(self, store: StorageBackend) -> None:
        writer = store.writer(max_size=10)
        for piece in (b"ab", b"", b"cdefgh", b"ij"):
            writer.write(piece)
        blob = writer.commit()
        assert_blob(store, blob, b"abcdefghij")  # exactly max_size is allowed
        with pytest.raises(RuntimeError):
            writer.write(b"more")
        writer.abort()  # after commit: a no-op
        assert store.exists(blob.uri)

    def test_empty_blob(self, store: StorageBackend) -> None:
        blob = store.write_stream([])
        assert_blob(store, blob, b"")
        assert read_all(store, blob.uri, 0, 10) == b""
        assert read_all(store, blob.uri, 5) == b""
        assert store.checksums(blob.uri) == (blob.md5, blob.sha256, 0)

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (0, None),
            (0, 1),
            (1, 2),
            (10, 2000),
            (0, 4999),
            (4999, None),
            (4999, 5000),
            (5000, None),
            (6000, None),
            (100, 100),
            (200, 100),
            (0, 99_999),
        ],
    )
    def test_ranged_reads(self, store: StorageBackend, start: int, end: int | None) -> None:
        data = os.urandom(5000)
        blob = store.write_stream([data])
        assert read_all(store, blob.uri, start, end) == data[start:end]

    def test_small_chunk_size(self, store: StorageBackend) -> None:
        data = os.urandom(1000)
        blob = store.write_stream([data])
        chunks = list(store.open_range(blob.uri, 3, 900, chunk_size=64))
        assert b"".join(chunks) == data[3:900]
        assert max(len(chunk) for chunk in chunks) <= 64
        with pytest.raises(ValueError):
            store.open_range(blob.uri, -1)

    def test_too_large_keeps_nothing(self, store: StorageBackend, leftovers: Leftovers) -> None:
        block = os.urandom(MiB)
        with pytest.raises(BlobTooLarge):
            store.write_stream((block for _ in range(12)), max_size=10 * MiB)
        assert leftovers() == []
        assert list(store.iter_uris()) == []

    def test_writer_too_large_aborts_itself(
        self, store: StorageBackend, leftovers: Leftovers
    ) -> None:
        writer = store.writer(max_size=5)
        writer.write(b"12345")
        with pytest.raises(BlobTooLarge):
            writer.write(b"6")
        writer.abort()
        assert leftovers() == []

    def test_abort(self, store: StorageBackend, leftovers: Leftovers) -> None:
        writer = store.writer()
        writer.write(os.urandom(9 * MiB))  # past one S3 part: a multipart upload is open
        writer.abort()
        writer.abort()  # idempotent
        with pytest.raises(RuntimeError):
            writer.commit()
        assert leftovers() == []
        assert list(store.iter_uris()) == []

    def test_write_stream_aborts_on_error(
        self, store: StorageBackend, leftovers: Leftovers
    ) -> None:
        def failing() -> Iterator[bytes]:
            yield b"x" * 1000
            raise Disconnect

        with pytest.raises(Disconnect):
            store.write_stream(failing())
        assert leftovers() == []
        assert list(store.iter_uris()) == []

    def test_delete(self, store: StorageBackend) -> None:
        blob = store.write_stream([b"bye"])
        store.delete(blob.uri)
        assert not store.exists(blob.uri)
        store.delete(blob.uri)  # missing is fine
        with pytest.raises(BlobNotFound):
            store.open_range(blob.uri)

    def test_missing_uri(self, store: StorageBackend) -> None:
        blob = store.write_stream([b"gone"])
        store.delete(blob.uri)
        for call in (
            lambda: store.open_range(blob.uri),
            lambda: store.open_range(blob.uri, 1, 2),
            lambda: store.open_range(blob.uri, 2, 1),
            lambda: store.size(blob.uri),
            lambda: store.checksums(blob.uri),
        ):
            with pytest.raises(BlobNotFound):
                call()

    @pytest.mark.parametrize(
        "uri", ["../../etc/passwd", "/etc/passwd", "ab/cd/ef", "", "s3://elsewhere/ab/cd/x"]
    )
    def test_foreign_uri(self, store: StorageBackend, uri: str) -> None:
        assert not store.exists(uri)
        with pytest.raises(BlobNotFound):
            store.open_range(uri)
        with pytest.raises(BlobNotFound):
            store.delete(uri)

    def test_iter_uris(self, store: StorageBackend) -> None:
        before = time.time() - 5
        blobs = [store.write_stream([os.urandom(n)]) for n in (0, 10, 1000)]
        store.multipart_start(1, 10, 10)  # pending uploads are not blobs
        store.append_start(10)
        listed = {uri: (size, mtime) for uri, size, mtime in store.iter_uris()}
        assert set(listed) == {blob.uri for blob in blobs}
        for blob in blobs:
            size, mtime = listed[blob.uri]
            assert size == blob.size
            assert before < mtime < time.time() + 5

    def test_checksums_detect_change(self, store: StorageBackend) -> None:
        blob = store.write_stream([b"original"])
        assert store.checksums(blob.uri) == (blob.md5, blob.sha256, blob.size)

    # -- multipart ---------------------------------------------------------------------------

    def test_multipart_out_of_order(self, store: StorageBackend, leftovers: Leftovers) -> None:
        data = os.urandom(3500)
        upload = store.multipart_start(parts=4, part_size=1000, size=3500)
        for part in (3, 1, 4, 2):
            piece = data[(part - 1) * 1000 : part * 1000]
            store.multipart_put(upload, part, chunked(piece, 333), len(piece))
        blob = store.multipart_complete(upload)
        assert_blob(store, blob, data)
        assert leftovers() == []

    def test_multipart_parallel(self, store: StorageBackend) -> None:
        part_size, parts = 4096, 16
        data = os.urandom(part_size * parts - 100)
        upload = store.multipart_start(parts, part_size, len(data))

        def put(part: int) -> None:
            piece = data[(part - 1) * part_size : part * part_size]
            store.multipart_put(upload, part, chunked(piece, 1000), len(piece))

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(put, reversed(range(1, parts + 1))))
        assert_blob(store, store.multipart_complete(upload), data)

    def test_multipart_wrong_length(self, store: StorageBackend) -> None:
        upload = store.multipart_start(parts=3, part_size=100, size=250)
        with pytest.raises(ValueError):
            store.multipart_put(upload, 1, [b"x" * 99], 99)  # declared length wrong
        with pytest.raises(ValueError):
            store.multipart_put(upload, 3, [b"x" * 100], 100)  # the last part is 50
        with pytest.raises(ValueError):
            store.multipart_put(upload, 1, [b"x" * 60, b"x" * 60], 100)  # body too long
        with pytest.raises(ValueError):
            store.multipart_put(upload, 2, [b"x" * 60], 100)  # body too short
        for bad_part in (0, 4):
            with pytest.raises(ValueError):
                store.multipart_put(upload, bad_part, [b"x" * 100], 100)
        store.multipart_put(upload, 3, [b"z" * 50], 50)
        with pytest.raises(ValueError, match=r"missing parts: 1, 2"):
            store.multipart_complete(upload)

    def test_multipart_missing_parts(self, store: StorageBackend) -> None:
        data = os.urandom(500)
        upload = store.multipart_start(parts=5, part_size=100, size=500)
        for part in (1, 3, 5):
            store.multipart_put(upload, part, [data[(part - 1) * 100 : part * 100]], 100)
        with pytest.raises(ValueError, match=r"missing parts: 2, 4$"):
            store.multipart_complete(upload)
        for part in (2, 4):
            store.multipart_put(upload, part, [data[(part - 1) * 100 : part * 100]], 100)
        blob = store.multipart_complete(upload)
        assert_blob(store, blob, data)
        assert store.multipart_complete(upload) == blob  # a retried complete

    def test_multipart_part_reuploaded(self, store: StorageBackend) -> None:
        upload = store.multipart_start(parts=2, part_size=100, size=150)
        store.multipart_put(upload, 1, [b"a" * 100], 100)
        store.multipart_put(upload, 2, [b"b" * 50], 50)
        with pytest.raises(Disconnect):
            store.multipart_put(upload, 1, _then_fail(b"c" * 40), 100)
        # after a failed re-upload the part is either still the earlier complete upload or
        # missing (to be sent again), never a mix of both
        try:
            blob = store.multipart_complete(upload)
        except ValueError as exc:
            assert str(exc) == "missing parts: 1"
            store.multipart_put(upload, 1, [b"c" * 100], 100)
            assert read_all(store, store.multipart_complete(upload).uri) == b"c" * 100 + b"b" * 50
        else:
            assert read_all(store, blob.uri) == b"a" * 100 + b"b" * 50

    def test_multipart_empty(self, store: StorageBackend) -> None:
        upload = store.multipart_start(parts=1, part_size=1, size=0)
        store.multipart_put(upload, 1, [], 0)
        assert_blob(store, store.multipart_complete(upload), b"")

    def test_multipart_bad_plan(self, store: StorageBackend) -> None:
        for parts, part_size, size in ((2, 100, 500), (3, 100, 200), (0, 100, 0), (1, 0, 0)):
            with pytest.raises(ValueError):
                store.multipart_start(parts, part_size, size)

    def test_multipart_abort(self, store: StorageBackend, leftovers: Leftovers) -> None:
        upload = store.multipart_start(parts=2, part_size=100, size=200)
        store.multipart_put(upload, 1, [b"a" * 100], 100)
        store.multipart_abort(upload)
        store.multipart_abort(upload)  # idempotent
        with pytest.raises(BlobNotFound):
            store.multipart_put(upload, 2, [b"b" * 100], 100)
        with pytest.raises(BlobNotFound):
            store.multipart_complete(upload)
        assert leftovers() == []
        assert list(store.iter_uris()) == []

    def test_multipart_unknown_id(self, store: StorageBackend) -> None:
        for upload in ("0" * 32, "../x", ""):
            with pytest.raises(BlobNotFound):
                store.multipart_put(upload, 1, [b"a"], 1)
            with pytest.raises(BlobNotFound):
                store.multipart_complete(upload)
            store.multipart_abort(upload)

    # -- appends -----------------------------------------------------------------------------

    def test_append_several_calls(self, store: StorageBackend, leftovers: Leftovers) -> None:
        data = os.urandom(10_000)
        upload = store.append_start(len(data))
        assert store.append_length(upload) == 0
        assert store.append(upload, 0, chunked(data[:3000], 1000)) == 3000
        with pytest.raises(ValueError):
            store.append(upload, 2000, [data[2000:4000]])  # behind
        with pytest.raises(ValueError):
            store.append(upload, 4000, [data[4000:5000]])  # ahead
        assert store.append_length(upload) == 3000
        assert store.append(upload, 3000, [data[3000:3001]]) == 3001
        with pytest.raises(ValueError, match="incomplete"):
            store.append_finish(upload)
        assert store.append(upload, 3001, chunked(data[3001:], 4096)) == len(data)
        blob = store.append_finish(upload)
        assert_blob(store, blob, data)
        assert leftovers() == []
        with pytest.raises(BlobNotFound):
            store.append_length(upload)

    def test_append_interrupted_keeps_received_bytes(self, store: StorageBackend) -> None:
        data = os.urandom(20_000)
        upload = store.append_start(len(data))

        def interrupted() -> Iterator[bytes]:
            yield data[:4000]
            yield data[4000:7000]
            raise Disconnect

        with pytest.raises(Disconnect):
            store.append(upload, 0, interrupted())
        assert store.append_length(upload) == 7000
        assert store.append(upload, 7000, [data[7000:]]) == len(data)
        assert_blob(store, store.append_finish(upload), data)

    def test_append_beyond_declared_size(self, store: StorageBackend) -> None:
        upload = store.append_start(10)
        with pytest.raises(ValueError):
            store.append(upload, 0, [b"12345", b"67890abc"])
        assert store.append_length(upload) == 10  # what fits is kept
        assert read_all(store, store.append_finish(upload).uri) == b"1234567890"

    def test_append_deferred_size_and_empty(self, store: StorageBackend) -> None:
        upload = store.append_start(None)
        assert store.append(upload, 0, []) == 0
        assert store.append(upload, 0, [b"abc"]) == 3
        assert_blob(store, store.append_finish(upload), b"abc")
        empty = store.append_start(0)
        assert_blob(store, store.append_finish(empty), b"")

    def test_append_checksum(self, store: StorageBackend) -> None:
        upload = store.append_start(None)
        good = ("sha1", hashlib.sha1(b"hello").digest())
        assert store.append(upload, 0, [b"hel", b"lo"], checksum=good) == 5
        bad = ("md5", hashlib.md5(b"other").digest())
        with pytest.raises(ChecksumMismatch):
            store.append(upload, 5, [b" world"], checksum=bad)
        assert store.append_length(upload) == 5  # nothing of a mismatched request is kept
        with pytest.raises(Disconnect):
            store.append(upload, 5, _then_fail(b" wor"), checksum=bad)
        assert store.append_length(upload) == 5  # nor of an interrupted, checksummed one
        with pytest.raises(ValueError):
            store.append(upload, 5, [b"x"], checksum=("nosuchhash", b""))
        assert read_all(store, store.append_finish(upload).uri) == b"hello"

    def test_append_concurrent_same_offset(self, store: StorageBackend) -> None:
        upload = store.append_start(None)
        outcome: dict[str, object] = {}

        def outer() -> Iterator[bytes]:
            yield b"a" * 100
            try:
                outcome["inner"] = store.append(upload, 0, [b"b" * 50])
            except ValueError as exc:
                outcome["inner"] = exc
            yield b"a" * 100

        try:
            outcome["outer"] = store.append(upload, 0, outer())
        except ValueError as exc:
            outcome["outer"] = exc
        failed = [name for name, value in outcome.items() if isinstance(value, ValueError)]
        assert len(failed) == 1, outcome  # exactly one of the two requests wins
        expected = b"b" * 50 if failed == ["outer"] else b"a" * 200
        assert read_all(store, store.append_finish(upload).uri) == expected

    def test_append_abort_and_unknown(self, store: StorageBackend, leftovers: Leftovers) -> None:
        upload = store.append_start(100)
        store.append(upload, 0, [b"x" * 10])
        store.append_abort(upload)
        store.append_abort(upload)
        for call in (
            lambda: store.append_length(upload),
            lambda: store.append(upload, 10, [b"y"]),
            lambda: store.append_finish(upload),
            lambda: store.append_length("not-an-id"),
            lambda: store.append("0" * 32, 0, [b"y"]),
        ):
            with pytest.raises(BlobNotFound):
                call()
        assert leftovers() == []

    def test_upload_kinds_are_separate(self, store: StorageBackend) -> None:
        upload = store.append_start(None)
        with pytest.raises(BlobNotFound):
            store.multipart_put(upload, 1, [b"a"], 1)
        multipart = store.multipart_start(1, 10, 10)
        with pytest.raises(BlobNotFound):
            store.append_length(multipart)

    # -- garbage collection ------------------------------------------------------------------

    def test_iter_uploads(self, store: StorageBackend) -> None:
        before = time.time() - 5
        multipart = store.multipart_start(2, 100, 150)
        append = store.append_start(None)
        store.append(append, 0, [b"x"])
        listed = {upload: (kind, mtime) for upload, kind, mtime in store.iter_uploads()}
        assert {upload: kind for upload, (kind, _) in listed.items()} == {
            multipart: "multipart",
            append: "append",
        }
        assert all(before < mtime < time.time() + 5 for _, mtime in listed.values())
        store.multipart_abort(multipart)
        store.append_abort(append)
        assert list(store.iter_uploads()) == []

    def test_purge_temporary(self, store: StorageBackend, leftovers: Leftovers) -> None:
        writer = store.writer()
        writer.write(os.urandom(9 * MiB))  # a killed writer's leftovers
        assert leftovers() != []
        assert store.purge_temporary(time.time() - 3600) == 0  # too young to purge
        upload = store.multipart_start(1, 10, 10)  # pending uploads are not temporary
        store.multipart_put(upload, 1, [b"0123456789"], 10)
        assert store.purge_temporary(time.time() + 10) == 1
        writer.abort()  # what a late abort finds gone is fine
        blob = store.multipart_complete(upload)
        assert read_all(store, blob.uri) == b"0123456789"
        assert leftovers() == []


def _then_fail(data: bytes) -> Iterator[bytes]:
    yield data
    raise Disconnect
