"""Shared fixtures: a real database (SQLite, or PostgreSQL from CAIRN_TEST_DATABASE_URL),
the services wired as in production, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import text

from cairn.app import create_app
from cairn.db import Base, Database
from cairn.db.migrate import upgrade
from cairn.records.index_docs import INDEXES
from cairn.records.indexer import Indexer
from cairn.records.migration import IndexMigrations
from cairn.settings import Settings, ensure_instance, load_settings
from tests.factories import Factory

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# the indexers of every app the tests made: tables are emptied between tests behind the
# change log's back, so their indexes are rebuilt then (see _clean_tables)
INDEXERS: list[Indexer] = []
TEST_DB_URL = os.environ.get("CAIRN_TEST_DATABASE_URL", "")


def _reset_postgres(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DB_URL:
        _reset_postgres(TEST_DB_URL)
        return TEST_DB_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'cairn.db'}"


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "db" in request.fixturenames:
        database: Database = request.getfixturevalue("db")
        running = [i for i in INDEXERS if i.db is database and i.running]
        for indexer in running:
            indexer.stop()
        import cairn.accounts.models
        import cairn.db.changes
        import cairn.db.jobs
        import cairn.files.models
        import cairn.records.models  # noqa: F401

        with database.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        for indexer in running:
            reset_index(indexer)
            indexer.start()


def reset_index(indexer: Indexer) -> None:
    """Rebuild ``indexer``'s indexes when they hold documents."""
    if any(indexer.engine.document_count(name) for name in INDEXES):
        IndexMigrations(indexer).rebuild()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Settings:
    instance = tmp_path_factory.mktemp("instance")
    return ensure_instance(
        load_settings(
            {}, instance=instance, database_url=database_url, site_url="https://cairn.test"
        )
    )


@pytest.fixture(scope="session")
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    application = create_app(settings, db)
    INDEXERS.append(application.state.services.search.indexer)
    yield application
    application.state.services.search.indexer.stop()


@pytest.fixture
def services(app):  # type: ignore[no-untyped-def]
    return app.state.services


@pytest.fixture
def factory(services) -> Factory:  # type: ignore[no-untyped-def]
    return Factory(services)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServedApp:
    """An app served by uvicorn on 127.0.0.1 in a thread."""

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        indexer = self.app.state.services.search.indexer
        indexer.stop()
        if indexer in INDEXERS:
            INDEXERS.remove(indexer)


def serve(tmp: Path, database: Database, **settings_overrides: object) -> ServedApp:
    """Serve a new app on ``database`` with its own instance folder under ``tmp``."""
    port_holder = ServedApp()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cfg = ensure_instance(
        load_settings(
            {}, instance=tmp, database_url=database.url, **{"site_url": base, **settings_overrides}
        )
    )
    application = create_app(cfg, database)
    INDEXERS.append(application.state.services.search.indexer)
    port_holder.base = base
    port_holder.server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    port_holder.thread = threading.Thread(target=port_holder.server.run, daemon=True)
    port_holder.thread.start()
    deadline = time.monotonic() + 10
    while not port_holder.server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    port_holder.app = application
    return port_holder


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, db: Database):  # type: ignore[no-untyped-def]
    """The app served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    # many browser tests log in from 127.0.0.1: the login limit is tested on its own server
    served = serve(tmp_path_factory.mktemp("live"), db, login_rate_limit="10000/minute")
    yield served.base
    served.stop()
