"""The S3 storage backend against moto's server mode over real HTTP on 127.0.0.1, with the
unchanged boto3 client: the shared conformance cases, plus native multipart, server-side
composition, presigned URLs and error translation."""

from __future__ import annotations

import hashlib
import os
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from cairn.storage import BlobNotFound, StorageConfig, StorageError, build_storage
from cairn.storage.s3 import S3Storage, make_client
from tests.service.storage_conformance import (
    Leftovers,
    StorageConformance,
    assert_blob,
    chunked,
    read_all,
)

MiB = 1 << 20
KEYS: dict[str, Any] = {"access_key": "testing", "secret_key": "testing", "region": "us-east-1"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3_admin(s3_endpoint: str) -> Iterator[Any]:
    """A plain boto3 client, to look behind the backend's back."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    yield client
    client.close()


@pytest.fixture(scope="session")
def bucket(s3_admin: Any) -> str:
    s3_admin.create_bucket(Bucket="cairn-test")
    return "cairn-test"


@pytest.fixture(scope="session")
def s3_client(s3_endpoint: str) -> Iterator[Any]:
    """The backend's own client, built once: making a boto3 client costs ~0.2 s."""
    client = make_client(s3_endpoint, "us-east-1", "testing", "testing")
    yield client
    client.close()


@pytest.fixture
def store(s3_client: Any, bucket: str) -> S3Storage:
    return S3Storage(bucket, prefix=f"t-{uuid.uuid4().hex[:8]}", client=s3_client)


@pytest.fixture
def leftovers(store: S3Storage, s3_admin: Any) -> Leftovers:
    def find() -> list[str]:
        blobs = {uri for uri, _, _ in store.iter_uris()}
        listed = s3_admin.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix)
        objects = [
            obj["Key"]
            for obj in listed.get("Contents", [])
            if f"s3://{store.bucket}/{obj['Key']}" not in blobs
        ]
        uploads = s3_admin.list_multipart_uploads(Bucket=store.bucket, Prefix=store.prefix)
        return objects + [f"upload:{u['Key']}" for u in uploads.get("Uploads", [])]

    return find


class TestS3Conformance(StorageConformance):
    pass


def test_writer_uses_native_multipart_for_large_blobs(
    store: S3Storage, s3_admin: Any, leftovers: Leftovers
) -> None:
    data = os.urandom(17 * MiB + 5)
    blob = store.write_stream(chunked(data, MiB))
    assert blob.uri.startswith(f"s3://{store.bucket}/{store.prefix}")
    assert_blob(store, blob, data)
    key = blob.uri.split("/", 3)[3]
    etag = s3_admin.head_object(Bucket=store.bucket, Key=key)["ETag"]
    assert etag.endswith('-3"')  # 8 + 8 + 1 MiB parts
    assert leftovers() == []


def test_native_multipart(store: S3Storage, leftovers: Leftovers) -> None:
    part_size = 5 * MiB
    data = os.urandom(2 * part_size + 1234)
    upload = store.multipart_start(parts=3, part_size=part_size, size=len(data))
    for part in (3, 1, 2):
        piece = data[(part - 1) * part_size : part * part_size]
        store.multipart_put(upload, part, chunked(piece, MiB), len(piece))
    assert store.purge_temporary(time.time() + 60) == 0  # a live multipart is kept
    with pytest.raises(ValueError):
        store.multipart_put(upload, 1, [b"short"], part_size)
    with pytest.raises(ValueError, match=r"missing parts: 1$"):
        store.multipart_complete(upload)  # the failed re-upload dropped part 1's marker
    store.multipart_put(upload, 1, chunked(data[:part_size], MiB), part_size)
    blob = store.multipart_complete(upload)
    assert blob.uri.endswith(upload)
    assert_blob(store, blob, data)
    assert store.multipart_complete(upload) == blob
    assert leftovers() == []


def test_native_multipart_cuts_large_parts(store: S3Storage, s3_admin: Any) -> None:
    store.max_piece = 6 * MiB  # parts of 11 MiB go up as two S3 parts of 5.5 MiB
    part_size = 11 * MiB
    data = os.urandom(part_size + 3 * MiB)
    upload = store.multipart_start(parts=2, part_size=part_size, size=len(data))
    store.multipart_put(upload, 2, [data[part_size:]], 3 * MiB)
    store.multipart_put(upload, 1, chunked(data[:part_size], 3 * MiB), part_size)
    blob = store.multipart_complete(upload)
    assert_blob(store, blob, data)
    etag = s3_admin.head_object(Bucket=store.bucket, Key=blob.uri.split("/", 3)[3])["ETag"]
    assert etag.endswith('-3"')


