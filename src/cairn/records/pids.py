"""DOIs of records: validation, reservation, assignment at publish and their state.

A managed DOI is ``<doi_prefix>/<record id>``. It is assigned in the publish transaction and
a ``pids.register`` job (enqueued in the same transaction) brings the registry up to date
afterwards, so an unreachable registry never blocks publishing. Each DOI has a row in
``doi_registrations`` with its state as owners and admins see it:

``reserved``  assigned, not sent to the registry (a draft, or a restricted record);
``registering`` a job is on its way;  ``registered`` findable at the registry;
``hidden``    registered but not findable (the record was deleted or restricted);
``failed``    the last attempt failed: ``error`` says why, ``will_retry`` whether a retry
is scheduled.

The parent gets a concept DOI (``<doi_prefix>/<parent id>``) with its first managed version
DOI; it is re-sent whenever a version is published, deleted or restored. External DOIs get a
row too (state ``external``), so a DOI cannot be used twice.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import idutils
from sqlalchemy import Boolean, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from cairn.core.errors import FieldError, ValidationFailed
from cairn.core.timeutil import isoformat, utcnow
from cairn.db.base import Base, UTCDateTime
from cairn.db.jobs import enqueue
from cairn.records.models import Draft, Parent, Record

REGISTER_JOB = "pids.register"
MANAGED = ("local", "datacite")
RESERVED, REGISTERING, REGISTERED = "reserved", "registering", "registered"
HIDDEN, FAILED, EXTERNAL = "hidden", "failed", "external"
STATE_KEYS = frozenset({"status", "status_updated", "error", "will_retry"})


class DoiRegistration(Base):
    """One DOI Cairn knows of: which record has it, who provides it, its state."""

    __tablename__ = "doi_registrations"

    doi: Mapped[str] = mapped_column(String(255), primary_key=True)  # lower case
    identifier: Mapped[str] = mapped_column(String(255))  # as written
    record_id: Mapped[str] = mapped_column(String(16), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    remote: Mapped[str | None] = mapped_column(String(16), nullable=True)  # registry's state
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    will_retry: Mapped[bool] = mapped_column(Boolean, default=False)
    updated: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class DoiConfig:
    provider: str = "none"  # none | local | datacite
    prefix: str = ""
    site_url: str = ""


def visible(record: Record) -> bool:
    """Whether ``record``'s DOI should be findable."""
    return not record.is_deleted and record.access_record == "public"


def _doi_of(data: dict[str, Any]) -> dict[str, Any]:
    return dict((data.get("pids") or {}).get("doi") or {})


