"""The records index mapping, in one place: index fields, the API paths that reach them,
and :func:`record_document`, which turns a record's JSON (InvenioRDM shape) into an index
document.

Everything here is engine-neutral data; :mod:`cairn.search.tantivy_engine` builds its schema
from :data:`FIELDS` and :mod:`cairn.search.query` resolves field paths with :data:`PATHS`.
A record may be a partial draft, so every value is read defensively: a wrong type is left
out, never an error.
"""

from __future__ import annotations

import calendar
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cairn.search.cursor import id_bits, sort_key

TEXT = "cairn_text"  # words: lower-case, accent folding, stemming in the index's language
NAMES = "cairn_names"  # names and short strings: lower-case and accent folding, no stemming
META_ID = "__cairn_index_state__"  # the one document that carries the applied sequence
PUBLICATION = "publication"  # pseudo field: publication_start .. publication_end


@dataclass(frozen=True)
class IndexField:
    """``kind`` is ``text`` (analysed), ``raw`` (exact keyword), ``u64``, ``i64``, ``bool``
    or ``date``; ``lower`` raw values are lower-cased when indexed and when queried."""

    kind: str
    analyzer: str = ""
    stored: bool = False
    fast: bool = False
    indexed: bool = True
    lower: bool = False


def _raw(fast: bool = False, lower: bool = True) -> IndexField:
    return IndexField("raw", fast=fast, lower=lower)


FIELDS: dict[str, IndexField] = {
    "id": IndexField("raw", stored=True, lower=True),
    "parent_id": _raw(),
    "is_latest": IndexField("bool", fast=True),
    "is_latest_draft": IndexField("bool", fast=True),
    "is_published": IndexField("bool", fast=True),
    "is_draft": IndexField("bool", fast=True),
    "status": _raw(fast=True),
    "owner": IndexField("u64", fast=True),
    "access_record": _raw(fast=True),
    "access_files": _raw(),
    "access_status": _raw(fast=True),
    "resource_type": _raw(fast=True),  # the parent type: "publication"
    "resource_subtype": _raw(fast=True),  # the full child id: "publication-article"
    "resource_type_id": _raw(),
    "languages": _raw(fast=True),
    "subjects": _raw(fast=True, lower=False),
    "licenses": _raw(fast=True),
    "file_types": _raw(fast=True),
    "publication_start": IndexField("date", fast=True),
    "publication_end": IndexField("date", fast=True),
    "publication_years": IndexField("i64", fast=True),
    "created": IndexField("date", fast=True),
    "updated": IndexField("date", fast=True),
    "version_index": IndexField("u64", fast=True),
    "sort_created": IndexField("u64", fast=True),  # keys: see cursor.py
    "sort_updated": IndexField("u64", fast=True),
    "sort_version": IndexField("u64", fast=True),
    "title": IndexField("text", TEXT),
    "description": IndexField("text", TEXT),
    "creators": IndexField("text", NAMES),
    "contributors": IndexField("text", NAMES),
    "subjects_text": IndexField("text", TEXT),
    "publisher": IndexField("text", NAMES),
    "doi": _raw(),
    "parent_doi": _raw(),
    "identifiers": _raw(),
    "all": IndexField("text", TEXT),
    "present": _raw(lower=False),  # which fields have a value, for ``_exists_:``
    "meta_seq": IndexField("u64", stored=True, indexed=False),
}

# API field paths (as in InvenioRDM's index) -> index fields searched for them.
PATHS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "parent.id": ("parent_id",),
    "metadata.title": ("title",),
    "metadata.additional_titles.title": ("title",),
    "metadata.description": ("description",),
    "metadata.additional_descriptions.description": ("description",),
    "metadata.subjects.subject": ("subjects_text",),
    "metadata.resource_type.id": ("resource_type_id",),
    "metadata.resource_type.props.type": ("resource_type",),
    "metadata.resource_type.props.subtype": ("resource_subtype",),
    "metadata.languages.id": ("languages",),
    "metadata.rights.id": ("licenses",),
    "metadata.publisher": ("publisher",),
    "metadata.publication_date": (PUBLICATION,),
    "metadata.identifiers.identifier": ("identifiers",),
    "pids.doi.identifier": ("doi",),
    "parent.pids.doi.identifier": ("parent_doi",),
    "access.record": ("access_record",),
    "access.files": ("access_files",),
    "access.status": ("access_status",),
    "parent.access.owned_by.user": ("owner",),
    "versions.is_latest": ("is_latest",),
    "versions.is_latest_draft": ("is_latest_draft",),
    "versions.index": ("version_index",),
    "is_published": ("is_published",),
    "is_draft": ("is_draft",),
    "status": ("status",),
    "created": ("created",),
    "updated": ("updated",),
    "files.entries.ext": ("file_types",),
    **{
        f"metadata.{people}.person_or_org.{part}": (people,)
        for people in ("creators", "contributors")
        for part in ("name", "family_name", "given_name")
    },
}
# Short names users type, for the path they stand for.
_SHORT = {
    "metadata.title": "title",
    "metadata.description": "description",
    "metadata.creators.person_or_org.name": "creator creators author",
    "metadata.contributors.person_or_org.name": "contributor contributors",
    "metadata.subjects.subject": "subject subjects keyword keywords",
    "metadata.publisher": "publisher",
    "pids.doi.identifier": "doi",
    "metadata.resource_type.id": "resource_type",
    "metadata.languages.id": "language",
    "metadata.rights.id": "license",
    "metadata.publication_date": "publication_date",
    "files.entries.ext": "file_type",
    "access.status": "access_status",
}
ALIASES: dict[str, str] = {short: path for path, names in _SHORT.items() for short in names.split()}


