"""Every OAI-PMH response type — each verb, with and without resumption tokens, deleted
records, every metadata format and every error code — validates against OAI-PMH.xsd (and the
schemas of the embedded metadata), resolved offline from ``../shared/data``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from cairn.core.identity import SYSTEM
from cairn.oaipmh.metadata import metadata_formats
from cairn.oaipmh.protocol import OaiProvider, QuerySets, Repository
from cairn.oaipmh.sets import ResourceTypeSets
from cairn.oaipmh.tokens import TokenSigner
from cairn.records.harvest import Harvest
from tests.conftest import SHARED_DATA
from tests.factories import Factory

OAI_DIR = SHARED_DATA / "oai-pmh"
KERNEL = SHARED_DATA / "datacite-schema" / "kernel-4.5" / "metadata.xsd"
NS = {"o": "http://www.openarchives.org/OAI/2.0/"}
# OAI-DataCite 1.1 (schema.datacite.org/oai/oai-1.1/oai.xsd), written from its documentation
OAI_DATACITE = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:k="http://datacite.org/schema/kernel-4"
    targetNamespace="http://schema.datacite.org/oai/oai-1.1/" elementFormDefault="qualified">
  <xs:import namespace="http://datacite.org/schema/kernel-4"/>
  <xs:element name="oai_datacite"><xs:complexType><xs:sequence>
    <xs:element name="isReferenceQuality" type="xs:boolean" minOccurs="0"/>
    <xs:element name="schemaVersion" type="xs:string"/>
    <xs:element name="datacentreSymbol" type="xs:string"/>
    <xs:element name="payload"><xs:complexType><xs:sequence>
      <xs:element ref="k:resource"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"""
# MARCXML and RDF schemas are not bundled: their root element is checked, content skipped
LAX = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{ns}"
    elementFormDefault="qualified">
  <xs:element name="{root}"><xs:complexType><xs:sequence>
    <xs:any processContents="lax" namespace="##any" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence><xs:anyAttribute processContents="lax"/></xs:complexType></xs:element>
