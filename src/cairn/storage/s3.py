"""Blobs as objects in an S3 bucket: AWS S3 or an S3-compatible store (MinIO, Ceph RGW, ...).

Keys under ``prefix``::

    ab/cd/<id>                        committed blobs
    .uploads/<id>/multipart.json      a multipart upload: its plan and mode
    .uploads/<id>/done-00001          native mode: part 1 arrived completely
    .uploads/<id>/part-00001          staged mode: part 1 as an object of its own
    .uploads/<id>/append.json         an append (tus) upload: its declared size
    .uploads/<id>/seg-<offset>        an append upload: bytes from offset (20 digits)

A blob appears under its final key only when its PutObject or CompleteMultipartUpload succeeds,
so a crash never leaves a partial object there; it may leave an incomplete S3 multipart upload,
which :meth:`S3Storage.purge_temporary` aborts. Uploads finished by multipart or appends get the
upload's id as blob id, so a retried finish finds the blob its first attempt made.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from cairn.storage.base import (
    CHUNK_SIZE,
    BlobNotFound,
    ByteStream,
    ChecksummingWriter,
    ChecksumMismatch,
    MiB,
    MultipartPlan,
    StorageError,
    StoredBlob,
    blob_key,
    check_range,
    check_upload_id,
    checksum_hasher,
    content_disposition,
    digest_blob,
    digest_chunks,
    exact_length,
    is_upload_id,
    logger,
    new_id,
    parse_blob_key,
    regroup,
    write_all,
)

NAME = "s3"
MIN_PART = 5 * MiB  # S3: every part of a multipart upload but the last
MAX_PART = 5 * 1024 * MiB
MAX_PARTS = 10_000
_MISSING = {"NoSuchKey", "NoSuchUpload", "404", "NotFound"}
_CONFLICT = {"PreconditionFailed", "ConditionalRequestConflict", "412"}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _translated(exc: Exception, what: str) -> StorageError:
    if isinstance(exc, ClientError):
        if _code(exc) in _MISSING:
            return BlobNotFound(f"{what}: not found")
        message = exc.response.get("Error", {}).get("Message", "")
        return StorageError(f"{what}: {_code(exc)} {message}".strip())
    return StorageError(f"{what}: {exc}")


@contextlib.contextmanager
def _s3_errors(what: str) -> Iterator[None]:
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise _translated(exc, what) from exc


def _body_chunks(body: Any, chunk_size: int, what: str) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(chunk_size)
    except (BotoCoreError, ClientError, OSError) as exc:
        raise _translated(exc, what) from exc


def make_client(
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
) -> Any:
    """A boto3 S3 client. Without keys boto3's usual chain applies (environment, shared
    config, instance role). S3-compatible stores (``endpoint_url``) get path-style addressing
    and checksum headers only where S3 requires them (some reject ``x-amz-checksum-*`` on
    every upload, boto3's default since 1.36)."""
    extra: dict[str, Any] = {}
    if endpoint_url:
        extra = {
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        }
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=32,
        **extra,
    )
    session = boto3.session.Session(
        aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=region
    )
    return session.client("s3", endpoint_url=endpoint_url or None, config=config)


def _writer_part_size(uploaded: int) -> int:
    """8 MiB parts, doubling every 1000 parts up to 64 MiB: ~490 GiB fit in 10,000 parts."""
    return min((8 * MiB) << (uploaded // 1000), 64 * MiB)


class _S3Writer(ChecksummingWriter):
    """Buffers a part (8 MiB+) at a time: one PutObject when small, else a multipart upload."""

    def __init__(self, store: S3Storage, key: str, max_size: int | None) -> None:
        super().__init__(max_size)
        self._store = store
        self._key = key
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    def _put(self, chunk: bytes) -> None:
        self._buffer += chunk
        if len(self._buffer) >= _writer_part_size(len(self._parts)):
            self._flush()

    def _flush(self) -> None:
        client, bucket = self._store._client, self._store.bucket
        with _s3_errors(f"cannot upload to {self._key}"):
            if self._upload_id is None:
                started = client.create_multipart_upload(Bucket=bucket, Key=self._key)
                self._upload_id = started["UploadId"]
            number = len(self._parts) + 1
            response = client.upload_part(
                Bucket=bucket,
                Key=self._key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=bytes(self._buffer),
            )
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})
        self._buffer = bytearray()

    def _finish(self, md5: str, sha256: str, size: int) -> StoredBlob:
        client, bucket = self._store._client, self._store.bucket
        if self._upload_id is None:
            with _s3_errors(f"cannot store {self._key}"):
                client.put_object(Bucket=bucket, Key=self._key, Body=bytes(self._buffer))
        else:
            if self._buffer:
                self._flush()
            with _s3_errors(f"cannot complete {self._key}"):
                client.complete_multipart_upload(
                    Bucket=bucket,
                    Key=self._key,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": self._parts},
                )
        self._buffer = bytearray()
        return StoredBlob(NAME, self._store._uri(self._key), size, md5, sha256)

    def _discard(self) -> None:
        self._buffer = bytearray()
        if self._upload_id is not None:
            upload_id, self._upload_id = self._upload_id, None
            self._store._abort_native(self._key, upload_id)


