"""The draft body as a whole, and ``custom_fields``.

``custom_fields`` holds namespaced extras (``"journal:journal": {...}``,
``"thesis:university": "..."``).  Until Cairn has per-field definitions it checks only their
shape: every key is ``namespace:name`` (letters, digits, ``_``, ``-``; the name may also
contain ``.``), every value is plain JSON - objects with string keys, lists, strings, finite
numbers (integers within 64 bits), booleans and null - nested at most ``MAX_JSON_DEPTH``
deep.  Characters no store can carry (NUL and other control characters, lone surrogates) are
removed from strings.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, model_validator

from .access import Access, FilesOptions, Pids
from .base import Strict, drop_keys
from .messages import NOT_JSON, fail_all, problem
from .metadata import Metadata
from .text import remove_invalid_chars

SERVER_OWNED = frozenset(
    {
        "id", "links", "created", "updated", "revision_id", "parent", "versions",
        "is_published", "is_draft", "status", "stats", "expires_at", "deletion_status",
        "media_files", "tombstone", "$schema", "ui",
    }
)  # fmt: skip
"""Top-level keys the server owns; clients send them back when they PUT what they GOT."""

CUSTOM_FIELD_NAME = re.compile(r"[A-Za-z0-9_-]+:[A-Za-z0-9_.-]+")
MAX_JSON_DEPTH = 32
_INT64 = 2**63


def json_problem(value: Any) -> str | None:
    """Why ``value`` is not storable plain JSON (None when it is); never recurses."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if item is None or isinstance(item, bool | str):
            continue
        if isinstance(item, int):
            if not -_INT64 <= item < _INT64:
                return "Integers must fit in 64 bits."
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                return NOT_JSON
            continue
        if isinstance(item, list | dict):
            if depth >= MAX_JSON_DEPTH:
                return f"Values may be nested at most {MAX_JSON_DEPTH} levels deep."
            if isinstance(item, dict):
                if not all(isinstance(key, str) for key in item):
                    return NOT_JSON
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
            continue
        return NOT_JSON
    return None


def copy_json(value: Any) -> Any:
    """A deep copy of plain JSON ``value`` (checked by ``json_problem`` first).

    Strings and keys lose the characters no store can carry (see ``remove_invalid_chars``).
    """
    if isinstance(value, dict):
        return {remove_invalid_chars(key): copy_json(child) for key, child in value.items()}
    if isinstance(value, list):
        return [copy_json(child) for child in value]
    if isinstance(value, str):
        return remove_invalid_chars(value)
    return value


def _custom_fields(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    problems = []
    for key, item in value.items():
        if not CUSTOM_FIELD_NAME.fullmatch(key):
            message: str | None = "Custom field names must look like 'namespace:name'."
        else:
            message = json_problem(item)
        if message:
            problems.append(problem(message, at=key, drop=key))
    if problems:
        raise fail_all(problems)
    return {key: copy_json(item) for key, item in value.items()}


CustomFields = Annotated[dict[str, Any] | None, AfterValidator(_custom_fields)]


class DraftBody(Strict):
    """What a client may write: ``metadata``, ``access``, ``files``, ``pids``, ``custom_fields``."""

    metadata: Metadata | None = None
    access: Access | None = None
    files: FilesOptions | None = None
    pids: Pids = None
    custom_fields: CustomFields = None

    @model_validator(mode="before")
    @classmethod
    def _drop_server_owned(cls, data: Any) -> Any:
        return drop_keys(data, SERVER_OWNED)
