"""Every format Cairn offers, in one registry (the order is the export menu's order)."""

from __future__ import annotations

from cairn.formats import signposting_catalog, text_catalog, xml_catalog
from cairn.formats.registry import JSON_FORMATS, FormatRegistry


def default_registry() -> FormatRegistry:
    return FormatRegistry(
        [*JSON_FORMATS, *xml_catalog.FORMATS, *text_catalog.FORMATS, *signposting_catalog.FORMATS],
        default="json",
    )
