"""The records permission policy, written as data: action -> generators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cairn.access.generators import (
    Administrators,
    AuthenticatedUser,
    Generator,
    PublicRecord,
    RecordOwners,
    Subject,
    SystemProcess,
)
from cairn.core.filters import Filter, any_of
from cairn.core.identity import Identity

__all__ = ["Policy", "Subject", "records_policy"]


class Policy:
    """Grants an action when any of its generators allows it."""

    def __init__(self, actions: Mapping[str, Sequence[Generator]]) -> None:
        self._actions = {name: tuple(gens) for name, gens in actions.items()}

    @property
    def actions(self) -> list[str]:
        return sorted(self._actions)

    def _generators(self, action: str) -> tuple[Generator, ...]:
        try:
            return self._actions[action]
        except KeyError:
            raise KeyError(f"unknown action {action!r}") from None

    def allows(self, action: str, identity: Identity, subject: Subject | None = None) -> bool:
        return any(g.allows(identity, subject) for g in self._generators(action))

    def query_filter(self, action: str, identity: Identity) -> Filter:
        return any_of([g.query_filter(identity) for g in self._generators(action)])


def records_policy() -> Policy:
    owners_admins = (RecordOwners(), Administrators(), SystemProcess())
    admins = (Administrators(), SystemProcess())
    return Policy(
        {
            "create": (AuthenticatedUser(), SystemProcess()),
            "read": (PublicRecord(), *owners_admins),
            "read_draft": owners_admins,
            "update_draft": owners_admins,
            "delete_draft": owners_admins,
            "publish": owners_admins,
            "edit": owners_admins,
            "new_version": owners_admins,
            "search_user_records": (AuthenticatedUser(), SystemProcess()),
            "update": (),  # published records change only through an edit draft
            "read_deleted": admins,
            "delete": admins,
            "restore": admins,
            "manage_quota": admins,
        }
    )
