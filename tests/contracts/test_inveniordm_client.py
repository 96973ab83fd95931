"""The official InvenioRDM Python client (inveniordm-py, from PyPI) against a live Cairn,
without any adaptation of the client."""

from __future__ import annotations

from inveniordm_py import InvenioAPI
from inveniordm_py.records.metadata import DraftMetadata

from tests.factories import minimal_record


def test_full_lifecycle_with_the_official_client(live_server, factory):
    user = factory.user()
    client = InvenioAPI(f"{live_server}/api", user.token)

    # create -> update -> publish
    draft = client.records.create(data=DraftMetadata(**minimal_record()))
    rid = draft.data["id"]
    assert draft.data["is_draft"] is True
    draft.data["metadata"]["title"] = "Updated through inveniordm-py"
    draft.update()
    assert draft.get().data["metadata"]["title"] == "Updated through inveniordm-py"
    record = draft.publish()
    assert record.data["id"] == rid and record.data["is_published"] is True

    # edit -> publish
    edit = client.records(rid).edit()
    edit.data["metadata"]["title"] = "Edited through inveniordm-py"
    edit.update()
    record = edit.publish()
    assert record.get().data["metadata"]["title"] == "Edited through inveniordm-py"

    # new version -> publish. The client's new_version() keeps the *old* id in its endpoint
    # arguments (as against InvenioRDM), so the new draft is addressed by its own id.
    v2_id = client.records(rid).new_version().data["id"]
    assert v2_id != rid
    v2 = client.records(v2_id).draft.get()
    assert v2.data["versions"]["index"] == 2
    v2.data["metadata"]["publication_date"] = "2024-01-01"
    v2.data["metadata"]["version"] = "2.0"
    v2.update()
    v2.publish()

    # versions/latest follows the redirect to the newest version
    latest = client.records(rid).versions.latest()
    assert latest.data["id"] == v2_id
    versions = list(client.records(rid).versions.search())
    assert {v.data["id"] for v in versions} == {rid, v2_id}

    # listing
    page = client.records.search()
    assert v2_id in {hit.data["id"] for hit in page}
    assert rid not in {hit.data["id"] for hit in page}
    every = client.records.search(allversions=True)
    assert {rid, v2_id} <= {hit.data["id"] for hit in every}

    # discard a fresh draft
    other = client.records.create(data=DraftMetadata(**minimal_record(title="To discard")))
    assert other.delete() is True


def test_files_with_the_official_client(live_server, factory):
    """Upload, commit, publish, download and import files with inveniordm-py."""
    import io

    from inveniordm_py.files.metadata import FilesListMetadata, OutgoingStream

    user = factory.user()
    client = InvenioAPI(f"{live_server}/api", user.token)
    body = minimal_record()
    body["files"] = {"enabled": True}
    draft = client.records.create(data=DraftMetadata(**body))
    rid = draft.data["id"]
    draft.files.create(FilesListMetadata([{"key": "data.csv"}]))
    content = b"a,b\n1,2\n"
    file = draft.files("data.csv")
    # inveniordm-py 0.1.1's set_contents(OutgoingStream(data=...)) form-encodes its keyword
    # dict instead of sending the bytes (against InvenioRDM too), so the PUT goes through
    # the client's own session and URL builder
    resp = file.session.put(
        file.url("/content"),
        data=io.BytesIO(content),
        headers={"Content-Type": OutgoingStream.content_type},
    )
    assert resp.status_code == 200
    file.commit()
    assert file.get().data["status"] == "completed"
    record = draft.publish()
    assert record.data["files"]["count"] == 1

    downloaded = client.records(rid).files("data.csv").download()
    assert downloaded.content == content
    listing = client.records(rid).files.get()
    assert [e["key"] for e in listing.data["entries"]] == ["data.csv"]

    v2_id = client.records(rid).new_version().data["id"]
    v2 = client.records(v2_id).draft
    resp = v2.session.post(v2.url("/actions/files-import"), headers=v2.headers())
    assert resp.status_code == 201
    assert [e["key"] for e in v2.files.get().data["entries"]] == ["data.csv"]