class Dois:
    """The records service's DOI part (every method runs in the caller's transaction)."""

    def __init__(self, config: DoiConfig) -> None:
        self.config = config

    @property
    def managed(self) -> bool:
        return self.config.provider in MANAGED and bool(self.config.prefix)

    def mint(self, record_id: str) -> str:
        return f"{self.config.prefix}/{record_id}"

    def _pid(self, record_id: str) -> dict[str, str]:
        provider = self.config.provider
        return {"identifier": self.mint(record_id), "provider": provider, "client": provider}

    @staticmethod
    def without_state(body: object) -> object:
        """``body`` without the read-only state keys :meth:`annotate` adds to
        ``pids.doi``, so a draft read and sent back unchanged stays valid."""
        if not isinstance(body, dict):
            return body
        pids = body.get("pids")
        if not isinstance(pids, dict):
            return body
        doi = pids.get("doi")
        if not isinstance(doi, dict) or not STATE_KEYS & doi.keys():
            return body
        clean = {k: v for k, v in doi.items() if k not in STATE_KEYS}
        return {**body, "pids": {**pids, "doi": clean}}

    # -- validation ------------------------------------------------------------------
    def check(self, session: Session, record_id: str, data: dict[str, Any]) -> list[FieldError]:
        """Problems with the draft's ``pids.doi``: bad syntax, a managed DOI the repository
        did not assign, a DOI another record has."""
        doi = _doi_of(data)
        if not doi:
            return []
        identifier = str(doi.get("identifier") or "")
        provider = doi.get("provider")
        if provider == "external":
            if not idutils.is_doi(identifier) or idutils.normalize_doi(identifier) != identifier:
                return [FieldError("pids.doi.identifier", ["Not a valid DOI (10.xxxx/…)."])]
        elif provider in MANAGED:
            if not self._assigned(session, record_id, identifier, str(provider)):
                return [
                    FieldError(
                        "pids.doi",
                        [
                            "Managed DOIs are assigned by the repository: reserve one with "
                            "POST /api/records/{id}/draft/pids/doi."
                        ],
                    )
                ]
        else:
            allowed = ["external", *MANAGED]
            return [FieldError("pids.doi.provider", [f"Must be one of: {', '.join(allowed)}."])]
        row = session.get(DoiRegistration, identifier.lower())
        if row is not None and row.record_id != record_id:
            return [FieldError("pids.doi.identifier", ["This DOI belongs to another record."])]
        return []

    def _assigned(self, session: Session, record_id: str, identifier: str, provider: str) -> bool:
        """Whether Cairn gave ``record_id`` this managed DOI (or would: its minted one)."""
        minted = self.managed and provider == self.config.provider
        if minted and identifier == self.mint(record_id):
            return True
        row = session.get(DoiRegistration, identifier.lower())
        if row is not None:
            return row.record_id == record_id and row.provider == provider
        record = session.get(Record, record_id)  # e.g. imported before DOIs were tracked
        held = _doi_of(record.data) if record is not None else {}
        return held.get("identifier") == identifier and held.get("provider") == provider

    def _require_valid(self, session: Session, record_id: str, data: dict[str, Any]) -> None:
        errors = self.check(session, record_id, data)
        if errors:
            raise ValidationFailed(errors)

    # -- drafts ----------------------------------------------------------------------
    def reserve(self, session: Session, draft: Draft) -> None:
        """Give ``draft`` its managed DOI now (nothing is sent to the registry)."""
        if not self.managed:
            raise ValidationFailed(
                [FieldError("pids.doi", ["This repository does not mint DOIs."])]
            )
        current = _doi_of(draft.data)
        if current.get("provider") == "external":
            raise ValidationFailed(
                [FieldError("pids.doi", ["The draft has an external DOI; remove it first."])]
            )
        if current.get("identifier") == self.mint(draft.id):
            return
        data = copy.deepcopy(draft.data)
        data.setdefault("pids", {})["doi"] = self._pid(draft.id)
        draft.data = data
        self._row(session, draft.id, self.config.provider, RESERVED)

    def discard(self, session: Session, draft: Draft) -> None:
        """Take the DOI off ``draft``; a DOI already sent to the registry stays."""
        doi = _doi_of(draft.data)
        if not doi:
            return
        row = session.get(DoiRegistration, str(doi.get("identifier", "")).lower())
        if row is not None and (row.remote is not None or row.state != RESERVED):
            raise ValidationFailed(
                [FieldError("pids.doi", ["A registered DOI cannot be removed."])]
            )
        if row is not None:
            session.delete(row)
        data = copy.deepcopy(draft.data)
        data["pids"].pop("doi", None)
        draft.data = data

    def on_discard(self, session: Session, draft: Draft, published: bool) -> None:
        """A never-published draft is deleted: its reserved DOI goes with it."""
        if published:
            return
        doi = _doi_of(draft.data)
        row = session.get(DoiRegistration, str(doi.get("identifier", "")).lower())
        if row is not None and row.record_id == draft.id and row.remote is None:
            session.delete(row)

    # -- records ---------------------------------------------------------------------
    def on_publish(self, session: Session, record: Record, first: bool = False) -> None:
        """Assign a managed DOI when missing (public records only, as InvenioRDM) and
        queue the registry's update."""
        self._require_valid(session, record.id, record.data)
        doi = _doi_of(record.data)
        if not first:  # an external DOI the record no longer has is free for others again
            session.execute(
                delete(DoiRegistration).where(
                    DoiRegistration.record_id == record.id,
                    DoiRegistration.provider == EXTERNAL,
                    DoiRegistration.doi != str(doi.get("identifier", "")).lower(),
                )
            )
        public = record.access_record == "public"
        if not doi and self.managed and public:
            data = copy.deepcopy(record.data)
            data.setdefault("pids", {})["doi"] = doi = self._pid(record.id)
            record.data = data
        if not doi:
            return
        provider = str(doi.get("provider"))
        if provider == "external":
            self._row(session, record.id, provider, EXTERNAL, str(doi["identifier"]))
            return
        row = self._row(session, record.id, provider, RESERVED, str(doi["identifier"]))
        configured = provider in ("local", self.config.provider)
        if configured and (public or row.remote is not None):
            self._queue(session, row, visible(record))
        if public and provider == self.config.provider:
            self._concept(session, record.parent_id, create=True)

    def on_delete(self, session: Session, record: Record) -> None:
        self._requeue(session, record)

    def on_restore(self, session: Session, record: Record) -> None:
        self._requeue(session, record)

    def _requeue(self, session: Session, record: Record) -> None:
        row = self._managed_row(session, record)
        if row is not None and (row.remote is not None or row.state != RESERVED):
            self._queue(session, row, visible(record))
        self._concept(session, record.parent_id, create=False)

    def _concept(self, session: Session, parent_id: str, create: bool) -> None:
        """The parent's concept DOI (``<prefix>/<parent id>``): minted with the first
        managed version DOI, re-sent whenever a version is published, deleted or restored
        (it describes the latest version and lists every version)."""
        parent = session.get(Parent, parent_id)
        assert parent is not None
        pids = dict((parent.data or {}).get("pids") or {})
        doi = pids.get("doi")
        if not doi and create and self.managed:
            pids["doi"] = doi = self._pid(parent.id)
            parent.data = {**(parent.data or {}), "pids": pids}
        if not doi or doi.get("provider") not in MANAGED:
            return
        row = self._row(session, parent.id, str(doi["provider"]), RESERVED, doi["identifier"])
        self._queue(session, row, parent.latest_id is not None)

    def _managed_row(self, session: Session, record: Record) -> DoiRegistration | None:
        doi = _doi_of(record.data)
        if doi.get("provider") not in MANAGED:
            return None
        return session.get(DoiRegistration, str(doi.get("identifier", "")).lower())

    def _row(
        self,
        session: Session,
        record_id: str,
        provider: str,
        state: str,
        identifier: str | None = None,
    ) -> DoiRegistration:
        identifier = identifier or self.mint(record_id)
        row = session.get(DoiRegistration, identifier.lower())
        if row is None:
            row = DoiRegistration(
                doi=identifier.lower(),
                identifier=identifier,
                record_id=record_id,
                provider=provider,
                state=state,
                remote=None,
                will_retry=False,
                updated=utcnow(),
            )
            session.add(row)
            session.flush()
        return row

    def _queue(self, session: Session, row: DoiRegistration, visible: bool) -> None:
        """Bring the registry up to date: a job for remote providers; ``local`` DOIs
        have no registry, so their state changes at once."""
        row.reason, row.will_retry, row.updated = None, False, utcnow()
        if row.provider == "local":
            row.state = REGISTERED if visible else HIDDEN
            row.remote = "findable" if visible else "registered"
            return
        row.state = REGISTERING
        enqueue(session, REGISTER_JOB, {"doi": row.doi, "record_id": row.record_id})

    # -- what owners see -------------------------------------------------------------
    def annotate_many(self, session: Session, items: Sequence[dict[str, Any]]) -> None:
        """:meth:`annotate` each of ``items``, their registrations read in one query."""
        wanted = set()
        for item in items:
            for pids in ((item.get("pids") or {}), ((item.get("parent") or {}).get("pids") or {})):
                doi = pids.get("doi")
                if isinstance(doi, dict) and doi.get("provider") in MANAGED:
                    wanted.add(str(doi.get("identifier", "")).lower())
        if wanted:  # loaded into the session, where annotate's session.get finds them
            list(session.scalars(select(DoiRegistration).where(DoiRegistration.doi.in_(wanted))))
        for item in items:
            self.annotate(session, item)

    def annotate(self, session: Session, item: dict[str, Any]) -> None:
        """Add the DOI's state to ``item["pids"]["doi"]`` and the concept DOI's to
        ``item["parent"]["pids"]["doi"]`` (for owners and admins)."""
        self._annotate(session, (item.get("pids") or {}).get("doi"))
        parent_pids = (item.get("parent") or {}).get("pids")
        if parent_pids:
            parent_pids = item["parent"]["pids"] = copy.deepcopy(parent_pids)
            self._annotate(session, parent_pids.get("doi"))

    def _annotate(self, session: Session, doi: Any) -> None:
        if not isinstance(doi, dict) or doi.get("provider") not in MANAGED:
            return
        row = session.get(DoiRegistration, str(doi.get("identifier", "")).lower())
        if row is None:
            return
        doi["status"] = row.state  # keep in step with STATE_KEYS
        doi["status_updated"] = isoformat(row.updated)
        if row.state == FAILED:
            doi["error"] = row.reason
            doi["will_retry"] = row.will_retry
