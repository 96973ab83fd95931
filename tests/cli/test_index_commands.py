"""`cairn index ...` run as real processes on a fresh instance (SQLite)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cairn.db import Database
from cairn.records.index_docs import DRAFTS, INDEXES, RECORDS
from cairn.search.tantivy_engine import TantivyEngine
from tests.processes import run_cairn
from tests.service.test_indexer import found_ids, insert_published

COUNT = 1500


def index(instance: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    result = run_cairn(instance, "index", *args)
    assert result.returncode == code, (
        f"cairn index {' '.join(args)} gave {result.returncode}:\n{result.stdout}{result.stderr}"
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    env["CAIRN_INSTANCE"] = str(path)
    subprocess.run(
        [sys.executable, "-m", "cairn", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    db = Database(f"sqlite:///{path / 'cairn.db'}")
    insert_published(db, COUNT, "Cli cliword")
    db.dispose()
    return path


def _row(out: str, name: str) -> list[str]:
    """The cells of ``name``'s row in the status table."""
    for line in out.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line) if c.strip()]
        if cells and cells[0] == name:
            return cells
    raise AssertionError(f"no row {name!r} in:\n{out}")


def _live(instance: Path) -> dict[str, str | None]:
    engine = TantivyEngine(instance / "search")
    return {name: engine.alias_target(name) for name in INDEXES}


def test_status_update_rebuild(instance):
    out = index(instance, "status").stdout
    for name in INDEXES:
        row = _row(out, name)
        assert row[2] == "0" and f"({COUNT} behind)" in row[3] and row[4] == str(COUNT)
        assert row[5] == "current (english)" and row[6] == "-"
    assert "Writer: nobody" in out

    out = index(instance, "update").stdout
    assert f"Indexes at change {COUNT}." in out
    out = index(instance, "status").stdout
    for name in INDEXES:
        assert _row(out, name)[2:5] == [str(COUNT), str(COUNT), str(COUNT)]
    assert "Indexes at change" in index(instance, "update").stdout  # nothing to do: fine

    before = _live(instance)
    out = index(instance, "rebuild").stdout
    assert f"records: rebuilt ({COUNT} documents)." in out
    assert f"drafts: rebuilt ({COUNT} documents)." in out
    after = _live(instance)
    assert all(after[n] != before[n] for n in INDEXES)
    out = index(instance, "rebuild", "--index", RECORDS).stdout
    assert "records: rebuilt" in out and "drafts" not in out
    assert _live(instance)[DRAFTS] == after[DRAFTS]

    engine = TantivyEngine(instance / "search")
    for name in INDEXES:
        assert engine.versions(name) == [_live(instance)[name]]
        seen = found_ids(engine, name, "cliword")
        assert len(seen) == len(set(seen)) == COUNT
    engine.close()


def test_migrate_init_run_status_rollover_cancel(instance):
    index(instance, "update")
    out = index(instance, "migrate", "status", RECORDS).stdout
    live = _live(instance)[RECORDS]
    assert f"No migration of records (live: {live})." in out

    out = index(instance, "migrate", "init", RECORDS).stdout
    version = re.search(r"Created (\S+);", out)
    assert version, out
    new = version.group(1)
    assert new != live and "cairn index migrate run records" in out
    assert f"{new}: created" in _row(index(instance, "status").stdout, RECORDS)[6]
    out = index(instance, "migrate", "status", RECORDS).stdout
    assert f"records: {new} is created; at change 0 of {COUNT}; live: {live}" in out

    out = index(instance, "migrate", "run", RECORDS).stdout
    assert f"{new}: built with {COUNT} documents, at change {COUNT}" in out
    out = index(instance, "migrate", "status", RECORDS).stdout
    assert f"records: {new} is built; at change {COUNT} of {COUNT}; live: {live}" in out

    out = index(instance, "migrate", "rollover", RECORDS).stdout
    assert f"records now serves {new}." in out
    assert _live(instance)[RECORDS] == new
    assert TantivyEngine(instance / "search").versions(RECORDS) == [new]
    assert f"No migration of records (live: {new})." in (
        index(instance, "migrate", "status", RECORDS).stdout
    )
    seen = found_ids(TantivyEngine(instance / "search"), RECORDS, "cliword")
    assert len(set(seen)) == len(seen) == COUNT

    # cancel, before and after running
    drafts = _live(instance)[DRAFTS]
    index(instance, "migrate", "init", DRAFTS)
    out = index(instance, "migrate", "cancel", DRAFTS).stdout
    assert "Cancelled;" in out and "is dropped" in out
    index(instance, "migrate", "init", DRAFTS)
    index(instance, "migrate", "run", DRAFTS)
    index(instance, "migrate", "cancel", DRAFTS)
    assert TantivyEngine(instance / "search").versions(DRAFTS) == [drafts]
    assert _live(instance)[DRAFTS] == drafts
    assert _row(index(instance, "status").stdout, DRAFTS)[6] == "-"


def test_errors_are_one_line_and_exit_1(instance):
    err = index(instance, "migrate", "rollover", RECORDS, code=1).stderr
    assert "no migration of 'records'" in err and "init" in err
    assert "no migration" in index(instance, "migrate", "run", RECORDS, code=1).stderr
    assert "no migration" in index(instance, "migrate", "cancel", DRAFTS, code=1).stderr
    assert "unknown index" in index(instance, "migrate", "init", "bogus", code=1).stderr

    index(instance, "migrate", "init", RECORDS)
    assert "exists" in index(instance, "migrate", "init", RECORDS, code=1).stderr
    assert "is created" in index(instance, "migrate", "rollover", RECORDS, code=1).stderr
    assert "in progress" in index(instance, "rebuild", code=1).stderr
    index(instance, "migrate", "cancel", RECORDS)

    # no arguments: the help, not a traceback
    result = index(instance, "migrate", code=2)
    assert "init" in result.stdout + result.stderr
