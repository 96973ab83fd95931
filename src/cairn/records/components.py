"""Extension points of the record lifecycle.

Other domain packages (files today) take part in a record's lifecycle by implementing
:class:`RecordComponent`; the composition root passes them to the records service, which
calls them inside its unit of work, in the order given. The records package never imports
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.orm import Session

from cairn.core.errors import FieldError
from cairn.records.models import Draft, Record


class RecordComponent(Protocol):
    def check_update(
        self, session: Session, draft: Draft, data: dict[str, Any]
    ) -> list[FieldError]:
        """Problems that refuse a draft update outright (400), e.g. disabling files that exist."""
        ...

    def check_publish(self, session: Session, draft: Draft) -> list[FieldError]:
        """Problems that stop ``draft`` from being published."""
        ...

    def on_publish(self, session: Session, draft: Draft, record: Record, first: bool) -> None:
        """``draft`` becomes ``record`` (``first``: the record did not exist before)."""
        ...

    def on_discard(self, session: Session, draft: Draft, published: bool) -> None:
        """``draft`` is being deleted (``published``: a record with its id stays)."""
        ...

    def files_blocks(
        self, session: Session, rows: Sequence[Draft | Record]
    ) -> dict[str, dict[str, Any] | None]:
        """The ``files`` object of each draft's or record's JSON, by id (None: leave the
        stored one), read for all of them in as few queries as possible."""
        ...

    def index_files(self, session: Session, kind: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """For the search index: the keys of the finished files of each ``kind`` (``draft``
        or ``record``) container among ``ids`` (one query for all of them)."""
        ...
