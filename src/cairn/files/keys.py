"""File keys: paths inside a record, checked so they are safe in URLs, archives and disks."""

from __future__ import annotations

import unicodedata

from cairn.files.models import KEY_LENGTH


class BadKey(ValueError):
    """A key Cairn refuses; the message says why."""


def check_key(key: object) -> str:
    """The normalised key (Unicode NFC) or :class:`BadKey`.

    Keys may contain ``/`` (folders). Refused: empty keys, control characters (NUL …),
    backslashes, absolute paths, empty, ``.`` or ``..`` segments, and keys longer than
    1024 bytes in UTF-8.
    """
    if not isinstance(key, str):
        raise BadKey("Not a valid string.")
    key = unicodedata.normalize("NFC", key)
    if not key.strip():
        raise BadKey("A file key must not be empty.")
    if len(key.encode("utf-8")) > KEY_LENGTH:
        raise BadKey(f"A file key must be at most {KEY_LENGTH} bytes (UTF-8).")
    if any(unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" for ch in key):
        raise BadKey("A file key must not contain control characters.")
    if "\\" in key:
        raise BadKey("A file key must not contain backslashes; use / for folders.")
    if key.startswith("/"):
        raise BadKey("A file key must not start with /.")
    if any(part in ("", ".", "..") for part in key.split("/")):
        raise BadKey("A file key must not contain empty, '.' or '..' path segments.")
    return key


def folder_of(key: str) -> str:
    return key.rsplit("/", 1)[0] if "/" in key else ""
