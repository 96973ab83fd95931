"""The format registry and Accept-header negotiation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from cairn.formats.ui import add_ui

JSON_MEDIA = "application/json"
UI_JSON_MEDIA = "application/vnd.inveniordm.v1+json"


@dataclass(frozen=True)
class Format:
    """One export format: a name (used in URLs), its media type and how to serialize."""

    name: str
    media_type: str
    transform: Callable[[dict[str, Any]], dict[str, Any]]

    def serialize(self, item: dict[str, Any], pretty: bool = False) -> bytes:
        return _dumps(self.transform(item), pretty)

    def serialize_list(self, envelope: dict[str, Any], pretty: bool = False) -> bytes:
        hits = envelope["hits"]
        out = {**envelope, "hits": {**hits, "hits": [self.transform(h) for h in hits["hits"]]}}
        return _dumps(out, pretty)


def _dumps(value: Any, pretty: bool) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if pretty else 0)


def _identity(item: dict[str, Any]) -> dict[str, Any]:
    return item


def _parse_accept(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    return ranges


class FormatRegistry:
    def __init__(self, formats: list[Format], default: str) -> None:
        self._by_media = {f.media_type: f for f in formats}
        self._by_name = {f.name: f for f in formats}
        self.default = self._by_name[default]

    @property
    def media_types(self) -> list[str]:
        return list(self._by_media)

    def by_name(self, name: str) -> Format | None:
        return self._by_name.get(name)

    def negotiate(self, accept: str | None) -> Format | None:
        """The best format for an Accept header; ``None`` when nothing acceptable exists."""
        if not accept or not accept.strip():
            return self.default
        best: tuple[float, int, Format] | None = None
        for order, (media, quality) in enumerate(_parse_accept(accept)):
            if quality <= 0:
                continue
            if media in ("*/*", "application/*"):
                candidate = self.default
            else:
                found = self._by_media.get(media)
                if found is None:
                    continue
                candidate = found
            key = (quality, -order, candidate)
            if best is None or key[:2] > best[:2]:
                best = key
        return best[2] if best else None


def default_registry() -> FormatRegistry:
    return FormatRegistry(
        [Format("json", JSON_MEDIA, _identity), Format("ui-json", UI_JSON_MEDIA, add_ui)],
        default="json",
    )
