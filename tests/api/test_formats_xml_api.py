"""The XML formats and DataCite JSON over HTTP: Accept negotiation on records and on
searches (each has a list form), the landing page's export links, and 406 for the rest."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from lxml import etree

from tests.api.conftest import Api
from tests.api.test_files import upload
from tests.conftest import SHARED_DATA
from tests.factories import minimal_record

MEDIA = {
    "datacite-xml": "application/vnd.datacite.datacite+xml",
    "x-datacite-xml": "application/x-datacite+xml",
    "datacite-json": "application/vnd.datacite.datacite+json",
    "dublincore": "application/x-dc+xml",
    "marcxml": "application/marcxml+xml",
    "dcat-ap": "application/dcat+xml",
}
D = "{http://datacite.org/schema/kernel-4}"
DC = "{http://purl.org/dc/elements/1.1/}"
MARC = "{http://www.loc.gov/MARC21/slim}"
DCAT = "{http://www.w3.org/ns/dcat#}"
DCT = "{http://purl.org/dc/terms/}"
RDF_RESOURCE = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"


@pytest.fixture(scope="module")
def kernel45() -> etree.XMLSchema:
    path = Path(SHARED_DATA) / "datacite-schema" / "kernel-4.5" / "metadata.xsd"
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


def word() -> str:
    return "x" + uuid.uuid4().hex[:12]


def publish(api: Api, title: str, files: dict[str, bytes] | None = None, **metadata: object) -> str:
    body = minimal_record(title=title, resource_type={"id": "dataset"}, **metadata)
    body["files"] = {"enabled": bool(files)}
    r = api.post("/api/records", json=body)
    assert r.status_code == 201, r.text
    rid = str(r.json()["id"])
    for key, data in (files or {}).items():
        upload(api, rid, key, data)
    r = api.post(f"/api/records/{rid}/draft/actions/publish")
    assert r.status_code == 202, r.text
    return rid


def title_of(name: str, content: bytes) -> str | None:
    """The record's title as each format carries it."""
    if name == "datacite-json":
        return str(json.loads(content)["titles"][0]["title"])
    root = etree.fromstring(content)
    if name in ("datacite-xml", "x-datacite-xml"):
        return root.findtext(f"{D}titles/{D}title")
    if name == "dublincore":
        return root.findtext(f"{DC}title")
    if name == "marcxml":
        return root.findtext(f"{MARC}datafield[@tag='245']/{MARC}subfield[@code='a']")
    return root.findtext(f"{DCAT}Dataset/{DCT}title")


@pytest.mark.parametrize("name", list(MEDIA))
def test_accept_negotiates_each_format(api: Api, anon: Api, name: str) -> None:
    title = f"XML formats {word()} & <more>"
    rid = publish(api, title)
    r = anon.get(f"/api/records/{rid}", headers={"Accept": MEDIA[name]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == MEDIA[name]
    if name != "datacite-json":
        assert r.headers["content-type"].endswith("charset=utf-8")
        assert r.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert title_of(name, r.content) == title
    pretty = anon.get(f"/api/records/{rid}?prettyprint=1", headers={"Accept": MEDIA[name]})
    assert pretty.status_code == 200 and pretty.content.count(b"\n") > r.content.count(b"\n")


def test_datacite_xml_over_http_validates(api: Api, anon: Api, kernel45: etree.XMLSchema) -> None:
    rid = publish(api, f"Valid {word()}", languages=[{"id": "eng"}], version="v1")
    r = anon.get(f"/api/records/{rid}", headers={"Accept": MEDIA["datacite-xml"]})
    doc = etree.fromstring(r.content)
    assert kernel45.validate(doc), kernel45.error_log
    identifier = doc.find(f"{D}identifier")
    assert identifier.get("identifierType") == "URL"
    assert identifier.text == anon.base + f"/records/{rid}"
    assert doc.findtext(f"{D}language") == "en"


def test_search_results_in_every_xml_format(api: Api, anon: Api) -> None:
    w = word()
    first = publish(api, f"First {w}")
    second = publish(api, f"Second {w}")
    params = {"q": w, "sort": "oldest"}
    titles = [f"First {w}", f"Second {w}"]

    def search(name: str) -> bytes:
        r = anon.get("/api/records", params=params, headers={"Accept": MEDIA[name]})
        assert r.status_code == 200, (name, r.text)
        assert r.headers["content-type"].split(";")[0] == MEDIA[name]
        return r.content

    for name in ("datacite-xml", "x-datacite-xml", "dublincore"):
        root = etree.fromstring(search(name))
        assert root.tag == "records" and root.get("total") == "2"
        tag = f"{D}titles/{D}title" if name != "dublincore" else f"{DC}title"
        assert [r.findtext(tag) for r in root] == titles
    data = json.loads(search("datacite-json"))
    assert data["hits"]["total"] == 2
    assert [h["titles"][0]["title"] for h in data["hits"]["hits"]] == titles
    assert [h["url"].rsplit("/", 1)[1] for h in data["hits"]["hits"]] == [first, second]
    collection = etree.fromstring(search("marcxml"))
    assert collection.tag == f"{MARC}collection"
    assert [r.findtext(f"{MARC}controlfield[@tag='001']") for r in collection] == [first, second]
    rdf = etree.fromstring(search("dcat-ap"))
    assert [d.findtext(f"{DCT}title") for d in rdf.findall(f"{DCAT}Dataset")] == titles


def test_not_acceptable(api: Api, anon: Api) -> None:
    rid = publish(api, f"Refused {word()}")
    for accept in ("application/x-nonsense", "application/datacite+xml", "text/xml"):
        r = anon.get(f"/api/records/{rid}", headers={"Accept": accept})
        assert r.status_code == 406, accept
        assert r.json()["status"] == 406
        r = anon.get("/api/records", headers={"Accept": accept})
        assert r.status_code == 406, accept


def test_landing_page_exports(api: Api, anon: Api) -> None:
    title = f"Exported {word()}"
    rid = publish(api, title, files={"data.csv": b"a,b\n1,2\n"})
    html = anon.get(f"/records/{rid}").text
    for name in ("datacite-json", "datacite-xml", "dublincore", "marcxml", "dcat-ap"):
        link = f"/records/{rid}/export/{name}"
        assert f'href="{link}"' in html, name
        r = anon.get(link)
        assert r.status_code == 200, (name, r.text)
        assert r.headers["content-type"].split(";")[0] == MEDIA[name]
        assert r.headers["content-disposition"].startswith(f'attachment; filename="{rid}.')
        assert title_of(name, r.content) == title
    rdf = etree.fromstring(anon.get(f"/records/{rid}/export/dcat-ap").content)
    download = rdf.find(f"{DCAT}Dataset/{DCAT}distribution/{DCAT}Distribution/{DCAT}downloadURL")
    url = download.get(RDF_RESOURCE)
    r = anon.get(url.removeprefix(anon.base), allow_redirects=True)
    assert r.status_code == 200 and r.content == b"a,b\n1,2\n"
