"""Searching over HTTP: ``GET /api/records``, ``/api/user/records`` and
``/api/records/{id}/versions`` with InvenioRDM's parameters and response shapes.

Every test uses its own words (uuid-based), so no test finds another's records."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.api.conftest import Api
from tests.conftest import serve
from tests.factories import minimal_record
from tests.service.test_indexer import insert_published


def word() -> str:
    return "w" + uuid.uuid4().hex[:12]


def body(access: str = "public", files: bool = False, **metadata: Any) -> dict[str, Any]:
    data = minimal_record(**metadata)
    data["access"] = {"record": access, "files": access}
    data["files"] = {"enabled": files}
    return data


def create(api: Api, data: dict[str, Any]) -> str:
    r = api.post("/api/records", json=data)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def publish(api: Api, data: dict[str, Any] | None = None, rid: str | None = None) -> str:
    rid = rid or create(api, data or body())
    r = api.post(f"/api/records/{rid}/draft/actions/publish")
    assert r.status_code == 202, r.text
    return rid


def new_version(api: Api, rid: str, **metadata: Any) -> str:
    r = api.post(f"/api/records/{rid}/versions")
    assert r.status_code == 201, r.text
    vid = str(r.json()["id"])
    data = body(publication_date="2022-01-01", **metadata)
    assert api.put(f"/api/records/{vid}/draft", json=data).status_code == 200
    return vid


def search(client: Api, path: str = "/api/records", **params: Any) -> dict[str, Any]:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def ids(result: dict[str, Any]) -> list[str]:
    return [h["id"] for h in result["hits"]["hits"]]


def found(client: Api, q: str, path: str = "/api/records", **params: Any) -> set[str]:
    result = search(client, path, q=q, size=100, **params)
    assert result["hits"]["total"] == len(result["hits"]["hits"])
    return set(ids(result))


def buckets(result: dict[str, Any], facet: str) -> dict[str, dict[str, Any]]:
    return {b["key"]: b for b in result["aggregations"][facet]["buckets"]}


# -- visibility ------------------------------------------------------------------------------
def test_what_was_just_written_is_found_at_once(api, anon):
    """No refresh, no sleep: a search right after a write sees it."""
    for _ in range(5):
        w = word()
        rid = create(api, body(title=f"Fresh {w}"))
        assert found(api, w, "/api/user/records") == {rid}
        assert found(anon, w) == set()
        api.put(f"/api/records/{rid}/draft", json=body(title=f"Fresh {w} renamed{w}"))
        assert found(api, f"renamed{w}", "/api/user/records") == {rid}
        publish(api, rid=rid)
        result = search(anon, q=w)
        assert ids(result) == [rid] and result["hits"]["total"] == 1
        assert result["hits"]["hits"][0]["metadata"]["title"] == f"Fresh {w} renamed{w}"


def test_response_envelope(anon, api, live_server):
    w = word()
    rid = publish(api, body(title=f"Envelope {w}"))
    result = search(anon, q=w, size=10)
    assert set(result) == {"hits", "aggregations", "sortBy", "links", "page"}
    assert result["sortBy"] == "bestmatch" and result["page"] == 1
    assert result["hits"] == {"hits": result["hits"]["hits"], "total": 1}
    hit = result["hits"]["hits"][0]
    assert hit["id"] == rid and hit["links"]["self"] == f"{live_server}/api/records/{rid}"
    assert result["links"]["self"] == (
        f"{live_server}/api/records?page=1&q={w}&size=10&sort=bestmatch"
    )
    assert "next" not in result["links"] and "prev" not in result["links"]
    assert search(anon)["sortBy"] == "newest"


# -- the query language ----------------------------------------------------------------------
def test_query_language(api, anon):
    w = word()
    ocean = publish(
        api,
        body(
            title=f"Ocean {w} currents",
            publication_date="2019-05-01",
            subjects=[{"subject": "Oceanography"}],
        ),
    )
    data = body(
        title=f"Glacier {w} mélting",
        publication_date="2021",
        creators=[
            {"person_or_org": {"family_name": "Curie", "given_name": "Marie", "type": "personal"}}
        ],
    )
    data["metadata"].pop("publisher")
    glacier = publish(api, data)
    both = publish(api, body(title=f"Oceans {w} and glaciers", publication_date="2023-01-01"))
    everything = {ocean, glacier, both}

    assert found(anon, w) == everything
    assert found(anon, f"metadata.title:ocean AND {w}") == {ocean, both}  # stemmed
    assert found(anon, f"title:glacier AND {w}") == {glacier, both}
    assert found(anon, f"melting {w}") >= {glacier}  # accents folded
    assert found(anon, f'"ocean {w} currents"') == {ocean}
    assert found(anon, f'metadata.title:"{w} ocean"') == set()
    assert found(anon, f"{w} AND (currents OR melting)") == {ocean, glacier}
    assert found(anon, f"{w} AND glacier NOT ocean") == {glacier}
    assert found(anon, f"+{w} -ocean") == {glacier}
    assert found(anon, f'metadata.creators.person_or_org.name:"Curie, Marie" AND {w}') == {glacier}
    assert found(anon, f"creator:curie AND {w}") == {glacier}
    assert found(anon, f"subject:oceanography AND {w}") == {ocean}
    assert found(anon, f"{w[:8]}*") == everything
    assert found(anon, f"metadata.publication_date:[2020 TO 2022] AND {w}") == {glacier}
    assert found(anon, f"metadata.publication_date:[2019-01-01 TO 2019-12-31] AND {w}") == {ocean}
    assert found(anon, f"_exists_:metadata.publisher AND {w}") == {ocean, both}
    assert found(anon, f"NOT _exists_:metadata.publisher AND {w}") == {glacier}
    assert found(anon, f"id:{both}") == {both}
    parent = anon.get(f"/api/records/{both}").json()["parent"]["id"]
    assert found(anon, f"parent.id:{parent}") == {both}

    # broken syntax never fails: it is searched as plain text
    for q in ("title:(", f"title:( {w}", '"unclosed', "/", "AND", "[2020 TO", f"{w} OR", "a:b:c"):
        r = anon.get("/api/records", params={"q": q})
        assert r.status_code == 200, (q, r.text)
        assert isinstance(r.json()["hits"]["total"], int)
    assert found(anon, f'"{w}') == everything  # every word of the text must match


def test_external_doi_is_searchable(api, anon):
    w = word()
    data = body(title=f"Doi {w}")
    data["pids"] = {"doi": {"identifier": f"10.5281/zenodo.{w}", "provider": "external"}}
    rid = publish(api, data)
    assert found(anon, f'pids.doi.identifier:"10.5281/zenodo.{w}"') == {rid}
    assert found(anon, f'"10.5281/zenodo.{w}"') == {rid}


# -- facets ----------------------------------------------------------------------------------
def test_facets_buckets_selection_and_disjunctive_counts(api, anon):
    w = word()
    article = publish(
        api,
        body(
            title=f"Article {w}",
            resource_type={"id": "publication-article"},
            languages=[{"id": "eng"}],
            subjects=[{"subject": "Alpha"}],
            publication_date="2020-02-02",
        ),
    )
    book = publish(
        api,
        body(
            title=f"Book {w}",
            resource_type={"id": "publication-book"},
            languages=[{"id": "fra"}],
            publication_date="2021",
            rights=[{"id": "cc-by-4.0"}],
        ),
    )
    dataset = publish(
        api,
        body(
            title=f"Dataset {w}",
            resource_type={"id": "dataset"},
            languages=[{"id": "eng"}],
            publication_date="2023",
        ),
    )

    result = search(anon, q=w)
    aggs = result["aggregations"]
    assert {
        "resource_type",
        "access_status",
        "file_type",
        "language",
        "publication_date",
    } <= set(aggs)
    assert aggs["resource_type"]["label"] == "Resource types"
    types = buckets(result, "resource_type")
    assert set(types) == {"publication", "dataset"}
    assert types["publication"]["doc_count"] == 2
    assert types["publication"]["label"] == "Publication"
    assert types["publication"]["is_selected"] is False
    inner = {b["key"]: b for b in types["publication"]["inner"]["buckets"]}
    assert {k: b["doc_count"] for k, b in inner.items()} == {
        "publication-article": 1,
        "publication-book": 1,
    }
    assert inner["publication-article"]["label"] == "Journal article"
    assert not any(b["is_selected"] for b in inner.values())
    assert types["dataset"] == {
        "key": "dataset",
        "doc_count": 1,
        "label": "Dataset",
        "is_selected": False,
        **({"inner": types["dataset"]["inner"]} if "inner" in types["dataset"] else {}),
    }
    languages = buckets(result, "language")
    assert {k: b["doc_count"] for k, b in languages.items()} == {"eng": 2, "fra": 1}
    assert languages["fra"]["label"] == "French"
    assert {k: b["doc_count"] for k, b in buckets(result, "access_status").items()} == {
        "metadata-only": 3
    }
    assert buckets(result, "access_status")["metadata-only"]["label"] == "Metadata-only"
    years = {k: b["doc_count"] for k, b in buckets(result, "publication_date").items()}
    assert years == {"2020": 1, "2021": 1, "2023": 1}
    assert buckets(result, "subject")["Alpha"]["doc_count"] == 1
    assert buckets(result, "license")["cc-by-4.0"]["doc_count"] == 1

    # a child selection
    picked = search(anon, q=w, resource_type="publication::publication-article")
    assert ids(picked) == [article]
    inner = {
        b["key"]: b for b in buckets(picked, "resource_type")["publication"]["inner"]["buckets"]
    }
    assert inner["publication-article"]["is_selected"] is True
    assert inner["publication-book"]["is_selected"] is False
    assert parse_qsl(urlsplit(picked["links"]["self"]).query)[-1] == (
        "resource_type",
        "publication::publication-article",
    )

    # a parent selection: its own facet keeps the other values' counts (disjunctive) ...
    picked = search(anon, q=w, resource_type="dataset")
    assert ids(picked) == [dataset]
    types = buckets(picked, "resource_type")
    assert types["dataset"]["is_selected"] is True and types["publication"]["is_selected"] is False
    assert types["publication"]["doc_count"] == 2
    # ... while the other facets count within the selection
    assert {k: b["doc_count"] for k, b in buckets(picked, "language").items()} == {"eng": 1}

    # values of one facet are ORed, facets ANDed
    r = anon.get(
        "/api/records",
        params=[("q", w), ("resource_type", "dataset"), ("resource_type", "publication")],
    )
    assert set(ids(r.json())) == {article, book, dataset}
    assert {k: b["is_selected"] for k, b in buckets(r.json(), "resource_type").items()} == {
        "dataset": True,
        "publication": True,
    }
    assert set(ids(search(anon, q=w, resource_type="publication", language="eng"))) == {article}
    assert set(ids(search(anon, q=w, language="fra"))) == {book}
    assert set(ids(search(anon, q=w, publication_date="2020..2021"))) == {article, book}
    assert set(ids(search(anon, q=w, publication_date="2022.."))) == {dataset}
    assert set(ids(search(anon, q=w, access_status="open"))) == set()
    assert set(ids(search(anon, q=w, license="cc-by-4.0"))) == {book}
    assert set(ids(search(anon, q=w, subject="Alpha"))) == {article}
    selected = search(anon, q=w, language="fra")
    assert buckets(selected, "language")["fra"]["is_selected"] is True
    assert buckets(selected, "language")["eng"]["doc_count"] == 2


def test_file_type_facet_of_a_draft_with_a_csv_file(api, anon):
    w = word()
    rid = create(api, body(files=True, title=f"Files {w}"))
    assert api.post(f"/api/records/{rid}/draft/files", json=[{"key": "table.csv"}]).status_code
    r = api.put(
        f"/api/records/{rid}/draft/files/table.csv/content",
        data=b"a,b\n1,2\n",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 200, r.text
    assert api.post(f"/api/records/{rid}/draft/files/table.csv/commit").status_code == 200

    result = search(api, "/api/user/records", q=w)
    assert ids(result) == [rid]
    csv = buckets(result, "file_type")["csv"]
    assert csv == {"key": "csv", "doc_count": 1, "label": "CSV", "is_selected": False}
    assert buckets(result, "access_status")["open"]["doc_count"] == 1
    assert ids(search(api, "/api/user/records", q=w, file_type="csv")) == [rid]
    assert ids(search(api, "/api/user/records", q=w, file_type="pdf")) == []

    publish(api, rid=rid)
    assert ids(search(anon, q=w, file_type="csv")) == [rid]
    assert buckets(search(anon, q=w), "file_type")["csv"]["doc_count"] == 1


def _with_file(api: Api, data: dict[str, Any], key: str, content: bytes) -> str:
    rid = create(api, data)
    assert api.post(f"/api/records/{rid}/draft/files", json=[{"key": key}]).status_code == 201
    r = api.put(
        f"/api/records/{rid}/draft/files/{key}/content",
        data=content,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 200, r.text
    assert api.post(f"/api/records/{rid}/draft/files/{key}/commit").status_code == 200
    return publish(api, rid=rid)


def test_hits_show_the_files_a_read_shows(api, anon):
    """A page of hits reads the files of all its records at once; each hit's ``files`` is
    what reading that record gives the same caller (entries of restricted files only to
    those who manage the record)."""
    w = word()
    open_id = _with_file(api, body(files=True, title=f"Files {w} open"), "a.csv", b"1,2\n")
    closed = body(files=True, title=f"Files {w} closed")
    closed["access"]["files"] = "restricted"
    closed_id = _with_file(api, closed, "b.txt", b"secret")
    bare_id = publish(api, body(title=f"Files {w} none"))
    for client in (api, anon):
        hits = {h["id"]: h for h in search(client, q=w)["hits"]["hits"]}
        assert set(hits) == {open_id, closed_id, bare_id}
        for rid, hit in hits.items():
            assert hit["files"] == client.get(f"/api/records/{rid}").json()["files"], rid
    owner_hits = {h["id"]: h for h in search(api, q=w)["hits"]["hits"]}
    assert list(owner_hits[closed_id]["files"]["entries"]) == ["b.txt"]
    anon_hits = {h["id"]: h for h in search(anon, q=w)["hits"]["hits"]}
    assert anon_hits[closed_id]["files"]["entries"] == {}
    assert anon_hits[closed_id]["files"]["count"] == 1
    assert list(anon_hits[open_id]["files"]["entries"]) == ["a.csv"]
    assert anon_hits[bare_id]["files"]["count"] == 0


# -- sorting, versions -----------------------------------------------------------------------
def test_sorts(api, anon):
    w = word()
    made = [publish(api, body(title=f"Sorted {w} {i}")) for i in range(3)]
    assert ids(search(anon, q=w, sort="newest")) == made[::-1]
    assert ids(search(anon, q=w, sort="oldest")) == made
    for sort in ("mostviewed", "mostdownloaded", "version", "bestmatch"):
        result = search(anon, q=w, sort=sort)
        assert result["sortBy"] == sort and set(ids(result)) == set(made)
    r = anon.get("/api/records", params={"q": w, "sort": "random"})
    assert r.status_code == 400
    assert [e["field"] for e in r.json()["errors"]] == ["sort"]
    assert r.json()["message"] == "Invalid querystring parameters."
    r = anon.get("/api/records", params={"sort": "updated-desc"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "sort"

    # user records: by last update too
    api.post(f"/api/records/{made[0]}/draft")
    api.put(f"/api/records/{made[0]}/draft", json=body(title=f"Sorted {w} touched"))
    assert ids(search(api, "/api/user/records", q=w, sort="updated-desc"))[0] == made[0]
    assert ids(search(api, "/api/user/records", q=w, sort="updated-asc"))[-1] == made[0]


def test_allversions_and_versions_listing(api, anon):
    w = word()
    v1 = publish(api, body(title=f"Versioned {w}"))
    v2 = publish(api, rid=new_version(api, v1, title=f"Versioned {w} second"))
    v3 = new_version(api, v2, title=f"Versioned {w} third")  # a draft

    latest = search(anon, q=w)
    assert ids(latest) == [v2]
    assert latest["hits"]["hits"][0]["versions"]["is_latest"] is True
    every = search(anon, q=w, allversions="true")
    assert set(ids(every)) == {v1, v2} and every["hits"]["total"] == 2
    assert "allversions=true" in every["links"]["self"]
    assert set(ids(search(anon, q=w, allversions="1"))) == {v1, v2}
    assert ids(search(anon, q=w, sort="version", allversions="true")) == [v2, v1]
    r = anon.get("/api/records", params={"allversions": "maybe"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "allversions"

    for rid in (v1, v2):
        listing = search(anon, f"/api/records/{rid}/versions")
        assert ids(listing) == [v2, v1] and listing["sortBy"] == "version"
    assert ids(search(anon, f"/api/records/{v1}/versions", sort="oldest")) == [v1, v2]
    assert ids(search(anon, f"/api/records/{v1}/versions", size=1, page=2)) == [v1]

    # the dashboard: the newest entry of each record, or every entry
    mine = search(api, "/api/user/records", q=w)
    assert ids(mine) == [v3]
    assert mine["hits"]["hits"][0]["status"] == "new_version_draft"
    assert set(ids(search(api, "/api/user/records", q=w, allversions="true"))) == {v1, v2, v3}

    # publishing v3 moves "latest" in the public search
    publish(api, rid=v3)
    assert ids(search(anon, q=w)) == [v3]
    assert ids(search(anon, f"/api/records/{v1}/versions")) == [v3, v2, v1]


def test_user_records_drafts_status_and_isolation(api, anon, factory, live_server):
    w = word()
    draft = create(api, body(title=f"Mine {w} draft"))
    published = publish(api, body(title=f"Mine {w} published"))
    edited = publish(api, body(title=f"Mine {w} edited"))
    assert api.post(f"/api/records/{edited}/draft").status_code == 201
    api.put(f"/api/records/{edited}/draft", json=body(title=f"Mine {w} edited again"))
    versioned = publish(api, body(title=f"Mine {w} versioned"))
    pending = new_version(api, versioned, title=f"Mine {w} versioned two")
    other = Api(live_server, factory.user().token)
    theirs = create(other, body(title=f"Theirs {w}"))
    theirs_published = publish(other, body(title=f"Theirs {w} published"))

    result = search(api, "/api/user/records", q=w)
    assert set(ids(result)) == {draft, published, edited, pending}
    hits = {h["id"]: h for h in result["hits"]["hits"]}
    assert hits[draft]["status"] == "draft" and hits[draft]["is_published"] is False
    assert hits[published]["status"] == "published" and hits[published]["is_published"]
    assert hits[edited]["is_draft"] is True and hits[edited]["is_published"] is True
    assert hits[edited]["metadata"]["title"] == f"Mine {w} edited again"
    assert hits[pending]["status"] == "new_version_draft"

    def listed(client: Api, **params: Any) -> set[str]:
        params.setdefault("q", w)
        return set(ids(search(client, "/api/user/records", **params)))

    assert listed(api, is_published="false") == {draft, pending}
    assert listed(api, is_published="true") == {published, edited}
    assert listed(api, status="draft") == {draft}
    assert listed(api, status="new_version_draft") == {pending}
    assert listed(api, status="published") == {published, edited}
    assert listed(other) == {theirs, theirs_published}
    assert listed(api, q=f"id:{theirs}") == set()
    r = api.get("/api/user/records", params={"status": "bogus"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "status"
    r = api.get("/api/user/records", params={"is_published": "perhaps"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "is_published"
    assert anon.get("/api/user/records").status_code == 403
    # drafts never leak into the public search
    assert found(anon, w) == {published, edited, versioned, theirs_published}
    assert search(anon, q=f"{w} AND again")["hits"]["total"] == 0


# -- permissions -----------------------------------------------------------------------------
def test_restricted_records_only_for_who_may_read_them(api, anon, admin_api, factory, live_server):
    w = word()
    public = publish(api, body(title=f"Open {w}", resource_type={"id": "dataset"}))
    secret = publish(
        api,
        body(access="restricted", title=f"Secret {w}", resource_type={"id": "publication-book"}),
    )
    other = Api(live_server, factory.user().token)

    for client in (api, admin_api):
        result = search(client, q=w)
        assert set(ids(result)) == {public, secret} and result["hits"]["total"] == 2
        assert set(buckets(result, "resource_type")) == {"dataset", "publication"}
        assert buckets(result, "access_status")["restricted"]["doc_count"] == 1
    for client in (anon, other):
        result = search(client, q=w)
        assert ids(result) == [public] and result["hits"]["total"] == 1
        assert set(buckets(result, "resource_type")) == {"dataset"}
        assert "restricted" not in buckets(result, "access_status")
        assert sum(b["doc_count"] for b in result["aggregations"]["resource_type"]["buckets"]) == 1
        assert search(client, q=f"id:{secret}")["hits"]["total"] == 0
        assert search(client, q=w, access_status="restricted")["hits"]["total"] == 0
        assert search(client, q=w, resource_type="publication")["hits"]["total"] == 0
        assert search(client, q=w, allversions="true")["hits"]["total"] == 1
        assert client.get(f"/api/records/{secret}/versions").status_code == 403
    assert secret not in set(ids(search(other, "/api/user/records", q=w)))
    assert ids(search(api, f"/api/records/{secret}/versions")) == [secret]


# -- changes reach the search ----------------------------------------------------------------
def test_edit_then_publish_updates_the_search(api, anon):
    w = word()
    rid = publish(api, body(title=f"Before{w} text"))
    assert found(anon, f"before{w}") == {rid}
    assert api.post(f"/api/records/{rid}/draft").status_code == 201
    api.put(f"/api/records/{rid}/draft", json=body(title=f"After{w} text"))
    # the published record is unchanged until the edit is published
    assert found(anon, f"before{w}") == {rid}
    assert found(anon, f"after{w}") == set()
    assert found(api, f"after{w}", "/api/user/records") == {rid}
    publish(api, rid=rid)
    assert found(anon, f"before{w}") == set()
    assert found(anon, f"after{w}") == {rid}
    assert found(api, f"before{w}", "/api/user/records") == set()
    # a discarded edit leaves the record as it was
    api.post(f"/api/records/{rid}/draft")
    api.put(f"/api/records/{rid}/draft", json=body(title=f"Discarded{w} text"))
    assert api.delete(f"/api/records/{rid}/draft").status_code == 204
    assert found(api, f"discarded{w}", "/api/user/records") == set()
    assert found(api, f"after{w}", "/api/user/records") == {rid}


def test_delete_removes_from_search_and_restore_brings_back(api, anon, admin_api):
    w = word()
    v1 = publish(api, body(title=f"Doomed {w}"))
    v2 = publish(api, rid=new_version(api, v1, title=f"Doomed {w} two"))
    assert ids(search(anon, q=w)) == [v2]

    assert admin_api.delete(f"/api/records/{v2}").status_code == 204
    # the earlier version is the latest again
    assert ids(search(anon, q=w)) == [v1]
    assert ids(search(admin_api, q=w, allversions="true")) == [v1]
    assert ids(search(anon, f"/api/records/{v1}/versions")) == [v1]
    assert found(api, w, "/api/user/records", allversions="true") == {v1}

    assert admin_api.delete(f"/api/records/{v1}").status_code == 204
    assert search(anon, q=w)["hits"]["total"] == 0
    assert search(admin_api, q=w, allversions="true")["hits"]["total"] == 0

    r = admin_api.post(f"/api/records/{v2}/restore")
    assert r.status_code == 200, r.text
    assert ids(search(anon, q=w)) == [v2]
    assert admin_api.post(f"/api/records/{v1}/restore").status_code == 200
    assert ids(search(anon, q=w, sort="version", allversions="true")) == [v2, v1]
    assert found(api, w, "/api/user/records", allversions="true") == {v1, v2}


# -- paging ----------------------------------------------------------------------------------
def test_page_and_size_limits(anon, api):
    w = word()
    made = [publish(api, body(title=f"Paged {w} {i}")) for i in range(5)]
    pages = [ids(search(anon, q=w, sort="oldest", size=2, page=p)) for p in (1, 2, 3, 4)]
    assert pages == [made[:2], made[2:4], made[4:], []]
    r = anon.get("/api/records", params={"size": 1001})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "size"
    for name, value in (("page", 0), ("size", 0), ("page", -1), ("page", "x"), ("size", "x")):
        r = anon.get("/api/records", params={name: value})
        assert r.status_code == 400, (name, value)
        assert r.json()["errors"][0]["field"] == name
    r = anon.get("/api/records", params={"page": 10_000_000, "size": 1000})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "page"
    assert anon.get("/api/records", params={"page": 100, "size": 1000}).status_code == 200


def test_bad_cursor_is_a_400_naming_cursor(anon, api):
    w = word()
    for i in range(3):
        publish(api, body(title=f"Cursor {w} {i}"))
    first = search(anon, q=w, sort="newest", size=1, cursor="")
    token = first["links"]["next"].split("cursor=", 1)[1]
    for bad in ("not a cursor", "eyJzIjoibmV3ZXN0IiwiayI6LTF9", "%%%", "e30"):
        r = anon.get("/api/records", params={"q": w, "sort": "newest", "cursor": bad})
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["errors"][0]["field"] == "cursor"
    # a cursor belongs to its sort
    r = anon.get("/api/records", params={"q": w, "sort": "oldest", "cursor": token})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "cursor"


def test_cursor_walks_past_ten_thousand_hits(db, tmp_path):
    """Far beyond InvenioRDM's 10,000-hit wall: a cursor walk sees every hit exactly once."""
    served = serve(tmp_path, db, search_wait_seconds=60)
    try:
        anon = Api(served.base)
        w = word()
        count = 10_050
        made = insert_published(db, count, f"Bulk {w}")
        indexer = served.app.state.services.search.indexer
        assert indexer.wait_for(indexer.database_seq(), timeout=120)

        started = time.monotonic()
        seen: list[str] = []
        result = search(anon, q=w, sort="newest", size=1000, cursor="")
        assert "page" not in result
        pages = 1
        while True:
            assert result["hits"]["total"] == count
            seen += ids(result)
            if "next" not in result["links"]:
                break
            result = search(anon, result["links"]["next"].removeprefix(served.base))
            pages += 1
        assert pages == 11
        assert len(seen) == len(set(seen)) == count
        assert seen == made[::-1]  # newest first: the later inserted, the newer
        assert time.monotonic() - started < 60

        # page-based paging goes past 10,000 too, and offers a cursor to continue
        last = search(anon, q=w, sort="newest", size=1000, page=11)
        assert ids(last) == made[49::-1] and last["page"] == 11
        assert "next" not in last["links"]
        middle = search(anon, q=w, sort="newest", size=1000, page=3)
        assert "next_cursor" in middle["links"] and "cursor=" in middle["links"]["next_cursor"]
        after = search(anon, middle["links"]["next_cursor"].removeprefix(served.base))
        assert ids(after) == made[::-1][3000:4000]
    finally:
        served.stop()


@pytest.mark.parametrize("path", ["/api/records", "/api/user/records"])
def test_cursor_walk_with_small_pages(api, path):
    w = word()
    made = [publish(api, body(title=f"Walk {w} {i}")) for i in range(7)]
    seen: list[str] = []
    result = search(api, path, q=w, sort="oldest", size=3, cursor="")
    while True:
        seen += ids(result)
        if "next" not in result["links"]:
            break
        result = search(api, result["links"]["next"].removeprefix(api.base))
    assert seen == made
