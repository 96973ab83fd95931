"""Every DataCite XML output validates against the DataCite kernel-4.5 XSD (offline, from
``../shared/data/datacite-schema``), and every Dublin Core output against OAI-PMH's
``oai_dc.xsd``: InvenioRDM's example records, records made through the services with every
field filled, and a seeded corpus of varied generated records.

Examples used: ``invenio-rdm-records_full-record.json`` (InvenioRDM's own "every field" test
record) and the two ``rogue-scholar_*_inveniordm-api.json`` records (real InvenioRDM API
responses). Not used: the two ``zenodo_*_legacy-api.json`` files, which are Zenodo's legacy
serialization (``metadata.creators`` as ``{name, affiliation, orcid}``, ``access_right`` …),
not InvenioRDM records, and ``invenio-rdm-records_tombstone.json``, which has no metadata.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from cairn.formats.datacite import to_datacite
from cairn.formats.datacite_xml import datacite_xml
from cairn.formats.dublincore import dc_item
from cairn.formats.marcxml import marc_item
from cairn.formats.xmlhelpers import VOCABULARY_FILES
from tests.conftest import SHARED_DATA
from tests.factories import minimal_record

KERNEL = SHARED_DATA / "datacite-schema" / "kernel-4.5" / "metadata.xsd"
OAI = SHARED_DATA / "oai-pmh"
EXAMPLES = SHARED_DATA / "rdm-examples"
INVENIORDM_EXAMPLES = [
    "invenio-rdm-records_full-record.json",
    "rogue-scholar_apt10-14q04_inveniordm-api.json",
    "rogue-scholar_pevm6-kx104_inveniordm-api.json",
]
DC_DRIVER = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="urn:cairn:test-driver" elementFormDefault="qualified">
  <xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="local/xml.xsd"/>
  <xs:import namespace="http://purl.org/dc/elements/1.1/"
             schemaLocation="local/simpledc-local.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/" schemaLocation="oai_dc.xsd"/>
</xs:schema>"""
MARC = "{http://www.loc.gov/MARC21/slim}"


def _offline_parser() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, resolve_entities=False)


@pytest.fixture(scope="session")
def kernel45() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(KERNEL), _offline_parser()))


@pytest.fixture(scope="session")
def oai_dc_schema() -> etree.XMLSchema:
    driver = etree.fromstring(DC_DRIVER, _offline_parser(), base_url=str(OAI) + "/")
    return etree.XMLSchema(driver)


def assert_valid(schema: etree.XMLSchema, xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml, _offline_parser())
    if not schema.validate(doc):
        raise AssertionError(f"{schema.error_log}\n{xml.decode()}")
    return doc


def assert_marc_structure(xml: bytes) -> None:
    """No MARC21 slim XSD ships in ../shared/data, so check what it would: one leader of 24
    characters, 3-digit tags, 1-character indicators and subfield codes, non-empty values."""
    record = etree.fromstring(xml)
    assert record.tag == f"{MARC}record"
    leader = record.findall(f"{MARC}leader")
    assert len(leader) == 1 and len(leader[0].text or "") == 24
    for field in record.iter(f"{MARC}controlfield", f"{MARC}datafield"):
        tag = field.get("tag") or ""
        assert len(tag) == 3 and tag.isdigit(), tag
    assert len(record.find(f"{MARC}controlfield[@tag='008']").text) == 40
    for field in record.iter(f"{MARC}datafield"):
        assert len(field.get("ind1", "")) == 1 and len(field.get("ind2", "")) == 1
        subfields = field.findall(f"{MARC}subfield")
        assert subfields, field.get("tag")
        for sub in subfields:
            assert len(sub.get("code", "")) == 1 and sub.text


# -- the example records ---------------------------------------------------------------------
@pytest.mark.parametrize("name", INVENIORDM_EXAMPLES)
def test_inveniordm_examples_validate(name: str, kernel45: etree.XMLSchema) -> None:
    record = json.loads((EXAMPLES / name).read_text())
    doc = assert_valid(kernel45, datacite_xml(to_datacite(record)))
    ns = {"d": "http://datacite.org/schema/kernel-4"}
    assert doc.findtext("d:identifier", namespaces=ns) == record["pids"]["doi"]["identifier"]
    creators = doc.findall("d:creators/d:creator", ns)
    assert len(creators) == len(record["metadata"]["creators"])
    assert doc.findtext("d:titles/d:title", namespaces=ns) == record["metadata"]["title"]


