"""OAI-PMH at /oai2d over HTTP: the six verbs, GET and POST, every error the endpoint can
give, resumption tokens (paging, tampering, a restart), from/until and deletions."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import etree

from cairn.api.oaipmh import link_adder
from cairn.core.identity import SYSTEM
from cairn.db import Database
from tests.conftest import ServedApp, serve
from tests.factories import Factory, User, minimal_record

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
}
PREFIXES = {
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "datacite": "http://datacite.org/schema/kernel-4",
    "oai_datacite": "http://schema.datacite.org/oai/oai-1.1/",
    "marcxml": "http://www.loc.gov/MARC21/slim",
    "dcat": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("oai-instance")


@pytest.fixture(scope="module")
def server(instance: Path, db: Database) -> Iterator[ServedApp]:
    served = serve(instance, db)
    yield served
    served.stop()


def page_size(served: ServedApp, size: int) -> None:
    """Set the provider's page size (built on the first request)."""
    requests.get(served.base + "/oai2d", params={"verb": "Identify"}, timeout=30)
    oai = served.app.state.oai_provider
    oai.repository = dataclasses.replace(oai.repository, page_size=size)


def oai(base: str, method: str = "GET", **args: str) -> etree._Element:
    url = base + "/oai2d"
    if method == "GET":
        response = requests.get(url, params=args, timeout=60)
    else:
        response = requests.post(url, data=args, timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    return etree.fromstring(response.content)


def error_code(doc: etree._Element) -> str | None:
    errors = doc.findall("o:error", NS)
    return errors[0].get("code") if errors else None


def publish(factory: Factory, user: User, title: str, **metadata: object) -> str:
    return str(factory.record(user, title=title, **metadata).id)


def restrict(factory: Factory, user: User, record_id: str) -> None:
    records = factory.services.records
    records.edit(user.identity, record_id)
    body = minimal_record(title="restricted now")
    body["access"]["record"] = "restricted"
    records.update_draft(user.identity, record_id, body)
    records.publish(user.identity, record_id)


def ids_of(doc: etree._Element) -> list[str]:
    return [i.text.rsplit(":", 1)[1] for i in doc.iterfind(".//o:header/o:identifier", NS)]


def test_identify(server: ServedApp, factory: Factory) -> None:
    user = factory.user()
    publish(factory, user, "Earliest")
    doc = oai(server.base, verb="Identify")
    ident = doc.find("o:Identify", NS)
    assert ident is not None
    assert ident.findtext("o:baseURL", namespaces=NS) == server.base + "/oai2d"
    assert ident.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert ident.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert ident.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    earliest = ident.findtext("o:earliestDatestamp", namespaces=NS)
    assert earliest is not None and earliest.endswith("Z") and len(earliest) == 20
    assert doc.find("o:request", NS).get("verb") == "Identify"


def test_list_metadata_formats(server: ServedApp, factory: Factory) -> None:
    doc = oai(server.base, verb="ListMetadataFormats")
    found = {
        f.findtext("o:metadataPrefix", namespaces=NS): f.findtext(
            "o:metadataNamespace", namespaces=NS
        )
        for f in doc.iterfind(".//o:metadataFormat", NS)
    }
    assert found == PREFIXES
    record_id = publish(factory, factory.user(), "Formats")
    host = "127.0.0.1"
    doc = oai(server.base, verb="ListMetadataFormats", identifier=f"oai:{host}:{record_id}")
    assert len(doc.findall(".//o:metadataFormat", NS)) == len(PREFIXES)
    doc = oai(server.base, verb="ListMetadataFormats", identifier=f"oai:{host}:zzzzz-zzz99")
    assert error_code(doc) == "idDoesNotExist"


def test_get_record_in_every_format(server: ServedApp, factory: Factory) -> None:
    record_id = publish(factory, factory.user(), "Every format")
    identifier = f"oai:127.0.0.1:{record_id}"
    for prefix, namespace in PREFIXES.items():
        doc = oai(server.base, verb="GetRecord", identifier=identifier, metadataPrefix=prefix)
        assert error_code(doc) is None, prefix
        header = doc.find(".//o:record/o:header", NS)
        assert header.findtext("o:identifier", namespaces=NS) == identifier
        assert header.get("status") is None
        assert "resource_type:image:image-photo" in [
            s.text for s in header.iterfind("o:setSpec", NS)
        ]
        payload = doc.find(".//o:record/o:metadata", NS)[0]
        assert etree.QName(payload).namespace == namespace, prefix
        text = etree.tostring(payload, encoding="unicode")
        assert "Every format" in text, prefix
    doc = oai(server.base, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert doc.findtext(".//dc:title", namespaces=NS) == "Every format"


def test_errors(server: ServedApp, factory: Factory) -> None:
    record_id = publish(factory, factory.user(), "Errors")
    base = server.base
    cases: list[tuple[dict[str, str], str]] = [
        ({}, "badVerb"),
        ({"verb": "Dance"}, "badVerb"),
        ({"verb": "GetRecord", "identifier": f"oai:127.0.0.1:{record_id}"}, "badArgument"),
        ({"verb": "Identify", "color": "red"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-01"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2020-01-01",
                "until": "2021-01-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2021-01-02",
                "until": "2021-01-01",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
            "badArgument",
        ),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": ""}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "forged.token"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        (
            {
                "verb": "GetRecord",
                "identifier": f"oai:127.0.0.1:{record_id}",
                "metadataPrefix": "rfc1807",
            },
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": "nonsense", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": f"oai:other.org:{record_id}",
                "metadataPrefix": "oai_dc",
            },
            "idDoesNotExist",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
            "noRecordsMatch",
        ),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "nope"}, "noRecordsMatch"),
    ]
    for args, code in cases:
        for method in ("GET", "POST"):
            doc = oai(base, method, **args)
            assert error_code(doc) == code, (method, args)
            request = doc.find("o:request", NS)
            assert request.text == base + "/oai2d"
            if code in ("badVerb", "badArgument"):
                assert dict(request.attrib) == {}, args
            else:
                assert request.get("verb") == args["verb"]
    # repeated arguments and verbs (a dict cannot express them)
    url = base + "/oai2d"
    doc = etree.fromstring(requests.get(url + "?verb=Identify&verb=Identify", timeout=30).content)
    assert error_code(doc) == "badVerb"
    query = "?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=datacite"
    doc = etree.fromstring(requests.get(url + query, timeout=30).content)
    assert error_code(doc) == "badArgument"
    response = requests.post(url, json={"verb": "Identify"}, timeout=30)
    assert error_code(etree.fromstring(response.content)) == "badArgument"