class _Segments:
    """Appends to an append upload: buffers up to ``segment_size`` bytes, then stores them as
    the object ``seg-<offset>``, created only if absent (If-None-Match), so two requests
    appending at the same offset cannot both succeed."""

    def __init__(self, store: S3Storage, prefix: str, position: int) -> None:
        self._store = store
        self._prefix = prefix
        self._start = position
        self.position = position  # bytes stored
        self._buffer = bytearray()
        self._written: list[str] = []

    @property
    def received(self) -> int:
        return self.position + len(self._buffer)

    def add(self, chunk: bytes) -> None:
        self._buffer += chunk
        if len(self._buffer) >= self._store.segment_size:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        key = f"{self._prefix}seg-{self.position:020d}"
        data, self._buffer = bytes(self._buffer), bytearray()
        try:
            self._store._client.put_object(
                Bucket=self._store.bucket, Key=key, Body=data, IfNoneMatch="*"
            )
        except ClientError as exc:
            if _code(exc) in _CONFLICT:
                raise ValueError("another request appended to this upload meanwhile") from None
            raise _translated(exc, f"cannot store {key}") from exc
        except BotoCoreError as exc:
            raise _translated(exc, f"cannot store {key}") from exc
        self._written.append(key)
        self.position += len(data)

    def keep(self) -> None:
        """After a failure: store what arrived before it, if the store lets us."""
        try:
            self.flush()
        except Exception:
            logger.warning("could not keep the bytes received before a failure", exc_info=True)

    def discard(self) -> None:
        """Remove every segment this request stored (all or nothing, for checksums)."""
        self._buffer = bytearray()
        written, self._written = self._written, []
        self.position = self._start
        if written:
            self._store._delete_keys(written)


