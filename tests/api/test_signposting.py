"""FAIR Signposting over HTTP, read back with the `signposting` library: level 1 (``Link``
headers of landing pages and file downloads) and level 2 (linksets by content negotiation
on the landing page, and as exports)."""

from __future__ import annotations

from typing import Any

import requests
from signposting import find_signposting_http, find_signposting_http_link, find_signposting_linkset

from cairn.formats.signposting_catalog import described_by
from cairn.http.signposting import MAX_ITEMS
from tests.factories import minimal_record

ORCID = "0000-0002-1825-0097"
DOI = "10.5555/signposting-test"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def publish(api: Any, files: dict[str, bytes], **extra: Any) -> str:
    body = minimal_record(
        resource_type={"id": "dataset"},
        rights=[{"id": "cc-by-4.0"}],
        creators=[
            {
                "person_or_org": {
                    "type": "personal",
                    "family_name": "Brown",
                    "given_name": "Troy",
                    "identifiers": [{"scheme": "orcid", "identifier": ORCID}],
                }
            }
        ],
    )
    body["files"] = {"enabled": bool(files)}
    body.update(extra)
    r = api.post("/api/records", json=body)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    if files:
        r = api.post(f"/api/records/{rid}/draft/files", json=[{"key": k} for k in files])
        assert r.status_code == 201, r.text
    for key, data in files.items():
        r = api.put(
            f"/api/records/{rid}/draft/files/{key}/content",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert r.status_code == 200, r.text
        assert api.post(f"/api/records/{rid}/draft/files/{key}/commit").status_code == 200
    r = api.post(f"/api/records/{rid}/draft/actions/publish")
    assert r.status_code == 202, r.text
    return str(rid)


def test_level_1_landing_page_links(api, anon, live_server, services):
    files = {"table.csv": b"a,b\n1,2\n", "notes.txt": b"hello"}
    rid = publish(api, files, pids={"doi": {"identifier": DOI, "provider": "external"}})
    landing = f"{live_server}/records/{rid}"
    found = find_signposting_http(landing)  # HEAD, as the library does
    assert found.citeAs is not None and found.citeAs.target == f"https://doi.org/{DOI}"
    # describedby: every metadata format of the registry, each served with its own type
    expected = {d.media_type for d in described_by(services.formats)}
    assert "application/json" in expected
    assert {str(s.type) for s in found.describedBy} == expected
    for signpost in found.describedBy:
        r = requests.get(str(signpost.target), headers={"Accept": str(signpost.type)}, timeout=30)
        assert r.status_code == 200, signpost
        assert r.headers["content-type"].split(";")[0] == signpost.type
    # items: the files' content URLs, served with the announced type
    api_files = f"{live_server}/api/records/{rid}/files"
    assert {(s.target, str(s.type)) for s in found.items} == {
        (f"{api_files}/table.csv/content", "text/csv"),
        (f"{api_files}/notes.txt/content", "text/plain"),
    }
    for signpost in found.items:
        r = requests.get(str(signpost.target), timeout=30)
        assert r.status_code == 200 and r.content == files[signpost.target.split("/")[-2]]
        assert r.headers["content-type"].split(";")[0] == signpost.type
    assert {s.target for s in found.authors} == {f"https://orcid.org/{ORCID}"}
    assert found.license is not None
    assert found.license.target == "https://creativecommons.org/licenses/by/4.0/"
    assert {s.target for s in found.types} == {
        "https://schema.org/Dataset",
        "https://schema.org/AboutPage",
    }
    assert {str(s.type) for s in found.linksets} == {
        "application/linkset+json",
        "application/linkset",
    }
    # a GET of the page carries the same header, and says the page varies by Accept
    page = anon.get(f"/records/{rid}", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["Vary"]
    assert find_signposting_http_link([page.headers["Link"]], landing) == found


def test_level_1_file_download_links(api, anon, live_server):
    rid = publish(api, {"data.csv": b"x\n1\n"})
    landing = f"{live_server}/records/{rid}"
    url = f"{live_server}/api/records/{rid}/files/data.csv/content"
    for method in ("GET", "HEAD"):
        r = requests.request(method, url, timeout=30)
        assert r.status_code == 200
        found = find_signposting_http_link([r.headers["Link"]], url)
        assert found.collection is not None and found.collection.target == landing
        assert {str(s.type) for s in found.linksets} == {
            "application/linkset+json",
            "application/linkset",
        }
        for linkset in found.linksets:
            from_file = find_signposting_linkset(str(linkset.target), str(linkset.type))
            assert from_file.for_context(landing).citeAs is not None
    # the web file link redirects to the same download
    r = anon.get(f"/records/{rid}/files/data.csv", allow_redirects=True)
    assert r.status_code == 200 and "collection" in r.headers["Link"]


def test_level_2_linkset_by_negotiation_on_the_landing_page(api, anon, live_server):
    rid = publish(api, {"a.csv": b"1", "b.csv": b"2"})
    landing = f"{live_server}/records/{rid}"
    as_json = find_signposting_linkset(landing, "application/linkset+json")
    as_text = find_signposting_linkset(landing, "application/linkset")
    assert as_json.signposts == as_text.signposts
    assert find_signposting_linkset(landing).signposts == as_json.signposts  # library's Accept
    record = as_json.for_context(landing)
    assert record.citeAs is not None and record.citeAs.target == landing  # no DOI
    assert len(record.items) == 2 and len(record.describedBy) >= 1
    item = as_json.for_context(f"{live_server}/api/records/{rid}/files/a.csv/content")
    assert item.collection is not None and item.collection.target == landing
    for described in record.describedBy:
        about = as_json.for_context(str(described.target))
        assert {s.target for s in about.describes} == {landing}
    # the same linksets as exports, and from the REST API by Accept
    header = find_signposting_http(landing)
    for linkset in header.linksets:
        exported = find_signposting_linkset(str(linkset.target), str(linkset.type))
        assert exported.signposts == as_json.signposts
    r = anon.get(f"/api/records/{rid}", headers={"Accept": "application/linkset+json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/linkset+json"
    assert r.json()["linkset"][0]["anchor"] == landing
    r = anon.get(f"/api/records/{rid}", headers={"Accept": "application/linkset"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/linkset"
    assert r.text.startswith(f'<{landing}>; anchor="{landing}"; rel="cite-as"')
    r = anon.get("/api/records", headers={"Accept": "application/linkset+json"})
    assert r.status_code == 406  # a linkset of one record has no list form
    # browsers and plain clients keep getting the page
    for accept in (BROWSER, "*/*", "text/html, application/linkset+json;q=0.5"):
        r = anon.get(f"/records/{rid}", headers={"Accept": accept})
        assert r.headers["content-type"].startswith("text/html"), accept


def test_many_files_header_is_cut_the_linkset_has_all(api, live_server):
    files = {f"f{n:03}.dat": str(n).encode() for n in range(MAX_ITEMS + 10)}
    rid = publish(api, files)
    landing = f"{live_server}/records/{rid}"
    header = find_signposting_http(landing)
    assert len(header.items) == MAX_ITEMS
    full = find_signposting_linkset(landing, "application/linkset+json").for_context(landing)
    assert len(full.items) == MAX_ITEMS + 10


def test_closed_files_drafts_and_restricted_records(api, anon, live_server):
    closed = publish(api, {"secret.csv": b"1"}, access={"record": "public", "files": "restricted"})
    found = find_signposting_http(f"{live_server}/records/{closed}")
    assert not found.items and found.citeAs is not None
    r = anon.get(f"/api/records/{closed}/files/secret.csv/content")
    assert r.status_code == 403 and "Link" not in r.headers
    hidden = publish(api, {}, access={"record": "restricted", "files": "restricted"})
    r = anon.get(f"/records/{hidden}", headers={"Accept": "application/linkset+json"})
    assert r.status_code in (303, 403) and "linkset" not in r.text  # the login page, or 403
    r = api.get(f"/records/{hidden}", headers={"Accept": "application/linkset+json"})
    assert r.status_code == 200 and r.json()["linkset"][0]["anchor"].endswith(hidden)
    r = api.post("/api/records", json=minimal_record())
    draft = r.json()["id"]
    r = api.get(f"/records/{draft}?preview=1")
    assert r.status_code == 200 and "Link" not in r.headers
