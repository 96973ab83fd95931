"""Fixity checks, garbage collection and moving files between backends (local)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from cairn.core.identity import SYSTEM
from cairn.core.timeutil import utcnow
from cairn.files.maintenance import FilesMaintenance
from cairn.files.models import FileBlob, FixityCheck
from tests.factories import minimal_record


def _draft_with_file(services, user, key: str, data: bytes) -> str:
    body = minimal_record()
    body["files"] = {"enabled": True}
    rid = services.records.create(user.identity, body).id
    services.files.init_files(user.identity, rid, [{"key": key}])
    services.files.upload_content(user.identity, rid, key, iter([data]))
    services.files.commit(user.identity, rid, key)
    return rid


def test_fixity_catches_a_flipped_byte(services, factory, db):
    user = factory.user()
    _draft_with_file(services, user, "good.txt", b"all fine")
    _draft_with_file(services, user, "bad.txt", b"will be damaged")
    maintenance = FilesMaintenance(db, services.files.storages)
    with db.read() as session:
        blob = session.scalar(select(FileBlob).where(FileBlob.size == len(b"will be damaged")))
    path = services.files.storages["local"].local_path(blob.uri)
    assert isinstance(path, Path)
    raw = bytearray(path.read_bytes())
    raw[3] ^= 0x01
    os.chmod(path, 0o644)
    path.write_bytes(bytes(raw))

    ids = maintenance.blobs_to_check(SYSTEM)
    report = maintenance.check(SYSTEM, ids)
    assert report.checked == 2 and len(report.failures) == 1
    failure = report.failures[0]
    assert failure["blob"] == blob.id and "draft:" in failure["keys"][0]
    with db.read() as session:
        assert session.get(FileBlob, blob.id).last_check_ok is False
        assert len(list(session.scalars(select(FixityCheck)))) == 2
    assert maintenance.blobs_to_check(SYSTEM, since=utcnow() + timedelta(days=1)) == []
    assert len(maintenance.blobs_to_check(SYSTEM, sample=0.5)) == 1


def test_gc_removes_only_unreferenced_blobs(services, factory, db):
    user = factory.user()
    rid = _draft_with_file(services, user, "keep.txt", b"keep me")
    services.files.init_files(user.identity, rid, [{"key": "gone.txt"}])
    services.files.upload_content(user.identity, rid, "gone.txt", iter([b"drop me"]))
    services.files.delete_file(user.identity, rid, "gone.txt")
    local = services.files.storages["local"]
    stray = local.write_stream(iter([b"a killed upload left me"]))
    maintenance = FilesMaintenance(db, services.files.storages)
    kept_back = maintenance.collect(SYSTEM, grace_hours=1)
    assert kept_back["blobs"] == 0 and kept_back["stray"] == 0
    result = maintenance.collect(SYSTEM, grace_hours=0)
    assert result["blobs"] == 1 and result["stray"] >= 1  # earlier tests leave strays too
    assert not local.exists(stray.uri)
    with db.read() as session:
        kept = list(session.scalars(select(FileBlob)))
    assert [b.size for b in kept] == [len(b"keep me")] and local.exists(kept[0].uri)


def test_gc_aborts_abandoned_and_expired_uploads(services, factory, db):
    from datetime import timedelta

    from cairn.files.models import ResumableUpload
    from cairn.files.resumable import ResumableUploads

    user = factory.user()
    body = minimal_record()
    body["files"] = {"enabled": True}
    rid = services.records.create(user.identity, body).id
    local = services.files.storages["local"]
    orphan = local.multipart_start(2, 10, 15)  # nobody owns it
    uploads = ResumableUploads(services.files)
    state = uploads.create(user.identity, rid, "t.bin", 10)
    with db.write() as uow:
        uow.session.get(ResumableUpload, state.id).expires = utcnow() - timedelta(hours=1)
    result = FilesMaintenance(db, services.files.storages).collect(SYSTEM, grace_hours=0)
    assert result["expired_uploads"] == 1 and result["abandoned_uploads"] >= 1
    assert orphan not in {u for u, _, _ in local.iter_uploads()}
    assert services.files.list_files(user.identity, rid, draft=True).entries == []
