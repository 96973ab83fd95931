"""Writing OAI-PMH 2.0 responses with lxml."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from lxml import etree

from cairn.formats.dublincore import DC, OAI_DC
from cairn.formats.dublincore import SCHEMA_LOCATION as OAI_DC_SCHEMA_LOCATION

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_ID = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_ID_SCHEMA = f"{OAI_ID} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"


def datestamp(value: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` (second granularity, UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{OAI}}}{tag}", attrs)
    if text is not None:
        node.text = text
    return node


def envelope(
    base_url: str, arguments: Mapping[str, str] | None, now: datetime | None = None
) -> etree._Element:
    """``<OAI-PMH>`` with ``responseDate`` and ``request`` (its attributes are the request's
    arguments, or none after ``badVerb``/``badArgument``: ``arguments`` None)."""
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", OAI_SCHEMA)
    sub(root, "responseDate", datestamp(now or datetime.now(UTC)))
    sub(root, "request", base_url, **dict(arguments or {}))
    return root


def error_document(
    base_url: str, arguments: Mapping[str, str] | None, errors: list[tuple[str, str]]
) -> etree._Element:
    root = envelope(base_url, arguments)
    for code, message in errors:
        sub(root, "error", message, code=code)
    return root


def header(
    parent: etree._Element, identifier: str, stamp: datetime, specs: tuple[str, ...], deleted: bool
) -> etree._Element:
    node = sub(parent, "header", status="deleted") if deleted else sub(parent, "header")
    sub(node, "identifier", identifier)
    sub(node, "datestamp", datestamp(stamp))
    for spec in specs:
        sub(node, "setSpec", spec)
    return node


def set_description(parent: etree._Element, text: str) -> None:
    """A set's ``<setDescription>``: its description as an ``oai_dc`` ``dc:description``."""
    description = sub(parent, "setDescription")
    dc = etree.SubElement(
        description, f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI}
    )
    dc.set(f"{{{XSI}}}schemaLocation", OAI_DC_SCHEMA_LOCATION)
    etree.SubElement(dc, f"{{{DC}}}description").text = text


def resumption(
    parent: etree._Element, token: str | None, cursor: int, total: int
) -> etree._Element:
    """``<resumptionToken>``; an empty one (``token`` None) ends an incomplete list."""
    node = sub(parent, "resumptionToken", completeListSize=str(total), cursor=str(cursor))
    node.text = token
    return node


def identifier_description(parent: etree._Element, host: str, sample: str) -> None:
    """The ``oai-identifier`` description of Identify."""
    description = sub(parent, "description")
    node = etree.SubElement(description, f"{{{OAI_ID}}}oai-identifier", nsmap={None: OAI_ID})
    node.set(f"{{{XSI}}}schemaLocation", OAI_ID_SCHEMA)
    for tag, text in (
        ("scheme", "oai"),
        ("repositoryIdentifier", host),
        ("delimiter", ":"),
        ("sampleIdentifier", sample),
    ):
        etree.SubElement(node, f"{{{OAI_ID}}}{tag}").text = text


def to_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
