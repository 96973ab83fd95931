"""What a DOI registration job sends: read when the job runs, from the records as they are.

A version DOI gets its record's landing page and DataCite XML (with ``IsVersionOf`` the
concept DOI, written by :mod:`cairn.formats.datacite`). A concept DOI (on the parent) gets
the latest version's metadata under the concept DOI, the parent's landing page (which shows
the latest version) and ``HasVersion`` for every public version with a managed DOI. A
deleted or restricted record, or a parent without published versions, is hidden instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cairn.core.timeutil import utcnow
from cairn.formats.datacite import to_datacite
from cairn.formats.datacite_xml import datacite_xml
from cairn.records.dump import dump_record
from cairn.records.models import Parent, Record
from cairn.records.pids import MANAGED, DoiConfig, DoiRegistration, visible
from cairn.records.schema import VocabularyLookup


@dataclass(frozen=True)
class Registration:
    """``action`` is ``register`` (with ``url`` and ``xml``), ``hide`` or ``none``
    (nothing to tell the registry); ``remote`` is the registry's state as last known."""

    doi: str
    provider: str
    action: str
    remote: str | None = None
    url: str = ""
    xml: bytes = b""
    seen: datetime | None = None  # the state's time when read (see DoiDocuments.mark)


def _doi(data: dict[str, Any]) -> str:
    return str(((data.get("pids") or {}).get("doi") or {}).get("identifier") or "").lower()


class DoiDocuments:
    def __init__(self, config: DoiConfig, vocabularies: VocabularyLookup) -> None:
        self.config = config
        self.vocabularies = vocabularies

    def registration(self, session: Session, doi: str) -> Registration | None:
        """What the registry should now hold for ``doi`` (None: Cairn no longer has it)."""
        row = session.get(DoiRegistration, doi.lower())
        if row is None or row.provider not in MANAGED:
            return None
        task = self._registration(session, row)
        return None if task is None else replace(task, seen=row.updated)

    def _registration(self, session: Session, row: DoiRegistration) -> Registration | None:
        record = session.get(Record, row.record_id)
        if record is not None:
            if _doi(record.data) != row.doi:
                return None
            if not visible(record):
                return self._hidden(row)
            parent = session.get(Parent, record.parent_id)
            assert parent is not None
            url, xml = self._document(record, parent)
            return Registration(row.identifier, row.provider, "register", row.remote, url, xml)
        parent = session.get(Parent, row.record_id)
        if parent is None or _doi(parent.data) != row.doi:
            return None
        latest = session.get(Record, parent.latest_id) if parent.latest_id else None
        if latest is None or not visible(latest):
            return self._hidden(row)
        url, xml = self._concept_document(session, latest, parent)
        return Registration(row.identifier, row.provider, "register", row.remote, url, xml)

    @staticmethod
    def _hidden(row: DoiRegistration) -> Registration:
        action = "hide" if row.remote == "findable" else "none"
        return Registration(row.identifier, row.provider, action, row.remote)

    def _item(self, record: Record, parent: Parent, shown_id: str) -> dict[str, Any]:
        item = dump_record(record, parent, self.vocabularies, manager=False)
        site = self.config.site_url.rstrip("/")
        item["links"] = {
            "self": f"{site}/api/records/{shown_id}",
            "self_html": f"{site}/records/{shown_id}",
        }
        return item

    def _document(self, record: Record, parent: Parent) -> tuple[str, bytes]:
        """The landing page URL and the DataCite XML of a version."""
        item = self._item(record, parent, record.id)
        return item["links"]["self_html"], datacite_xml(to_datacite(item))

    def _concept_document(
        self, session: Session, latest: Record, parent: Parent
    ) -> tuple[str, bytes]:
        item = self._item(latest, parent, parent.id)
        item["pids"] = {**item["pids"], "doi": dict((parent.data or {})["pids"]["doi"])}
        dc = to_datacite(item)
        versions = session.scalars(
            select(Record)
            .where(Record.parent_id == parent.id, Record.is_deleted.is_(False))
            .order_by(Record.index)
        )
        related = list(dc.get("relatedIdentifiers") or [])
        for version in versions:
            pid = (version.data.get("pids") or {}).get("doi") or {}
            if visible(version) and pid.get("provider") in MANAGED:
                related.append(
                    {
                        "relatedIdentifier": pid["identifier"],
                        "relatedIdentifierType": "DOI",
                        "relationType": "HasVersion",
                    }
                )
        if related:
            dc["relatedIdentifiers"] = related
        return item["links"]["self_html"], datacite_xml(dc)

    @staticmethod
    def mark(
        session: Session,
        doi: str,
        state: str,
        remote: str | None = None,
        reason: str | None = None,
        will_retry: bool = False,
        seen: datetime | None = None,
    ) -> None:
        """Record a job's outcome for ``doi``; the registry's state (``remote``) always,
        the state shown to owners only if nothing queued a newer job since ``seen``."""
        row = session.get(DoiRegistration, doi.lower())
        if row is None:
            return
        if remote is not None:
            row.remote = remote
        if seen is not None and row.updated > seen:
            return
        row.state, row.reason, row.will_retry, row.updated = state, reason, will_retry, utcnow()