def test_post_equals_get(server: ServedApp, factory: Factory) -> None:
    publish(factory, factory.user(), "Posted")
    args = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    got, posted = oai(server.base, **args), oai(server.base, "POST", **args)
    assert ids_of(got) == ids_of(posted) and len(ids_of(got)) == 1
    assert posted.findtext(".//dc:title", namespaces=NS) == "Posted"


def test_paging_with_tokens_and_restart(
    instance: Path, db: Database, server: ServedApp, factory: Factory
) -> None:
    user = factory.user()
    made = [publish(factory, user, f"Paged {i}") for i in range(7)]
    page_size(server, 3)
    doc = oai(server.base, verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = ids_of(doc)
    token = doc.find(".//o:resumptionToken", NS)
    assert len(seen) == 3 and token.get("cursor") == "0"
    assert token.get("completeListSize") == "7"
    tampered = token.text[:-2] + ("AA" if token.text[-2:] != "AA" else "BB")
    bad = oai(server.base, verb="ListIdentifiers", resumptionToken=tampered)
    assert error_code(bad) == "badResumptionToken"
    wrong_verb = oai(server.base, verb="ListRecords", resumptionToken=token.text)
    assert error_code(wrong_verb) == "badResumptionToken"
    # a restarted server (same instance, same secret key) takes the token
    restarted = serve(instance, db)
    try:
        page_size(restarted, 3)
        while token is not None and token.text:
            doc = oai(restarted.base, "POST", verb="ListIdentifiers", resumptionToken=token.text)
            seen += ids_of(doc)
            token = doc.find(".//o:resumptionToken", NS)
            assert token is not None
    finally:
        restarted.stop()
    assert token.get("cursor") == "6" and token.get("completeListSize") == "7"
    assert sorted(seen) == sorted(made) and len(seen) == 7
    # a server with another secret key refuses it
    other = serve(instance.parent / "oai-other", db)
    try:
        first = oai(server.base, verb="ListRecords", metadataPrefix="oai_dc")
        text = first.find(".//o:resumptionToken", NS).text
        assert len(first.findall(".//o:record", NS)) == 3
        doc = oai(other.base, verb="ListRecords", resumptionToken=text)
        assert error_code(doc) == "badResumptionToken"
    finally:
        other.stop()
    page_size(server, 500)


def test_from_until_and_sets(server: ServedApp, factory: Factory) -> None:
    user = factory.user()
    old = publish(factory, user, "Old", resource_type={"id": "dataset"})
    time.sleep(1.1)
    after = datetime.now(UTC).replace(microsecond=0)
    new = publish(factory, user, "New", resource_type={"id": "publication-article"})
    stamp = after.strftime("%Y-%m-%dT%H:%M:%SZ")
    before = (after - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    args = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    assert ids_of(oai(server.base, **args, **{"from": stamp})) == [new]
    assert ids_of(oai(server.base, **args, until=before)) == [old]
    day = after.strftime("%Y-%m-%d")
    assert set(ids_of(oai(server.base, **args, **{"from": day}, until=day))) <= {old, new}
    assert ids_of(oai(server.base, **args, set="resource_type:dataset")) == [old]
    assert ids_of(oai(server.base, **args, set="resource_type:publication")) == [new]
    assert set(ids_of(oai(server.base, **args, set="resource_type"))) == {old, new}
    sets = oai(server.base, verb="ListSets")
    specs = [s.text for s in sets.iterfind(".//o:setSpec", NS)]
    assert "resource_type:dataset" in specs
    assert "resource_type:publication:publication-article" in specs


def test_deleted_and_restricted_are_reported_deleted(server: ServedApp, factory: Factory) -> None:
    user, admin = factory.user(), factory.user(admin=True)
    kept = publish(factory, user, "Kept")
    gone = publish(factory, user, "Gone")
    hidden = publish(factory, user, "Hidden")
    factory.services.records.delete_record(admin.identity, gone, {})
    restrict(factory, user, hidden)
    doc = oai(server.base, verb="ListRecords", metadataPrefix="oai_datacite")
    records = {
        r.findtext("o:header/o:identifier", namespaces=NS).rsplit(":", 1)[1]: r
        for r in doc.iterfind(".//o:record", NS)
    }
    assert set(records) == {kept, gone, hidden}
    for rid in (gone, hidden):
        assert records[rid].find("o:header", NS).get("status") == "deleted"
        assert records[rid].find("o:metadata", NS) is None
    assert records[kept].find("o:metadata", NS) is not None
    doc = oai(
        server.base, verb="GetRecord", identifier=f"oai:127.0.0.1:{hidden}", metadataPrefix="oai_dc"
    )
    assert doc.find(".//o:header", NS).get("status") == "deleted"
    assert "restricted now" not in etree.tostring(doc, encoding="unicode")
    factory.services.records.restore(SYSTEM, gone)
    doc = oai(
        server.base, verb="GetRecord", identifier=f"oai:127.0.0.1:{gone}", metadataPrefix="oai_dc"
    )
    assert doc.find(".//o:header", NS).get("status") is None


def test_links_from_templates_equal_the_api_links(services: Any, factory: Factory) -> None:
    item = factory.record(factory.user(), title="Linked")
    assert link_adder(services)(item.data)["links"] == services.links.item(item.data, False)


def test_datacite_identifies_by_landing_page_without_doi(
    server: ServedApp, factory: Factory
) -> None:
    record_id = publish(factory, factory.user(), "Landing")
    doc = oai(
        server.base,
        verb="GetRecord",
        identifier=f"oai:127.0.0.1:{record_id}",
        metadataPrefix="oai_datacite",
    )
    identifier = doc.find(".//{http://datacite.org/schema/kernel-4}identifier")
    assert identifier.get("identifierType") == "URL"
    assert identifier.text == f"{server.base}/records/{record_id}"


def test_formats_api(server: ServedApp) -> None:
    body = requests.get(server.base + "/api/oaipmh/formats", timeout=30).json()
    assert body["hits"]["total"] == len(PREFIXES)
    assert {h["id"]: h["namespace"] for h in body["hits"]["hits"]} == PREFIXES
    assert all(h["schema"].startswith("http") for h in body["hits"]["hits"])