@pytest.mark.parametrize("name", INVENIORDM_EXAMPLES)
def test_inveniordm_examples_as_dublin_core(name: str, oai_dc_schema: etree.XMLSchema) -> None:
    record = json.loads((EXAMPLES / name).read_text())
    assert_valid(oai_dc_schema, dc_item(record, {}))
    assert_marc_structure(marc_item(record, {}))


# -- records made through the services ----------------------------------------------------
EVERY_FIELD: dict[str, Any] = {
    "creators": [
        {
            "person_or_org": {
                "type": "personal",
                "given_name": "Lars Holm",
                "family_name": "Nielsen",
                "identifiers": [
                    {"scheme": "orcid", "identifier": "0000-0001-8135-3489"},
                    {"scheme": "gnd", "identifier": "gnd:4079154-3"},
                ],
            },
            "role": {"id": "datacurator"},
            "affiliations": [{"id": "01ggx4157", "name": "CERN"}, {"name": "Free text"}],
        },
        {
            "person_or_org": {
                "type": "organizational",
                "name": "CERN",
                "identifiers": [{"scheme": "ror", "identifier": "01ggx4157"}],
            }
        },
    ],
    "title": "Every field filled",
    "additional_titles": [
        {"title": "A subtitle", "type": {"id": "subtitle"}, "lang": {"id": "eng"}},
        {"title": "Ein Titel", "type": {"id": "translated-title"}, "lang": {"id": "deu"}},
    ],
    "description": "<p>First <b>bold</b> &amp; more.</p><ul><li>one</li><li>two</li></ul>",
    "additional_descriptions": [
        {"description": "<p>How</p>", "type": {"id": "methods"}, "lang": {"id": "eng"}}
    ],
    "publication_date": "2018/2020-09",
    "publisher": "Cairn",
    "subjects": [{"subject": "Physics"}, {"id": "https://id.loc.gov/x", "subject": "X"}],
    "contributors": [
        {
            "person_or_org": {"type": "personal", "family_name": "Doe", "given_name": "Jane"},
            "role": {"id": "contactperson"},
        }
    ],
    "dates": [
        {"date": "1939/1945", "type": {"id": "collected"}, "description": "War"},
        {"date": "2004-06/..", "type": {"id": "valid"}},
        {"date": "201X", "type": {"id": "other"}},
        {"date": "2020-11-10T10:00:00", "type": {"id": "created"}},
    ],
    "languages": [{"id": "gsw"}, {"id": "eng"}],
    "identifiers": [
        {"identifier": "1924MNRAS..84..308E", "scheme": "ads"},
        {"identifier": "https://example.org/x", "scheme": "url"},
    ],
    "related_identifiers": [
        {
            "identifier": "10.1234/foo.bar",
            "scheme": "doi",
            "relation_type": {"id": "cites"},
            "resource_type": {"id": "dataset"},
        },
        {"identifier": "arXiv:1310.2590", "scheme": "arxiv", "relation_type": {"id": "ispartof"}},
    ],
    "references": [{"reference": "Nielsen et al", "identifier": "10.1234/ref", "scheme": "doi"}],
    "sizes": ["11 pages"],
    "formats": ["application/pdf"],
    "version": "v1.0",
    "copyright": "(c) 2020 CERN",
    "rights": [
        {"id": "cc-by-4.0"},
        {"id": "0bsd"},
        {"title": {"en": "Custom licence"}, "link": "https://example.org/licence"},
    ],
    "locations": {
        "features": [
            {"geometry": {"type": "Point", "coordinates": [6.05, 46.2333]}, "place": "CERN"},
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [10, 0], [10, 5], [0, 5], [0, 0]]],
                }
            },
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [10, 0], [5, 5], [0, 0]]],
                },
                "description": "A triangle",
            },
            {"geometry": {"type": "LineString", "coordinates": [[1, 2], [3, -4]]}},
            {"place": "Somewhere only named"},
        ]
    },
    "funding": [
        {
            "funder": {"id": "00k4n6c32", "name": "European Commission"},
            "award": {
                "title": {"en": "OpenAIRE"},
                "number": "246686",
                "identifiers": [{"scheme": "url", "identifier": "https://cordis.europa.eu/p/1"}],
            },
        },
        {"funder": {"name": "A funder without id"}},
    ],
}


