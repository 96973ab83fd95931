"""The two linkset formats (FAIR Signposting level 2) and which formats describe a record.

``linkset-json`` (``application/linkset+json``) and ``linkset`` (``application/linkset``)
serve a published record's full linkset; they have no list form. A record's ``describedby``
links name the metadata formats the registry holds (:func:`described_by`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from cairn.formats.linkset import (
    LINKSET_JSON,
    LINKSET_TEXT,
    Described,
    linkset,
    to_json,
    to_text,
)
from cairn.formats.registry import Format, FormatRegistry, Params, dumps_json

# Metadata about a record, in the order a harvester would pick one (others are not
# descriptions: citations as text, tables, map features, the linkset itself).
METADATA_MEDIA = (
    "application/vnd.datacite.datacite+xml",
    "application/vnd.datacite.datacite+json",
    "application/ld+json",
    "application/json",
    "application/x-dc+xml",
    "application/marcxml+xml",
    "application/dcat+xml",
    "application/vnd.citationstyles.csl+json",
    "application/x-bibtex",
    "application/vnd.codemeta.ld+json",
    "application/vnd.cff+yaml",
)


def described_by(registry: FormatRegistry) -> tuple[Described, ...]:
    """The registry's metadata formats (the first of each media type), best first."""
    first: dict[str, Described] = {}
    for fmt in registry.formats:
        if fmt.media_type in METADATA_MEDIA and fmt.media_type not in first:
            first[fmt.media_type] = Described(fmt.name, fmt.media_type)
    return tuple(first[m] for m in METADATA_MEDIA if m in first)


@cache
def _catalog_described() -> tuple[Described, ...]:
    # the catalogue lists this module's formats too: look it up on first use, not at import
    from cairn.formats.catalog import default_registry

    return described_by(default_registry())


def _linkset_json(record: dict[str, Any], params: Params) -> bytes:
    return dumps_json(to_json(linkset(record, _catalog_described())), params)


def _linkset_text(record: dict[str, Any], params: Params) -> bytes:
    return to_text(linkset(record, _catalog_described())).encode("utf-8")


FORMATS = (
    Format("linkset-json", LINKSET_JSON, _linkset_json, None, "Linkset (JSON)", "json"),
    Format("linkset", LINKSET_TEXT, _linkset_text, None, "Linkset", "txt"),
)
