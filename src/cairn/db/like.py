"""``LIKE`` filters that find a user's text literally, whatever ``%``, ``_`` or ``\\`` it holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func

LIKE_ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards in ``text`` matched literally."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` holds ``text``, in any case (the same on SQLite and PostgreSQL)."""
    return func.lower(column).like(like_pattern(text.lower()), escape=LIKE_ESCAPE)
