"""The record lifecycle over HTTP, with InvenioRDM's paths, codes and shapes."""

from __future__ import annotations

from tests.factories import minimal_record


def test_create_update_publish_edit_version(api, anon, live_server):
    r = api.post("/api/records", json=minimal_record())
    assert r.status_code == 201, r.text
    draft = r.json()
    rid = draft["id"]
    assert draft["is_draft"] and not draft["is_published"] and draft["status"] == "draft"
    assert draft["versions"] == {"index": 1, "is_latest": False, "is_latest_draft": True}
    assert draft["metadata"]["resource_type"]["title"]["en"] == "Photo"
    assert draft["metadata"]["creators"][0]["person_or_org"]["name"] == "Brown, Troy"
    assert draft["links"]["self"] == f"{live_server}/api/records/{rid}/draft"
    assert draft["links"]["publish"] == f"{live_server}/api/records/{rid}/draft/actions/publish"
    assert draft["links"]["self_html"] == f"{live_server}/uploads/{rid}"
    assert r.headers["ETag"] == f'"{draft["revision_id"]}"'
    assert "errors" not in draft

    # not visible before publishing
    assert anon.get(f"/api/records/{rid}").status_code == 404
    assert anon.get(f"/api/records/{rid}/draft").status_code == 403

    body = minimal_record(title="A better title")
    r = api.put(f"/api/records/{rid}/draft", json=body)
    assert r.status_code == 200 and r.json()["metadata"]["title"] == "A better title"

    r = api.post(f"/api/records/{rid}/draft/actions/publish")
    assert r.status_code == 202, r.text
    record = r.json()
    assert record["is_published"] and record["status"] == "published" and not record["is_draft"]
    assert record["versions"]["is_latest"] is True
    assert record["pids"]["oai"]["provider"] == "oai"
    assert anon.get(f"/api/records/{rid}").json()["metadata"]["title"] == "A better title"
    assert api.get(f"/api/records/{rid}/draft").status_code == 404

    # edit the published record: same id, a draft marked published
    r = api.post(f"/api/records/{rid}/draft")
    assert r.status_code == 201
    assert r.json()["id"] == rid and r.json()["is_published"] and r.json()["is_draft"]
    api.put(f"/api/records/{rid}/draft", json=minimal_record(title="Edited title"))
    assert anon.get(f"/api/records/{rid}").json()["metadata"]["title"] == "A better title"
    r = api.post(f"/api/records/{rid}/draft/actions/publish")
    assert r.status_code == 202 and r.json()["metadata"]["title"] == "Edited title"

    # new version: new id, publication_date/version/pids cleared
    r = api.post(f"/api/records/{rid}/versions")
    assert r.status_code == 201
    v2 = r.json()
    assert v2["id"] != rid and v2["parent"]["id"] == record["parent"]["id"]
    assert v2["versions"]["index"] == 2 and v2["status"] == "new_version_draft"
    assert "publication_date" not in v2["metadata"] and v2["pids"] == {}
    # asking again returns the same open draft
    assert api.post(f"/api/records/{rid}/versions").json()["id"] == v2["id"]

    r = api.post(f"/api/records/{v2['id']}/draft/actions/publish")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "metadata.publication_date"
    api.put(
        f"/api/records/{v2['id']}/draft", json=minimal_record(publication_date="2021", version="v2")
    )
    assert api.post(f"/api/records/{v2['id']}/draft/actions/publish").status_code == 202

    # versions listing and latest redirect, parent id resolves to latest
    r = anon.get(f"/api/records/{rid}/versions")
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert hits["total"] == 2 and [h["versions"]["index"] for h in hits["hits"]] == [2, 1]
    assert r.json()["sortBy"] == "version"
    r = anon.get(f"/api/records/{rid}/versions/latest")
    assert r.status_code == 302
    assert r.headers["Location"] == f"{live_server}/api/records/{v2['id']}"
    r = anon.get(f"/api/records/{record['parent']['id']}")
    assert r.status_code == 200 and r.json()["id"] == v2["id"]
    old = anon.get(f"/api/records/{rid}").json()
    assert old["versions"]["is_latest"] is False


def test_listing_latest_versions_and_paging(api, anon, factory, user):
    ids = [factory.record(user, title=f"Record number {i}").id for i in range(3)]
    r = anon.get("/api/records", params={"size": 2, "sort": "newest"})
    body = r.json()
    assert r.status_code == 200 and body["hits"]["total"] == 3
    assert [h["id"] for h in body["hits"]["hits"]] == ids[::-1][:2]
    assert "next" in body["links"] and "prev" not in body["links"]
    assert body["links"]["self"].endswith("/api/records?page=1&size=2&sort=newest")
    r = anon.get(body["links"]["next"].split(anon.base)[1])
    assert [h["id"] for h in r.json()["hits"]["hits"]] == [ids[0]]
    assert "prev" in r.json()["links"] and "next" not in r.json()["links"]
    oldest = anon.get("/api/records", params={"sort": "oldest"}).json()
    assert [h["id"] for h in oldest["hits"]["hits"]] == ids
    found = anon.get("/api/records", params={"q": "number 1"}).json()
    assert [h["id"] for h in found["hits"]["hits"]] == [ids[1]]


