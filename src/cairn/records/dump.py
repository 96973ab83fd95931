"""Turn stored drafts and records into the InvenioRDM JSON shape (without ``links``)."""

from __future__ import annotations

import copy
from typing import Any

from cairn.core.timeutil import isoformat
from cairn.records.models import Draft, Parent, Record
from cairn.records.schema import VocabularyLookup, expand_references

DEFAULT_EMBARGO = {"active": False, "reason": None}


def access_status(access: dict[str, Any], files: dict[str, Any]) -> str:
    """Derive ``access.status`` as InvenioRDM does (API.md 2.4)."""
    embargo = access.get("embargo") or {}
    if embargo.get("active"):
        return "embargoed"
    record_public = access.get("record", "public") == "public"
    has_files = bool(files.get("enabled")) and files.get("count", 1) != 0
    if record_public and not has_files:
        return "metadata-only"
    if record_public and access.get("files", "public") == "public":
        return "open"
    return "restricted"


def _access(data: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    access = copy.deepcopy(data.get("access") or {})
    access.setdefault("embargo", dict(DEFAULT_EMBARGO))
    access["status"] = access_status(access, files)
    return access


def _files(data: dict[str, Any]) -> dict[str, Any]:
    files = data.get("files") or {}
    return {
        "enabled": files.get("enabled", True),
        **({"default_preview": files["default_preview"]} if "default_preview" in files else {}),
        "order": list(files.get("order", [])),
        "count": 0,
        "total_bytes": 0,
        "entries": {},
    }


def dump_parent(parent: Parent, *, manager: bool) -> dict[str, Any]:
    """The parent block; sharing details only for those who manage the record."""
    stored = parent.data or {}
    out: dict[str, Any] = {
        "id": parent.id,
        "communities": stored.get("communities", {}),
        "pids": stored.get("pids", {}),
    }
    access: dict[str, Any] = {
        "owned_by": {"user": str(parent.owner_id)} if parent.owner_id is not None else None,
    }
    if manager:
        settings = {
            "allow_user_requests": False,
            "allow_guest_requests": False,
            "accept_conditions_text": None,
            "secret_link_expiration": 0,
        }
        settings.update(stored.get("settings", {}))
        access.update(
            {
                "grants": stored.get("grants", []),
                "links": stored.get("links", []),
                "settings": settings,
            }
        )
    out["access"] = access
    return out


def _common(
    row: Draft | Record,
    parent: Parent,
    vocabularies: VocabularyLookup,
    manager: bool,
    files: dict[str, Any] | None,
) -> dict[str, Any]:
    data = row.data or {}
    files = {**_files(data), **(files or {})}
    return {
        "id": row.id,
        "created": isoformat(row.created),
        "updated": isoformat(row.updated),
        "revision_id": row.revision_id,
        "parent": dump_parent(parent, manager=manager),
        "pids": copy.deepcopy(data.get("pids", {})),
        "metadata": expand_references(data.get("metadata", {}), vocabularies),
        "custom_fields": copy.deepcopy(data.get("custom_fields", {})),
        "access": _access(data, files),
        "files": files,
        "media_files": {"enabled": False, "order": [], "count": 0, "total_bytes": 0, "entries": {}},
    }


def dump_record(
    record: Record,
    parent: Parent,
    vocabularies: VocabularyLookup,
    *,
    manager: bool,
    files: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out = _common(record, parent, vocabularies, manager, files)
    out.update(
        {
            "versions": {
                "index": record.index,
                "is_latest": parent.latest_id == record.id,
                "is_latest_draft": parent.draft_id is None and parent.latest_id == record.id,
            },
            "is_published": True,
            "is_draft": False,
            "status": "published",
            "deletion_status": {
                "is_deleted": record.is_deleted,
                "status": "D" if record.is_deleted else "P",
            },
        }
    )
    if record.is_deleted and record.tombstone is not None:
        out["tombstone"] = copy.deepcopy(record.tombstone)
    return out


def draft_status(draft: Draft) -> str:
    if draft.fork_revision_id is not None:
        return "published"
    return "new_version_draft" if draft.index > 1 else "draft"


def dump_draft(
    draft: Draft,
    parent: Parent,
    vocabularies: VocabularyLookup,
    *,
    manager: bool = True,
    files: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out = _common(draft, parent, vocabularies, manager, files)
    published = draft.fork_revision_id is not None
    out.update(
        {
            "versions": {
                "index": draft.index,
                "is_latest": published and parent.latest_id == draft.id,
                "is_latest_draft": parent.draft_id == draft.id
                or (parent.draft_id is None and parent.latest_id == draft.id),
            },
            "is_published": published,
            "is_draft": True,
            "status": draft_status(draft),
            "expires_at": isoformat(draft.expires_at),
            "deletion_status": {"is_deleted": False, "status": "P"},
        }
    )
    return out
