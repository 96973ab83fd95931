"""The XML formats (DataCite XML and JSON, Dublin Core, MARCXML, DCAT-AP) field by field on a
rich record, and the awkward cases: no DOI, organisations only, EDTF intervals, unknown
languages, custom licences, HTML descriptions."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from lxml import etree

from cairn.formats import default_registry
from cairn.formats.datacite import to_datacite
from cairn.formats.datacite_xml import datacite_xml
from cairn.formats.dcat import dcat_item, dcat_listing
from cairn.formats.dublincore import dc_item, dc_values
from cairn.formats.marcxml import marc_item, marc_language, marc_listing
from cairn.formats.xmlhelpers import bcp47, html_to_text, publication_year, rkms_date

REGISTRY = default_registry()
HTML = "https://cairn.test/records/abcde-12345"
D = "{http://datacite.org/schema/kernel-4}"
MARC = "{http://www.loc.gov/MARC21/slim}"

RICH: dict[str, Any] = {
    "id": "abcde-12345",
    "created": "2024-01-02T03:04:05+00:00",
    "updated": "2024-02-03T04:05:06+00:00",
    "pids": {
        "doi": {"identifier": "10.5281/cairn.42", "provider": "datacite"},
        "oai": {"identifier": "oai:cairn.test:abcde-12345", "provider": "oai"},
    },
    "parent": {"id": "ppppp-00001", "pids": {"doi": {"identifier": "10.5281/cairn.41"}}},
    "access": {"record": "public", "files": "public", "status": "open"},
    "files": {
        "enabled": True,
        "entries": {
            "table.csv": {
                "key": "table.csv",
                "size": 1234,
                "mimetype": "text/csv",
                "checksum": "md5:0123456789abcdef0123456789abcdef",
            },
        },
    },
    "metadata": {
        "resource_type": {"id": "dataset", "title": {"en": "Dataset"}},
        "title": "Ocean temperatures & salinity",
        "additional_titles": [
            {
                "title": "Ozeantemperaturen",
                "type": {"id": "translated-title"},
                "lang": {"id": "deu"},
            }
        ],
        "description": "<p>Measured <b>daily</b> at&nbsp;sea.</p><p>Second</p>",
        "additional_descriptions": [{"description": "<p>CTD casts</p>", "type": {"id": "methods"}}],
        "creators": [
            {
                "person_or_org": {
                    "type": "personal",
                    "name": "Müller, Jürgen",
                    "family_name": "Müller",
                    "given_name": "Jürgen",
                    "identifiers": [
                        {"scheme": "orcid", "identifier": "0000-0002-1825-0097"},
                        {"scheme": "isni", "identifier": "000000012156142X"},
                        {"scheme": "gnd", "identifier": "gnd:4079154-3"},
                    ],
                },
                "affiliations": [{"id": "01ggx4157", "name": "CERN"}, {"name": "Home lab"}],
            },
            {
                "person_or_org": {
                    "type": "organizational",
                    "name": "Ocean Institute",
                    "identifiers": [{"scheme": "ror", "identifier": "03yrm5c26"}],
                }
            },
        ],
        "contributors": [
            {
                "person_or_org": {
                    "type": "personal",
                    "name": "Doe, Jane",
                    "family_name": "Doe",
                    "given_name": "Jane",
                },
                "role": {"id": "datacollector", "title": {"en": "Data collector"}},
            }
        ],
        "publication_date": "2018/2020-09",
        "publisher": "Cairn",
        "subjects": [
            {"subject": "Oceanography"},
            {"id": "https://id.loc.gov/authorities/sh85094", "subject": "Oceans", "scheme": "LCSH"},
        ],
        "dates": [
            {"date": "1939/1945", "type": {"id": "collected"}, "description": "Cruises"},
            {"date": "2021", "type": {"id": "coverage"}},
        ],
        "languages": [{"id": "eng"}, {"id": "deu"}],
        "identifiers": [{"identifier": "1924MNRAS..84..308E", "scheme": "ads"}],
        "related_identifiers": [
            {
                "identifier": "10.1234/foo.bar",
                "scheme": "doi",
                "relation_type": {"id": "cites"},
                "resource_type": {"id": "publication-article"},
            },
            {
                "identifier": "https://example.org/x",
                "scheme": "url",
                "relation_type": {"id": "istranslationof"},
            },
            {"identifier": "0000000121032683", "scheme": "isni", "relation_type": {"id": "cites"}},
            {"identifier": "10.1234/y", "scheme": "doi", "relation_type": {"id": "other"}},
        ],
        "references": [{"reference": "Smith 2001", "identifier": "10.1234/ref", "scheme": "doi"}],
        "sizes": ["2 files"],
        "formats": ["text/csv"],
        "version": "v2",
        "copyright": "(c) 2024 Ocean Institute",
        "rights": [
            {
                "id": "cc-by-4.0",
                "title": {"en": "Creative Commons Attribution 4.0 International"},
                "props": {"url": "https://creativecommons.org/licenses/by/4.0/", "scheme": "spdx"},
            },
            {"id": "3d-slicer-1.0"},
            {"title": {"en": "My licence"}, "link": "https://example.org/licence"},
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
            ]
        },
        "funding": [
            {
                "funder": {"id": "00k4n6c32", "name": "European Commission"},
                "award": {
                    "title": {"en": "OpenAIRE"},
                    "number": "246686",
                    "identifiers": [
                        {"scheme": "url", "identifier": "https://cordis.europa.eu/p/246686"}
                    ],
                },
            },
            {"funder": {"id": "10.13039/501100000780"}, "award": {"id": "00k4n6c32::755021"}},
        ],
    },
    "links": {"self": "https://cairn.test/api/records/abcde-12345", "self_html": HTML},
}

EXPECTED_DATACITE: dict[str, Any] = {
    "doi": "10.5281/cairn.42",
    "url": HTML,
    "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Dataset"},
    "creators": [
        {
            "name": "Müller, Jürgen",
            "nameType": "Personal",
            "givenName": "Jürgen",
            "familyName": "Müller",
            "nameIdentifiers": [
                {
                    "nameIdentifier": "0000-0002-1825-0097",
                    "nameIdentifierScheme": "ORCID",
                    "schemeUri": "https://orcid.org/",
                },
                {
                    "nameIdentifier": "000000012156142X",
                    "nameIdentifierScheme": "ISNI",
                    "schemeUri": "https://isni.org/isni/",
                },
                {
                    "nameIdentifier": "4079154-3",
                    "nameIdentifierScheme": "GND",
                    "schemeUri": "https://d-nb.info/gnd/",
                },
            ],
            "affiliation": [
                {
                    "name": "CERN",
                    "affiliationIdentifier": "https://ror.org/01ggx4157",
                    "affiliationIdentifierScheme": "ROR",
                    "schemeUri": "https://ror.org/",
                },
                {"name": "Home lab"},
            ],
        },
        {
            "name": "Ocean Institute",
            "nameType": "Organizational",
            "nameIdentifiers": [
                {
                    "nameIdentifier": "https://ror.org/03yrm5c26",
                    "nameIdentifierScheme": "ROR",
                    "schemeUri": "https://ror.org/",
                }
            ],
        },
    ],
    "titles": [
        {"title": "Ocean temperatures & salinity"},
        {"title": "Ozeantemperaturen", "titleType": "TranslatedTitle", "lang": "de"},
    ],
    "publisher": {"name": "Cairn"},
    "publicationYear": "2018",
    "subjects": [
        {"subject": "Oceanography"},
        {
            "subject": "Oceans",
            "subjectScheme": "LCSH",
            "valueUri": "https://id.loc.gov/authorities/sh85094",
        },
    ],
    "contributors": [
        {
            "name": "Doe, Jane",
            "nameType": "Personal",
            "givenName": "Jane",
            "familyName": "Doe",
            "contributorType": "DataCollector",
        },
    ],
    "dates": [
        {"date": "2018/2020-09", "dateType": "Issued"},
        {"date": "1939/1945", "dateType": "Collected", "dateInformation": "Cruises"},
        {"date": "2021", "dateType": "Other", "dateInformation": "Coverage"},
        {"date": "2024-02-03", "dateType": "Updated"},
    ],
    "language": "en",
    "alternateIdentifiers": [
        {"alternateIdentifier": HTML, "alternateIdentifierType": "URL"},
        {"alternateIdentifier": "oai:cairn.test:abcde-12345", "alternateIdentifierType": "oai"},
        {"alternateIdentifier": "1924MNRAS..84..308E", "alternateIdentifierType": "bibcode"},
    ],
    "relatedIdentifiers": [
        {
            "relatedIdentifier": "10.1234/foo.bar",
            "relatedIdentifierType": "DOI",
            "relationType": "Cites",
            "resourceTypeGeneral": "JournalArticle",
        },
        {
            "relatedIdentifier": "https://example.org/x",
            "relatedIdentifierType": "URL",
            "relationType": "IsVariantFormOf",
        },
        {
            "relatedIdentifier": "10.1234/ref",
            "relatedIdentifierType": "DOI",
            "relationType": "References",
        },
        {
            "relatedIdentifier": "10.5281/cairn.41",
            "relatedIdentifierType": "DOI",
            "relationType": "IsVersionOf",
        },
    ],
    "sizes": ["2 files"],
    "formats": ["text/csv"],
    "version": "v2",
    "rightsList": [
        {
            "rights": "Creative Commons Attribution 4.0 International",
            "rightsUri": "https://creativecommons.org/licenses/by/4.0/",
            "rightsIdentifier": "CC-BY-4.0",
            "rightsIdentifierScheme": "SPDX",
            "schemeUri": "https://spdx.org/licenses/",
            "lang": "en",
        },
        {
            "rights": "3D Slicer License v1.0",
            "rightsUri": "https://spdx.org/licenses/3D-Slicer-1.0",
            "rightsIdentifier": "3D-Slicer-1.0",
            "rightsIdentifierScheme": "SPDX",
            "schemeUri": "https://spdx.org/licenses/",
            "lang": "en",
        },
        {"rights": "My licence", "rightsUri": "https://example.org/licence", "lang": "en"},
    ],
    "descriptions": [
        {"description": "Measured daily at sea.\nSecond", "descriptionType": "Abstract"},
        {"description": "CTD casts", "descriptionType": "Methods"},
    ],
    "geoLocations": [
        {
            "geoLocationPoint": {"pointLongitude": 6.05, "pointLatitude": 46.2333},
            "geoLocationPlace": "CERN",
        },
        {
            "geoLocationBox": {
                "westBoundLongitude": 0.0,
                "eastBoundLongitude": 10.0,
                "southBoundLatitude": 0.0,
                "northBoundLatitude": 5.0,
            }
        },
        {
            "geoLocationPolygon": [
                {"polygonPoint": {"pointLongitude": 0.0, "pointLatitude": 0.0}},
                {"polygonPoint": {"pointLongitude": 10.0, "pointLatitude": 0.0}},
                {"polygonPoint": {"pointLongitude": 5.0, "pointLatitude": 5.0}},
                {"polygonPoint": {"pointLongitude": 0.0, "pointLatitude": 0.0}},
            ],
            "geoLocationPlace": "A triangle",
        },
    ],
    "fundingReferences": [
        {
            "funderName": "European Commission",
            "funderIdentifier": "https://ror.org/00k4n6c32",
            "funderIdentifierType": "ROR",
            "awardNumber": "246686",
            "awardUri": "https://cordis.europa.eu/p/246686",
            "awardTitle": "OpenAIRE",
        },
        {
            "funderName": "10.13039/501100000780",
            "funderIdentifier": "https://doi.org/10.13039/501100000780",
            "funderIdentifierType": "Crossref Funder ID",
            "awardNumber": "755021",
        },
    ],
    "schemaVersion": "http://datacite.org/schema/kernel-4",
}


def rich(**changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(RICH)
    record["metadata"].update(changes)
    return record


def stripped(xml: bytes) -> etree._Element:
    """The document with namespaces removed from tags, for short expected strings."""
    root = etree.fromstring(xml)
    root.attrib.pop("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", None)
    for node in root.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(root)
    return root


def part(root: etree._Element, path: str) -> str:
    node = root.find(path)
    assert node is not None, path
    node.tail = None
    return etree.tostring(node, encoding="unicode")


# -- DataCite ----------------------------------------------------------------------------------
def test_datacite_structure_field_by_field() -> None:
    got = to_datacite(RICH)
    assert set(got) == set(EXPECTED_DATACITE)
    for key, expected in EXPECTED_DATACITE.items():
        assert got[key] == expected, key


def test_datacite_xml_elements() -> None:
    root = stripped(datacite_xml(to_datacite(RICH)))
    assert (
        part(root, "identifier") == '<identifier identifierType="DOI">10.5281/cairn.42</identifier>'
    )
    assert part(root, "creators/creator") == (
        '<creator><creatorName nameType="Personal">Müller, Jürgen</creatorName>'
        "<givenName>Jürgen</givenName><familyName>Müller</familyName>"
        '<nameIdentifier nameIdentifierScheme="ORCID" schemeURI="https://orcid.org/">'
        "0000-0002-1825-0097</nameIdentifier>"
        '<nameIdentifier nameIdentifierScheme="ISNI" schemeURI="https://isni.org/isni/">'
        "000000012156142X</nameIdentifier>"
        '<nameIdentifier nameIdentifierScheme="GND" schemeURI="https://d-nb.info/gnd/">'
        "4079154-3</nameIdentifier>"
        '<affiliation affiliationIdentifier="https://ror.org/01ggx4157" '
        'affiliationIdentifierScheme="ROR" schemeURI="https://ror.org/">CERN</affiliation>'
        "<affiliation>Home lab</affiliation></creator>"
    )
    assert part(root, "titles") == (
        "<titles><title>Ocean temperatures &amp; salinity</title>"
        '<title titleType="TranslatedTitle" xml:lang="de">Ozeantemperaturen</title></titles>'
    )
    assert part(root, "publisher") == "<publisher>Cairn</publisher>"
    assert part(root, "publicationYear") == "<publicationYear>2018</publicationYear>"
    assert (
        part(root, "resourceType")
        == '<resourceType resourceTypeGeneral="Dataset">Dataset</resourceType>'
    )
    assert part(root, "contributors") == (
        '<contributors><contributor contributorType="DataCollector">'
        '<contributorName nameType="Personal">Doe, Jane</contributorName>'
        "<givenName>Jane</givenName><familyName>Doe</familyName></contributor></contributors>"
    )
    assert part(root, "language") == "<language>en</language>"
    assert part(root, "dates") == (
        '<dates><date dateType="Issued">2018/2020-09</date>'
        '<date dateType="Collected" dateInformation="Cruises">1939/1945</date>'
        '<date dateType="Other" dateInformation="Coverage">2021</date>'
        '<date dateType="Updated">2024-02-03</date></dates>'
    )
    assert part(root, "relatedIdentifiers/relatedIdentifier") == (
        '<relatedIdentifier relatedIdentifierType="DOI" relationType="Cites" '
        'resourceTypeGeneral="JournalArticle">10.1234/foo.bar</relatedIdentifier>'
    )
    assert part(root, "rightsList/rights") == (
        '<rights rightsURI="https://creativecommons.org/licenses/by/4.0/" '
        'rightsIdentifier="CC-BY-4.0" rightsIdentifierScheme="SPDX" '
        'schemeURI="https://spdx.org/licenses/" xml:lang="en">'
        "Creative Commons Attribution 4.0 International</rights>"
    )
    assert part(root, "descriptions/description") == (
        '<description descriptionType="Abstract">Measured daily at sea.\nSecond</description>'
    )
    assert part(root, "sizes") == "<sizes><size>2 files</size></sizes>"
    assert part(root, "formats") == "<formats><format>text/csv</format></formats>"
    assert part(root, "version") == "<version>v2</version>"
    assert part(root, "geoLocations/geoLocation") == (
        "<geoLocation><geoLocationPlace>CERN</geoLocationPlace><geoLocationPoint>"
        "<pointLongitude>6.05</pointLongitude><pointLatitude>46.2333</pointLatitude>"
        "</geoLocationPoint></geoLocation>"
    )
    assert part(root, "geoLocations/geoLocation[2]") == (
        "<geoLocation><geoLocationBox><westBoundLongitude>0.0</westBoundLongitude>"
        "<eastBoundLongitude>10.0</eastBoundLongitude><southBoundLatitude>0.0</southBoundLatitude>"
        "<northBoundLatitude>5.0</northBoundLatitude></geoLocationBox></geoLocation>"
    )
    assert len(root.findall("geoLocations/geoLocation[3]/geoLocationPolygon/polygonPoint")) == 4
    assert part(root, "fundingReferences/fundingReference") == (
        "<fundingReference><funderName>European Commission</funderName>"
        '<funderIdentifier funderIdentifierType="ROR">https://ror.org/00k4n6c32</funderIdentifier>'
        '<awardNumber awardURI="https://cordis.europa.eu/p/246686">246686</awardNumber>'
        "<awardTitle>OpenAIRE</awardTitle></fundingReference>"
    )


def test_no_doi_is_identified_by_the_landing_page() -> None:
    record = rich()
    del record["pids"]["doi"]
    del record["parent"]
    dc = to_datacite(record)
    assert "doi" not in dc
    assert dc["alternateIdentifiers"][0] == {
        "alternateIdentifier": HTML,
        "alternateIdentifierType": "URL",
    }
    assert not any(r["relationType"] == "IsVersionOf" for r in dc["relatedIdentifiers"])
    root = stripped(datacite_xml(dc))
    assert part(root, "identifier") == f'<identifier identifierType="URL">{HTML}</identifier>'


def test_organisational_creators_only_and_missing_mandatory_values() -> None:
    record = {
        "id": "x",
        "created": "2023-05-06T00:00:00+00:00",
        "metadata": {
            "creators": [
                {"person_or_org": {"type": "organizational", "name": "Org A"}},
                {"person_or_org": {"type": "organizational", "name": "Org B"}},
            ],
            "resource_type": {"id": "no-such-type"},
        },
    }
    dc = to_datacite(record)
    assert dc["creators"] == [
        {"name": "Org A", "nameType": "Organizational"},
        {"name": "Org B", "nameType": "Organizational"},
    ]
    assert dc["publisher"] == {"name": "(:unav)"}
    assert dc["titles"] == [{"title": "(:unav)"}]
    assert dc["publicationYear"] == "2023"  # no publication date: the year it was created
    assert dc["types"] == {"resourceTypeGeneral": "Other", "resourceType": "no-such-type"}
    root = stripped(datacite_xml(dc))
    assert root.findtext("identifier") == "(:unav)"  # no DOI and no links at all


def test_resource_types_unknown_subtype_and_newer_than_45() -> None:
    blog = to_datacite(
        rich(resource_type={"id": "publication-blogpost", "title": {"en": "Blog post"}})
    )
    assert blog["types"] == {"resourceTypeGeneral": "Text", "resourceType": "Blog post"}
    poster = to_datacite(rich(resource_type={"id": "poster"}))
    assert poster["types"] == {"resourceTypeGeneral": "Text", "resourceType": "Poster"}
    photo = to_datacite(rich(resource_type={"id": "image-photo"}))
    assert photo["types"] == {"resourceTypeGeneral": "Image", "resourceType": "Photo"}


@pytest.mark.parametrize(
    ("edtf", "rkms"),
    [
        ("2020", "2020"),
        ("2020-11-10", "2020-11-10"),
        ("1939/1945", "1939/1945"),
        ("2018/2020-09", "2018/2020-09"),
        ("2004-06/..", "2004-06/"),
        ("../2004", "/2004"),
        ("201X", "2010/2019"),
        ("19XX", "1900/1999"),
        ("2004?", "2004"),
        ("2004~/2006", "2004/2006"),
        ("2004-06-XX", "2004-06"),
        ("2004-21", "2004-03/2004-05"),
        ("2020-11-10T10:00:00", "2020-11-10T10:00:00"),
    ],
)
def test_edtf_to_rkms(edtf: str, rkms: str) -> None:
    assert rkms_date(edtf) == rkms


def test_publication_year_of_intervals() -> None:
    assert publication_year("1939/1945", None) == "1939"
    assert publication_year("2020-11", "2024-01-01") == "2020"
    assert publication_year(None, "2024-01-01T00:00:00") == "2024"
    assert to_datacite(rich(publication_date="1939-09-01/1945-09"))["publicationYear"] == "1939"


def test_languages_to_bcp47() -> None:
    assert bcp47("eng") == "en"
    assert bcp47("deu") == "de"
    assert bcp47("gsw") == "gsw"  # no ISO 639-1 code: the 3-letter code is the BCP 47 tag
    assert bcp47("xyz") is None
    assert to_datacite(rich(languages=[{"id": "xyz"}, {"id": "fra"}]))["language"] == "fr"
    assert "language" not in to_datacite(rich(languages=[{"id": "xyz"}]))
    root = stripped(datacite_xml(to_datacite(rich(languages=[{"id": "xyz"}]))))
    assert root.find("language") is None


def test_custom_rights_without_id() -> None:
    dc = to_datacite(rich(rights=[{"title": {"de": "Eigene Lizenz"}}]))
    assert dc["rightsList"] == [{"rights": "Eigene Lizenz", "lang": "de"}]
    root = stripped(datacite_xml(dc))
    assert (
        part(root, "rightsList")
        == '<rightsList><rights xml:lang="de">Eigene Lizenz</rights></rightsList>'
    )


def test_html_description_becomes_plain_text() -> None:
    html = (
        '<p>One <a href="https://x.org">link</a></p><ul><li>a</li><li>b &lt;c&gt;</li></ul>x<br>y'
    )
    assert html_to_text(html) == "One link\na\nb <c>\n\nx\ny"
    root = stripped(datacite_xml(to_datacite(rich(description=html))))
    assert root.findtext("descriptions/description") == "One link\na\nb <c>\n\nx\ny"
    assert root.find("descriptions/description/*") is None  # no markup kept


def test_text_xml_cannot_carry_is_removed() -> None:
    root = stripped(datacite_xml(to_datacite(rich(title="Bell\x07 and\x0b tab\tkept"))))
    assert root.findtext("titles/title") == "Bell and tab\tkept"


def test_related_identifiers_datacite_cannot_type_are_left_out() -> None:
    related = to_datacite(RICH)["relatedIdentifiers"]
    assert "0000000121032683" not in [r["relatedIdentifier"] for r in related]  # ISNI
    assert "10.1234/y" not in [r["relatedIdentifier"] for r in related]  # relation "other"


def test_datacite_json_and_xml_through_the_registry() -> None:
    fmt = REGISTRY.negotiate("application/vnd.datacite.datacite+json")
    assert fmt is not None and fmt.name == "datacite-json"
    assert orjson.loads(fmt.serialize(RICH)) == EXPECTED_DATACITE
    for accept in ("application/vnd.datacite.datacite+xml", "application/x-datacite+xml"):
        xml_format = REGISTRY.negotiate(accept)
        assert xml_format is not None
        assert xml_format.serialize(RICH) == datacite_xml(to_datacite(RICH))
        assert xml_format.content_type == f"{accept}; charset=utf-8"
    assert REGISTRY.by_oai_prefix("datacite") is REGISTRY.by_name("datacite-xml")
    envelope = {"hits": {"hits": [RICH, rich(title="Second")], "total": 7}}
    listing = etree.fromstring(REGISTRY.by_name("datacite-xml").serialize_list(envelope))
    assert listing.tag == "records" and listing.get("total") == "7"
    assert [r.findtext(f"{D}titles/{D}title") for r in listing] == [
        RICH["metadata"]["title"],
        "Second",
    ]
    json_list = orjson.loads(REGISTRY.by_name("datacite-json").serialize_list(envelope))
    assert json_list["hits"]["total"] == 7
    assert json_list["hits"]["hits"][1]["titles"][0] == {"title": "Second"}


# -- Dublin Core -------------------------------------------------------------------------------
def test_dublin_core_values() -> None:
    assert list(dc_values(RICH)) == [
        ("title", "Ocean temperatures & salinity"),
        ("title", "Ozeantemperaturen"),
        ("creator", "Müller, Jürgen"),
        ("creator", "Ocean Institute"),
        ("contributor", "Doe, Jane"),
        ("subject", "Oceanography"),
        ("subject", "Oceans"),
        ("description", "Measured daily at sea.\nSecond"),
        ("description", "CTD casts"),
        ("publisher", "Cairn"),
        ("date", "2018/2020-09"),
        ("type", "info:eu-repo/semantics/other"),
        ("type", "Dataset"),
        ("identifier", "https://doi.org/10.5281/cairn.42"),
        ("identifier", "oai:cairn.test:abcde-12345"),
        ("identifier", HTML),
        ("identifier", "1924MNRAS..84..308E"),
        ("format", "text/csv"),
        ("language", "eng"),
        ("language", "deu"),
        ("relation", "https://doi.org/10.1234/foo.bar"),
        ("relation", "https://example.org/x"),
        ("relation", "0000000121032683"),
        ("relation", "https://doi.org/10.1234/y"),
        ("relation", "https://doi.org/10.5281/cairn.41"),
        ("rights", "info:eu-repo/semantics/openAccess"),
        ("rights", "Creative Commons Attribution 4.0 International"),
        ("rights", "https://creativecommons.org/licenses/by/4.0/"),
        ("rights", "3D Slicer License v1.0"),
        ("rights", "My licence"),
        ("rights", "https://example.org/licence"),
        ("rights", "(c) 2024 Ocean Institute"),
        ("coverage", "east=6.05; north=46.2333; name=CERN"),
        ("coverage", "northlimit=5.0; eastlimit=10.0; southlimit=0.0; westlimit=0.0"),
        ("coverage", "northlimit=5.0; eastlimit=10.0; southlimit=0.0; westlimit=0.0"),
    ]


def test_dublin_core_xml_and_embargo() -> None:
    record = rich()
    record["access"] = {"status": "embargoed", "embargo": {"active": True, "until": "2031-01-01"}}
    root = etree.fromstring(dc_item(record, {}))
    assert root.tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
    dc = "{http://purl.org/dc/elements/1.1/}"
    dates = [d.text for d in root.findall(f"{dc}date")]
    assert dates == ["2018/2020-09", "info:eu-repo/date/embargoEnd/2031-01-01"]
    assert root.findtext(f"{dc}rights") == "info:eu-repo/semantics/embargoedAccess"
    fmt = REGISTRY.negotiate("application/x-dc+xml")
    assert fmt is not None and fmt.name == "dublincore" and fmt.oai_prefix == "oai_dc"
    listing = etree.fromstring(fmt.serialize_list({"hits": {"hits": [RICH], "total": 1}}))
    assert listing.tag == "records" and len(listing) == 1


# -- MARCXML -----------------------------------------------------------------------------------
def _fields(root: etree._Element, tag: str) -> list[list[tuple[str, str]]]:
    return [
        [(s.get("code"), s.text) for s in field]
        for field in root.findall(f"{MARC}datafield[@tag='{tag}']")
    ]


def test_marcxml_fields() -> None:
    root = etree.fromstring(marc_item(RICH, {}))
    assert root.findtext(f"{MARC}leader") == "00000nmm a2200000uu 4500"
    assert root.findtext(f"{MARC}controlfield[@tag='001']") == "abcde-12345"
    assert root.findtext(f"{MARC}controlfield[@tag='005']") == "20240203040506.0"
    fixed = root.findtext(f"{MARC}controlfield[@tag='008']")
    assert len(fixed) == 40 and fixed.startswith("240102s2018") and fixed[35:38] == "eng"
    assert _fields(root, "024") == [
        [("a", "10.5281/cairn.42"), ("2", "doi")],
        [("a", "1924MNRAS..84..308E"), ("2", "ads")],
    ]
    assert _fields(root, "041") == [[("a", "eng"), ("a", "ger")]]  # MARC codes are 639-2/B
    assert _fields(root, "100") == [
        [
            ("a", "Müller, Jürgen"),
            ("u", "CERN"),
            ("u", "Home lab"),
            ("0", "(orcid)0000-0002-1825-0097"),
            ("0", "(isni)000000012156142X"),
            ("0", "(DE-588)gnd:4079154-3"),
            ("4", "aut"),
        ]
    ]
    assert _fields(root, "710") == [
        [("a", "Ocean Institute"), ("0", "(ror)03yrm5c26"), ("4", "aut")]
    ]
    assert _fields(root, "700") == [[("a", "Doe, Jane"), ("4", "col")]]
    assert _fields(root, "245") == [[("a", "Ocean temperatures & salinity")]]
    assert _fields(root, "264") == [[("b", "Cairn"), ("c", "2018/2020-09")]]
    assert _fields(root, "540")[0] == [
        ("a", "Creative Commons Attribution 4.0 International"),
        ("u", "https://creativecommons.org/licenses/by/4.0/"),
        ("f", "cc-by-4.0"),
    ]
    assert _fields(root, "856") == [[("u", HTML), ("z", "Landing page")]]
    assert _fields(root, "980") == [[("a", "dataset")]]
    tags = [f.get("tag") for f in root.findall(f"{MARC}datafield")]
    assert tags == sorted(tags)


def test_marcxml_listing_is_a_collection() -> None:
    root = etree.fromstring(marc_listing({"hits": {"hits": [RICH, RICH], "total": 2}}, {}))
    assert root.tag == f"{MARC}collection"
    assert [r.tag for r in root] == [f"{MARC}record"] * 2
    assert marc_language("deu") == "ger" and marc_language("eng") == "eng"


# -- DCAT-AP -----------------------------------------------------------------------------------
RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
RDF_RESOURCE = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"
DCT = "{http://purl.org/dc/terms/}"
DCAT = "{http://www.w3.org/ns/dcat#}"


def test_dcat_dataset() -> None:
    root = etree.fromstring(dcat_item(RICH, {}))
    assert root.tag == "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
    (dataset,) = root
    assert dataset.tag == f"{DCAT}Dataset"
    assert dataset.get(RDF_ABOUT) == "https://doi.org/10.5281/cairn.42"
    assert dataset.findtext(f"{DCT}title") == "Ocean temperatures & salinity"
    issued = dataset.find(f"{DCT}issued")
    assert issued.text == "2018"
    assert issued.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}datatype").endswith("#gYear")
    creator = dataset.find(f"{DCT}creator/{{http://xmlns.com/foaf/0.1/}}Person")
    assert creator.get(RDF_ABOUT) == "https://orcid.org/0000-0002-1825-0097"
    org = dataset.find(f"{DCT}creator/{{http://xmlns.com/foaf/0.1/}}Organization")
    assert org.get(RDF_ABOUT) == "https://ror.org/03yrm5c26"
    languages = [e.get(RDF_RESOURCE) for e in dataset.findall(f"{DCT}language")]
    assert languages == [
        "http://publications.europa.eu/resource/authority/language/ENG",
        "http://publications.europa.eu/resource/authority/language/DEU",
    ]
    assert dataset.find(f"{DCT}accessRights").get(RDF_RESOURCE).endswith("/access-right/PUBLIC")
    assert dataset.find(f"{DCT}isVersionOf") is None  # the parent DOI is a related id, below
    assert dataset.find(f"{DCT}references").get(RDF_RESOURCE) == "https://doi.org/10.1234/foo.bar"
    assert dataset.find(f"{DCAT}landingPage").get(RDF_RESOURCE) == HTML
    geometry = dataset.find(f"{DCT}spatial/{DCT}Location/{{http://www.w3.org/ns/locn#}}geometry")
    assert geometry.text == "POINT(6.05 46.2333)"
    (dist,) = dataset.findall(f"{DCAT}distribution/{DCAT}Distribution")
    assert dist.find(f"{DCAT}downloadURL").get(RDF_RESOURCE) == f"{HTML}/files/table.csv?download=1"
    assert dist.findtext(f"{DCAT}byteSize") == "1234"
    assert [e.get(RDF_RESOURCE) for e in dist.findall(f"{DCT}license")] == [
        "https://creativecommons.org/licenses/by/4.0/",
        "https://spdx.org/licenses/3D-Slicer-1.0",
        "https://example.org/licence",
    ]


def test_dcat_without_files_and_listing() -> None:
    record = rich()
    record["files"] = {"enabled": False}
    del record["pids"]["doi"]
    root = etree.fromstring(dcat_listing({"hits": {"hits": [record, RICH], "total": 2}}, {}))
    datasets = root.findall(f"{DCAT}Dataset")
    assert [d.get(RDF_ABOUT) for d in datasets] == [HTML, "https://doi.org/10.5281/cairn.42"]
    (dist,) = datasets[0].findall(f"{DCAT}distribution/{DCAT}Distribution")
    assert dist.find(f"{DCAT}accessURL").get(RDF_RESOURCE) == HTML
    assert dist.find(f"{DCAT}downloadURL") is None
    fmt = REGISTRY.negotiate("application/dcat+xml")
    assert fmt is not None and fmt.name == "dcat-ap" and fmt.oai_prefix == "dcat"
    marc = REGISTRY.negotiate("application/marcxml+xml")
    assert marc is not None and marc.name == "marcxml" and marc.oai_prefix == "marcxml"


def test_broken_geometry_is_skipped_not_an_error() -> None:
    broken = {"features": [{"geometry": {"type": "Point", "coordinates": []}, "place": "Here"}]}
    record = rich(locations=broken)
    assert to_datacite(record)["geoLocations"] == [{"geoLocationPlace": "Here"}]
    assert ("coverage", "Here") not in list(dc_values(record))
    assert b"locn:geometry" not in dcat_item(record, {})
