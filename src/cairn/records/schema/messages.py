"""Error messages, and how a validator says *where* a problem is and *what* to drop.

Validators raise ``fail(message, at=..., drop=...)`` (or ``fail_all`` with several
``problem(...)``s): a pydantic error of type ``cairn`` whose context carries, per problem, two
paths relative to the location pydantic gives (keys, and list positions as numbers):

``at``
    where to report the problem (e.g. a person model reports its missing family name
    ``at="family_name"``);
``drop``
    what to remove from the draft so the rest is valid (a list for several).  The default,
    the empty path, means the value the validator is attached to.

A validator can raise only one error, so one that checks many parts at once (duplicates in a
list, the keys of a map) reports all it finds with ``fail_all``.

Every other pydantic error type is translated into InvenioRDM's (marshmallow's) wording here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import PydanticCustomError

ERROR_TYPE = "cairn"

REQUIRED = "Missing data for required field."
UNKNOWN = "Unknown field."
NOT_STRING = "Not a valid string."
NOT_BOOLEAN = "Not a valid boolean."
NOT_LIST = "Not a valid list."
NOT_MAPPING = "Not a valid mapping type."
INVALID_TYPE = "Invalid input type."
NOT_NUMBER = "Not a valid number."
INVALID_VALUE = "Not a valid value."
INVALID_DATE = "Please provide a valid date or interval."
NOT_A_DATE = "Not a valid date."
INVALID_URL = "Not a valid URL."
INVALID_SCHEME = "Invalid scheme."
UNKNOWN_SCHEME = "No valid scheme recognized for identifier."
ONE_PER_SCHEME = "Only one identifier per scheme is allowed."
NOT_JSON = "Not a valid JSON value."


def too_short(minimum: int) -> str:
    return f"Shorter than minimum length {minimum}."


def too_long(maximum: int) -> str:
    return f"Longer than maximum length {maximum}."


def one_of(choices: list[str] | tuple[str, ...]) -> str:
    return f"Must be one of: {', '.join(choices)}."


def invalid_identifier(label: str) -> str:
    return f"Invalid {label} identifier."


Segment = str | int
Path = Segment | tuple[Segment, ...]
Problem = tuple[str, tuple[Segment, ...], list[tuple[Segment, ...]]]
"""One problem a validator found: message, where to report it, what to drop."""


def as_path(path: Path) -> tuple[Segment, ...]:
    """A path given as one segment or a tuple of them, as a tuple."""
    return path if isinstance(path, tuple) else (path,)


def problem(message: str, *, at: Path = (), drop: Path | list[Path] = ()) -> Problem:
    """One problem; a path is one key/position or a tuple of them, ``drop`` may list several."""
    drops = [as_path(p) for p in drop] if isinstance(drop, list) else [as_path(drop)]
    return message, as_path(at), drops


def fail_all(problems: list[Problem]) -> PydanticCustomError:
    """The error a validator raises for several problems found at once."""
    # Braces would be read as placeholders by pydantic; no message here needs them.
    text = problems[0][0].replace("{", "(").replace("}", ")")
    return PydanticCustomError(ERROR_TYPE, text, {"problems": problems})


def fail(message: str, *, at: Path = (), drop: Path | list[Path] = ()) -> PydanticCustomError:
    """The error a validator raises; see the module docstring for ``at`` and ``drop``."""
    return fail_all([problem(message, at=at, drop=drop)])


_BUILTIN: dict[str, str] = {
    "missing": REQUIRED,
    "extra_forbidden": UNKNOWN,
    "string_type": NOT_STRING,
    "string_unicode": NOT_STRING,
    "bool_type": NOT_BOOLEAN,
    "list_type": NOT_LIST,
    "dict_type": NOT_MAPPING,
    "model_type": INVALID_TYPE,
    "model_attributes_type": INVALID_TYPE,
    "dataclass_type": INVALID_TYPE,
    "float_type": NOT_NUMBER,
    "float_parsing": NOT_NUMBER,
    "finite_number": NOT_NUMBER,
    "int_type": "Not a valid integer.",
    "int_parsing": "Not a valid integer.",
    "int_from_float": "Not a valid integer.",
    "none_required": INVALID_VALUE,
    "literal_error": INVALID_VALUE,
    "enum": INVALID_VALUE,
    "invalid_key": UNKNOWN,
}


def message_for(error: Mapping[str, Any]) -> str:
    """The message shown to the client for one pydantic error."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == ERROR_TYPE:
        return str(error.get("msg", ""))
    if kind in ("string_too_short", "too_short"):
        return too_short(int(ctx.get("min_length", 0)))
    if kind in ("string_too_long", "too_long"):
        return too_long(int(ctx.get("max_length", 0)))
    return _BUILTIN.get(kind) or str(error.get("msg", INVALID_VALUE))
