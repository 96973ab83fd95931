"""How many files and bytes a draft may still take, and admin overrides of the limits."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cairn.access import Policy
from cairn.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from cairn.core.identity import Identity
from cairn.core.ids import normalize_id
from cairn.core.timeutil import utcnow
from cairn.db import Database
from cairn.files.containers import Container
from cairn.files.limits import QUOTA_MESSAGE, USER_QUOTA_MESSAGE, FileLimits
from cairn.files.models import FileBlob, FileEntry, Quota
from cairn.records.models import Draft, Parent, Record


def effective(session: Session, c: Container, limits: FileLimits) -> FileLimits:
    """Settings' limits, raised by an admin's quota for this record (all versions)."""
    override = session.get(Quota, c.quota_subject)
    if override is None:
        return limits
    return replace(
        limits,
        max_files=override.max_files,
        max_file_size=override.max_file_size,
        quota=override.quota_size,
    )


def _in(c: Container) -> list[Any]:
    return [FileEntry.container_kind == c.kind, FileEntry.container_id == c.id]


def count_files(session: Session, c: Container) -> int:
    return int(session.scalar(select(func.count()).select_from(FileEntry).where(*_in(c))) or 0)


def used_bytes(session: Session, c: Container, replacing: FileEntry | None = None) -> int:
    """Bytes held by the container's committed and staged uploads (one join, no subquery)."""
    blob = func.coalesce(FileEntry.staged_blob_id, FileEntry.blob_id)
    stmt = (
        select(func.coalesce(func.sum(FileBlob.size), 0))
        .select_from(FileEntry)
        .join(FileBlob, FileBlob.id == blob)
        .where(*_in(c))
    )
    if replacing is not None:
        stmt = stmt.where(FileEntry.id != replacing.id)
    return int(session.scalar(stmt) or 0)


def user_bytes(session: Session, owner_id: int) -> int:
    """Distinct bytes in the drafts and records of the user's parents."""
    owned = select(Parent.id).where(Parent.owner_id == owner_id)
    containers = (
        select(Draft.id)
        .where(Draft.parent_id.in_(owned))
        .union(select(Record.id).where(Record.parent_id.in_(owned)))
    )
    blob_ids = (
        select(FileEntry.blob_id)
        .where(FileEntry.container_id.in_(containers))
        .union(select(FileEntry.staged_blob_id).where(FileEntry.container_id.in_(containers)))
    )
    return int(
        session.scalar(
            select(func.coalesce(func.sum(FileBlob.size), 0)).where(FileBlob.id.in_(blob_ids))
        )
    )


def room(
    session: Session, c: Container, limits: FileLimits, replacing: FileEntry | None = None
) -> int:
    """Bytes the container may still take (record quota and user quota)."""
    available = limits.quota - used_bytes(session, c, replacing)
    user_quota = _user_quota(session, c, limits)
    if user_quota and c.owner_id is not None:
        available = min(available, user_quota - user_bytes(session, c.owner_id))
    return max(0, available)


def _user_quota(session: Session, c: Container, limits: FileLimits) -> int:
    if c.owner_id is None:
        return limits.user_quota
    override = session.get(Quota, f"user:{c.owner_id}")
    return override.quota_size if override is not None else limits.user_quota


def check_room(session: Session, c: Container, limits: FileLimits, declared: int) -> None:
    if declared <= 0:
        return
    if declared > limits.quota - used_bytes(session, c):
        raise ValidationFailed([], QUOTA_MESSAGE)
    user_quota = _user_quota(session, c, limits)
    owner = c.owner_id
    if user_quota and owner is not None and declared > user_quota - user_bytes(session, owner):
        raise ValidationFailed([], USER_QUOTA_MESSAGE)


def _positive(body: dict[str, Any], name: str, errors: list[FieldError]) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.append(FieldError(name, ["Must be a whole number, 0 or more."]))
        return None
    return value


def set_record_quota(
    db: Database,
    policy: Policy,
    identity: Identity,
    record_id: str,
    body: object,
    limits: FileLimits,
) -> dict[str, Any]:
    """Admin: raise (or lower) the limits of one record, all versions
    (``{quota_size, max_file_size, max_files?, notes?}``)."""
    if not policy.allows("manage_quota", identity):
        raise PermissionDenied()
    if not isinstance(body, dict):
        raise ValidationFailed([FieldError("", ["Invalid data: expected an object."])])
    errors = [
        FieldError(k, ["Unknown field."])
        for k in sorted(set(body) - {"quota_size", "max_file_size", "max_files", "notes"})
    ]
    quota_size = _positive(body, "quota_size", errors)
    max_file_size = _positive(body, "max_file_size", errors)
    max_files = _positive(body, "max_files", errors)
    notes = body.get("notes", "")
    if not isinstance(notes, str):
        errors.append(FieldError("notes", ["Not a valid string."]))
    if quota_size is None and "quota_size" not in body:
        errors.append(FieldError("quota_size", ["Missing data for required field."]))
    if errors:
        raise ValidationFailed(errors)
    rid = normalize_id(record_id)
    if rid is None:
        raise NotFound()
    with db.write() as uow:
        session = uow.session
        parent_id = session.scalar(
            select(Draft.parent_id)
            .where(Draft.id == rid)
            .union(select(Record.parent_id).where(Record.id == rid))
        )
        if parent_id is None:
            raise NotFound()
        subject = f"parent:{parent_id}"
        quota = session.get(Quota, subject) or Quota(subject=subject)
        quota.quota_size = quota_size if quota_size is not None else limits.quota
        quota.max_file_size = (
            max_file_size
            if max_file_size is not None
            else max(limits.max_file_size, quota.quota_size)
        )
        quota.max_files = max_files if max_files is not None else limits.max_files
        quota.notes = str(notes)
        quota.updated = utcnow()
        session.add(quota)
        session.flush()
        return {
            "quota_size": quota.quota_size,
            "max_file_size": quota.max_file_size,
            "max_files": quota.max_files,
            "notes": quota.notes,
        }
