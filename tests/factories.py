"""Test data made through the services, never by poking tables."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import Any

from cairn.core.identity import SYSTEM, Identity

_counter = itertools.count(1)

MINIMAL_RECORD: dict[str, Any] = {
    "access": {"record": "public", "files": "public"},
    "files": {"enabled": False},
    "metadata": {
        "creators": [
            {"person_or_org": {"family_name": "Brown", "given_name": "Troy", "type": "personal"}},
            {"person_or_org": {"name": "Troy Inc.", "type": "organizational"}},
        ],
        "publication_date": "2020-06-01",
        "publisher": "Acme Inc",
        "resource_type": {"id": "image-photo"},
        "title": "A Romans story",
    },
}


def minimal_record(**metadata: Any) -> dict[str, Any]:
    body = copy.deepcopy(MINIMAL_RECORD)
    body["metadata"].update(metadata)
    return body


@dataclass
class User:
    id: int
    email: str
    identity: Identity
    token: str


class Factory:
    def __init__(self, services: Any) -> None:
        self.services = services

    def user(self, admin: bool = False, email: str | None = None) -> User:
        email = email or f"user{next(_counter)}@example.org"
        accounts = self.services.accounts
        info = accounts.create_user(SYSTEM, email, "correct horse battery", admin)
        _, token = accounts.create_token(SYSTEM, email, "tests")
        identity = accounts.identity_for_token(token)
        return User(info.id, email, identity, token)

    def draft(self, user: User, **metadata: Any) -> Any:
        return self.services.records.create(user.identity, minimal_record(**metadata))

    def record(self, user: User, **metadata: Any) -> Any:
        draft = self.draft(user, **metadata)
        return self.services.records.publish(user.identity, draft.id)
