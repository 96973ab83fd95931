"""Plain-text values: cleaning, "blank means absent", lengths, URLs and language maps.

Every string Cairn stores goes through ``clean_text`` (InvenioRDM's ``SanitizedUnicode``):
characters XML cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF) and the
zero-width space are removed, then surrounding whitespace is stripped.  Removing them keeps
what the draft stores serialisable everywhere it goes (PostgreSQL JSON rejects NUL, XML
exports reject control characters, UTF-8 encoders reject lone surrogates).

An optional text field that is blank after cleaning is treated as absent: it is dropped
without an error, as if the client had not sent it.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

from .messages import INVALID_URL, REQUIRED, fail, fail_all, problem, too_long, too_short

_NOT_XML = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
_UNWANTED = re.compile(_NOT_XML + "|\u200b")
_INVALID = re.compile(_NOT_XML)
LANGUAGE_KEY = re.compile(r"[a-z]{2,3}")


def clean_text(value: str) -> str:
    """``value`` without unwanted characters and surrounding whitespace."""
    return _UNWANTED.sub("", value).strip()


def remove_invalid_chars(value: str) -> str:
    """``value`` without the characters XML (and PostgreSQL, and UTF-8) cannot carry."""
    return _INVALID.sub("", value)


def _optional(value: str | None) -> str | None:
    if value is None:
        return None
    return clean_text(value) or None


OptText = Annotated[str | None, AfterValidator(_optional)]
"""An optional string; blank means absent."""


def min_length(minimum: int) -> AfterValidator:
    """Reject a (cleaned, non-blank) string shorter than ``minimum``."""

    def check(value: str | None) -> str | None:
        if value is not None and len(value) < minimum:
            raise fail(too_short(minimum))
        return value

    return AfterValidator(check)


def max_length(maximum: int) -> AfterValidator:
    """Reject a string longer than ``maximum``."""

    def check(value: str | None) -> str | None:
        if value is not None and len(value) > maximum:
            raise fail(too_long(maximum))
        return value

    return AfterValidator(check)


def non_blank(message: str) -> AfterValidator:
    """Reject a value that is blank after cleaning (for list items and required subfields)."""

    def check(value: str | None) -> str:
        if value is None:
            raise fail(message)
        return value

    return AfterValidator(check)


def is_url(value: str) -> bool:
    """An absolute http(s)/ftp URL with a host and no whitespace."""
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https", "ftp") and bool(parts.netloc)


def _url(value: str | None) -> str | None:
    if value is not None and not is_url(value):
        raise fail(INVALID_URL)
    return value


Url = Annotated[OptText, max_length(2048), AfterValidator(_url)]
"""An optional absolute URL (http, https or ftp)."""


def _language_map(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    bad = [key for key in value if not LANGUAGE_KEY.fullmatch(key)]
    if bad:
        raise fail_all([problem("Not a valid language code.", at=key, drop=key) for key in bad])
    cleaned = {key: text for key, text in ((k, clean_text(v)) for k, v in value.items()) if text}
    return cleaned or None


LanguageMap = Annotated[dict[str, str] | None, AfterValidator(_language_map)]
"""Text per language, e.g. ``{"en": "A custom license"}``; keys are ISO 639-1/-3 codes."""


def _required(value: str) -> str:
    value = clean_text(value)
    if not value:
        raise fail(REQUIRED)
    return value


ReqText = Annotated[str, AfterValidator(_required)]
"""A string that must be given and not blank."""
