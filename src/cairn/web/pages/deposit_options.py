"""What the deposit form offers to choose from: vocabulary options, schemes, limits.

Built from the services on the server, so the form's first view needs no API call. Long
vocabularies (licences, languages) are searched through the REST API as the user types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from cairn.http.context import Services
from cairn.records.results import Item
from cairn.records.schema.identifiers import RECORD_SCHEMES
from cairn.vocabularies import VocabularyRegistry

MAX_LISTED_FILES = 1000
"""Files listed on the form's first view (more are counted, not listed)."""


@dataclass(frozen=True)
class Option:
    id: str
    title: str


@dataclass(frozen=True)
class Group:
    """A resource type and its subtypes (``publication`` → ``publication-article`` …)."""

    id: str
    title: str
    children: tuple[Option, ...]


@dataclass(frozen=True)
class Choices:
    resource_types: tuple[Group, ...]
    linkable_types: tuple[Group, ...]
    roles: tuple[Option, ...]
    relation_types: tuple[Option, ...]
    schemes: tuple[Option, ...]
    licenses: tuple[Option, ...]


def _title(item: dict[str, Any]) -> str:
    titles: dict[str, str] = item.get("title") or {}
    return titles.get("en") or next(iter(titles.values()), item["id"])


def _all(vocabularies: VocabularyRegistry, vtype: str) -> list[dict[str, Any]]:
    size = max(vocabularies.count(vtype), 1)
    return vocabularies.search(vtype, sort="title", size=size)[0]


def _options(items: list[dict[str, Any]]) -> tuple[Option, ...]:
    return tuple(Option(item["id"], _title(item)) for item in items)


def _type_groups(items: list[dict[str, Any]], tag: str) -> tuple[Group, ...]:
    """Resource types with ``tag``, each top type with its subtypes, sorted by title."""
    wanted = [i for i in items if tag in i.get("tags", [])]
    children: dict[str, list[Option]] = {}
    for item in wanted:
        props = item.get("props") or {}
        if props.get("subtype"):
            children.setdefault(props.get("type", ""), []).append(Option(item["id"], _title(item)))
    return tuple(
        Group(item["id"], _title(item), tuple(children.get(item["id"], ())))
        for item in wanted
        if not (item.get("props") or {}).get("subtype")
    )


@lru_cache(maxsize=4)
def choices(vocabularies: VocabularyRegistry) -> Choices:
    """The form's options; vocabularies never change while the app runs."""
    types = _all(vocabularies, "resourcetypes")
    recommended = vocabularies.search("licenses", tags=["recommended"], size=50)[0]
    schemes = sorted(
        (Option(name, scheme.label) for name, scheme in RECORD_SCHEMES.items()),
        key=lambda option: option.title.casefold(),
    )
    return Choices(
        resource_types=_type_groups(types, "depositable"),
        linkable_types=_type_groups(types, "linkable"),
        roles=_options(_all(vocabularies, "contributorsroles")),
        relation_types=_options(_all(vocabularies, "relationtypes")),
        schemes=tuple(schemes),
        licenses=_options(recommended),
    )


def _file(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": entry["key"],
        "size": entry.get("size"),
        "status": entry.get("status", "completed"),
        "checksum": entry.get("checksum"),
    }


def page_data(
    svc: Services,
    site_name: str,
    item: Item | None,
    files: list[dict[str, Any]],
    files_total: int,
) -> dict[str, Any]:
    """The JSON island the form's scripts start from."""
    limits = svc.files.limits
    draft = None
    if item is not None:  # its file entries are listed below, with the pending ones
        files_block = {k: v for k, v in (item.data.get("files") or {}).items() if k != "entries"}
        draft = {**item.data, "files": files_block}
    return {
        "draft": draft,
        "files": [_file(entry) for entry in files],
        "files_total": files_total,
        "defaults": {"publisher": site_name, "publication_date": date.today().isoformat()},
        "limits": {
            "max_files": limits.max_files,
            "max_file_size": limits.max_file_size,
            "quota": limits.quota,
        },
        "doi": bool(svc.records.config.doi_prefix),
        "licenses": [{"id": o.id, "title": o.title} for o in choices(svc.vocabularies).licenses],
    }
