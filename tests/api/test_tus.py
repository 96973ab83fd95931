"""Resumable uploads with a real tus client (tuspy)."""

from __future__ import annotations

import hashlib
import io

import requests
from tusclient import client as tus

from tests.api.test_files import files_draft

BAD_MD5 = "md5 AAAAAAAAAAAAAAAAAAAAAA=="


def _client(live_server, user, rid):
    return tus.TusClient(
        f"{live_server}/api/records/{rid}/draft/uploads",
        headers={"Authorization": f"Bearer {user.token}"},
    )


def test_tus_upload_resume_and_commit(api, user, live_server):
    rid = files_draft(api)
    data = bytes(i % 253 for i in range(300_000))
    c = _client(live_server, user, rid)
    first = c.uploader(
        file_stream=io.BytesIO(data),
        chunk_size=50_000,
        metadata={"filename": "folder/big.bin"},
        upload_checksum=True,
    )
    first.upload(stop_at=180_000)  # interrupted at 60%
    entry = api.get(f"/api/records/{rid}/draft/files/folder/big.bin").json()
    assert entry["status"] == "pending"
    # a new client resumes from the offset the server reports
    second = c.uploader(file_stream=io.BytesIO(data), chunk_size=50_000, url=first.url)
    assert second.get_offset() == 180_000
    second.upload()
    entry = api.get(f"/api/records/{rid}/draft/files/folder/big.bin").json()
    assert entry["status"] == "completed"
    assert entry["checksum"] == "md5:" + hashlib.md5(data).hexdigest()
    assert api.get(f"/api/records/{rid}/draft/files/folder/big.bin/content").content == data
    assert api.post(f"/api/records/{rid}/draft/actions/publish").status_code == 202


def test_tus_protocol_details(api, user, live_server, anon):
    rid = files_draft(api)
    base = f"{live_server}/api/records/{rid}/draft/uploads"
    auth = {"Authorization": f"Bearer {user.token}", "Tus-Resumable": "1.0.0"}
    r = requests.options(base, timeout=10)
    assert r.status_code == 204 and "creation" in r.headers["Tus-Extension"]
    r = requests.post(
        base, headers={**auth, "Upload-Length": "10", "Upload-Metadata": "key YS50eHQ="}, timeout=10
    )
    assert r.status_code == 201, r.text
    url = r.headers["Location"]
    assert "Upload-Expires" in r.headers
    r = requests.head(url, headers=auth, timeout=10)
    assert r.headers["Upload-Offset"] == "0" and r.headers["Upload-Length"] == "10"
    body_headers = {**auth, "Content-Type": "application/offset+octet-stream"}
    r = requests.patch(
        url, data=b"hello", headers={**body_headers, "Upload-Offset": "3"}, timeout=10
    )
    assert r.status_code == 409
    r = requests.patch(
        url,
        data=b"hello",
        headers={
            **body_headers,
            "Upload-Offset": "0",
            "Upload-Checksum": "md5 AAAAAAAAAAAAAAAAAAAAAA==",
        },
        timeout=10,
    )
    assert r.status_code == 460
    r = requests.patch(
        url, data=b"hello", headers={**body_headers, "Upload-Offset": "0"}, timeout=10
    )
    assert r.status_code == 204 and r.headers["Upload-Offset"] == "5"
    r = requests.patch(
        url, data=b"too many bytes", headers={**body_headers, "Upload-Offset": "5"}, timeout=10
    )
    assert r.status_code == 400
    r = requests.patch(url, data=b"hello", headers={**auth, "Upload-Offset": "5"}, timeout=10)
    assert r.status_code == 415
    assert requests.head(url, timeout=10).status_code == 412  # no Tus-Resumable
    r = requests.head(url, headers={"Tus-Resumable": "1.0.0"}, timeout=10)
    assert r.status_code == 403  # someone else's upload
    r = requests.delete(url, headers=auth, timeout=10)
    assert r.status_code == 204
    assert requests.head(url, headers=auth, timeout=10).status_code == 404
    assert api.get(f"/api/records/{rid}/draft/files").json()["entries"] == []


def test_tus_creation_with_upload(api, user, live_server):
    rid = files_draft(api)
    base = f"{live_server}/api/records/{rid}/draft/uploads"
    r = requests.post(
        base,
        data=b"0123456789",
        timeout=10,
        headers={
            "Authorization": f"Bearer {user.token}",
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "10",
            "Upload-Metadata": "filename ZC5iaW4=",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert r.status_code == 201 and r.headers["Upload-Offset"] == "10"
    entry = api.get(f"/api/records/{rid}/draft/files/d.bin").json()
    assert entry["status"] == "completed" and entry["size"] == 10


def test_tus_upload_belongs_to_its_record(api, user, live_server):
    rid = files_draft(api)
    other = files_draft(api)
    r = requests.post(
        f"{live_server}/api/records/{rid}/draft/uploads",
        timeout=10,
        headers={
            "Authorization": f"Bearer {user.token}",
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "3",
            "Upload-Metadata": "key eC5iaW4=",
        },
    )
    upload_id = r.headers["Location"].rsplit("/", 1)[1]
    wrong = f"{live_server}/api/records/{other}/draft/uploads/{upload_id}"
    r = requests.head(
        wrong,
        headers={"Authorization": f"Bearer {user.token}", "Tus-Resumable": "1.0.0"},
        timeout=10,
    )
    assert r.status_code == 404
