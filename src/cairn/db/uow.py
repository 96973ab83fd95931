"""The unit of work: the only thing that commits."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class UnitOfWork:
    """Wraps one write transaction; side effects registered with :meth:`after_commit`
    run only once the transaction has committed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._after: list[Callable[[], None]] = []
        self._committed = False

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after.append(callback)

    def commit(self) -> None:
        self.session.commit()
        self._committed = True

    def run_after_commit(self) -> None:
        if not self._committed:
            return
        for callback in self._after:
            try:
                callback()
            except Exception:  # a side effect must never undo a committed change
                log.exception("after-commit callback failed")
