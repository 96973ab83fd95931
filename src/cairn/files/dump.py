"""File entries in InvenioRDM's JSON shape (``links`` are added by the delivery layer)."""

from __future__ import annotations

import uuid
from typing import Any

from cairn.core.timeutil import isoformat
from cairn.files.models import FileBlob, FileEntry

_BUCKET_NS = uuid.UUID("6b1f5a3e-2c4d-4f0a-9b8e-1d2c3b4a5f60")


def bucket_id(kind: str, container_id: str) -> str:
    """A stable id standing in for InvenioRDM's per-draft/per-record bucket."""
    return str(uuid.uuid5(_BUCKET_NS, f"{kind}:{container_id}"))


def dump_entry(entry: FileEntry, blob: FileBlob | None) -> dict[str, Any]:
    transfer: dict[str, Any] = {"type": entry.transfer.get("type", "L")}
    for name in ("parts", "part_size"):
        if name in entry.transfer:
            transfer[name] = entry.transfer[name]
    out: dict[str, Any] = {
        "key": entry.key,
        "created": isoformat(entry.created),
        "updated": isoformat(entry.updated),
        "status": entry.status,
        "metadata": entry.metadata_,
        "access": {"hidden": entry.hidden},
        "transfer": transfer,
        "storage_class": "L",
        "bucket_id": bucket_id(entry.container_kind, entry.container_id),
        "version_id": entry.uuid,
    }
    if blob is not None and entry.status == "completed":
        out.update(
            {
                "checksum": f"md5:{blob.md5}",
                "size": blob.size,
                "mimetype": entry.mimetype,
                "file_id": blob.id,
            }
        )
    elif entry.expected_size is not None:
        out["size"] = entry.expected_size
    return out


def dump_record_entry(entry: FileEntry, blob: FileBlob) -> dict[str, Any]:
    """The shorter form inside a record's ``files.entries``."""
    ext = entry.key.rsplit(".", 1)[1].lower() if "." in entry.key.rsplit("/", 1)[-1] else None
    return {
        "id": blob.id,
        "key": entry.key,
        "checksum": f"md5:{blob.md5}",
        "mimetype": entry.mimetype,
        "size": blob.size,
        "ext": ext,
        "metadata": entry.metadata_,
        "access": {"hidden": entry.hidden},
    }
