"""CSV: one row per record under a fixed header, for single records and search results.

Two column sets: *full* (every metadata field Cairn keeps, flattened) and *simple* (the
ten columns people sort and filter by). Columns never depend on the data, so pages of
search results can be concatenated; a field with several values is joined with ``"; "``.
Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``)
are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from cairn.formats.csl import (
    display_name,
    doi_of,
    landing_url,
    license_urls,
    metadata_of,
    obj,
    objs,
    orcid_url,
    people,
    plain_text,
    scalars,
    subjects,
    text_of,
)

JOIN = "; "
Row = dict[str, str]


def _join(values: list[str]) -> str:
    return JOIN.join(v for v in values if v)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return objs(value)


def _affiliations(entries: list[dict[str, Any]]) -> str:
    names: list[str] = []
    for entry in entries:
        for aff in _dicts(entry.get("affiliations")):
            name = str(aff.get("name") or aff.get("id") or "")
            if name and name not in names:
                names.append(name)
    return _join(names)


def _identifiers(entries: Any, with_relation: bool = False) -> str:
    out = []
    for ident in _dicts(entries):
        value = f"{ident.get('scheme', '')}:{ident.get('identifier', '')}"
        if with_relation and ident.get("relation_type"):
            value = f"{text_of(ident['relation_type'])} {value}"
        out.append(value)
    return _join(out)


def _locations(metadata: dict[str, Any]) -> str:
    locations = metadata.get("locations")
    out = []
    for feature in _dicts(locations.get("features") if isinstance(locations, dict) else None):
        geometry = obj(feature.get("geometry"))
        coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
        point = (
            f"({coords[1]}, {coords[0]})" if isinstance(coords, list) and len(coords) > 1 else ""
        )
        out.append(" ".join(str(p) for p in (feature.get("place") or "", point) if p))
    return _join(out)


def _funding(metadata: dict[str, Any]) -> str:
    out = []
    for funding in _dicts(metadata.get("funding")):
        funder = obj(funding.get("funder"))
        award = obj(funding.get("award"))
        name = str(funder.get("name") or funder.get("id") or "")
        grant = str(award.get("number") or award.get("id") or text_of(award) or "")
        out.append(f"{name} ({grant})" if grant else name)
    return _join(out)


def _files(record: dict[str, Any]) -> list[dict[str, Any]]:
    files = obj(record.get("files"))
    entries = files.get("entries") if isinstance(files, dict) else None
    values = entries.values() if isinstance(entries, dict) else objs(entries)
    return [e for e in values if isinstance(e, dict) and not obj(e.get("access")).get("hidden")]


def _access(record: dict[str, Any], key: str) -> str:
    access = obj(record.get("access"))
    if key == "embargo_until":
        return str(obj(access.get("embargo")).get("until") or "")
    return str(access.get(key) or "")


def _common(record: dict[str, Any]) -> Row:
    metadata = metadata_of(record)
    creators = people(metadata, "creators")
    rights = _dicts(metadata.get("rights"))
    return {
        "id": str(record.get("id") or ""),
        "doi": doi_of(record),
        "url": landing_url(record),
        "title": str(metadata.get("title") or ""),
        "creators": _join([display_name(e) for e in creators]),
        "publication_date": str(metadata.get("publication_date") or ""),
        "resource_type": text_of(metadata.get("resource_type")),
        "publisher": str(metadata.get("publisher") or ""),
        "version": str(metadata.get("version") or ""),
        "access_status": _access(record, "status"),
        "rights": _join([text_of(r) for r in rights]),
    }


def full_row(record: dict[str, Any]) -> Row:
    metadata = metadata_of(record)
    creators = people(metadata, "creators")
    contributors = people(metadata, "contributors")
    parent = obj(record.get("parent"))
    files = _files(record)
    row = _common(record)
    row.update(
        {
            "parent_id": str(parent.get("id") or ""),
            "parent_doi": doi_of(parent),
            "creators_orcid": _join([orcid_url(e) for e in creators]),
            "creators_affiliations": _affiliations(creators),
            "contributors": _join([display_name(e) for e in contributors]),
            "contributors_roles": _join([text_of(e.get("role")) for e in contributors]),
            "additional_titles": _join(
                [str(t.get("title") or "") for t in _dicts(metadata.get("additional_titles"))]
            ),
            "description": plain_text(metadata.get("description")),
            "additional_descriptions": _join(
                [
                    plain_text(d.get("description"))
                    for d in _dicts(metadata.get("additional_descriptions"))
                ]
            ),
            "subjects": _join(subjects(metadata)),
            "languages": _join([str(x.get("id") or "") for x in _dicts(metadata.get("languages"))]),
            "dates": _join(
                [
                    f"{x.get('date', '')} ({text_of(x.get('type'))})"
                    for x in _dicts(metadata.get("dates"))
                ]
            ),
            "rights_urls": _join(license_urls(metadata)),
            "identifiers": _identifiers(metadata.get("identifiers")),
            "related_identifiers": _identifiers(metadata.get("related_identifiers"), True),
            "funding": _funding(metadata),
            "locations": _locations(metadata),
            "sizes": _join(scalars(metadata.get("sizes"))),
            "formats": _join(scalars(metadata.get("formats"))),
            "access_record": _access(record, "record"),
            "access_files": _access(record, "files"),
            "embargo_until": _access(record, "embargo_until"),
            "files": _join([str(f.get("key") or "") for f in files]),
            "files_count": str(len(files)),
            "files_total_bytes": str(sum(int(f.get("size") or 0) for f in files)),
            "version_index": str(obj(record.get("versions")).get("index") or ""),
            "created": str(record.get("created") or ""),
            "updated": str(record.get("updated") or ""),
        }
    )
    return row


def simple_row(record: dict[str, Any]) -> Row:
    return _common(record)


SIMPLE_COLUMNS = (
    "id",
    "doi",
    "url",
    "title",
    "creators",
    "publication_date",
    "resource_type",
    "publisher",
    "version",
    "access_status",
    "rights",
)
FULL_COLUMNS = (
    "id",
    "doi",
    "parent_id",
    "parent_doi",
    "url",
    "title",
    "additional_titles",
    "resource_type",
    "publication_date",
    "version",
    "version_index",
    "publisher",
    "creators",
    "creators_orcid",
    "creators_affiliations",
    "contributors",
    "contributors_roles",
    "description",
    "additional_descriptions",
    "subjects",
    "languages",
    "dates",
    "rights",
    "rights_urls",
    "identifiers",
    "related_identifiers",
    "funding",
    "locations",
    "sizes",
    "formats",
    "access_status",
    "access_record",
    "access_files",
    "embargo_until",
    "files",
    "files_count",
    "files_total_bytes",
    "created",
    "updated",
)


def _safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def write(
    records: list[dict[str, Any]], columns: tuple[str, ...], row: Callable[..., Row]
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        values = row(record)
        writer.writerow([_safe(values.get(c, "")) for c in columns])
    return out.getvalue().encode()


def csv_writers(columns: tuple[str, ...], row: Callable[..., Row]) -> tuple[Any, Any]:
    """The (item, listing) writers of one column set."""

    def item(record: dict[str, Any], params: Any) -> bytes:
        return write([record], columns, row)

    def listing(envelope: dict[str, Any], params: Any) -> bytes:
        return write(list(envelope["hits"]["hits"]), columns, row)

    return item, listing


FULL = csv_writers(FULL_COLUMNS, full_row)
SIMPLE = csv_writers(SIMPLE_COLUMNS, simple_row)
