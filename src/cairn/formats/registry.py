"""The format registry and Accept-header negotiation.

A :class:`Format` turns one record (the API's JSON of it, ``links`` included) — and, when it
can, a page of search results — into bytes. The same registry serves REST content
negotiation, the landing page's export menu (``/records/{id}/export/{name}``) and, through
``oai_prefix``, OAI-PMH's ``metadataPrefix``. Formats live in catalogue modules
(:mod:`cairn.formats.catalog`); this module only knows their shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from cairn.formats.ui import add_ui

JSON_MEDIA = "application/json"
UI_JSON_MEDIA = "application/vnd.inveniordm.v1+json"

Params = Mapping[str, str]
"""Query arguments a format may read (e.g. ``style`` of citations); empty when none."""
ItemWriter = Callable[[dict[str, Any], Params], bytes]
ListWriter = Callable[[dict[str, Any], Params], bytes]


@dataclass(frozen=True)
class Format:
    """One export format.

    ``name`` is used in URLs, ``media_type`` in ``Accept``/``Content-Type`` (with
    ``charset`` added for text), ``label`` in the export menu and ``extension`` in download
    file names. ``item`` writes one record; ``listing`` writes a search result envelope
    (``{"hits": {"hits": [...], "total": n}, ...}``) or is ``None`` when the format has no
    list form (such a request gets 406). ``oai_prefix`` names it in OAI-PMH. Writers raise
    :class:`cairn.core.errors.InvalidRequest` for a bad parameter (400).
    """

    name: str
    media_type: str
    item: ItemWriter
    listing: ListWriter | None = None
    label: str = ""
    extension: str = "json"
    oai_prefix: str | None = None

    def serialize(self, item: dict[str, Any], pretty: bool = False, params: Params = {}) -> bytes:  # noqa: B006 (read-only)
        return self.item(item, {**params, **({"prettyprint": "1"} if pretty else {})})

    def serialize_list(
        self,
        envelope: dict[str, Any],
        pretty: bool = False,
        params: Params = {},  # noqa: B006
    ) -> bytes:
        if self.listing is None:
            raise ValueError(f"{self.name} has no list form")
        return self.listing(envelope, {**params, **({"prettyprint": "1"} if pretty else {})})

    @property
    def content_type(self) -> str:
        """``media_type`` with ``; charset=utf-8`` for text formats."""
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("+xml", "/xml"))
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


def dumps_json(value: Any, params: Params) -> bytes:
    pretty = params.get("prettyprint", "").lower() in ("1", "true")
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if pretty else 0)


def json_format(
    name: str,
    media_type: str,
    transform: Callable[[dict[str, Any]], Any],
    label: str,
    *,
    lists: bool = True,
) -> Format:
    """A JSON format made of a record -> JSON-value function; search results keep the
    envelope and transform each hit."""

    def item(record: dict[str, Any], params: Params) -> bytes:
        return dumps_json(transform(record), params)

    def listing(envelope: dict[str, Any], params: Params) -> bytes:
        hits = envelope["hits"]
        out = {**envelope, "hits": {**hits, "hits": [transform(h) for h in hits["hits"]]}}
        return dumps_json(out, params)

    return Format(name, media_type, item, listing if lists else None, label, "json")


def _identity(item: dict[str, Any]) -> dict[str, Any]:
    return item


JSON_FORMATS = (
    json_format("json", JSON_MEDIA, _identity, "JSON"),
    json_format("ui-json", UI_JSON_MEDIA, add_ui, "JSON (with display values)"),
)


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
    def __init__(self, formats: Sequence[Format], default: str) -> None:
        self.formats = tuple(formats)
        self._by_media: dict[str, Format] = {}
        for f in self.formats:  # the first format of a media type answers for it
            self._by_media.setdefault(f.media_type, f)
        self._by_name = {f.name: f for f in self.formats}
        if len(self._by_name) != len(self.formats):
            raise ValueError("two formats share a name")
        self.default = self._by_name[default]

    @property
    def media_types(self) -> list[str]:
        return list(self._by_media)

    def by_name(self, name: str) -> Format | None:
        return self._by_name.get(name)

    def by_oai_prefix(self, prefix: str) -> Format | None:
        return next((f for f in self.formats if f.oai_prefix == prefix), None)

    def negotiate(self, accept: str | None, *, listing: bool = False) -> Format | None:
        """The best format for an Accept header (only formats with a list form when
        ``listing``); ``None`` when nothing acceptable exists."""
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
                if found is None or (listing and found.listing is None):
                    continue
                candidate = found
            key = (quality, -order, candidate)
            if best is None or key[:2] > best[:2]:
                best = key
        return best[2] if best else None
