"""What every schema model shares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base of every schema model: exact JSON types, unknown keys rejected."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False)


def drop_keys(data: Any, keys: frozenset[str]) -> Any:
    """``data`` without ``keys`` (a new dict when any is present; never mutates)."""
    if isinstance(data, dict) and not keys.isdisjoint(data):
        return {key: value for key, value in data.items() if key not in keys}
    return data
