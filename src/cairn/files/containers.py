"""Which file entries a request is about, and whether the caller may touch them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cairn.access import Policy, Subject
from cairn.core.errors import Gone, InvalidRequest, NotFound, PermissionDenied
from cairn.core.identity import Identity
from cairn.core.ids import normalize_id
from cairn.records.models import Draft, Parent, Record

LOCKED_MESSAGE = "The files of a published record are locked; create a new version to change them."


@dataclass(frozen=True)
class Container:
    """The draft or record whose files are addressed."""

    kind: str  # "draft" | "record": where the entries live
    id: str
    parent_id: str
    owner_id: int | None
    files_enabled: bool
    locked: bool  # an edit draft of a published record: files are read-only
    draft_index: int = 1

    @property
    def quota_subject(self) -> str:
        return f"parent:{self.parent_id}"


def _subject(parent: Parent, row: Draft | Record) -> Subject:
    owners = frozenset({parent.owner_id}) if parent.owner_id is not None else frozenset()
    return Subject(owner_ids=owners, record_access=row.access_record)


def _files_enabled(data: dict[str, Any]) -> bool:
    return bool((data.get("files") or {}).get("enabled", True))


def resolve(
    session: Session,
    policy: Policy,
    identity: Identity,
    record_id: str,
    *,
    draft: bool,
    write: bool = False,
) -> Container:
    """The container of ``record_id`` (its draft, or the published record) after checking
    ``identity`` may read it (or, with ``write``, change its files)."""
    rid = normalize_id(record_id)
    if rid is None:
        raise NotFound()
    if draft:
        row = session.execute(
            select(Draft, Parent).join(Parent, Draft.parent_id == Parent.id).where(Draft.id == rid)
        ).first()
        if row is None:
            raise NotFound()
        d, parent = row[0], row[1]
        action = "update_draft" if write else "read_draft"
        if not policy.allows(action, identity, _subject(parent, d)):
            raise PermissionDenied()
        locked = d.fork_revision_id is not None
        if write and locked:
            raise InvalidRequest(LOCKED_MESSAGE)
        return Container(
            kind="record" if locked else "draft",
            id=rid,
            parent_id=parent.id,
            owner_id=parent.owner_id,
            files_enabled=_files_enabled(d.data),
            locked=locked,
            draft_index=d.index,
        )
    if write:
        raise InvalidRequest("The files of a published record cannot be changed.")
    rec = session.get(Record, rid)
    if rec is None:
        raise NotFound()
    parent_row = session.get(Parent, rec.parent_id)
    assert parent_row is not None
    subject = _subject(parent_row, rec)
    if rec.is_deleted:
        if policy.allows("read_deleted", identity, subject):
            pass
        else:
            raise Gone()
    if not policy.allows("read", identity, subject):
        raise PermissionDenied()
    files_access = (rec.data.get("access") or {}).get("files", "public")
    if files_access != "public" and not policy.allows("edit", identity, subject):
        raise PermissionDenied()
    return Container(
        kind="record",
        id=rid,
        parent_id=parent_row.id,
        owner_id=parent_row.owner_id,
        files_enabled=_files_enabled(rec.data),
        locked=True,
        draft_index=rec.index,
    )
