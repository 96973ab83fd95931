"""Helpers for JSON-like data (dicts, lists, strings, numbers, booleans, None)."""

from __future__ import annotations

from typing import Any


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-like data; several times faster than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {key: copy_json(child) for key, child in value.items()}
    if isinstance(value, list):
        return [copy_json(child) for child in value]
    return value