def index_fields(path: str) -> tuple[str, ...] | None:
    """The index fields behind an API path or alias (``None`` when unknown)."""
    return PATHS.get(path) or PATHS.get(ALIASES.get(path.lower(), ""))


def _millis(moment: datetime | None) -> int:
    return int(moment.timestamp() * 1000) if moment is not None else 0


# -- dates -------------------------------------------------------------------------------
MIN_YEAR, MAX_YEAR = 1678, 2261  # what a Tantivy date (i64 nanoseconds) can hold
MAX_YEARS = 200  # an interval longer than this indexes only its first and last year
_PARTIAL = re.compile(r"^(-?[0-9X]{4})(?:-([0-9X]{2})(?:-([0-9X]{2}))?)?$")


@dataclass(frozen=True)
class DateSpan:
    """The first and last instant a (partial) date or interval covers, and its years."""

    start: datetime
    end: datetime
    first_year: int
    last_year: int

    def years(self) -> list[int]:
        if self.last_year - self.first_year > MAX_YEARS:
            return [self.first_year, self.last_year]
        return list(range(self.first_year, self.last_year + 1))


def _clamped(year: int, month: int, day: int) -> datetime:
    if year < MIN_YEAR:
        return datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
    if year > MAX_YEAR:
        return datetime(MAX_YEAR, 12, 31, tzinfo=UTC)
    return datetime(year, month, day, tzinfo=UTC)


def _moment(text: str) -> DateSpan | None:
    moment = _timestamp(text.replace("Z", "+00:00"))
    if moment is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return DateSpan(moment, moment, moment.year, moment.year)


def partial_date(text: str) -> DateSpan | None:
    """``2020`` -> all of 2020, ``2020-05`` -> May 2020, ``2020-05-01`` -> that day; EDTF
    qualifiers (``?``, ``~``, ``%``) are ignored, unspecified digits (``19XX``) widen the
    span, seasons (months 21-41) mean the whole year; a time of day gives one instant."""
    text = text.strip().rstrip("?~%")
    if "T" in text:
        return _moment(text)
    match = _PARTIAL.match(text)
    if match is None:
        return None
    year_text, month_text, day_text = match.groups()
    first_year = int(year_text.replace("X", "0"))
    last_year = int(year_text.replace("X", "9"))
    month = int(month_text) if month_text and "X" not in month_text else None
    day = int(day_text) if day_text and "X" not in day_text and month else None
    if month is not None and not 1 <= month <= 12:
        if 21 <= month <= 41:
            month = day = None
        else:
            return None
    try:
        if month is None:
            start, end = _clamped(first_year, 1, 1), _clamped(last_year, 12, 31)
        elif day is None:
            last = calendar.monthrange(min(max(last_year, 1), 9999), month)[1]
            start, end = _clamped(first_year, month, 1), _clamped(last_year, month, last)
        else:
            start = end = _clamped(first_year, month, day)
    except ValueError:
        return None
    end = end + timedelta(days=1) - timedelta(microseconds=1)
    return DateSpan(start, end, first_year, last_year)


def date_span(value: Any) -> DateSpan | None:
    """The span of an EDTF date or interval (``1939/1945``, ``2018/2020-09``); an open
    side (``..`` or empty) takes the other side's value."""
    if not isinstance(value, str) or not value.strip():
        return None
    if "/" not in value:
        return partial_date(value)
    low_text, _, high_text = value.strip().partition("/")
    low = partial_date(low_text) if low_text.strip() not in ("", "..") else None
    high = partial_date(high_text) if high_text.strip() not in ("", "..") else None
    low, high = low or high, high or low
    if low is None or high is None or high.end < low.start:
        return None
    return DateSpan(low.start, high.end, low.first_year, high.last_year)


# -- reading the record JSON -------------------------------------------------------------
_TAG = re.compile(r"<[^>]*>")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _strings(values: Iterable[Any]) -> list[str]:
    """The non-blank strings among ``values``, stripped, without repeats, in order."""
    out: dict[str, None] = {}
    for value in values:
        if isinstance(value, str) and (text := value.strip()):
            out[text] = None
    return list(out)