def test_append_composes_large_segments_server_side(
    store: S3Storage, s3_admin: Any, leftovers: Leftovers, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.segment_size = 5 * MiB
    data = os.urandom(11 * MiB)
    upload = store.append_start(len(data))
    store.append(upload, 0, chunked(data[: 5 * MiB], MiB))
    store.append(upload, 5 * MiB, chunked(data[5 * MiB :], MiB))
    streamed: list[str] = []
    monkeypatch.setattr(store, "_compose_stream", lambda *a: streamed.append("x"))
    blob = store.append_finish(upload)
    assert streamed == []
    assert_blob(store, blob, data)
    assert leftovers() == []


def test_presigned_url(s3_endpoint: str, bucket: str) -> None:
    plain = S3Storage(bucket, endpoint_url=s3_endpoint, **KEYS)
    signing = S3Storage(bucket, endpoint_url=s3_endpoint, presign=True, **KEYS)
    try:
        blob = plain.write_stream([b"<svg/>"])
        assert plain.presigned_url(blob.uri, "a.svg", "image/svg+xml") is None
        url = signing.presigned_url(blob.uri, "dir/Ünï.svg", "image/svg+xml", expires=60)
        assert url is not None
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read() == b"<svg/>"
            assert response.headers["Content-Type"] == "image/svg+xml"
            disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''%C3%9Cn%C3%AF.svg" in disposition
        assert plain.local_path(blob.uri) is None
    finally:
        plain.close()
        signing.close()


def test_uri_of_another_bucket_or_prefix(store: S3Storage, s3_endpoint: str, bucket: str) -> None:
    blob = store.write_stream([b"x"])
    other_prefix = S3Storage(bucket, prefix="elsewhere/", endpoint_url=s3_endpoint, **KEYS)
    other_bucket = S3Storage("other-bucket", endpoint_url=s3_endpoint, **KEYS)
    try:
        assert read_all(other_prefix, blob.uri) == b"x"  # a uri names its full key
        with pytest.raises(BlobNotFound):
            other_bucket.size(blob.uri)
    finally:
        other_prefix.close()
        other_bucket.close()


def test_backend_failures_become_storage_errors(s3_endpoint: str) -> None:
    missing = S3Storage("no-such-bucket", endpoint_url=s3_endpoint, **KEYS)
    no_retries = Config(retries={"total_max_attempts": 1}, connect_timeout=1)
    unreachable = S3Storage(
        "b",
        client=boto3.client(
            "s3",
            endpoint_url="http://127.0.0.1:9",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
            config=no_retries,
        ),
    )
    try:
        with pytest.raises(StorageError) as caught:
            missing.write_stream([b"x"])
        assert not isinstance(caught.value, BlobNotFound)
        with pytest.raises(StorageError):
            list(unreachable.iter_uris())
    finally:
        missing.close()
        unreachable.close()


def test_factory_builds_s3(s3_endpoint: str, bucket: str) -> None:
    built = build_storage(
        StorageConfig(
            backend="s3",
            s3_bucket=bucket,
            s3_prefix="/factory/",
            s3_endpoint_url=s3_endpoint,
            s3_region="us-east-1",
            s3_access_key="testing",
            s3_secret_key="testing",
        )
    )
    assert isinstance(built, S3Storage)
    try:
        assert built.prefix == "factory/"
        blob = built.write_stream([b"abc"])
        assert blob.md5 == hashlib.md5(b"abc").hexdigest()
        assert blob.uri.startswith(f"s3://{bucket}/factory/")
    finally:
        built.close()
    settings_style = build_storage(  # empty strings, as settings give them, mean "unset"
        StorageConfig(
            backend="s3",
            s3_bucket=bucket,
            s3_endpoint_url=s3_endpoint,
            s3_region="",
            s3_access_key="testing",
            s3_secret_key="testing",
            s3_presign=True,
        )
    )
    assert isinstance(settings_style, S3Storage)
    try:
        blob = settings_style.write_stream([b"xyz"])
        url = settings_style.presigned_url(blob.uri, "x.bin", "application/octet-stream")
        assert url is not None
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read() == b"xyz"
    finally:
        settings_style.close()
