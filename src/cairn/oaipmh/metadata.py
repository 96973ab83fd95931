"""The metadata formats OAI-PMH offers: the format registry's formats that have an
``oai_prefix``, plus ``oai_datacite`` (the OAI-DataCite 1.1 envelope around a DataCite
``<resource>``). Each gives the ``<metadata>`` child as an lxml element, built directly
(no serializing and re-parsing) for the formats whose element builders are known."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from cairn.formats import FormatRegistry, datacite_xml, dcat, dublincore, marcxml
from cairn.formats.datacite import to_datacite

Builder = Callable[[dict[str, Any]], etree._Element]

OAI_DATACITE_NS = "http://schema.datacite.org/oai/oai-1.1/"
OAI_DATACITE_XSD = "http://schema.datacite.org/oai/oai-1.1/oai.xsd"
DATACITE_VERSION = "4.5"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    build: Builder


def _datacite(record: dict[str, Any]) -> etree._Element:
    landing = (record.get("links") or {}).get("self_html")
    return datacite_xml.datacite_element(to_datacite(record), landing)


def _marc(record: dict[str, Any]) -> etree._Element:
    root = marcxml.marc_element(record)
    root.set(f"{{{XSI}}}schemaLocation", marcxml.SCHEMA_LOCATION)
    return root


def _dcat(record: dict[str, Any]) -> etree._Element:
    root = etree.Element(f"{{{dcat.RDF}}}RDF", nsmap=dcat.NS)
    root.append(dcat.dataset_element(record))
    etree.cleanup_namespaces(root, top_nsmap=dcat.NS)
    return root


def oai_datacite_builder(symbol: str) -> Builder:
    """``<oai_datacite>`` with the data centre's ``symbol`` around the DataCite resource."""

    def build(record: dict[str, Any]) -> etree._Element:
        root = etree.Element(
            f"{{{OAI_DATACITE_NS}}}oai_datacite", nsmap={None: OAI_DATACITE_NS, "xsi": XSI}
        )
        root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DATACITE_NS} {OAI_DATACITE_XSD}")
        etree.SubElement(root, f"{{{OAI_DATACITE_NS}}}schemaVersion").text = DATACITE_VERSION
        etree.SubElement(root, f"{{{OAI_DATACITE_NS}}}datacentreSymbol").text = symbol
        payload = etree.SubElement(root, f"{{{OAI_DATACITE_NS}}}payload")
        payload.append(_datacite(record))
        return root

    return build


_FAST: dict[str, tuple[str, str, Builder]] = {
    "oai_dc": (
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        dublincore.OAI_DC,
        dublincore.dc_element,
    ),
    "datacite": (
        "http://schema.datacite.org/meta/kernel-4.5/metadata.xsd",
        datacite_xml.NS,
        _datacite,
    ),
    "marcxml": (
        "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
        marcxml.MARC,
        _marc,
    ),
    "dcat": ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", dcat.RDF, _dcat),
}


def metadata_formats(registry: FormatRegistry, datacentre_symbol: str) -> dict[str, MetadataFormat]:
    """Every OAI metadata format by prefix, in the registry's order, then ``oai_datacite``
    (registry formats without a known element builder are left out)."""
    out: dict[str, MetadataFormat] = {}
    for fmt in registry.formats:
        prefix = fmt.oai_prefix
        if prefix is None or prefix in out:
            continue
        if prefix not in _FAST:  # no element builder known: not offered over OAI-PMH
            continue
        schema, namespace, build = _FAST[prefix]
        out[prefix] = MetadataFormat(prefix, schema, namespace, build)
    if "datacite" in out:
        out["oai_datacite"] = MetadataFormat(
            "oai_datacite",
            OAI_DATACITE_XSD,
            OAI_DATACITE_NS,
            oai_datacite_builder(datacentre_symbol),
        )
    return out