def _api_json(services: Any, item: Any) -> dict[str, Any]:
    body = dict(item.data)
    body["links"] = services.links.item(item.data, False)
    return body


def test_service_records_validate(
    factory: Any, services: Any, kernel45: etree.XMLSchema, oai_dc_schema: etree.XMLSchema
) -> None:
    user = factory.user()
    with_doi = minimal_record(**EVERY_FIELD)
    with_doi["pids"] = {"doi": {"identifier": "10.9999/every.field", "provider": "external"}}
    draft = services.records.create(user.identity, with_doi)
    assert not draft.errors, draft.errors
    records = [
        services.records.publish(user.identity, draft.id),
        factory.record(user, **EVERY_FIELD),  # no DOI: the landing page identifies it
        factory.record(
            user,
            creators=[{"person_or_org": {"type": "organizational", "name": "Only Org"}}],
            publisher=None,
        ),
    ]
    ns = {"d": "http://datacite.org/schema/kernel-4"}
    for item in records:
        record = _api_json(services, item)
        doc = assert_valid(kernel45, datacite_xml(to_datacite(record)))
        assert_valid(oai_dc_schema, dc_item(record, {}))
        assert_marc_structure(marc_item(record, {}))
        identifier = doc.find("d:identifier", ns)
        if record["pids"].get("doi"):
            assert identifier.get("identifierType") == "DOI"
            assert identifier.text == "10.9999/every.field"
        else:
            assert identifier.get("identifierType") == "URL"
            assert identifier.text == record["links"]["self_html"]
    last = to_datacite(_api_json(services, records[2]))
    assert last["publisher"] == {"name": "(:unav)"}
    assert last["creators"] == [{"name": "Only Org", "nameType": "Organizational"}]


# -- a generated corpus ------------------------------------------------------------------
def _vocab_ids(vtype: str) -> list[str]:
    path = Path(__file__).parents[2] / "src/cairn/vocabularies/data" / VOCABULARY_FILES[vtype]
    return [item["id"] for item in json.loads(path.read_text())]


