"""The DataCite (XML and JSON), Dublin Core, MARCXML and DCAT-AP formats, with InvenioRDM's
Accept values (API.md 1.12) and OAI-PMH metadata prefixes."""

from __future__ import annotations

from cairn.formats import datacite_xml, dcat, dublincore, marcxml
from cairn.formats.datacite import to_datacite
from cairn.formats.registry import Format, json_format

DATACITE_XML_MEDIA = "application/vnd.datacite.datacite+xml"
DATACITE_XML_ALIAS = "application/x-datacite+xml"  # Zenodo's name for the same
DATACITE_JSON_MEDIA = "application/vnd.datacite.datacite+json"
DC_MEDIA = "application/x-dc+xml"
MARCXML_MEDIA = "application/marcxml+xml"
DCAT_MEDIA = "application/dcat+xml"

FORMATS: tuple[Format, ...] = (
    json_format("datacite-json", DATACITE_JSON_MEDIA, to_datacite, "DataCite JSON"),
    Format(
        "datacite-xml",
        DATACITE_XML_MEDIA,
        datacite_xml.xml_item,
        datacite_xml.xml_listing,
        "DataCite XML",
        "xml",
        oai_prefix="datacite",
    ),
    Format(
        "x-datacite-xml",
        DATACITE_XML_ALIAS,
        datacite_xml.xml_item,
        datacite_xml.xml_listing,
        "DataCite XML",
        "xml",
    ),
    Format(
        "dublincore",
        DC_MEDIA,
        dublincore.dc_item,
        dublincore.dc_listing,
        "Dublin Core XML",
        "xml",
        oai_prefix="oai_dc",
    ),
    Format(
        "marcxml",
        MARCXML_MEDIA,
        marcxml.marc_item,
        marcxml.marc_listing,
        "MARCXML",
        "xml",
        oai_prefix="marcxml",
    ),
    Format(
        "dcat-ap",
        DCAT_MEDIA,
        dcat.dcat_item,
        dcat.dcat_listing,
        "DCAT-AP",
        "rdf",
        oai_prefix="dcat",
    ),
)
