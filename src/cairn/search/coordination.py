"""How processes sharing one index folder agree on who writes, and how they talk.

* :class:`WriterLock` is an exclusive ``flock`` on ``<prefix>indexer.lock``: the process
  holding it feeds every index of the folder; the others only read.  The kernel drops the
  lock when its holder dies, so another process can take over at once.
* :class:`WakeFile` lets a reader ask the writer (in another process) to catch up now:
  the reader bumps the file's modification time, the writer looks at it between polls.
* :class:`MigrationState` is the small JSON file that describes an index migration in
  progress (``<prefix><name>.migration.json``), read by the writer and the CLI.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO


class WriterLock:
    """A non-blocking exclusive lock file; :meth:`acquire` says whether it was taken."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> bool:
        if self._handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "ab")  # noqa: SIM115 - held open while the lock is held
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class WakeFile:
    """A file whose modification time is a doorbell."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def ring(self) -> None:
        try:
            os.utime(self.path, ns=(time.time_ns(), time.time_ns()))
        except FileNotFoundError:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()

    def stamp(self) -> int:
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0


@dataclass
class MigrationState:
    """A migration of index ``name`` to the new version ``version``.

    ``status``: ``created`` (empty), ``building`` (``migrate run`` is loading it),
    ``built`` (loaded up to ``seq``; the writer keeps it current from the change log),
    ``failed`` (``error`` says why), ``rolled_over`` (the alias points at ``version``; the
    writer drops ``old``), ``cancelled`` (the writer drops ``version``).
    """

    name: str
    version: str
    status: str = "created"
    seq: int = 0
    documents: int = 0
    error: str = ""
    old: str = ""
    pid: int = 0  # the process building it

    @staticmethod
    def path(root: Path, prefix: str, name: str) -> Path:
        return root / f"{prefix}{name}.migration.json"

    @classmethod
    def load(cls, root: Path, prefix: str, name: str) -> MigrationState | None:
        try:
            raw = json.loads(cls.path(root, prefix, name).read_text())
        except (FileNotFoundError, ValueError):
            return None
        fields = cls.__dataclass_fields__
        return cls(**{k: v for k, v in raw.items() if k in fields})

    def save(self, root: Path, prefix: str) -> None:
        path = self.path(root, prefix, self.name)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(self)))
        os.replace(tmp, path)

    @classmethod
    def remove(cls, root: Path, prefix: str, name: str) -> None:
        cls.path(root, prefix, name).unlink(missing_ok=True)
