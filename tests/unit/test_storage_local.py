"""The local storage backend: the shared conformance cases, plus what only a filesystem has
(layout, crash safety, flat memory, X-Accel-Redirect paths)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from cairn.storage import (
    BlobNotFound,
    LocalStorage,
    StorageConfig,
    build_storage,
    content_disposition,
)
from cairn.storage import local as local_module
from cairn.storage.base import MultipartPlan, regroup
from tests.service.storage_conformance import Leftovers, StorageConformance

MiB = 1 << 20
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files")


@pytest.fixture
def leftovers(store: LocalStorage) -> Leftovers:
    def find() -> list[str]:
        blobs = {uri for uri, _, _ in store.iter_uris()}
        return sorted(
            str(path.relative_to(store.root))
            for path in store.root.rglob("*")
            if path.is_file() and str(path.relative_to(store.root)) not in blobs
        )

    return find


class TestLocalConformance(StorageConformance):
    pass


def test_layout(store: LocalStorage) -> None:
    blob = store.write_stream([b"hello"])
    assert re.fullmatch(r"([0-9a-f]{2})/([0-9a-f]{2})/\1\2[0-9a-f]{28}", blob.uri)
    assert (store.root / blob.uri).read_bytes() == b"hello"
    assert store.local_path(blob.uri) == store.root / blob.uri
    assert store.presigned_url(blob.uri, "a.txt", "text/plain") is None
    assert list((store.root / ".tmp").iterdir()) == []
    store.delete(blob.uri)
    with pytest.raises(BlobNotFound):
        store.local_path(blob.uri)


def test_uncommitted_bytes_never_have_a_final_name(store: LocalStorage) -> None:
    writer = store.writer()
    writer.write(b"partial")  # the process dies here: only .tmp holds the bytes
    assert list(store.iter_uris()) == []
    assert [p.name for p in (store.root / ".tmp").iterdir()] != []
    writer.abort()


def test_commit_fsyncs_then_renames_then_fsyncs_the_directory(
    store: LocalStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync-dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync-file")
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append("replace")
        real_replace(src, dst)

    writer = store.writer()
    writer.write(b"data")
    monkeypatch.setattr(local_module.os, "fsync", fsync)
    monkeypatch.setattr(local_module.os, "replace", replace)
    writer.commit()
    assert calls[0] == "fsync-file"
    assert calls[-2:] == ["replace", "fsync-dir"]


def test_flipped_byte_is_caught(store: LocalStorage) -> None:
    blob = store.write_stream([b"precious data"])
    path = store.local_path(blob.uri)
    raw = bytearray(path.read_bytes())
    raw[3] ^= 0x01
    path.write_bytes(bytes(raw))
    md5, sha256, size = store.checksums(blob.uri)
    assert size == blob.size
    assert (md5, sha256) != (blob.md5, blob.sha256)


def test_multipart_preallocates(store: LocalStorage) -> None:
    upload = store.multipart_start(parts=3, part_size=1000, size=2500)
    assert (store.root / ".uploads" / upload / "data").stat().st_size == 2500


def test_append_survives_kill_9(store: LocalStorage) -> None:
    """A server killed mid-request keeps what reached the disk; the client resumes there."""
    upload = store.append_start(None)
    script = (
        "import os, signal, sys\n"
        "from cairn.storage import LocalStorage\n"
        "def chunks():\n"
        "    yield b'a' * 3000\n"
        "    yield b'b' * 2000\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "    yield b'never'\n"
        f"LocalStorage(sys.argv[1]).append({upload!r}, 0, chunks())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(store.root)], cwd=ROOT, timeout=30, check=False
    )
    assert done.returncode == -9
    assert store.append_length(upload) == 5000
    store.append(upload, 5000, [b"c"])
    assert store.append_finish(upload).size == 5001


def _generated(total_mib: int, digests: list[hashlib._Hash]) -> Iterator[bytes]:
    seed = os.urandom(MiB)
    for index in range(total_mib):
        chunk = index.to_bytes(8, "big") + seed[8:]
        for digest in digests:
            digest.update(chunk)
        yield chunk


def test_memory_stays_flat_for_200_mb(store: LocalStorage) -> None:
    expected = [hashlib.md5(), hashlib.sha256()]
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        blob = store.write_stream(_generated(200, expected))
        read_back = hashlib.sha256()
        for chunk in store.open_range(blob.uri):
            read_back.update(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert blob.size == 200 * MiB
    assert (blob.md5, blob.sha256) == (expected[0].hexdigest(), expected[1].hexdigest())
    assert read_back.hexdigest() == blob.sha256
    assert peak - baseline < 20 * MiB, f"grew by {(peak - baseline) / MiB:.1f} MiB"


# -- helpers and the factory -----------------------------------------------------------------


def test_factory_builds_local(tmp_path: Path) -> None:
    built = build_storage(StorageConfig(backend="local", local_root=tmp_path / "blobs"))
    assert isinstance(built, LocalStorage)
    assert (tmp_path / "blobs" / ".tmp").is_dir()
    with pytest.raises(ValueError):
        build_storage(StorageConfig(backend="local"))
    with pytest.raises(ValueError):
        build_storage(StorageConfig(backend="ftp", local_root=tmp_path))
    with pytest.raises(ValueError):
        build_storage(StorageConfig(backend="s3"))
    with pytest.raises(ValueError):
        build_storage(StorageConfig(backend="s3", s3_bucket="b", s3_access_key="only-one"))
    assert "hunter2" not in repr(StorageConfig(s3_secret_key="hunter2"))


def test_content_disposition() -> None:
    assert content_disposition("data.csv") == (
        "attachment; filename=\"data.csv\"; filename*=UTF-8''data.csv"
    )
    header = content_disposition('dir/Ünï "x"\r\n.txt', "inline")
    assert header.startswith('inline; filename="_n_ _x_.txt"; ')
    assert header.endswith("filename*=UTF-8''%C3%9Cn%C3%AF%20%22x%22.txt")
    with pytest.raises(ValueError):
        content_disposition("a", "evil")


def test_regroup_and_plan() -> None:
    assert list(regroup([b"abc", b"defg", b"h"], 8, 3)) == [b"abc", b"def", b"gh"]
    with pytest.raises(ValueError):
        list(regroup([b"abc"], 2, 3))
    with pytest.raises(ValueError):
        list(regroup([b"abc"], 4, 3))
    plan = MultipartPlan(parts=3, part_size=10, size=25)
    assert [plan.part_length(n) for n in (1, 2, 3)] == [10, 10, 5]
    assert plan.offset(3) == 20
