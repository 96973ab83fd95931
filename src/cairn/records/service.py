"""The record lifecycle: create, update, publish, edit, version, delete, restore.

Every method takes the acting :class:`Identity` first, checks the policy, and does its
writing inside one unit of work that also appends to the change log.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from cairn.access import Policy, Subject
from cairn.core.errors import (
    Conflict,
    FieldError,
    Gone,
    NotFound,
    PermissionDenied,
    RevisionMismatch,
    ValidationFailed,
)
from cairn.core.identity import Identity
from cairn.core.ids import generate_id, normalize_id
from cairn.core.timeutil import isoformat, utcnow
from cairn.db import Database
from cairn.db.changes import record_change, record_changes
from cairn.records.components import RecordComponent
from cairn.records.config import RecordsConfig
from cairn.records.deleted import DeletedPage, list_deleted
from cairn.records.dump import dump_draft, dump_record
from cairn.records.models import Draft, Parent, PersistentIdentifier, Record
from cairn.records.params import Args, SearchParams, parse_search_params
from cairn.records.pids import DoiConfig, Dois  # DOIs (issue 6)
from cairn.records.results import Item
from cairn.records.schema import VocabularyLookup, load_draft, validate_for_publish
from cairn.records.tombstones import load_tombstone

ID_PID_TYPES = ("recid", "parent")
# hot statements, built once (building costs more than running them on SQLite)
_DRAFT_WITH_PARENT = (
    select(Draft, Parent)
    .join(Parent, Draft.parent_id == Parent.id)
    .where(Draft.id == bindparam("id"))
)
_IDS_TAKEN = (
    select(PersistentIdentifier.pid_value)
    .where(
        PersistentIdentifier.pid_type.in_(ID_PID_TYPES),
        PersistentIdentifier.pid_value.in_(bindparam("values", expanding=True)),
    )
    .limit(1)
)


class RecordService:
    def __init__(
        self,
        db: Database,
        vocabularies: VocabularyLookup,
        policy: Policy,
        config: RecordsConfig | None = None,
        components: Sequence[RecordComponent] = (),
        dois: Dois | None = None,
    ) -> None:
        self.db = db
        self.vocabularies = vocabularies
        self.policy = policy
        self.config = config or RecordsConfig()
        self.components = tuple(components)
        self.dois = dois or Dois(DoiConfig())  # none: no managed DOIs

    # -- helpers -------------------------------------------------------------
    @staticmethod
    def _subject(parent: Parent, row: Draft | Record | None = None) -> Subject:
        owners = frozenset({parent.owner_id}) if parent.owner_id is not None else frozenset()
        return Subject(
            owner_ids=owners,
            record_access=row.access_record if row is not None else "public",
            is_published=isinstance(row, Record),
            is_deleted=isinstance(row, Record) and row.is_deleted,
        )

    def _require(self, action: str, identity: Identity, subject: Subject | None = None) -> None:
        if not self.policy.allows(action, identity, subject):
            raise PermissionDenied()

    def _is_manager(self, identity: Identity, parent: Parent) -> bool:
        return self.policy.allows("edit", identity, self._subject(parent))

    def _files(
        self, session: Session, rows: Sequence[Draft | Record]
    ) -> dict[str, dict[str, Any] | None]:
        """The ``files`` block of each row by id (None: leave the stored one)."""
        blocks: dict[str, dict[str, Any] | None] = {}
        for component in self.components:
            for row_id, block in component.files_blocks(session, rows).items():
                blocks[row_id] = block or blocks.get(row_id)
        return blocks

    def draft_item(self, session: Session, draft: Draft, parent: Parent) -> Item:
        """A draft as the API shows it to its owner (for search results)."""
        return self._draft_item(session, draft, parent)

    def require(self, action: str, identity: Identity) -> None:
        """403 unless the policy lets ``identity`` take ``action`` at all."""
        self._require(action, identity)

    def readable_parent(self, identity: Identity, record_id: str) -> str:
        """The parent id of the published record ``record_id`` (a record or parent id),
        after checking that ``identity`` may read it (404/403/410 as a read would)."""
        with self.db.read() as session:
            record, parent = self._resolve(session, self._id(record_id))
            self._require("read", identity, self._subject(parent, record))
            return parent.id

    def _draft_item(
        self,
        session: Session,
        draft: Draft,
        parent: Parent,
        errors: list[FieldError] | None = None,
    ) -> Item:
        files = self._files(session, [draft]).get(draft.id)
        data = dump_draft(draft, parent, self.vocabularies, manager=True, files=files)
        self.dois.annotate(session, data)  # DOI state: drafts are shown to managers only
        return Item(data, is_draft=True, errors=errors or [])

    def record_items(
        self,
        session: Session,
        identity: Identity,
        rows: Sequence[tuple[Record, Parent]],
        doi_states: bool = False,
    ) -> list[Item]:
        """Items of many records (a page of hits), their files read in a few queries;
        ``doi_states`` adds the DOI state to those ``identity`` manages, as a read does."""
        files = self._files(session, [record for record, _ in rows])
        items = [self._shown(identity, r, p, files.get(r.id)) for r, p in rows]
        if doi_states:  # DOI state: owners and admins only
            managed = [
                item.data
                for item, (_, parent) in zip(items, rows, strict=True)
                if self._is_manager(identity, parent)
            ]
            self.dois.annotate_many(session, managed)
        return items

    def _record_item(
        self, session: Session, identity: Identity, record: Record, parent: Parent
    ) -> Item:
        return self.record_items(session, identity, [(record, parent)], doi_states=True)[0]

    def _shown(
        self, identity: Identity, record: Record, parent: Parent, files: dict[str, Any] | None
    ) -> Item:
        """A record as ``identity`` may see it (restricted files: counts, no entries)."""
        manager = self._is_manager(identity, parent)
        files_access = (record.data.get("access") or {}).get("files", "public")
        if files is not None and files_access != "public" and not manager:
            files = {**files, "entries": {}}
        return Item(
            dump_record(record, parent, self.vocabularies, manager=manager, files=files), False
        )

    @staticmethod
    def _id(value: str) -> str:
        normalized = normalize_id(value)
        if normalized is None:
            raise NotFound()
        return normalized

    @staticmethod
    def _new_ids(session: Session, count: int) -> list[str]:
        """Fresh ids unused by any record or parent (40 random bits do collide in a large
        repository, so this checks; the primary key of ``pids`` guards against a race)."""
        while True:
            values = list({generate_id() for _ in range(count)})
            with session.no_autoflush:
                taken = session.execute(_IDS_TAKEN, {"values": values}).first()
                if len(values) == count and taken is None:
                    return values

    def _new_pid(self, session: Session, pid_type: str) -> str:
        value = self._new_ids(session, 1)[0]
        session.add(PersistentIdentifier(pid_type=pid_type, pid_value=value))
        return value

    def _load(self, body: object) -> tuple[dict[str, Any], list[FieldError]]:
        """Load a draft body; errors name invalid values (dropped) and, as InvenioRDM
        does, the fields still missing for publishing."""
        data, errors = load_draft(self.dois.without_state(body), self.vocabularies)
        seen = {e.field for e in errors}
        errors += [e for e in validate_for_publish(data, self.vocabularies) if e.field not in seen]
        doi = (data.get("pids") or {}).get("doi") or {}
        prefix = self.config.doi_prefix
        if (
            prefix
            and str(doi.get("identifier", "")).lower().startswith(prefix.lower() + "/")
            and (doi.get("provider") == "external")
        ):
            data["pids"].pop("doi")
            errors.append(
                FieldError(
                    "pids.doi",
                    ["This DOI prefix belongs to this repository; ask for a managed DOI instead."],
                )
            )
        # a DOI is refused outright (400), not dropped as other invalid values (issue 6)
        refused = [e for e in errors if e.field == "pids.doi" or e.field.startswith("pids.doi.")]
        if refused:
            raise ValidationFailed(refused)
        return data, errors

    @staticmethod
    def _apply(row: Draft | Record, data: dict[str, Any]) -> None:
        row.data = data
        row.access_record = str((data.get("access") or {}).get("record", "public"))
        if isinstance(row, Record) and row.access_record == "public":
            row.was_public = True
        row.title = str((data.get("metadata") or {}).get("title", ""))[:2000]
        row.updated = utcnow()

    @staticmethod
    def _check_revision(row: Draft | Record, revision_id: int | None) -> None:
        if revision_id is not None and revision_id != row.revision_id:
            raise RevisionMismatch()

    @contextmanager
    def _conflicts(self) -> Iterator[None]:
        try:
            yield
        except (StaleDataError, IntegrityError) as exc:
            raise Conflict() from exc

    @staticmethod
    def _get_draft(session: Session, record_id: str) -> tuple[Draft, Parent]:
        row = session.execute(_DRAFT_WITH_PARENT, {"id": record_id}).first()
        if row is None:
            raise NotFound()
        return row[0], row[1]

    @staticmethod
    def _get_record(session: Session, record_id: str) -> tuple[Record, Parent]:
        record = session.get(Record, record_id)
        if record is None:
            raise NotFound()
        parent = session.get(Parent, record.parent_id)
        assert parent is not None
        return record, parent

    # -- drafts --------------------------------------------------------------
    def create(self, identity: Identity, body: object) -> Item:
        self._require("create", identity)
        data, errors = self._load(body)
        with self._conflicts(), self.db.write() as uow:
            session = uow.session
            now = utcnow()
            parent_id, draft_id = self._new_ids(session, 2)
            session.execute(
                insert(PersistentIdentifier),
                [
                    {"pid_type": "parent", "pid_value": parent_id, "status": "N", "created": now},
                    {"pid_type": "recid", "pid_value": draft_id, "status": "N", "created": now},
                ],
            )
            parent = Parent(
                id=parent_id,
                owner_id=identity.user_id,
                data={},
                latest_index=0,
                created=now,
                updated=now,
                draft_id=draft_id,
            )
            draft = Draft(id=draft_id, index=1, created=now, parent=parent)
            refused = self.dois.check(session, draft_id, data)
            if refused:
                raise ValidationFailed(refused)
            self._apply(draft, data)
            session.add_all([parent, draft])
            session.flush()
            record_change(session, "draft", draft.id, "create")
            item = self._draft_item(session, draft, parent, errors)
        return item

    def read_draft(self, identity: Identity, record_id: str) -> Item:
        with self.db.read() as session:
            draft, parent = self._get_draft(session, self._id(record_id))
            self._require("read_draft", identity, self._subject(parent, draft))
            return self._draft_item(session, draft, parent)

    def update_draft(
        self, identity: Identity, record_id: str, body: object, revision_id: int | None = None
    ) -> Item:
        record_id = self._id(record_id)
        data, errors = self._load(body)
        with self._conflicts(), self.db.write() as uow:
            session = uow.session
            draft, parent = self._get_draft(session, record_id)
            self._require("update_draft", identity, self._subject(parent, draft))
            self._check_revision(draft, revision_id)
            refused = [e for c in self.components for e in c.check_update(session, draft, data)]
            refused += self.dois.check(session, record_id, data)
            if refused:
                raise ValidationFailed(refused)
            self._apply(draft, data)
            session.flush()
            record_change(session, "draft", draft.id, "update")
            item = self._draft_item(session, draft, parent, errors)
        return item

    def delete_draft(
        self, identity: Identity, record_id: str, revision_id: int | None = None
    ) -> None:
        record_id = self._id(record_id)
        with self._conflicts(), self.db.write() as uow:
            session = uow.session
            draft, parent = self._get_draft(session, record_id)
            self._require("delete_draft", identity, self._subject(parent, draft))
            self._check_revision(draft, revision_id)
            published = session.get(Record, record_id) is not None
            for component in self.components:
                component.on_discard(session, draft, published)
            self.dois.on_discard(session, draft, published)
            session.delete(draft)
            if parent.draft_id == draft.id:
                parent.draft_id = None
                parent.updated = utcnow()
            if not published:
                pid = session.get(PersistentIdentifier, ("recid", record_id))
                if pid is not None:
                    session.delete(pid)
            session.flush()
            if not published and parent.latest_id is None:
                session.delete(parent)
                pid = session.get(PersistentIdentifier, ("parent", parent.id))
                if pid is not None:
                    session.delete(pid)
            record_change(session, "draft", record_id, "delete")

    # DOIs on drafts (issue 6): POST|DELETE /api/records/{id}/draft/pids/doi
    def reserve_doi(self, identity: Identity, record_id: str) -> Item:
        return self._change_draft_doi(identity, record_id, self.dois.reserve)

    def discard_doi(self, identity: Identity, record_id: str) -> Item:
        return self._change_draft_doi(identity, record_id, self.dois.discard)

    def _change_draft_doi(
        self, identity: Identity, record_id: str, change: Callable[[Session, Draft], None]
    ) -> Item:
        record_id = self._id(record_id)
        with self._conflicts(), self.db.write() as uow:
            session = uow.session
            draft, parent = self._get_draft(session, record_id)
            self._require("update_draft", identity, self._subject(parent, draft))
            change(session, draft)
            draft.updated = utcnow()
            session.flush()
            record_change(session, "draft", draft.id, "update")
            item = self._draft_item(session, draft, parent)
        return item

    def publish(self, identity: Identity, record_id: str) -> Item:
        record_id = self._id(record_id)
        with self._conflicts(), self.db.write() as uow:
            session = uow.session
            draft, parent = self._get_draft(session, record_id)
            self._require("publish", identity, self._subject(parent, draft))
            errors = validate_for_publish(draft.data, self.vocabularies)
            errors += [e for c in self.components for e in c.check_publish(session, draft)]
            errors += self.dois.check(session, record_id, draft.data)
            if errors:
                raise ValidationFailed(errors)
            data = copy.deepcopy(draft.data)
            pids = data.setdefault("pids", {})
            pids["oai"] = {
                "identifier": f"oai:{self.config.oai_prefix}:{record_id}",
                "provider": "oai",
            }
            now = utcnow()
            # a draft that was never published has no record row to look for
            record = session.get(Record, record_id) if draft.fork_revision_id is not None else None
            if record is None:
                record = Record(
                    id=record_id,
                    parent_id=parent.id,
                    index=draft.index,
                    created=now,
                    is_deleted=False,
                )
                self._apply(record, data)
                session.add(record)
                session.execute(
                    update(PersistentIdentifier)
                    .where(
                        PersistentIdentifier.pid_type == "recid",
                        PersistentIdentifier.pid_value == record_id,
                    )
                    .values(status="R", object_id=record_id)
                )
                if draft.index > parent.latest_index:
                    parent.latest_id, parent.latest_index = record_id, draft.index
            else:
                self._apply(record, data)
            # assigns a DOI, queues its registration (issue 6)
            self.dois.on_publish(session, record, first=draft.fork_revision_id is None)
            if parent.draft_id == draft.id:
                parent.draft_id = None
            parent.updated = now
            session.flush()
            for component in self.components:
                component.on_publish(session, draft, record, first=draft.fork_revision_id is None)
            session.delete(draft)
            session.flush()
            record_changes(
                session, [("draft", record_id, "delete"), ("record", record_id, "publish")]
            )
            item = self._record_item(session, identity, record, parent)
        return item

    def edit(self, identity: Identity, record_id: str) -> Item:
        record_id = self._id(record_id)
        with self._conflicts(), self.db.write() as uow:
            session = uow.session
            record, parent = self._get_record(session, record_id)
            self._require("edit", identity, self._subject(parent, record))
            if record.is_deleted:
                raise Gone(self._public_tombstone(record))
            draft = session.get(Draft, record_id)
            if draft is None:
                draft = Draft(
                    id=record_id,
                    parent_id=parent.id,
                    index=record.index,
                    created=record.created,
                    fork_revision_id=record.revision_id,
                )
                self._apply(draft, copy.deepcopy(record.data))
                session.add(draft)
                session.flush()
                record_change(session, "draft", record_id, "edit")
            item = self._draft_item(session, draft, parent)
        return item

    def new_version(self, identity: Identity, record_id: str) -> Item:
        record_id = self._id(record_id)
        with self._conflicts(), self.db.write() as uow:
            session = uow.session
            record, parent = self._get_record(session, record_id)
            self._require("new_version", identity, self._subject(parent, record))
            if record.is_deleted:
                raise Gone(self._public_tombstone(record))
            if parent.draft_id is not None:
                existing = session.get(Draft, parent.draft_id)
                if existing is not None:
                    return self._draft_item(session, existing, parent)
            data = copy.deepcopy(record.data)
            metadata = data.setdefault("metadata", {})
            metadata.pop("publication_date", None)
            metadata.pop("version", None)
            data["pids"] = {}
            files = data.get("files") or {}
            data["files"] = {"enabled": files.get("enabled", True)}
            now = utcnow()
            draft = Draft(
                id=self._new_pid(session, "recid"),
                parent_id=parent.id,
                index=parent.latest_index + 1,
                created=now,
            )
            self._apply(draft, data)
            parent.draft_id = draft.id
            parent.updated = now
            session.add(draft)
            session.flush()
            record_change(session, "draft", draft.id, "new_version")
            item = self._draft_item(session, draft, parent)
        return item

    # -- published records ---------------------------------------------------
    def _resolve(self, session: Session, record_id: str) -> tuple[Record, Parent]:
        """A record by id; a parent id stands for its latest published version."""
        record = session.get(Record, record_id)
        if record is not None:
            parent = session.get(Parent, record.parent_id)
            assert parent is not None
            return record, parent
        parent = session.get(Parent, record_id)
        if parent is not None and parent.latest_id is not None:
            latest = session.get(Record, parent.latest_id)
            if latest is not None:
                return latest, parent
        raise NotFound()

    def read(self, identity: Identity, record_id: str, include_deleted: bool = False) -> Item:
        with self.db.read() as session:
            record, parent = self._resolve(session, self._id(record_id))
            subject = self._subject(parent, record)
            if record.is_deleted:
                allowed = include_deleted and self.policy.allows("read_deleted", identity, subject)
                if not allowed:
                    visible = (record.tombstone or {}).get("is_visible", True)
                    if visible:
                        raise Gone(self._public_tombstone(record))
                    raise NotFound()
            self._require("read", identity, subject)
            return self._record_item(session, identity, record, parent)

    @staticmethod
    def _public_tombstone(record: Record) -> dict[str, Any]:
        tombstone = dict(record.tombstone or {})
        tombstone.pop("removed_by", None)
        return tombstone

    def latest_id(self, identity: Identity, record_id: str) -> str:
        """The id of the newest published version readable by ``identity``."""
        with self.db.read() as session:
            _record, parent = self._resolve(session, self._id(record_id))
            if parent.latest_id is None:
                raise NotFound()
            latest = session.get(Record, parent.latest_id)
            assert latest is not None
            self._require("read", identity, self._subject(parent, latest))
            return latest.id

    def search_params(self, args: Args, **kwargs: Any) -> SearchParams:
        """Search arguments, validated with this repository's page sizes."""
        return parse_search_params(
            args,
            default_size=self.config.default_page_size,
            max_size=self.config.max_page_size,
            **kwargs,
        )

    # -- deletion ------------------------------------------------------------
    @staticmethod
    def _refresh_latest(session: Session, parent: Parent) -> None:
        latest = session.scalar(
            select(Record)
            .where(Record.parent_id == parent.id, Record.is_deleted.is_(False))
            .order_by(Record.index.desc())
            .limit(1)
        )
        parent.latest_id = latest.id if latest is not None else None
        parent.latest_index = latest.index if latest is not None else 0
        parent.updated = utcnow()

    def update_record(self, identity: Identity, record_id: str) -> None:
        """Published records are immutable through this route (edit a draft instead)."""
        self._id(record_id)
        self._require("update", identity)

    def delete_record(self, identity: Identity, record_id: str, body: object = None) -> None:
        record_id = self._id(record_id)
        self._require("delete", identity)  # admins only: nothing about the record is needed
        tombstone = load_tombstone(body, self.vocabularies)
        with self._conflicts(), self.db.write() as uow:
            session = uow.session
            record, parent = self._get_record(session, record_id)
            self._require("delete", identity, self._subject(parent, record))
            if record.is_deleted:
                raise Gone(self._public_tombstone(record))
            tombstone["removed_by"] = (
                {"user": str(identity.user_id)}
                if identity.user_id is not None
                else {"user": "system"}
            )
            tombstone["removal_date"] = isoformat(utcnow())
            record.is_deleted = True
            record.tombstone = tombstone
            record.updated = utcnow()
            draft = session.get(Draft, record_id)
            if draft is not None:
                session.delete(draft)
            session.flush()
            self._refresh_latest(session, parent)
            self.dois.on_delete(session, record)  # hides the DOI at the registry
            record_change(session, "record", record_id, "delete")

    def list_deleted(
        self, identity: Identity, q: str = "", page: int = 1, size: int = 20, sort: str = "newest"
    ) -> DeletedPage:
        """Deleted records (admins only), newest deletion first unless ``sort="oldest"``;
        ``q`` filters on the id or the title."""
        self._require("read_deleted", identity)
        with self.db.read() as session:
            return list_deleted(session, self.vocabularies, q, page, size, sort)

    def restore(self, identity: Identity, record_id: str) -> Item:
        record_id = self._id(record_id)
        self._require("restore", identity)
        with self._conflicts(), self.db.write() as uow:
            session = uow.session
            record, parent = self._get_record(session, record_id)
            self._require("restore", identity, self._subject(parent, record))
            if not record.is_deleted:
                raise ValidationFailed([], "The record is not deleted.")
            record.is_deleted = False
            record.tombstone = None
            record.updated = utcnow()
            session.flush()
            self._refresh_latest(session, parent)
            self.dois.on_restore(session, record)  # makes the DOI findable again
            record_change(session, "record", record_id, "restore")
            item = self._record_item(session, identity, record, parent)
        return item