</xs:schema>"""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, resolve_entities=False)


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    folder: Path = tmp_path_factory.mktemp("oai-xsd")
    (folder / "oai_datacite.xsd").write_text(OAI_DATACITE)
    (folder / "marc.xsd").write_text(LAX.format(ns="http://www.loc.gov/MARC21/slim", root="record"))
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    (folder / "rdf.xsd").write_text(LAX.format(ns=rdf, root="RDF"))
    imports = [
        ("http://www.w3.org/XML/1998/namespace", OAI_DIR / "local" / "xml.xsd"),
        ("http://purl.org/dc/elements/1.1/", OAI_DIR / "local" / "simpledc-local.xsd"),
        ("http://www.openarchives.org/OAI/2.0/oai_dc/", OAI_DIR / "oai_dc.xsd"),
        ("http://www.openarchives.org/OAI/2.0/oai-identifier", OAI_DIR / "oai-identifier.xsd"),
        ("http://datacite.org/schema/kernel-4", KERNEL),
        ("http://schema.datacite.org/oai/oai-1.1/", folder / "oai_datacite.xsd"),
        ("http://www.loc.gov/MARC21/slim", folder / "marc.xsd"),
        (rdf, folder / "rdf.xsd"),
        ("http://www.openarchives.org/OAI/2.0/", OAI_DIR / "OAI-PMH.xsd"),
    ]
    lines = "\n".join(
        f'  <xs:import namespace="{ns}" schemaLocation="{path.resolve().as_uri()}"/>'
        for ns, path in imports
    )
    driver = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="urn:cairn:oai-driver" elementFormDefault="qualified">\n'
        f"{lines}\n</xs:schema>"
    )
    return etree.XMLSchema(etree.fromstring(driver.encode(), _parser()))


@pytest.fixture
def provider(services: Any) -> OaiProvider:
    repository = Repository(
        "Cairn", "https://cairn.test/oai2d", "cairn.test", "admin@cairn.test", 2
    )

    def add_links(record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "links": services.links.item(record, False)}

    return OaiProvider(
        repository,
        Harvest(services.records),
        metadata_formats(services.formats, "CAIRN.TEST"),
        ResourceTypeSets(services.vocabularies),
        TokenSigner("a secret"),
        add_links,
        QuerySets(services.oai_sets, services.oai_members),
    )


def valid(schema: etree.XMLSchema, body: bytes) -> etree._Element:
    doc = etree.fromstring(body, _parser())
    if not schema.validate(doc):
        raise AssertionError(f"{schema.error_log}\n{body.decode()[:3000]}")
    return doc


def call(schema: etree.XMLSchema, oai: OaiProvider, **args: str) -> etree._Element:
    return valid(schema, oai.handle(list(args.items())))


def test_every_verb_and_format_validates(
    schema: etree.XMLSchema, provider: OaiProvider, factory: Factory
) -> None:
    user = factory.user()
    full = {
        "description": "<p>With <b>markup</b> &amp; more</p>",
        "subjects": [{"subject": "geology"}],
        "languages": [{"id": "eng"}],
        "dates": [{"date": "2019-01-01/2019-12-31", "type": {"id": "collected"}}],
        "version": "v1.0",
        "rights": [{"id": "cc-by-4.0"}],
    }
    ids = [
        str(factory.record(user, title=f"Valid {i}", **(full if i == 0 else {})).id)
        for i in range(4)
    ]
    factory.services.records.delete_record(SYSTEM, ids[3], {})
    defined = factory.services.oai_sets.create(
        SYSTEM,
        {"name": "Valid", "spec": "valid:all", "search_pattern": "valid", "description": "A & <b>"},
    )
    assert factory.services.oai_members.build(defined["id"], 1)
    sets = call(schema, provider, verb="ListSets")
    assert sets.find(".//o:setDescription", NS) is not None
    header = call(
        schema, provider, verb="ListIdentifiers", metadataPrefix="oai_dc", set="valid:all"
    )
    assert "valid:all" in [s.text for s in header.iterfind(".//o:setSpec", NS)]
    assert call(schema, provider, verb="Identify").find(".//o:description", NS) is not None
    call(schema, provider, verb="ListSets")
    call(schema, provider, verb="ListMetadataFormats")
    call(schema, provider, verb="ListMetadataFormats", identifier=f"oai:cairn.test:{ids[0]}")
    for prefix in provider.formats:
        for rid in (ids[0], ids[3]):
            args = {"identifier": f"oai:cairn.test:{rid}", "metadataPrefix": prefix}
            doc = call(schema, provider, verb="GetRecord", **args)
            assert doc.find(".//o:record", NS) is not None
        for verb in ("ListRecords", "ListIdentifiers"):
            doc = call(schema, provider, verb=verb, metadataPrefix=prefix)
            pages = 1
            token = doc.find(".//o:resumptionToken", NS)
            while token is not None and token.text:
                doc = call(schema, provider, verb=verb, resumptionToken=token.text)
                token = doc.find(".//o:resumptionToken", NS)
                pages += 1
            assert pages == 2 and token is not None  # the last page's empty token too
    deleted = call(schema, provider, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert deleted is not None


ERRORS = [
    ({}, "badVerb"),
    ({"verb": "Frobnicate"}, "badVerb"),
    ({"verb": "GetRecord"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2020-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "bad"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "nope"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:x:y", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "nope"}, "noRecordsMatch"),
]


@pytest.mark.parametrize(("args", "code"), ERRORS, ids=[c for _, c in ERRORS])
def test_every_error_validates(
    schema: etree.XMLSchema, provider: OaiProvider, args: dict[str, str], code: str
) -> None:
    doc = call(schema, provider, **args)
    assert doc.find("o:error", NS).get("code") == code


def test_the_schema_rejects_broken_responses(
    schema: etree.XMLSchema, provider: OaiProvider, factory: Factory
) -> None:
    """The validation above can fail: a header without datestamp, or a DataCite resource
    without titles, is refused."""
    rid = str(factory.record(factory.user(), title="Broken").id)
    args = [("verb", "GetRecord"), ("identifier", f"oai:cairn.test:{rid}")]
    datestamp = "{http://www.openarchives.org/OAI/2.0/}datestamp"
    for prefix, victim in (("oai_dc", datestamp), ("oai_datacite", None)):
        doc = etree.fromstring(provider.handle([*args, ("metadataPrefix", prefix)]))
        if victim is None:
            node = doc.find(".//{http://datacite.org/schema/kernel-4}titles")
        else:
            node = doc.find(f".//{victim}")
        assert node is not None
        node.getparent().remove(node)
        assert not schema.validate(doc), prefix
