"""The file API with the S3 backend: moto's server mode over real HTTP, boto3 unchanged."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer
from tusclient import client as tus

from tests.api.conftest import Api
from tests.api.test_files import files_draft, upload
from tests.conftest import ServedApp, serve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def s3_served(tmp_path_factory, db) -> Iterator[ServedApp]:  # type: ignore[no-untyped-def]
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    admin = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="k",
        aws_secret_access_key="s",
        region_name="us-east-1",
    )
    admin.create_bucket(Bucket="cairn-files")
    admin.close()
    served = serve(
        tmp_path_factory.mktemp("s3live"),
        db,
        storage_backend="s3",
        s3_bucket="cairn-files",
        s3_endpoint_url=endpoint,
        s3_access_key="k",
        s3_secret_key="s",
        s3_region="us-east-1",
    )
    yield served
    served.stop()
    moto.stop()


@pytest.fixture
def s3_server(s3_served) -> str:  # type: ignore[no-untyped-def]
    return s3_served.base


@pytest.fixture
def s3_api(s3_server, user) -> Api:  # type: ignore[no-untyped-def]
    return Api(s3_server, user.token)


def test_s3_upload_publish_download_range_archive(s3_api, s3_server):
    rid = files_draft(s3_api)
    data = bytes(i % 241 for i in range(200_000))
    entry = upload(s3_api, rid, "dir/data.bin", data, checksum=True)
    assert entry["checksum"] == "md5:" + hashlib.md5(data).hexdigest()
    assert s3_api.post(f"/api/records/{rid}/draft/actions/publish").status_code == 202
    anon = Api(s3_server)
    r = anon.get(f"/api/records/{rid}/files/dir/data.bin/content")
    assert r.status_code == 200 and r.content == data
    r = anon.get(
        f"/api/records/{rid}/files/dir/data.bin/content", headers={"Range": "bytes=1000-1999"}
    )
    assert r.status_code == 206 and r.content == data[1000:2000]
    r = anon.get(f"/api/records/{rid}/files-archive")
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert zf.read("dir/data.bin") == data


def test_s3_multipart_and_checksum_mismatch(s3_api):
    rid = files_draft(s3_api)
    part = 5 * 1024 * 1024
    data = b"a" * part + b"b" * 1000
    r = s3_api.post(
        f"/api/records/{rid}/draft/files",
        json=[
            {
                "key": "m.bin",
                "size": len(data),
                "transfer": {"type": "M", "parts": 2, "part_size": part},
            }
        ],
    )
    assert r.status_code == 201, r.text
    assert (
        s3_api.put(f"/api/records/{rid}/draft/files/m.bin/content/2", data=data[part:]).status_code
        == 200
    )
    assert (
        s3_api.put(f"/api/records/{rid}/draft/files/m.bin/content/1", data=data[:part]).status_code
        == 200
    )
    r = s3_api.post(f"/api/records/{rid}/draft/files/m.bin/commit")
    assert r.status_code == 200, r.text
    assert r.json()["checksum"] == "md5:" + hashlib.md5(data).hexdigest()
    s3_api.post(
        f"/api/records/{rid}/draft/files", json=[{"key": "bad", "checksum": "md5:" + "1" * 32}]
    )
    s3_api.put(f"/api/records/{rid}/draft/files/bad/content", data=b"zzz")
    assert s3_api.post(f"/api/records/{rid}/draft/files/bad/commit").status_code == 400


def test_s3_tus_resume(s3_api, s3_server, user):
    rid = files_draft(s3_api)
    data = bytes(i % 199 for i in range(120_000))
    client = tus.TusClient(
        f"{s3_server}/api/records/{rid}/draft/uploads",
        headers={"Authorization": f"Bearer {user.token}"},
    )
    first = client.uploader(
        file_stream=io.BytesIO(data), chunk_size=40_000, metadata={"filename": "t.bin"}
    )
    first.upload(stop_at=80_000)
    second = client.uploader(file_stream=io.BytesIO(data), chunk_size=40_000, url=first.url)
    assert second.get_offset() == 80_000
    second.upload()
    r = s3_api.get(f"/api/records/{rid}/draft/files/t.bin/content")
    assert r.content == data
    assert (
        requests.head(
            first.url,
            headers={"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {user.token}"},
            timeout=10,
        ).status_code
        == 404
    )


def test_migrate_local_files_to_s3(s3_served, db, services, factory):
    """`cairn files migrate --to s3`: bytes move, rows switch, reads keep working."""
    from sqlalchemy import select

    from cairn.core.identity import SYSTEM
    from cairn.files.maintenance import FilesMaintenance
    from cairn.files.models import FileBlob
    from tests.factories import minimal_record

    user = factory.user()
    body = minimal_record()
    body["files"] = {"enabled": True}
    rid = services.records.create(user.identity, body).id
    data = b"move me to the cloud" * 100
    services.files.init_files(user.identity, rid, [{"key": "m.txt"}])
    services.files.upload_content(user.identity, rid, "m.txt", iter([data]))
    services.files.commit(user.identity, rid, "m.txt")
    local = services.files.storages["local"]
    with db.read() as session:
        old_uri = session.scalar(select(FileBlob.uri))
    s3 = s3_served.app.state.services.files.storages["s3"]
    storages = {"local": local, "s3": s3}
    assert FilesMaintenance(db, storages).migrate(SYSTEM, "s3") == 1
    with db.read() as session:
        blob = session.scalar(select(FileBlob))
    assert blob.backend == "s3" and not local.exists(old_uri)
    assert b"".join(s3.open_range(blob.uri)) == data
    assert FilesMaintenance(db, storages).migrate(SYSTEM, "s3") == 0
