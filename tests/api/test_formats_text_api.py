"""The citation, JSON-LD, GeoJSON, CSV, CodeMeta and CFF formats over HTTP: Accept
negotiation on records and searches, ``?style=``, the landing page's export links and its
embedded JSON-LD."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from typing import Any

import pytest
import yaml

from cairn.formats.bibtex import escape
from tests.api.conftest import Api
from tests.api.test_files import upload
from tests.factories import minimal_record

MEDIA = {
    "json-ld": "application/ld+json",
    "csl": "application/vnd.citationstyles.csl+json",
    "citation": "text/x-bibliography",
    "bibtex": "application/x-bibtex",
    "geojson": "application/vnd.geo+json",
    "csv": "text/csv",
    "csv-full": "application/vnd.inveniordm.v1.full+csv",
    "csv-simple": "application/vnd.inveniordm.v1.simple+csv",
    "codemeta": "application/vnd.codemeta.ld+json",
    "cff": "application/vnd.cff+yaml",
}
_JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def word() -> str:
    return "w" + uuid.uuid4().hex[:12]


def publish(
    api: Api,
    title: str,
    files: dict[str, bytes] | None = None,
    access: dict[str, str] | None = None,
    **metadata: Any,
) -> str:
    body = minimal_record(
        title=title,
        resource_type={"id": "dataset"},
        version="v1.0",
        subjects=[{"subject": "oceans"}],
        locations={"features": [{"geometry": {"type": "Point", "coordinates": [1, 2]}}]},
        **metadata,
    )
    body["files"] = {"enabled": bool(files)}
    if access:
        body["access"] = access
    r = api.post("/api/records", json=body)
    assert r.status_code == 201, r.text
    rid = str(r.json()["id"])
    for key, data in (files or {}).items():
        upload(api, rid, key, data)
    r = api.post(f"/api/records/{rid}/draft/actions/publish")
    assert r.status_code == 202, r.text
    return rid


def check_body(name: str, content: bytes, title: str) -> None:
    """The body is well-formed for its format and carries the record's title."""
    text = content.decode()
    if name in ("json-ld", "codemeta"):
        assert json.loads(text)["name"] == title
    elif name == "csl":
        assert json.loads(text)["title"] == title
    elif name == "geojson":
        assert json.loads(text)["features"][0]["geometry"]["coordinates"] == [1, 2]
    elif name.startswith("csv"):
        (row,) = csv.DictReader(io.StringIO(text))
        assert row["title"] == title
    elif name == "cff":
        assert yaml.safe_load(text)["title"] == title
    elif name == "bibtex":
        assert text.startswith("@dataset{brown_2020_") and f"title = {{{escape(title)}}}" in text
    else:
        assert text.startswith("Brown, T., & Troy Inc. (2020). ") and title in text


