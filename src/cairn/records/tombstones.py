"""Validating the body of an admin deletion (tombstone)."""

from __future__ import annotations

from typing import Any

from cairn.core.errors import FieldError, ValidationFailed
from cairn.records.schema import VocabularyLookup

TEXT_LIMIT = 10_000


def load_tombstone(body: object, vocabularies: VocabularyLookup) -> dict[str, Any]:
    """``{removal_reason: {id}, note?, citation_text?, is_visible?}``; an empty body
    means a visible tombstone without a reason."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ValidationFailed([FieldError("", ["Invalid data: expected an object."])])
    errors: list[FieldError] = []
    out: dict[str, Any] = {"is_visible": True, "note": "", "citation_text": ""}
    for key, value in body.items():
        if key == "removal_reason":
            reason = value.get("id") if isinstance(value, dict) else None
            if not isinstance(reason, str) or not vocabularies.exists("removalreasons", reason):
                errors.append(FieldError("removal_reason", ["Not a valid value."]))
            else:
                out["removal_reason"] = {"id": reason}
        elif key in ("note", "citation_text"):
            if not isinstance(value, str) or len(value) > TEXT_LIMIT:
                errors.append(FieldError(key, ["Not a valid string."]))
            else:
                out[key] = value.strip()
        elif key == "is_visible":
            if not isinstance(value, bool):
                errors.append(FieldError(key, ["Not a valid boolean."]))
            else:
                out[key] = value
        else:
            errors.append(FieldError(key, ["Unknown field."]))
    if errors:
        raise ValidationFailed(errors)
    return out