def test_allversions(api, anon, factory, user):
    rec = factory.record(user)
    v2 = api.post(f"/api/records/{rec.id}/versions").json()
    api.put(f"/api/records/{v2['id']}/draft", json=minimal_record(publication_date="2022"))
    api.post(f"/api/records/{v2['id']}/draft/actions/publish")
    assert anon.get("/api/records").json()["hits"]["total"] == 1
    assert anon.get("/api/records", params={"allversions": "true"}).json()["hits"]["total"] == 2


def test_user_records_lists_drafts_and_records(api, anon, factory, user):
    published = factory.record(user, title="Published one")
    draft = factory.draft(user, title="Draft one")
    factory.record(factory.user(), title="Someone else's")
    r = api.get("/api/user/records")
    assert r.status_code == 200
    ids = {h["id"] for h in r.json()["hits"]["hits"]}
    assert ids == {published.id, draft.id}
    only_drafts = api.get("/api/user/records", params={"is_published": "false"}).json()
    assert [h["id"] for h in only_drafts["hits"]["hits"]] == [draft.id]
    assert anon.get("/api/user/records").status_code == 403


def test_discard_drafts(api, factory, user):
    draft = factory.draft(user)
    assert api.delete(f"/api/records/{draft.id}/draft").status_code == 204
    assert api.get(f"/api/records/{draft.id}/draft").status_code == 404
    rec = factory.record(user)
    api.post(f"/api/records/{rec.id}/draft")
    assert api.delete(f"/api/records/{rec.id}/draft").status_code == 204
    assert api.get(f"/api/records/{rec.id}").status_code == 200


def test_restricted_records_and_permissions(api, anon, factory, user, live_server):
    from tests.api.conftest import Api

    body = minimal_record()
    body["access"] = {"record": "restricted", "files": "restricted"}
    rid = api.post("/api/records", json=body).json()["id"]
    assert api.post(f"/api/records/{rid}/draft/actions/publish").status_code == 202
    other = Api(live_server, factory.user().token)
    assert anon.get(f"/api/records/{rid}").status_code == 403
    assert anon.get(f"/api/records/{rid}").json() == {
        "status": 403,
        "message": "Permission denied.",
    }
    assert other.get(f"/api/records/{rid}").status_code == 403
    assert api.get(f"/api/records/{rid}").status_code == 200
    assert anon.get("/api/records").json()["hits"]["total"] == 0
    assert api.get("/api/records").json()["hits"]["total"] == 1
    assert other.post(f"/api/records/{rid}/draft").status_code == 403
    assert other.post(f"/api/records/{rid}/versions").status_code == 403
    assert anon.post("/api/records", json=minimal_record()).status_code == 403


def test_token_as_query_parameter_and_invalid_tokens(anon, user):
    r = anon.post("/api/records", params={"access_token": user.token}, json=minimal_record())
    assert r.status_code == 201
    r = anon.get("/api/records", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401 and r.json()["status"] == 401


def test_delete_with_tombstone_and_restore(admin_api, api, anon, factory, user):
    rec = factory.record(user)
    r = api.delete(f"/api/records/{rec.id}/delete", json={"removal_reason": {"id": "spam"}})
    assert r.status_code == 403
    r = admin_api.delete(
        f"/api/records/{rec.id}/delete", json={"removal_reason": {"id": "spam"}, "note": "Spam."}
    )
    assert r.status_code == 204, r.text
    r = anon.get(f"/api/records/{rec.id}")
    assert r.status_code == 410
    assert r.json()["tombstone"]["removal_reason"] == {"id": "spam"}
    assert "removed_by" not in r.json()["tombstone"]
    assert anon.get("/api/records").json()["hits"]["total"] == 0
    # strangers learn nothing more through the write routes
    for path in (f"/api/records/{rec.id}/draft", f"/api/records/{rec.id}/versions"):
        assert anon.post(path).status_code == 403
    r = api.delete(f"/api/records/{rec.id}/delete", json={"removal_reason": {"id": 5}})
    assert r.status_code == 403
    assert (
        admin_api.get(f"/api/records/{rec.id}", params={"include_deleted": "1"}).status_code == 200
    )
    r = admin_api.post(f"/api/records/{rec.id}/restore")
    assert r.status_code == 200 and r.json()["deletion_status"]["is_deleted"] is False
    assert anon.get(f"/api/records/{rec.id}").status_code == 200
    # invisible tombstones hide the record entirely
    admin_api.delete(f"/api/records/{rec.id}", json={"is_visible": False})
    assert anon.get(f"/api/records/{rec.id}").status_code == 404


def test_published_records_are_immutable(admin_api, factory, user):
    rec = factory.record(user)
    assert admin_api.put(f"/api/records/{rec.id}", json=minimal_record()).status_code == 403


def test_if_match(api, factory, user):
    draft = factory.draft(user)
    rev = draft.revision_id
    path = f"/api/records/{draft.id}/draft"
    r = api.put(path, json=minimal_record(), headers={"If-Match": str(rev + 5)})
    assert r.status_code == 412
    r = api.put(path, json=minimal_record(), headers={"If-Match": f'"{rev}"'})
    assert r.status_code == 200 and r.json()["revision_id"] == rev + 1
    assert api.delete(path, headers={"If-Match": str(rev)}).status_code == 412
    assert api.delete(path, headers={"If-Match": str(rev + 1)}).status_code == 204