@pytest.mark.parametrize("name", list(MEDIA))
def test_accept_negotiates_each_format(api, anon, name):
    title = f"Formats {word()}"
    rid = publish(api, title)
    r = anon.get(f"/api/records/{rid}", headers={"Accept": MEDIA[name]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == MEDIA[name]
    check_body(name, r.content, title)


def test_style_parameter(api, anon):
    title = f"Styles {word()}"
    rid = publish(api, title)
    accept = {"Accept": "text/x-bibliography"}
    r = anon.get(f"/api/records/{rid}", params={"style": "ieee"}, headers=accept)
    assert r.status_code == 200 and r.text.startswith("T. Brown and Troy Inc., ")
    assert r.headers["content-type"] == "text/x-bibliography; charset=utf-8"
    r = anon.get(f"/api/records/{rid}", params={"style": "vancouver"}, headers=accept)
    assert r.status_code == 200 and r.text.startswith("Brown T, Troy Inc. ")
    r = anon.get(f"/api/records/{rid}", params={"style": "no-such-style"}, headers=accept)
    assert r.status_code == 400
    body = r.json()
    assert body["status"] == 400 and "'style'" in body["message"]
    r = anon.get(f"/api/records/{rid}", params={"locale": "zz-ZZ"}, headers=accept)
    assert r.status_code == 400 and "'locale'" in r.json()["message"]


def test_search_results(api, anon):
    w = word()
    first = publish(api, f"First {w}")
    second = publish(api, f"Second {w}")
    params = {"q": w, "sort": "oldest"}

    r = anon.get("/api/records", params=params, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert [row["id"] for row in csv.DictReader(io.StringIO(r.text))] == [first, second]

    r = anon.get("/api/records", params=params, headers={"Accept": MEDIA["csv-simple"]})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["title"] for row in rows] == [f"First {w}", f"Second {w}"]

    r = anon.get("/api/records", params=params, headers={"Accept": "application/x-bibtex"})
    assert r.status_code == 200 and r.text.count("@dataset{") == 2
    assert f"brown_2020_{first.replace('-', '')}" in r.text

    r = anon.get("/api/records", params=params, headers={"Accept": MEDIA["csl"]})
    assert [item["id"] for item in r.json()] == [first, second]

    r = anon.get("/api/records", params=params, headers={"Accept": MEDIA["citation"]})
    assert len(r.text.splitlines()) == 2

    r = anon.get("/api/records", params=params, headers={"Accept": MEDIA["json-ld"]})
    assert [node["name"] for node in r.json()["@graph"]] == [f"First {w}", f"Second {w}"]

    r = anon.get("/api/records", params=params, headers={"Accept": MEDIA["geojson"]})
    assert {f["properties"]["record_id"] for f in r.json()["features"]} == {first, second}


def test_not_acceptable(api, anon):
    rid = publish(api, f"Refused {word()}")
    r = anon.get(f"/api/records/{rid}", headers={"Accept": "application/x-nonsense"})
    assert r.status_code == 406 and r.json()["status"] == 406
    for name in ("codemeta", "cff"):  # no list form
        r = anon.get("/api/records", headers={"Accept": MEDIA[name]})
        assert r.status_code == 406, name


def test_landing_page_exports_and_jsonld(api, anon, live_server):
    title = f"Landing {word()} </script><script>alert(1)</script> & more"
    rid = publish(api, title, files={"data.csv": b"a,b\n1,2\n"})
    page = anon.get(f"/records/{rid}")
    assert page.status_code == 200
    html = page.text
    assert "<script>alert(1)</script>" not in html

    for name, media in MEDIA.items():
        if name == "csv-full":  # the same bytes as csv: not in the menu
            continue
        link = f"/records/{rid}/export/{name}"
        assert f'href="{link}"' in html, name
        r = anon.get(link)
        assert r.status_code == 200, (name, r.text)
        assert r.headers["content-type"].split(";")[0] == media
        assert r.headers["content-disposition"].startswith(f'attachment; filename="{rid}.')
        check_body(name, r.content, title)
    r = anon.get(f"/records/{rid}/export/citation", params={"style": "bogus"})
    assert r.status_code == 400

    (embedded,) = _JSONLD.findall(html)
    doc = json.loads(embedded)
    api_doc = anon.get(f"/api/records/{rid}", headers={"Accept": MEDIA["json-ld"]}).json()
    assert doc == api_doc
    assert doc["@type"] == "Dataset" and doc["name"] == title
    assert doc["url"] == f"{live_server}/records/{rid}"
    (download,) = doc["distribution"]
    assert download["name"] == "data.csv"
    assert anon.get(download["contentUrl"].removeprefix(live_server)).content == b"a,b\n1,2\n"


def test_restricted_files_are_not_listed(api):
    """Even for the owner, who sees the entries, JSON-LD lists only public files."""
    rid = publish(
        api,
        f"Closed {word()}",
        files={"secret.txt": b"x"},
        access={"record": "public", "files": "restricted"},
    )
    data = api.get(f"/api/records/{rid}").json()
    assert data["access"]["files"] == "restricted" and data["files"]["entries"]
    doc = api.get(f"/api/records/{rid}", headers={"Accept": MEDIA["json-ld"]}).json()
    assert doc["isAccessibleForFree"] is False and "distribution" not in doc
