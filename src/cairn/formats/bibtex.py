"""BibTeX (``application/x-bibtex``): one entry per record, UTF-8, BibLaTeX entry types
for datasets and software (``@dataset``, ``@software``), classic types otherwise.

The key is ``<first creator's family name>_<year>_<record id>`` in lower-case ASCII.
Values are braced with TeX's special characters escaped, so any title is safe.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from cairn.formats.csl import (
    DOI_RESOLVER,
    by_resource_type,
    date_parts,
    display_name,
    doi_of,
    first_identifier,
    journal,
    landing_url,
    metadata_of,
    obj,
    people,
    person,
    subjects,
)

ENTRY_TYPES: dict[str, str] = {
    "publication": "misc",
    "publication-article": "article",
    "publication-datapaper": "article",
    "publication-preprint": "unpublished",
    "publication-book": "book",
    "publication-section": "inbook",
    "publication-conferencepaper": "inproceedings",
    "publication-conferenceproceeding": "proceedings",
    "publication-report": "techreport",
    "publication-technicalnote": "techreport",
    "publication-workingpaper": "techreport",
    "publication-deliverable": "techreport",
    "publication-softwaredocumentation": "manual",
    "publication-dissertation": "phdthesis",
    "publication-thesis": "phdthesis",
    "dataset": "dataset",
    "software": "software",
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_NOT_KEY = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def escape(value: str) -> str:
    """``value`` safe inside a braced BibTeX field (TeX specials escaped, one line)."""
    return _SPECIAL.sub(lambda m: _ESCAPES[m.group(0)], _SPACES.sub(" ", value).strip())


def _ascii(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return _NOT_KEY.sub("", folded.lower())


def cite_key(record: dict[str, Any]) -> str:
    creators = people(metadata_of(record), "creators")
    first = person(creators[0]) if creators else {}
    name = _ascii(str(first.get("family_name") or first.get("name") or "")) or "record"
    parts = date_parts(metadata_of(record).get("publication_date"))
    record_id = _NOT_KEY.sub("", str(record.get("id") or "").lower())
    return "_".join(p for p in (name, str(parts[0]) if parts else "", record_id) if p)


def _author(entry: dict[str, Any]) -> str:
    who = person(entry)
    if who.get("type") == "personal" and who.get("family_name"):
        return escape(display_name(entry))
    return "{" + escape(str(who.get("name") or "")) + "}"  # an organisation: not split


def fields(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The entry's (field, escaped value) pairs in a stable order."""
    metadata = metadata_of(record)
    entry_type = by_resource_type(ENTRY_TYPES, record, "misc")
    authors = " and ".join(_author(e) for e in people(metadata, "creators"))
    editors = " and ".join(
        _author(e)
        for e in people(metadata, "contributors")
        if obj(e.get("role")).get("id") == "editor"
    )
    parts = date_parts(metadata.get("publication_date"))
    venue = journal(record)
    doi = doi_of(record)
    publisher = str(metadata.get("publisher") or "")
    values = [
        ("author", authors),
        ("editor", editors),
        ("title", escape(str(metadata.get("title") or ""))),
        ("journal", escape(venue.get("title", "")) if entry_type == "article" else ""),
        ("volume", escape(venue.get("volume", ""))),
        ("number", escape(venue.get("issue", ""))),
        ("pages", escape(venue.get("pages", "")).replace("-", "--")),
        ("year", str(parts[0]) if parts else ""),
        ("month", MONTHS[parts[1] - 1] if len(parts) > 1 and 1 <= parts[1] <= 12 else ""),
        ("institution" if entry_type == "techreport" else "publisher", escape(publisher)),
        ("school", escape(publisher) if entry_type == "phdthesis" else ""),
        ("version", escape(str(metadata.get("version") or ""))),
        ("isbn", escape(first_identifier(metadata, "isbn"))),
        ("issn", escape(venue.get("issn", "") or first_identifier(metadata, "issn"))),
        ("doi", escape(doi)),
        ("url", escape(DOI_RESOLVER + doi if doi else landing_url(record))),
        ("keywords", escape(", ".join(subjects(metadata)))),
    ]
    if entry_type == "phdthesis":
        values = [(k, v) for k, v in values if k != "publisher"]
    return [(k, v) for k, v in values if v]


def entry(record: dict[str, Any]) -> str:
    entry_type = by_resource_type(ENTRY_TYPES, record, "misc")
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields(record)
    )
    return f"@{entry_type}{{{cite_key(record)},\n{body}\n}}\n"


def bibtex_item(record: dict[str, Any], params: Any) -> bytes:
    return entry(record).encode()


def bibtex_listing(envelope: dict[str, Any], params: Any) -> bytes:
    return "\n".join(entry(hit) for hit in envelope["hits"]["hits"]).encode()
