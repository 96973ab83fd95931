"""Engine and sessions.

SQLite runs in WAL mode with foreign keys on.  Write transactions start with
``BEGIN IMMEDIATE`` so concurrent writers queue on the busy timeout instead of failing
when a read lock cannot be upgraded; reads use a plain deferred ``BEGIN``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from cairn.db.uow import UnitOfWork

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _loads(text: str | bytes) -> Any:
    """JSON columns: orjson (several times faster), or the standard library for what orjson
    refuses and the standard library wrote (lone surrogates escaped as ``\\udxxx``)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        json_deserializer=_loads,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("cairn_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engine(url: str, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


class Database:
    """Owns the engine; hands out read sessions and write units of work."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size)
        self._read = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write = sessionmaker(
            self.engine.execution_options(cairn_write=True), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; it never commits. Closing it (not rolling back) leaves
        the objects it loaded usable, detached, after the block."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[UnitOfWork]:
        """One unit of work: everything inside commits together or not at all."""
        with self._write() as session:
            uow = UnitOfWork(session)
            try:
                yield uow
                uow.commit()
            except BaseException:
                session.rollback()
                raise
        uow.run_after_commit()

    def dispose(self) -> None:
        self.engine.dispose()
