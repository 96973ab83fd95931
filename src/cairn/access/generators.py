"""Permission generators.

Each generator answers two questions: may ``identity`` act on ``subject`` (``allows``), and
which filter limits a listing to the objects it would allow (``query_filter``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from cairn.core.filters import Filter, MatchAll, MatchNone, Term
from cairn.core.identity import Identity


@dataclass(frozen=True)
class Subject:
    """What a permission decision needs to know about an object."""

    owner_ids: frozenset[int] = field(default_factory=frozenset)
    record_access: str = "public"
    is_published: bool = False
    is_deleted: bool = False


class Generator(Protocol):
    def allows(self, identity: Identity, subject: Subject | None) -> bool: ...

    def query_filter(self, identity: Identity) -> Filter: ...


class AnyUser:
    def allows(self, identity: Identity, subject: Subject | None) -> bool:
        return True

    def query_filter(self, identity: Identity) -> Filter:
        return MatchAll()


class AuthenticatedUser:
    def allows(self, identity: Identity, subject: Subject | None) -> bool:
        return identity.is_authenticated

    def query_filter(self, identity: Identity) -> Filter:
        return MatchAll() if identity.is_authenticated else MatchNone()


class SystemProcess:
    def allows(self, identity: Identity, subject: Subject | None) -> bool:
        return identity.system

    def query_filter(self, identity: Identity) -> Filter:
        return MatchAll() if identity.system else MatchNone()


class Administrators:
    def allows(self, identity: Identity, subject: Subject | None) -> bool:
        return identity.is_admin

    def query_filter(self, identity: Identity) -> Filter:
        return MatchAll() if identity.is_admin else MatchNone()


class RecordOwners:
    FIELD = "parent.access.owned_by.user"

    def allows(self, identity: Identity, subject: Subject | None) -> bool:
        return (
            subject is not None
            and identity.user_id is not None
            and identity.user_id in subject.owner_ids
        )

    def query_filter(self, identity: Identity) -> Filter:
        if identity.user_id is None:
            return MatchNone()
        return Term(self.FIELD, identity.user_id)


class PublicRecord:
    FIELD = "access.record"

    def allows(self, identity: Identity, subject: Subject | None) -> bool:
        return subject is not None and subject.record_access == "public"

    def query_filter(self, identity: Identity) -> Filter:
        return Term(self.FIELD, "public")
