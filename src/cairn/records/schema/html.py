"""Rich-text descriptions: HTML sanitised with nh3 to InvenioRDM's allow-list.

Allowed tags are InvenioRDM's (``ALLOWED_HTML_TAGS``) plus ``hr`` and ``s``; allowed
attributes are ``href`` on links and ``title``, ``name``, ``class``, ``colspan``, ``rowspan``
anywhere.  Everything else is removed: ``<script>`` and ``<style>`` together with their
content, other tags keep their text.  Links get ``rel="noopener noreferrer nofollow"``, and
``href`` keeps only http, https and mailto URLs (nh3's default URL schemes, minus the rest).
"""

from __future__ import annotations

import html as _html
from typing import Annotated

import nh3
from pydantic import AfterValidator

from .messages import fail, too_short
from .text import clean_text

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "acronym", "b", "blockquote", "br", "code", "div", "table", "tbody",
        "td", "th", "tr", "em", "h1", "h2", "h3", "h4", "h5", "h6", "i", "li", "ol", "p",
        "pre", "span", "strike", "strong", "sub", "sup", "u", "ul", "hr", "s",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"*": {"title", "name", "class", "colspan", "rowspan"}, "a": {"href"}}
LINK_REL = "noopener noreferrer nofollow"
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})


def sanitize_html(value: str) -> str:
    """``value`` with only the allowed tags and attributes left."""
    return _CLEANER.clean(value).strip()


def visible_text(value: str) -> str:
    """The text a reader sees in the (sanitised) HTML ``value``."""
    return _html.unescape(_TEXT_ONLY.clean(value)).strip()


def _description(minimum: int) -> AfterValidator:
    def check(value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = sanitize_html(clean_text(value))
        text = visible_text(cleaned)
        if not text:
            return None  # nothing a reader would see: treated as absent
        if len(text) < minimum:
            raise fail(too_short(minimum))
        return cleaned

    return AfterValidator(check)


Html = Annotated[str | None, _description(3)]
"""Optional sanitised HTML with at least three visible characters; blank means absent."""
