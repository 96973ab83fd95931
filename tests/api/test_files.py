"""The InvenioRDM file API over HTTP on the local backend."""

from __future__ import annotations

import hashlib
import io
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import minimal_record


def files_draft(api, **extra):
    body = minimal_record()
    body["files"] = {"enabled": True}
    body.update(extra)
    r = api.post("/api/records", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def upload(api, rid, key, data: bytes, checksum: bool = False):
    item = {"key": key}
    if checksum:
        item["checksum"] = "md5:" + hashlib.md5(data).hexdigest()
    r = api.post(f"/api/records/{rid}/draft/files", json=[item])
    assert r.status_code == 201, r.text
    r = api.put(
        f"/api/records/{rid}/draft/files/{key}/content",
        data=data,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 200, r.text
    r = api.post(f"/api/records/{rid}/draft/files/{key}/commit")
    assert r.status_code == 200, r.text
    return r.json()


def test_upload_commit_list_download_publish(api, anon, live_server):
    rid = files_draft(api)
    data = b"hello, world\n" * 1000
    r = api.post(f"/api/records/{rid}/draft/files", json=[{"key": "data/a.csv"}])
    assert r.status_code == 201
    entry = r.json()["entries"][0]
    assert entry["status"] == "pending" and entry["key"] == "data/a.csv"
    assert (
        entry["links"]["content"]
        == f"{live_server}/api/records/{rid}/draft/files/data/a.csv/content"
    )
    r = api.put(
        f"/api/records/{rid}/draft/files/data/a.csv/content",
        data=data,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 200 and r.json()["status"] == "pending"
    r = api.post(f"/api/records/{rid}/draft/files/data/a.csv/commit")
    assert r.status_code == 200, r.text
    committed = r.json()
    assert committed["status"] == "completed" and committed["size"] == len(data)
    assert committed["checksum"] == "md5:" + hashlib.md5(data).hexdigest()
    assert committed["mimetype"] == "text/csv"

    listing = api.get(f"/api/records/{rid}/draft/files").json()
    assert [e["key"] for e in listing["entries"]] == ["data/a.csv"] and listing["enabled"]
    r = api.get(f"/api/records/{rid}/draft/files/data/a.csv/content")
    assert r.status_code == 200 and r.content == data
    assert anon.get(f"/api/records/{rid}/draft/files").status_code == 403

    r = api.post(f"/api/records/{rid}/draft/actions/publish")
    assert r.status_code == 202, r.text
    record = r.json()
    assert record["files"]["count"] == 1 and record["files"]["total_bytes"] == len(data)
    assert record["files"]["entries"]["data/a.csv"]["checksum"] == committed["checksum"]
    assert record["access"]["status"] == "open"
    r = anon.get(f"/api/records/{rid}/files/data/a.csv/content")
    assert r.status_code == 200 and r.content == data
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["ETag"] == f'"{committed["checksum"]}"'
    assert "filename*=UTF-8''a.csv" in r.headers["Content-Disposition"]
    assert anon.get(f"/api/records/{rid}/files").json()["entries"][0]["key"] == "data/a.csv"


def test_published_files_are_read_only(api, anon):
    rid = files_draft(api)
    upload(api, rid, "a.txt", b"abc")
    api.post(f"/api/records/{rid}/draft/actions/publish")
    assert api.post(f"/api/records/{rid}/files", json=[{"key": "b"}]).status_code == 405
    assert api.put(f"/api/records/{rid}/files/a.txt/content", data=b"x").status_code == 405
    assert api.delete(f"/api/records/{rid}/files/a.txt").status_code == 405
    # the edit draft shows the record's files but refuses changes
    api.post(f"/api/records/{rid}/draft")
    assert [e["key"] for e in api.get(f"/api/records/{rid}/draft/files").json()["entries"]] == [
        "a.txt"
    ]
    r = api.post(f"/api/records/{rid}/draft/files", json=[{"key": "b"}])
    assert r.status_code == 400 and "locked" in r.json()["message"]
    assert api.post(f"/api/records/{rid}/draft/actions/publish").status_code == 202
    assert anon.get(f"/api/records/{rid}/files/a.txt/content").content == b"abc"


def test_files_enabled_rules(api):
    rid = files_draft(api)
    r = api.post(f"/api/records/{rid}/draft/actions/publish")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "files.enabled"
    api.post(f"/api/records/{rid}/draft/files", json=[{"key": "pending.bin"}])
    r = api.post(f"/api/records/{rid}/draft/actions/publish")
    assert r.status_code == 400 and "still being uploaded" in r.text
    body = minimal_record()
    body["files"] = {"enabled": False}
    r = api.put(f"/api/records/{rid}/draft", json=body)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "files.enabled"
    assert api.delete(f"/api/records/{rid}/draft/files").status_code == 204
    assert api.put(f"/api/records/{rid}/draft", json=body).status_code == 200
    assert api.post(f"/api/records/{rid}/draft/actions/publish").status_code == 202


@pytest.mark.parametrize(
    "body",
    [
        {"key": "a"},
        [["a"]],
        ["a"],
        [{"nokey": 1}],
        [{"key": ""}],
        [{"key": "../etc/passwd"}],
        [{"key": "/abs"}],
        [{"key": "a\u0000b"}],
        [{"key": "a//b"}],
        [{"key": "a\\b"}],
        [{"key": "x" * 2000}],
        [{"key": "a", "size": -1}],
        [{"key": "a", "checksum": "sha1:x"}],
        [{"key": "a"}, {"key": "a"}],
        [{"key": "a", "bogus": 1}],
    ],
)
def test_bad_init_bodies_get_400_naming_the_field(api, body):
    rid = files_draft(api)
    r = api.post(f"/api/records/{rid}/draft/files", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["status"] == 400
    assert api.get(f"/api/records/{rid}/draft/files").json()["entries"] == []


def test_checksum_mismatch_keeps_nothing(api):
    rid = files_draft(api)
    r = api.post(
        f"/api/records/{rid}/draft/files", json=[{"key": "a.bin", "checksum": "md5:" + "0" * 32}]
    )
    assert r.status_code == 201
    api.put(f"/api/records/{rid}/draft/files/a.bin/content", data=b"data")
    r = api.post(f"/api/records/{rid}/draft/files/a.bin/commit")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "checksum"
    entry = api.get(f"/api/records/{rid}/draft/files/a.bin").json()
    assert entry["status"] == "pending"
    r = api.post(f"/api/records/{rid}/draft/files/a.bin/commit")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "content"


def test_commit_without_content_and_wrong_size(api):
    rid = files_draft(api)
    api.post(f"/api/records/{rid}/draft/files", json=[{"key": "a", "size": 3}])
    r = api.post(f"/api/records/{rid}/draft/files/a/commit")
    assert r.status_code == 400
    r = api.put(f"/api/records/{rid}/draft/files/a/content", data=b"four")
    assert r.status_code == 400
    r = api.put(f"/api/records/{rid}/draft/files/a/content", data=b"ab")
    assert r.status_code == 400 and "Expected 3 bytes" in r.text
    assert api.put(f"/api/records/{rid}/draft/files/a/content", data=b"abc").status_code == 200
    assert api.post(f"/api/records/{rid}/draft/files/a/commit").status_code == 200


def test_ranges_conditionals_and_unsafe_types(api, anon):
    rid = files_draft(api)
    data = bytes(range(256)) * 40
    entry = upload(api, rid, "page.html", data)
    upload(api, rid, "x.bin", data)
    api.post(f"/api/records/{rid}/draft/actions/publish")
    base = f"/api/records/{rid}/files/x.bin/content"
    r = anon.get(base, headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == data[10:20]
    assert r.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    r = anon.get(base, headers={"Range": "bytes=-5"})
    assert r.status_code == 206 and r.content == data[-5:]
    r = anon.get(base, headers={"Range": f"bytes={len(data)}-"})
    assert r.status_code == 416 and r.headers["Content-Range"] == f"bytes */{len(data)}"
    etag = anon.get(base).headers["ETag"]
    assert anon.get(base, headers={"If-None-Match": etag}).status_code == 304
    r = anon.get(f"/api/records/{rid}/files/page.html/content")
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert entry["mimetype"] == "text/html"


def test_download_all_archive(api, anon):
    rid = files_draft(api)
    contents = {"a.txt": b"alpha", "folder/b.bin": b"\x00" * 1000, "folder/sub/c": b""}
    for key, data in contents.items():
        upload(api, rid, key, data)
    api.post(f"/api/records/{rid}/draft/actions/publish")
    r = anon.get(f"/api/records/{rid}/files-archive")
    assert r.status_code == 200 and int(r.headers["Content-Length"]) == len(r.content)
    assert r.headers["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert zf.testzip() is None
        assert {n: zf.read(n) for n in zf.namelist()} == contents
        # CRC-32s recorded at upload go in the local headers: no data descriptors, so any
        # range is served without re-reading earlier files (and Java's ZipInputStream reads it)
        assert all(info.flag_bits & 0x08 == 0 for info in zf.infolist())
    whole = r.content
    r = anon.get(f"/api/records/{rid}/files-archive", headers={"Range": "bytes=100-"})
    assert r.status_code == 206 and r.content == whole[100:]


def test_files_import_links_without_copying(api, anon, services):
    rid = files_draft(api)
    first = upload(api, rid, "big.dat", b"x" * 5000)
    api.post(f"/api/records/{rid}/draft/actions/publish")
    v2 = api.post(f"/api/records/{rid}/versions").json()
    assert v2["files"]["count"] == 0
    r = api.post(f"/api/records/{v2['id']}/draft/actions/files-import")
    assert r.status_code == 201, r.text
    imported = r.json()["entries"]
    assert [e["key"] for e in imported] == ["big.dat"]
    assert imported[0]["file_id"] == first["file_id"]
    r = api.post(f"/api/records/{v2['id']}/draft/actions/files-import")
    assert r.status_code == 400
    api.delete(f"/api/records/{v2['id']}/draft/files/big.dat")
    assert anon.get(f"/api/records/{rid}/files/big.dat/content").content == b"x" * 5000


def test_limits_and_admin_quota(api, admin_api, services):
    rid = files_draft(api)
    limit = services.files.limits.max_files
    r = api.post(
        f"/api/records/{rid}/draft/files", json=[{"key": f"f{i}"} for i in range(limit + 1)]
    )
    assert r.status_code == 400
    assert r.json()["message"].startswith("Uploading selected files will result in exceeding")
    assert api.post(f"/api/records/{rid}/quota", json={"quota_size": 10}).status_code == 403
    r = admin_api.post(
        f"/api/records/{rid}/quota", json={"quota_size": 10, "max_file_size": 10, "max_files": 1000}
    )
    assert r.status_code == 200, r.text
    api.post(f"/api/records/{rid}/draft/files", json=[{"key": "big"}])
    r = api.put(f"/api/records/{rid}/draft/files/big/content", data=b"x" * 11)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "size"
    r = api.post(
        f"/api/records/{rid}/draft/files", json=[{"key": f"f{i}"} for i in range(limit + 1)]
    )
    assert r.status_code == 201
    assert admin_api.post(f"/api/records/{rid}/quota", json={"quota_size": "x"}).status_code == 400


def test_multipart_parts_in_any_order_and_in_parallel(api, anon):
    rid = files_draft(api)
    part_size = 64 * 1024
    data = bytes(i % 251 for i in range(part_size * 3 + 123))
    r = api.post(
        f"/api/records/{rid}/draft/files",
        json=[
            {
                "key": "multi.bin",
                "size": len(data),
                "transfer": {"type": "M", "parts": 4, "part_size": part_size},
            }
        ],
    )
    assert r.status_code == 201, r.text
    entry = r.json()["entries"][0]
    assert entry["links"]["content"] is None and len(entry["links"]["parts"]) == 4
    chunks = {n: data[(n - 1) * part_size : n * part_size] for n in range(1, 5)}

    def put(n):
        return api.put(f"/api/records/{rid}/draft/files/multi.bin/content/{n}", data=chunks[n])

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(put, [3, 1, 4, 2]))
    assert all(c.status_code == 200 for c in codes), [c.text for c in codes]
    r = api.put(f"/api/records/{rid}/draft/files/multi.bin/content/2", data=b"short")
    assert r.status_code == 400
    put(2)
    r = api.post(f"/api/records/{rid}/draft/files/multi.bin/commit")
    assert r.status_code == 200, r.text
    assert r.json()["checksum"] == "md5:" + hashlib.md5(data).hexdigest()
    assert api.get(f"/api/records/{rid}/draft/files/multi.bin/content").content == data


def test_folders_prefix_and_tree(api):
    rid = files_draft(api)
    keys = ["README.md", "data/2020/a.csv", "data/2021/b.csv", "code/run.py"]
    r = api.post(f"/api/records/{rid}/draft/files", json=[{"key": k} for k in keys])
    assert r.status_code == 201
    listing = api.get(f"/api/records/{rid}/draft/files", params={"prefix": "data/"}).json()
    assert [e["key"] for e in listing["entries"]] == ["data/2020/a.csv", "data/2021/b.csv"]
    tree = api.get(f"/api/records/{rid}/draft/files", params={"tree": "1"}).json()["tree"]
    assert tree["files"] == ["README.md"]
    assert [f["name"] for f in tree["folders"]] == ["code", "data"]
    page = api.get(f"/api/records/{rid}/draft/files", params={"size": 2, "page": 2}).json()
    assert len(page["entries"]) == 2 and page["total"] == 4


def test_restricted_files(api, anon):
    rid = files_draft(api, access={"record": "public", "files": "restricted"})
    upload(api, rid, "secret.txt", b"s")
    api.post(f"/api/records/{rid}/draft/actions/publish")
    assert anon.get(f"/api/records/{rid}").status_code == 200
    assert anon.get(f"/api/records/{rid}/files/secret.txt/content").status_code == 403
    assert anon.get(f"/api/records/{rid}/files-archive").status_code == 403
    assert api.get(f"/api/records/{rid}/files/secret.txt/content").content == b"s"


def test_restricted_file_entries_hidden_from_record_json(api, anon):
    rid = files_draft(api, access={"record": "public", "files": "restricted"})
    upload(api, rid, "secret.txt", b"s")
    api.post(f"/api/records/{rid}/draft/actions/publish")
    assert anon.get(f"/api/records/{rid}").json()["files"]["entries"] == {}
    assert "secret.txt" in api.get(f"/api/records/{rid}").json()["files"]["entries"]


def test_commit_is_idempotent_and_prefix_is_case_sensitive(api):
    rid = files_draft(api)
    first = upload(api, rid, "Data/x.txt", b"x")
    again = api.post(f"/api/records/{rid}/draft/files/Data/x.txt/commit")
    assert again.status_code == 200 and again.json()["checksum"] == first["checksum"]
    listing = api.get(f"/api/records/{rid}/draft/files", params={"prefix": "data/"}).json()
    assert listing["entries"] == []


def test_raised_record_limits_apply_to_declared_sizes(api, admin_api, services):
    rid = files_draft(api)
    big = services.files.limits.max_file_size + 1
    r = api.post(f"/api/records/{rid}/draft/files", json=[{"key": "a", "size": big}])
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "0.size"
    admin_api.post(f"/api/records/{rid}/quota", json={"quota_size": big * 2, "max_file_size": big})
    r = api.post(f"/api/records/{rid}/draft/files", json=[{"key": "a", "size": big}])
    assert r.status_code == 201, r.text


def test_quota_message_when_the_quota_binds(api, admin_api):
    rid = files_draft(api)
    admin_api.post(f"/api/records/{rid}/quota", json={"quota_size": 5, "max_file_size": 100})
    api.post(f"/api/records/{rid}/draft/files", json=[{"key": "a"}])
    r = api.put(f"/api/records/{rid}/draft/files/a/content", data=b"123456")
    assert r.status_code == 400 and "quota" in r.json()["errors"][0]["messages"][0]


def test_fetch_transfers_are_system_only(api):
    rid = files_draft(api)
    r = api.post(
        f"/api/records/{rid}/draft/files",
        json=[{"key": "a", "transfer": {"type": "F", "url": "http://x"}}],
    )
    assert r.status_code == 403