class S3Storage:
    """Blobs in one bucket, under an optional key prefix."""

    name = NAME
    max_piece = 16 * MiB  # largest buffer a multipart part is cut into (memory per request)
    segment_size = 8 * MiB  # append uploads: bytes buffered per stored segment

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        presign: bool = False,
        *,
        client: Any = None,
    ) -> None:
        if not bucket:
            raise ValueError("an S3 bucket name is required")
        self.bucket = bucket
        prefix = prefix.strip("/")
        self.prefix = f"{prefix}/" if prefix else ""
        self.presign = presign
        self._client = (
            client
            if client is not None
            else make_client(endpoint_url, region, access_key, secret_key)
        )

    def close(self) -> None:
        self._client.close()

    # -- keys --------------------------------------------------------------------------------

    def _uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def _key(self, uri: str) -> str:
        head = f"s3://{self.bucket}/"
        key = uri[len(head) :] if isinstance(uri, str) and uri.startswith(head) else ""
        name, stem = key[-38:], key[:-38]
        if parse_blob_key(name) is None or (stem and not stem.endswith("/")):
            raise BlobNotFound(f"not a uri of this S3 store: {uri!r}")
        return key

    def _blob_key(self, blob_id: str) -> str:
        return self.prefix + blob_key(blob_id)

    def _upload_prefix(self, upload_id: str) -> str:
        return f"{self.prefix}.uploads/{check_upload_id(upload_id)}/"

    # -- small object helpers ----------------------------------------------------------------

    def _get_json(self, key: str) -> dict[str, Any]:
        with _s3_errors(f"cannot read {key}"):
            body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
            try:
                data = body.read()
            finally:
                body.close()
        loaded: dict[str, Any] = json.loads(data)
        return loaded

    def _put_json(self, key: str, data: dict[str, Any]) -> None:
        with _s3_errors(f"cannot write {key}"):
            self._client.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(data).encode())

    def _list(self, prefix: str) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("list_objects_v2")
        with _s3_errors(f"cannot list {prefix or 'the bucket'}"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                yield from page.get("Contents", [])

    def _names(self, prefix: str) -> dict[str, int]:
        return {obj["Key"][len(prefix) :]: obj["Size"] for obj in self._list(prefix)}

    def _delete_keys(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            with _s3_errors("cannot delete objects"):
                response = self._client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            if response.get("Errors"):
                raise StorageError(f"cannot delete objects: {response['Errors'][:3]}")

    def _delete_prefix(self, prefix: str) -> None:
        """Delete an upload's objects, its ``*.json`` description last."""
        keys = [obj["Key"] for obj in self._list(prefix)]
        self._delete_keys([key for key in keys if not key.endswith(".json")])
        self._delete_keys([key for key in keys if key.endswith(".json")])

    def _abort_native(self, key: str, upload_id: str) -> None:
        with contextlib.suppress(BlobNotFound), _s3_errors(f"cannot abort an upload of {key}"):
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def _stream_key(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        with _s3_errors(f"cannot read {key}"):
            body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"]
        with ByteStream(_body_chunks(body, chunk_size, f"cannot read {key}"), body.close) as it:
            yield from it

    # -- blobs -------------------------------------------------------------------------------

    def writer(self, max_size: int | None = None) -> _S3Writer:
        return _S3Writer(self, self._blob_key(new_id()), max_size)

    def write_stream(self, chunks: Iterable[bytes], max_size: int | None = None) -> StoredBlob:
        return write_all(self.writer(max_size), chunks)

    def open_range(
        self, uri: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> ByteStream:
        check_range(start, end)
        key = self._key(uri)
        if end is not None and end <= start:
            self.size(uri)  # still a BlobNotFound when missing
            return ByteStream(iter(()))
        params = {"Bucket": self.bucket, "Key": key}
        if start or end is not None:
            params["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            body = self._client.get_object(**params)["Body"]
        except ClientError as exc:
            if _code(exc) == "InvalidRange":  # start at or past the end: nothing to send
                return ByteStream(iter(()))
            raise _translated(exc, f"cannot read {uri}") from exc
        except BotoCoreError as exc:
            raise _translated(exc, f"cannot read {uri}") from exc
        return ByteStream(_body_chunks(body, chunk_size, f"cannot read {uri}"), body.close)

    def size(self, uri: str) -> int:
        key = self._key(uri)
        with _s3_errors(f"cannot stat {uri}"):
            return int(self._client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])

    def exists(self, uri: str) -> bool:
        try:
            self.size(uri)
        except BlobNotFound:
            return False
        return True

    def delete(self, uri: str) -> None:
        key = self._key(uri)
        with _s3_errors(f"cannot delete {uri}"):
            self._client.delete_object(Bucket=self.bucket, Key=key)

    def checksums(self, uri: str) -> tuple[str, str, int]:
        with self.open_range(uri) as chunks:
            return digest_chunks(chunks)

    def iter_uris(self) -> Iterator[tuple[str, int, float]]:
        for obj in self._list(self.prefix):
            if parse_blob_key(obj["Key"][len(self.prefix) :]) is not None:
                yield self._uri(obj["Key"]), obj["Size"], obj["LastModified"].timestamp()

    def local_path(self, uri: str) -> Path | None:
        return None

    def presigned_url(
        self,
        uri: str,
        filename: str,
        content_type: str,
        expires: int = 3600,
        disposition: str = "attachment",
    ) -> str | None:
        if not self.presign:
            return None
        params = {
            "Bucket": self.bucket,
            "Key": self._key(uri),
            "ResponseContentDisposition": content_disposition(filename, disposition),
            "ResponseContentType": content_type,
        }
        with _s3_errors(f"cannot sign a URL for {uri}"):
            url: str = self._client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires
            )
        return url

    # -- uploads: shared ---------------------------------------------------------------------

    def _finished_before(self, upload_id: str) -> StoredBlob | None:
        """A retried finish whose first attempt stored the blob but died before cleaning up."""
        uri = self._uri(self._blob_key(upload_id))
        if not self.exists(uri):
            return None
        md5, sha256, size = self.checksums(uri)
        self._delete_prefix(self._upload_prefix(upload_id))
        return StoredBlob(NAME, uri, size, md5, sha256)

    def _meta_or_finished(self, upload_id: str, kind: str) -> dict[str, Any] | StoredBlob:
        try:
            return self._get_json(f"{self._upload_prefix(upload_id)}{kind}.json")
        except BlobNotFound:
            done = self._finished_before(upload_id)
            if done is None:
                raise BlobNotFound(f"no such {kind} upload: {upload_id}") from None
            return done

    def _compose_stream(self, blob_id: str, keys: list[str]) -> StoredBlob:
        """Read the pieces back in order through one writer: checksums in the same pass."""
        writer = _S3Writer(self, self._blob_key(blob_id), None)
        return write_all(writer, chain.from_iterable(self._stream_key(key) for key in keys))

    def _compose_copy(self, blob_id: str, keys: list[str]) -> StoredBlob:
        """Assemble pieces (each >= 5 MiB but the last) server side with UploadPartCopy, then
        stream the result back once for its checksums."""
        key = self._blob_key(blob_id)
        with _s3_errors(f"cannot start {key}"):
            upload_id = self._client.create_multipart_upload(Bucket=self.bucket, Key=key)[
                "UploadId"
            ]

        def copy(number: int) -> dict[str, Any]:
            with _s3_errors(f"cannot copy {keys[number - 1]}"):
                result = self._client.upload_part_copy(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    CopySource={"Bucket": self.bucket, "Key": keys[number - 1]},
                )
            return {"PartNumber": number, "ETag": result["CopyPartResult"]["ETag"]}

        try:
            with ThreadPoolExecutor(max_workers=8) as pool:
                parts = list(pool.map(copy, range(1, len(keys) + 1)))
            with _s3_errors(f"cannot complete {key}"):
                self._client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            with contextlib.suppress(StorageError):
                self._abort_native(key, upload_id)
            raise
        return self._checksummed(key)

    def _checksummed(self, key: str) -> StoredBlob:
        uri = self._uri(key)
        digests = digest_blob(self.open_range(uri))
        md5, sha256, size = digests.result()
        return StoredBlob(NAME, uri, size, md5, sha256, digests.crc32)

    def iter_uploads(self) -> Iterator[tuple[str, str, float]]:
        """Pending uploads: (upload id, "multipart" | "append", last activity epoch)."""
        base = f"{self.prefix}.uploads/"
        seen: dict[str, tuple[str, float]] = {}
        for obj in self._list(base):
            upload_id, _, name = obj["Key"][len(base) :].partition("/")
            if not is_upload_id(upload_id):
                continue
            kind, mtime = seen.get(upload_id, ("multipart", 0.0))
            if name == "append.json" or name.startswith("seg-"):
                kind = "append"
            seen[upload_id] = (kind, max(mtime, obj["LastModified"].timestamp()))
        for upload_id, (kind, mtime) in seen.items():
            yield upload_id, kind, mtime

    def purge_temporary(self, older_than: float) -> int:
        """Abort S3 multipart uploads idle since before ``older_than`` (epoch) that no pending
        Cairn upload owns: what killed writers leave behind. Returns how many."""
        live = {upload_id for upload_id, _, _ in self.iter_uploads()}
        removed = 0
        paginator = self._client.get_paginator("list_multipart_uploads")
        with _s3_errors("cannot list multipart uploads"):
            pages = list(paginator.paginate(Bucket=self.bucket, Prefix=self.prefix))
        for page in pages:
            for upload in page.get("Uploads", []):
                if parse_blob_key(upload["Key"][len(self.prefix) :]) in live:
                    continue
                if self._last_activity(upload) >= older_than:
                    continue
                self._abort_native(upload["Key"], upload["UploadId"])
                removed += 1
        return removed

    def _last_activity(self, upload: dict[str, Any]) -> float:
        """When an S3 multipart upload last received a part (else when it started), so a slow
        but live writer is not taken for a dead one."""
        latest = upload["Initiated"].timestamp()
        paginator = self._client.get_paginator("list_parts")
        with contextlib.suppress(BlobNotFound), _s3_errors("cannot list parts"):
            for page in paginator.paginate(
                Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            ):
                for part in page.get("Parts", []):
                    latest = max(latest, part["LastModified"].timestamp())
        return latest

    # -- multipart ---------------------------------------------------------------------------

    def _native_layout(self, plan: MultipartPlan) -> tuple[int, int] | None:
        """(piece, pieces per part) when the parts can be cut into pieces of one S3 multipart
        upload directly (pieces >= 5 MiB, <= 10,000 in all); None: stage parts as objects."""
        if plan.size == 0 or plan.part_size < MIN_PART:
            return None
        per_part = math.ceil(plan.part_size / self.max_piece)
        piece = math.ceil(plan.part_size / per_part)
        if min(piece, plan.part_size - (per_part - 1) * piece) < MIN_PART:
            per_part, piece = 1, plan.part_size
        if plan.parts * per_part > MAX_PARTS:
            return None
        return piece, per_part

    def multipart_start(self, parts: int, part_size: int, size: int) -> str:
        plan = MultipartPlan(parts, part_size, size)
        if part_size > MAX_PART:
            raise ValueError("part_size must be at most 5 GiB")
        upload_id = new_id()
        meta: dict[str, Any] = {**plan.to_dict(), "mode": "staged"}
        layout = self._native_layout(plan)
        if layout is not None:
            key = self._blob_key(upload_id)
            with _s3_errors(f"cannot start {key}"):
                started = self._client.create_multipart_upload(Bucket=self.bucket, Key=key)
            meta.update(
                mode="native", s3_upload=started["UploadId"], piece=layout[0], per_part=layout[1]
            )
        self._put_json(f"{self._upload_prefix(upload_id)}multipart.json", meta)
        return upload_id

    def _multipart_meta(self, upload_id: str) -> tuple[dict[str, Any], MultipartPlan]:
        try:
            meta = self._get_json(f"{self._upload_prefix(upload_id)}multipart.json")
        except BlobNotFound:
            raise BlobNotFound(f"no such multipart upload: {upload_id}") from None
        return meta, MultipartPlan(meta["parts"], meta["part_size"], meta["size"])

    def multipart_put(
        self, upload_id: str, part: int, chunks: Iterable[bytes], length: int
    ) -> None:
        meta, plan = self._multipart_meta(upload_id)
        plan.check_length(part, length)
        prefix = self._upload_prefix(upload_id)
        if meta["mode"] == "staged":
            writer = _S3Writer(self, f"{prefix}part-{part:05d}", None)
            write_all(writer, exact_length(chunks, length))
            return
        marker = f"{prefix}done-{part:05d}"
        key = self._blob_key(upload_id)
        first = (part - 1) * meta["per_part"]
        with _s3_errors(f"cannot write part {part} of upload {upload_id}"):
            self._client.delete_object(Bucket=self.bucket, Key=marker)  # a failed re-upload
            for index, piece in enumerate(regroup(chunks, length, meta["piece"]), start=1):
                self._client.upload_part(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=meta["s3_upload"],
                    PartNumber=first + index,
                    Body=piece,
                )
            self._client.put_object(Bucket=self.bucket, Key=marker, Body=b"")

    def multipart_complete(self, upload_id: str) -> StoredBlob:
        found = self._meta_or_finished(upload_id, "multipart")
        if isinstance(found, StoredBlob):
            return found
        meta = found
        plan = MultipartPlan(meta["parts"], meta["part_size"], meta["size"])
        prefix = self._upload_prefix(upload_id)
        names = self._names(prefix)
        if meta["mode"] == "staged":
            plan.require_all(int(n[5:]) for n in names if n.startswith("part-"))
            keys = [f"{prefix}part-{n:05d}" for n in range(1, plan.parts + 1)]
            blob = self._compose_stream(upload_id, keys)
        else:
            plan.require_all(int(n[5:]) for n in names if n.startswith("done-"))
            blob = self._complete_native(upload_id, meta, plan)
        self._delete_prefix(prefix)
        return blob

    def _complete_native(
        self, upload_id: str, meta: dict[str, Any], plan: MultipartPlan
    ) -> StoredBlob:
        key = self._blob_key(upload_id)
        piece, per_part = meta["piece"], meta["per_part"]
        listed: dict[int, tuple[str, int]] = {}
        try:
            paginator = self._client.get_paginator("list_parts")
            with _s3_errors(f"cannot list the parts of {key}"):
                for page in paginator.paginate(
                    Bucket=self.bucket, Key=key, UploadId=meta["s3_upload"]
                ):
                    for p in page.get("Parts", []):
                        listed[p["PartNumber"]] = (p["ETag"], p["Size"])
        except BlobNotFound:  # completed by an earlier attempt
            return self._checksummed(key)
        parts: list[dict[str, Any]] = []
        complete: list[int] = []
        for part in range(1, plan.parts + 1):
            length = plan.part_length(part)
            base = (part - 1) * per_part
            expected = [
                (base + j + 1, min(piece, length - j * piece))
                for j in range(math.ceil(length / piece))
            ]
            if all(listed.get(n, ("", -1))[1] == size for n, size in expected):
                parts.extend({"PartNumber": n, "ETag": listed[n][0]} for n, _ in expected)
                complete.append(part)
        plan.require_all(complete)
        with _s3_errors(f"cannot complete {key}"):
            self._client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=meta["s3_upload"],
                MultipartUpload={"Parts": parts},
            )
        return self._checksummed(key)

    def multipart_abort(self, upload_id: str) -> None:
        if not is_upload_id(upload_id):
            return
        prefix = self._upload_prefix(upload_id)
        with contextlib.suppress(BlobNotFound):
            meta = self._get_json(f"{prefix}multipart.json")
            if meta.get("mode") == "native":
                self._abort_native(self._blob_key(upload_id), meta["s3_upload"])
        self._delete_prefix(prefix)

    # -- appends (tus) -----------------------------------------------------------------------

    def append_start(self, size: int | None) -> str:
        if size is not None and size < 0:
            raise ValueError("size must be >= 0")
        upload_id = new_id()
        self._put_json(f"{self._upload_prefix(upload_id)}append.json", {"size": size})
        return upload_id

    def _segments(self, upload_id: str) -> list[tuple[int, int]]:
        """(offset, size) of the stored segments, checked to follow each other."""
        names = self._names(self._upload_prefix(upload_id))
        if "append.json" not in names:
            raise BlobNotFound(f"no such append upload: {upload_id}")
        segments = sorted((int(n[4:]), size) for n, size in names.items() if n.startswith("seg-"))
        position = 0
        for offset, size in segments:
            if offset != position:
                raise StorageError(f"upload {upload_id} is damaged at byte {position}")
            position += size
        return segments

    def append(
        self,
        upload_id: str,
        offset: int,
        chunks: Iterable[bytes],
        checksum: tuple[str, bytes] | None = None,
    ) -> int:
        hasher = checksum_hasher(checksum[0]) if checksum else None
        prefix = self._upload_prefix(upload_id)
        segments = self._segments(upload_id)
        declared = self._get_json(f"{prefix}append.json").get("size")
        length = sum(size for _, size in segments)
        if offset != length:
            raise ValueError(f"offset {offset} does not match the upload's length {length}")
        stored = _Segments(self, prefix, offset)
        try:
            for chunk in chunks:
                if declared is not None and stored.received + len(chunk) > declared:
                    stored.add(chunk[: declared - stored.received])
                    raise ValueError(f"the upload would exceed its length of {declared}")
                stored.add(chunk)
                if hasher is not None:
                    hasher.update(chunk)
            if hasher is not None and checksum and hasher.digest() != checksum[1]:
                raise ChecksumMismatch("the checksum of the appended bytes does not match")
            stored.flush()
        except BaseException:
            if hasher is not None:  # with a checksum it is all or nothing
                stored.discard()
            else:
                stored.keep()
            raise
        return stored.position

    def append_length(self, upload_id: str) -> int:
        return sum(size for _, size in self._segments(upload_id))

    def append_finish(self, upload_id: str) -> StoredBlob:
        found = self._meta_or_finished(upload_id, "append")
        if isinstance(found, StoredBlob):
            return found
        declared = found.get("size")
        segments = self._segments(upload_id)
        length = sum(size for _, size in segments)
        if declared is not None and length != declared:
            raise ValueError(f"the upload is incomplete: {length} of {declared} bytes")
        prefix = self._upload_prefix(upload_id)
        keys = [f"{prefix}seg-{offset:020d}" for offset, _ in segments]
        copyable = 0 < len(segments) <= MAX_PARTS and all(
            size >= MIN_PART for _, size in segments[:-1]
        )
        if copyable and length >= MIN_PART:
            blob = self._compose_copy(upload_id, keys)
        else:
            blob = self._compose_stream(upload_id, keys)
        self._delete_prefix(prefix)
        return blob

    def append_abort(self, upload_id: str) -> None:
        if is_upload_id(upload_id):
            self._delete_prefix(self._upload_prefix(upload_id))