class Generator:
    """Varied records in the API's JSON shape, drawn from every vocabulary entry."""

    def __init__(self, seed: int) -> None:
        import pycountry

        self.rng = random.Random(seed)
        self.vocab = {v: _vocab_ids(v) for v in VOCABULARY_FILES}
        self.languages = [lang.alpha_3 for lang in pycountry.languages]
        self.count = 0

    def pick(self, vtype: str) -> str:
        ids = self.vocab[vtype]  # walk every entry in turn, then at random
        return ids[self.count % len(ids)] if self.count < len(ids) else self.rng.choice(ids)

    def text(self, words: int) -> str:
        rng = self.rng
        pool = ["data", "ñandú", "Größe", "<x>", "a & b", "東京", "\u00e9t\u00e9", 'quote"s']
        return " ".join(rng.choice(pool) for _ in range(words))

    def date(self) -> str:
        rng = self.rng
        year = rng.randint(1000, 2030)
        forms = [
            str(year),
            f"{year}-{rng.randint(1, 12):02d}",
            f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            f"{year}/{year + rng.randint(0, 30)}",
            f"{year}-03/{year + 1}-09-30",
        ]
        return rng.choice(forms)

    def person(self, role_vocab: str | None) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.3:
            entry: dict[str, Any] = {
                "person_or_org": {"type": "organizational", "name": self.text(2)}
            }
        else:
            family, given = self.text(1), self.text(1)
            entry = {
                "person_or_org": {
                    "type": "personal",
                    "family_name": family,
                    "given_name": given,
                    "name": f"{family}, {given}",
                    "identifiers": [{"scheme": "orcid", "identifier": "0000-0002-1825-0097"}],
                }
            }
        if rng.random() < 0.5:
            entry["affiliations"] = [{"id": "01ggx4157", "name": "CERN"}, {"name": self.text(2)}]
        if role_vocab:
            entry["role"] = {"id": self.pick(role_vocab)}
        return entry

    def geometry(self) -> dict[str, Any]:
        rng = self.rng

        def pos() -> list[float]:
            return [round(rng.uniform(-180, 180), 5), round(rng.uniform(-90, 90), 5)]

        ring = [pos() for _ in range(rng.randint(3, 6))]
        ring.append(ring[0])
        kinds = [
            {"type": "Point", "coordinates": pos()},
            {"type": "MultiPoint", "coordinates": [pos(), pos()]},
            {"type": "LineString", "coordinates": [pos(), pos(), pos()]},
            {"type": "MultiLineString", "coordinates": [[pos(), pos()], [pos(), pos()]]},
            {"type": "Polygon", "coordinates": [ring]},
            {"type": "MultiPolygon", "coordinates": [[ring], [ring]]},
        ]
        return rng.choice(kinds)

    def record(self) -> dict[str, Any]:
        rng = self.rng
        self.count += 1
        rid = f"r{self.count:04d}-x0000"
        md: dict[str, Any] = {
            "resource_type": {"id": self.pick("resourcetypes")},
            "title": self.text(rng.randint(1, 8)),
            "publication_date": self.date(),
            "creators": [self.person(None) for _ in range(rng.randint(1, 4))],
        }
        optional = {
            "publisher": lambda: self.text(2),
            "description": lambda: f"<p>{self.text(5)}</p><br><b>{self.text(2)}</b>",
            "additional_titles": lambda: [
                {
                    "title": self.text(3),
                    "type": {"id": self.pick("titletypes")},
                    "lang": {"id": rng.choice(self.languages)},
                }
            ],
            "additional_descriptions": lambda: [
                {"description": self.text(4), "type": {"id": self.pick("descriptiontypes")}}
            ],
            "contributors": lambda: [self.person("contributorsroles")],
            "dates": lambda: [{"date": self.date(), "type": {"id": self.pick("datetypes")}}],
            "languages": lambda: [{"id": rng.choice(self.languages)}],
            "subjects": lambda: [{"subject": self.text(2)}, {"id": "https://ex.org/s"}],
            "related_identifiers": lambda: [
                {
                    "identifier": "10.1234/rel",
                    "scheme": "doi",
                    "relation_type": {"id": self.pick("relationtypes")},
                    "resource_type": {"id": self.pick("resourcetypes")},
                },
                {
                    "identifier": "0000000121032683",
                    "scheme": "isni",
                    "relation_type": {"id": "cites"},
                },
            ],
            "rights": lambda: [{"id": self.pick("licenses")}, {"title": {"de": self.text(2)}}],
            "locations": lambda: {"features": [{"geometry": self.geometry(), "place": "P"}]},
            "funding": lambda: [{"funder": {"id": "00k4n6c32"}, "award": {"id": "x::123"}}],
            "sizes": lambda: ["1 MB"],
            "formats": lambda: ["text/csv"],
            "version": lambda: "v" + str(rng.randint(1, 9)),
            "identifiers": lambda: [{"identifier": "urn:nbn:de:1", "scheme": "urn"}],
        }
        for key, make in optional.items():
            if rng.random() < 0.6:
                md[key] = make()
        record: dict[str, Any] = {
            "id": rid,
            "created": "2024-01-02T03:04:05+00:00",
            "updated": "2024-02-03T04:05:06+00:00",
            "metadata": md,
            "pids": {},
            "access": {"record": "public", "files": "public", "status": "open"},
            "links": {"self_html": f"https://cairn.test/records/{rid}"},
        }
        if rng.random() < 0.5:
            record["pids"]["doi"] = {"identifier": f"10.5281/cairn.{self.count}"}
            record["parent"] = {"pids": {"doi": {"identifier": "10.5281/cairn.parent"}}}
        return record


def test_generated_corpus_validates(
    kernel45: etree.XMLSchema, oai_dc_schema: etree.XMLSchema
) -> None:
    generator = Generator(seed=6)
    general_types = set()
    for _ in range(400):
        record = generator.record()
        doc = assert_valid(kernel45, datacite_xml(to_datacite(record)))
        assert_valid(oai_dc_schema, dc_item(record, {}))
        assert_marc_structure(marc_item(record, {}))
        rtype = doc.find("{http://datacite.org/schema/kernel-4}resourceType")
        general_types.add(rtype.get("resourceTypeGeneral"))
    # every resource type was drawn; most of DataCite's general types appear
    assert len(general_types) >= 20
