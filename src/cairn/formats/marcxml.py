"""MARC 21 bibliographic records in MARCXML (``http://www.loc.gov/MARC21/slim``).

Fields written (as InvenioRDM and Zenodo use them): leader and 001/005/008; 024 other
identifiers (DOI first); 041 languages; 100/700 first and further creators, 700 contributors
(``$4`` relator code from the role, ``$u`` affiliation, ``$0`` ORCID/ROR…); 245 title, 246
other titles; 250 version; 264 publisher and publication date; 300 sizes; 340 formats; 506
access; 520 descriptions; 536 funding; 540 licences; 542 copyright; 650/653 subjects; 773
related identifiers; 856 the landing page; 980 resource type. Search results are a
``<collection>``, MARCXML's own list form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pycountry
from lxml import etree

from cairn.formats.registry import Params
from cairn.formats.xmlhelpers import english, html_to_text, publication_year, ror_url, xml_safe

MARC = "http://www.loc.gov/MARC21/slim"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{MARC} http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
# resource type (top level) -> leader/06 type of record
RECORD_TYPES = {
    "dataset": "m",
    "software": "m",
    "model": "m",
    "workflow": "m",
    "image": "k",
    "poster": "k",
    "video": "g",
    "presentation": "g",
    "audio": "i",
    "physicalobject": "r",
    "lesson": "a",
    "publication": "a",
    "event": "p",
    "other": "a",
}
ROLE_CODES = {
    "contactperson": "prc",
    "datacollector": "col",
    "datacurator": "cur",
    "datamanager": "dtm",
    "distributor": "dst",
    "editor": "edt",
    "hostinginstitution": "his",
    "producer": "pro",
    "projectleader": "pdr",
    "projectmanager": "rth",
    "projectmember": "rtm",
    "registrationagency": "cor",
    "registrationauthority": "cor",
    "relatedperson": "oth",
    "researcher": "res",
    "researchgroup": "rtm",
    "rightsholder": "cph",
    "sponsor": "spn",
    "supervisor": "dgs",
    "translator": "trl",
    "workpackageleader": "led",
    "other": "oth",
}
ID_PREFIXES = {"orcid": "(orcid)", "isni": "(isni)", "gnd": "(DE-588)", "ror": "(ror)"}


def marc_language(code: str) -> str:
    """MARC language code (ISO 639-2/B) for an ISO 639-3 id; the id itself otherwise."""
    lang = pycountry.languages.get(alpha_3=code) if len(code) == 3 else None
    return str(getattr(lang, "bibliographic", None) or code)


class _Record:
    def __init__(self) -> None:
        self.root = etree.Element(f"{{{MARC}}}record", nsmap={None: MARC, "xsi": XSI})

    def text(self, parent: etree._Element, name: str, value: str, **attrs: str) -> None:
        node = etree.SubElement(parent, f"{{{MARC}}}{name}", attrs)
        try:
            node.text = value
        except ValueError:
            node.text = xml_safe(value)

    def control(self, tag: str, value: str) -> None:
        self.text(self.root, "controlfield", value, tag=tag)

    def field(
        self, tag: str, subfields: Iterable[tuple[str, Any]], ind1: str = " ", ind2: str = " "
    ) -> None:
        pairs = [(code, str(value)) for code, value in subfields if value not in (None, "")]
        if not pairs:
            return
        node = etree.SubElement(self.root, f"{{{MARC}}}datafield", tag=tag, ind1=ind1, ind2=ind2)
        for code, value in pairs:
            self.text(node, "subfield", value, code=code)


def _person(entry: dict[str, Any], role_code: str | None) -> list[tuple[str, Any]]:
    person = entry.get("person_or_org") or {}
    name = person.get("name") or person.get("family_name")
    if not name:
        return []
    subs: list[tuple[str, Any]] = [("a", name)]
    for aff in entry.get("affiliations") or []:
        subs.append(("u", aff.get("name") or aff.get("id")))
    for ident in person.get("identifiers") or []:
        prefix = ID_PREFIXES.get(str(ident.get("scheme") or "").lower())
        if prefix and ident.get("identifier"):
            subs.append(("0", f"{prefix}{ident['identifier']}"))
    subs.append(("4", role_code))
    return subs


def _header(out: _Record, record: dict[str, Any], md: dict[str, Any]) -> None:
    rtype = str((md.get("resource_type") or {}).get("id") or "other")
    leader = f"00000n{RECORD_TYPES.get(rtype.split('-')[0], 'a')}m a2200000uu 4500"
    out.text(out.root, "leader", leader)
    out.control("001", str(record.get("id") or ""))
    updated = str(record.get("updated") or record.get("created") or "")
    digits = "".join(ch for ch in updated[:19] if ch.isdigit())
    if len(digits) == 14:
        out.control("005", f"{digits}.0")
    created = "".join(ch for ch in str(record.get("created") or "")[:10] if ch.isdigit())[2:]
    year = publication_year(md.get("publication_date"), record.get("created"))
    langs = [str(lang.get("id")) for lang in md.get("languages") or [] if lang.get("id")]
    language = marc_language(langs[0]) if langs else "   "
    # 00-05 entered, 06 date type, 07-10 date 1, 11-14 date 2, 15-17 place, 18-34 material
    # specific (23 "o": online), 35-37 language, 38 modified, 39 cataloguing source
    fixed = (
        f"{created or '000000':<6.6}s{year}    xx " + "     o     000 0 " + f"{language[:3]:<3} d"
    )
    out.control("008", fixed)


def marc_element(record: dict[str, Any]) -> etree._Element:
    """The ``<record>`` element of ``record``."""
    md = record.get("metadata") or {}
    out = _Record()
    _header(out, record, md)
    doi = ((record.get("pids") or {}).get("doi") or {}).get("identifier")
    if doi:
        out.field("024", [("a", doi), ("2", "doi")], "7")
    for ident in md.get("identifiers") or []:
        out.field("024", [("a", ident.get("identifier")), ("2", ident.get("scheme"))], "7")
    langs = [marc_language(str(lang["id"])) for lang in md.get("languages") or [] if lang.get("id")]
    out.field("041", [("a", code) for code in langs])
    creators = md.get("creators") or []
    for index, creator in enumerate(creators):
        organisational = (creator.get("person_or_org") or {}).get("type") == "organizational"
        tag = (
            ("110" if organisational else "100")
            if index == 0
            else ("710" if organisational else "700")
        )
        role = ROLE_CODES.get(str((creator.get("role") or {}).get("id")), "aut")
        out.field(tag, _person(creator, role), "2" if organisational else "1")
    for contributor in md.get("contributors") or []:
        organisational = (contributor.get("person_or_org") or {}).get("type") == "organizational"
        role = ROLE_CODES.get(str((contributor.get("role") or {}).get("id")), "oth")
        out.field(
            "710" if organisational else "700",
            _person(contributor, role),
            "2" if organisational else "1",
        )
    out.field("245", [("a", md.get("title"))], "1" if creators else "0", "0")
    for extra in md.get("additional_titles") or []:
        out.field("246", [("a", extra.get("title"))], "3", "3")
    out.field("250", [("a", md.get("version"))])
    out.field("264", [("b", md.get("publisher")), ("c", md.get("publication_date"))], " ", "1")
    for size in md.get("sizes") or []:
        out.field("300", [("a", size)])
    for fmt in md.get("formats") or []:
        out.field("340", [("a", fmt)])
    status = (record.get("access") or {}).get("status")
    if status:
        out.field(
            "506",
            [("a", status), ("f", "Unrestricted online access" if status == "open" else None)],
            "0" if status in ("open", "metadata-only") else "1",
        )
    if md.get("description"):
        out.field("520", [("a", html_to_text(md["description"]))])
    for extra in md.get("additional_descriptions") or []:
        out.field("520", [("a", html_to_text(extra.get("description") or ""))])
    for funding in md.get("funding") or []:
        funder, award = funding.get("funder") or {}, funding.get("award") or {}
        number = award.get("number") or str(award.get("id") or "").rpartition("::")[2]
        out.field(
            "536",
            [
                (
                    "a",
                    funder.get("name") or ror_url(str(funder.get("id") or "")) or funder.get("id"),
                ),
                ("c", number),
                ("f", english(award.get("title"))),
            ],
        )
    for right in md.get("rights") or []:
        link = right.get("link") or (right.get("props") or {}).get("url")
        out.field(
            "540",
            [
                ("a", english(right.get("title")) or right.get("id")),
                ("u", link),
                ("f", right.get("id")),
            ],
        )
    out.field("542", [("f", md.get("copyright"))])
    for subject in md.get("subjects") or []:
        if subject.get("scheme"):
            out.field(
                "650",
                [
                    ("a", subject.get("subject") or subject.get("id")),
                    ("2", subject["scheme"]),
                    ("0", subject.get("id")),
                ],
                " ",
                "7",
            )
        else:
            out.field("653", [("a", subject.get("subject") or subject.get("id"))])
    for rel in md.get("related_identifiers") or []:
        relation = english((rel.get("relation_type") or {}).get("title")) or (
            rel.get("relation_type") or {}
        ).get("id")
        out.field(
            "773",
            [("a", rel.get("identifier")), ("i", relation), ("n", rel.get("scheme"))],
            "0",
            "8",
        )
    landing = (record.get("links") or {}).get("self_html")
    out.field("856", [("u", landing), ("z", "Landing page")], "4", "0")
    rtype = str((md.get("resource_type") or {}).get("id") or "")
    base, _, sub = rtype.partition("-")
    out.field("980", [("a", base), ("b", sub)])
    fields = sorted(out.root.findall(f"{{{MARC}}}datafield"), key=lambda f: f.get("tag"))
    for node in fields:  # MARC order: by tag, keeping the order within a tag
        out.root.append(node)
    return out.root


def _pretty(params: Params) -> bool:
    return params.get("prettyprint", "").lower() in ("1", "true")


def marc_item(record: dict[str, Any], params: Params) -> bytes:
    root = marc_element(record)
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=_pretty(params)
    )


def marc_listing(envelope: dict[str, Any], params: Params) -> bytes:
    """Search results as a MARCXML ``<collection>``."""
    root = etree.Element(f"{{{MARC}}}collection", nsmap={None: MARC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    for hit in envelope["hits"]["hits"]:
        root.append(marc_element(hit))
    etree.cleanup_namespaces(root)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=_pretty(params)
    )