def strip_html(value: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", value)).split())


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _people(items: Any) -> Iterator[str]:
    """Each person's ``name`` (InvenioRDM makes it "Family, Given"), else the parts."""
    for item in _list(items):
        person = _dict(_dict(item).get("person_or_org"))
        if name := _str(person.get("name")):
            yield name
        else:
            parts = [_str(person.get("family_name")), _str(person.get("given_name"))]
            yield ", ".join(p for p in parts if p)


def _affiliations(items: Any) -> Iterator[str]:
    for item in _list(items):
        for affiliation in _list(_dict(item).get("affiliations")):
            if name := _str(_dict(affiliation).get("name")):
                yield name


def _ids(items: Any, key: str = "id") -> list[str]:
    return _strings(_dict(item).get(key) for item in _list(items))


def _file_types(files: dict[str, Any]) -> list[str]:
    entries = files.get("entries")
    values = entries.values() if isinstance(entries, dict) else _list(entries)
    found: list[str] = []
    for entry in values:
        entry = _dict(entry)
        ext = _str(entry.get("ext"))
        key = _str(entry.get("key"))
        if ext is None and key and "." in key:
            ext = key.rsplit(".", 1)[1]
        if ext:
            found.append(ext.lower())
    return list(dict.fromkeys(found))


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def record_document(
    record: dict[str, Any], *, owner_id: int | None, is_draft: bool
) -> dict[str, Any]:
    """The index document of a record or draft (its JSON as :mod:`cairn.records.dump` makes
    it). Keys are :data:`FIELDS` names; values are a value or a list of values."""
    record = _dict(record)
    md = _dict(record.get("metadata"))
    parent = _dict(record.get("parent"))
    access = _dict(record.get("access"))
    versions = _dict(record.get("versions"))
    pids = _dict(record.get("pids"))
    doc_id = _str(record.get("id")) or ""
    if owner_id is None:
        owner_id = _int(_dict(_dict(parent.get("access")).get("owned_by")).get("user"))

    titles = _strings(
        [md.get("title"), *(_dict(t).get("title") for t in _list(md.get("additional_titles")))]
    )
    descriptions = [
        strip_html(d)
        for d in _strings(
            [
                md.get("description"),
                *(_dict(d).get("description") for d in _list(md.get("additional_descriptions"))),
            ]
        )
    ]
    creators = _strings(_people(md.get("creators")))
    contributors = _strings(_people(md.get("contributors")))
    subjects = _strings(
        _dict(s).get("subject") or _dict(s).get("id") for s in _list(md.get("subjects"))
    )
    rights = _list(md.get("rights"))
    licenses = [i.lower() for i in _ids(rights)]
    publisher = _str(md.get("publisher"))
    doi = _str(_dict(pids.get("doi")).get("identifier"))
    parent_doi = _str(_dict(_dict(parent.get("pids")).get("doi")).get("identifier"))
    identifiers = _strings(
        [
            *(_dict(p).get("identifier") for p in pids.values()),
            *(_dict(i).get("identifier") for i in _list(md.get("identifiers"))),
            parent_doi,
        ]
    )
    rtype = (_str(_dict(md.get("resource_type")).get("id")) or "").lower()
    span = date_span(md.get("publication_date"))
    created = _timestamp(record.get("created"))
    updated = _timestamp(record.get("updated"))
    index = _int(versions.get("index"))
    tie = id_bits(doc_id)

    doc: dict[str, Any] = {
        "id": doc_id.lower(),
        "parent_id": (_str(parent.get("id")) or "").lower(),
        "is_latest": versions.get("is_latest") is True,
        "is_latest_draft": versions.get("is_latest_draft") is True,
        "is_published": record.get("is_published") is True,
        "is_draft": bool(is_draft),
        "status": _str(record.get("status")),
        "owner": owner_id,
        "access_record": _str(access.get("record")),
        "access_files": _str(access.get("files")),
        "access_status": _str(access.get("status")),
        "resource_type": rtype.split("-", 1)[0] or None,
        "resource_subtype": rtype if "-" in rtype else None,
        "resource_type_id": rtype or None,
        "languages": _ids(md.get("languages")),
        "subjects": subjects,
        "licenses": licenses,
        "file_types": _file_types(_dict(record.get("files"))),
        "publication_start": span.start if span else None,
        "publication_end": span.end if span else None,
        "publication_years": span.years() if span else [],
        "created": created,
        "updated": updated,
        "version_index": index,
        "sort_created": sort_key(_millis(created), tie),
        "sort_updated": sort_key(_millis(updated), tie),
        "sort_version": sort_key(index or 0, tie),
        "title": titles,
        "description": descriptions,
        "creators": creators,
        "contributors": contributors,
        "subjects_text": subjects,
        "publisher": publisher,
        "doi": doi.lower() if doi else None,
        "parent_doi": parent_doi.lower() if parent_doi else None,
        "identifiers": [i.lower() for i in identifiers],
    }
    # the short texts, for unqualified terms (which also search ``description``: copying the
    # long descriptions here would cost a third of the indexing time)
    doc["all"] = [
        *titles,
        *creators,
        *_strings(_affiliations(md.get("creators"))),
        *contributors,
        *subjects,
        *_strings(_dict(r).get("id") or _dict(_dict(r).get("title")).get("en") for r in rights),
        *([publisher] if publisher else []),
        *identifiers,
        doc_id,
    ]
    doc["present"] = [name for name, value in doc.items() if value not in (None, [], "")]
    return doc
