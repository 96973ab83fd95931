"""Citation File Format 1.2.0 (``CITATION.cff``, YAML; media type ``application/vnd.cff+yaml``).

``type`` is ``software`` for software records and ``dataset`` otherwise (the two types CFF
knows). Licences are given as ``license-url`` (CFF's ``license`` takes case-sensitive SPDX
ids, which the records do not keep). Written with PyYAML's safe dumper, so any text is
quoted as YAML needs.
"""

from __future__ import annotations

from typing import Any

import yaml

from cairn.formats.csl import (
    date_parts,
    doi_of,
    landing_url,
    license_urls,
    metadata_of,
    obj,
    objs,
    orcid_url,
    people,
    person,
    plain_text,
    resource_type_id,
    subjects,
)

# libyaml's safe dumper when PyYAML was built with it (same output, many times faster)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
CFF_VERSION = "1.2.0"
MESSAGE = "If you use this work, please cite it using the metadata from this file."


def _author(entry: dict[str, Any]) -> dict[str, Any]:
    who = person(entry)
    out: dict[str, Any] = {}
    if who.get("type") == "personal" and who.get("family_name"):
        out["family-names"] = str(who["family_name"])
        if who.get("given_name"):
            out["given-names"] = str(who["given_name"])
    else:
        out["name"] = str(who.get("name") or "")
    orcid = orcid_url(entry)
    if orcid:
        out["orcid"] = orcid
    names = [
        str(a.get("name") or "")
        for a in objs(entry.get("affiliations"))
        if isinstance(a, dict) and a.get("name")
    ]
    if names:
        out["affiliation"] = "; ".join(names)
    return out


def _date(value: Any) -> str:
    """A full ``YYYY-MM-DD`` (CFF's date-released needs one), else ''."""
    parts = date_parts(value)
    return "{:04d}-{:02d}-{:02d}".format(*parts) if len(parts) == 3 else ""


def _identifiers(record: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    url = landing_url(record)
    if url:
        out.append({"type": "url", "value": url, "description": "The landing page."})
    for ident in objs(metadata_of(record).get("identifiers")):
        if isinstance(ident, dict) and ident.get("scheme") in ("doi", "url", "swh"):
            out.append({"type": str(ident["scheme"]), "value": str(ident.get("identifier") or "")})
    return [i for i in out if i["value"]]


def to_cff(record: dict[str, Any]) -> dict[str, Any]:
    """The CITATION.cff document as a mapping, keys in CFF's usual order."""
    metadata = metadata_of(record)
    out: dict[str, Any] = {
        "cff-version": CFF_VERSION,
        "message": MESSAGE,
        "type": "software" if resource_type_id(record).startswith("software") else "dataset",
        "title": str(metadata.get("title") or ""),
        "authors": [_author(e) for e in people(metadata, "creators")] or [{"name": "Unknown"}],
    }
    doi = doi_of(record)
    optional: dict[str, Any] = {
        "abstract": plain_text(metadata.get("description")),
        "doi": doi,
        "identifiers": _identifiers(record),
        "url": landing_url(record),
        "keywords": subjects(metadata),
        "version": str(metadata.get("version") or ""),
        "date-released": _date(metadata.get("publication_date")),
        "repository-code": str(obj(record.get("custom_fields")).get("code:codeRepository") or ""),
    }
    licenses = license_urls(metadata)
    if licenses:
        optional["license-url"] = licenses[0]
    out.update({k: v for k, v in optional.items() if v})
    return out


def cff_item(record: dict[str, Any], params: Any) -> bytes:
    text = yaml.dump(to_cff(record), Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)
    return text.encode()
