"""Migration 0008 on a database that holds records: every record already there counts as
once public (its history is unknown), so no OAI-PMH harvester misses a deletion; it goes
down and up again without losing a row. On SQLite, and on PostgreSQL in a database of its own
when ``CAIRN_TEST_DATABASE_URL`` is set."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import make_url, text, update

from cairn.db import Database
from cairn.db.migrate import alembic_config, current_revision, upgrade
from cairn.records.models import Record
from tests.conftest import TEST_DB_URL
from tests.service.test_indexer import insert_published


@contextmanager
def _postgres() -> Iterator[str]:
    name = f"cairn_mig_{uuid.uuid4().hex[:8]}"
    admin = Database(TEST_DB_URL)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DB_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with ExitStack() as stack:
        if request.param == "postgresql":
            if not TEST_DB_URL:
                pytest.skip("CAIRN_TEST_DATABASE_URL is not set")
            url = stack.enter_context(_postgres())
        else:
            url = f"sqlite:///{tmp_path / 'cairn.db'}"
        database = Database(url)
        stack.callback(database.dispose)
        yield database


def _was_public(db: Database) -> dict[str, bool]:
    with db.engine.connect() as conn:
        return {r[0]: bool(r[1]) for r in conn.execute(text("SELECT id, was_public FROM records"))}


def test_existing_records_count_as_once_public_and_the_migration_reverses(
    fresh: Database,
) -> None:
    upgrade(fresh)
    ids = insert_published(fresh, 4, "Before 0008")
    with fresh.write() as uow:  # one restricted and one never public, as 0008 could not know
        uow.session.execute(
            update(Record).where(Record.id == ids[0]).values(access_record="restricted")
        )
        uow.session.execute(update(Record).where(Record.id == ids[1]).values(was_public=False))
    command.downgrade(alembic_config(fresh), "0007")
    assert current_revision(fresh) == "0007"
    with fresh.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM records")).scalar() == 4
        tables = {"oai_sets", "oai_set_members", "oai_set_feed"}
        names = {r[0] for r in conn.execute(text(_TABLES[fresh.dialect]))}
        assert not tables & names
    upgrade(fresh)
    assert _was_public(fresh) == dict.fromkeys(ids, True)
    with fresh.engine.connect() as conn:  # the restricted record kept its access
        access = conn.execute(
            text("SELECT access_record FROM records WHERE id = :id"), {"id": ids[0]}
        ).scalar()
    assert access == "restricted"


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}
