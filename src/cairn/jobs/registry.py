"""Job handlers, registered by kind on a registry object the composition root builds."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cairn.db.jobs import KIND_MAX

KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class JobContext:
    """What a handler gets: the job's id (a key for idempotent effects), its kind, its
    payload and which attempt this is (1 for the first)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int


Handler = Callable[[JobContext], None]


@dataclass
class JobRegistry:
    """Handlers by job kind. A worker claims only jobs whose kind it has a handler for, so
    processes with different handlers can share one table."""

    _handlers: dict[str, Handler] = field(default_factory=dict)

    def register(self, kind: str, handler: Handler) -> None:
        if len(kind) > KIND_MAX or not KIND_RE.match(kind):
            raise ValueError(f"job kind {kind!r}: use dotted lowercase names such as files.gc")
        if kind in self._handlers:
            raise ValueError(f"job kind {kind!r} is registered twice")
        self._handlers[kind] = handler

    def handler(self, kind: str) -> Handler | None:
        return self._handlers.get(kind)

    @property
    def kinds(self) -> list[str]:
        return sorted(self._handlers)

    def __contains__(self, kind: object) -> bool:
        return kind in self._handlers

    def __iter__(self) -> Iterator[str]:
        return iter(self.kinds)
