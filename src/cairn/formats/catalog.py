"""Every format Cairn offers, in one registry (the order is the export menu's order)."""

from __future__ import annotations

from cairn.formats.registry import JSON_FORMATS, FormatRegistry


def default_registry() -> FormatRegistry:
    return FormatRegistry([*JSON_FORMATS], default="json")
