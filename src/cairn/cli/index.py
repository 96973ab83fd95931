"""``cairn index``: look at the search indexes, bring them up to date, rebuild, migrate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

import typer
from rich.table import Table

from cairn.app import build_engine, build_indexer
from cairn.cli.common import (
    console,
    database,
    err_console,
    friendly_errors,
    progress_bar,
    settings,
)
from cairn.records.index_docs import INDEXES
from cairn.records.indexer import Indexer
from cairn.records.migration import IndexMigrations

app = typer.Typer(
    help="Search indexes: status, catch-up, rebuild, migration.", no_args_is_help=True
)
migrate_app = typer.Typer(
    help="Build a new version of an index beside the live one, then switch to it.",
    no_args_is_help=True,
)
app.add_typer(migrate_app, name="migrate")
NAME = typer.Argument(..., help=f"The index: {' or '.join(INDEXES)}.")


@contextmanager
def _indexer() -> Iterator[Indexer]:
    cfg = settings()
    db = database(cfg)
    indexer = build_indexer(cfg, db, build_engine(cfg))
    indexer.ensure_indexes()
    try:
        with friendly_errors():
            yield indexer
    finally:
        indexer.lock.release()
        indexer.engine.close()
        db.dispose()


def _documents(indexer: Indexer, name: str) -> int:
    with indexer.db.read() as session:
        return indexer.source.count(session, name)


@app.command("status")
def status() -> None:
    """Each index: live version, documents, how far behind the database it is, whether it
    was built with the current definition, and any migration in progress."""
    with _indexer() as indexer:
        rows = IndexMigrations(indexer).status()
        writer = "another process" if not indexer.lock.acquire() else "nobody"
    table = Table("index", "version", "documents", "applied", "database", "definition", "migration")
    for row in rows:
        lag = row.database_seq - row.applied_seq
        applied = f"{row.applied_seq}" + (f" ({lag} behind)" if lag > 0 else "")
        migration = (
            f"{row.migration.version}: {row.migration.status}"
            + (f" ({row.migration.error})" if row.migration.error else "")
            if row.migration
            else "-"
        )
        language = row.definition.get("language", "?")
        definition = (
            f"current ({language})"
            if row.current
            else f"outdated ({language}; now {indexer.engine.language}): run `cairn index rebuild`"
        )
        table.add_row(
            row.name,
            row.version or "-",
            str(row.documents),
            applied,
            str(row.database_seq),
            definition,
            migration,
        )
    console.print(table)
    console.print(f"Writer: {writer} holds the index folder's lock.")


@app.command("update")
def update() -> None:
    """Apply the changes the indexes have not seen yet (what `cairn serve` does on its own;
    for instances that are not serving, or after a crash)."""
    with _indexer() as indexer:
        if not indexer.lock.acquire():
            err_console.print("Another process (cairn serve) writes the indexes; nothing to do.")
            return
        behind = indexer.database_seq() - indexer.applied_seq()
        with progress_bar() as bar:
            task = bar.add_task("Applying changes", total=max(behind, 0))
            reached = indexer.catch_up(progress=lambda n: bar.advance(task, n))
    console.print(f"Indexes at change {reached}.")


@app.command("rebuild")
def rebuild(
    name: list[str] = typer.Option(
        list(INDEXES), "--index", help="Index to rebuild (repeatable); default: all."
    ),
) -> None:
    """Build every index again from the database, beside the live one, and switch to it
    when complete: searches keep working throughout."""
    with _indexer() as indexer:
        migrations = IndexMigrations(indexer)
        for index in name:
            total = _documents(indexer, index)
            with progress_bar() as bar:
                task = bar.add_task(f"Rebuilding {index}", total=total)
                migrations.rebuild((index,), partial(bar.advance, task))
            console.print(f"{index}: rebuilt ({total} documents).")


@migrate_app.command("init")
def migrate_init(name: str = NAME) -> None:
    """Create an empty new version of NAME with the current definition."""
    with _indexer() as indexer:
        state = IndexMigrations(indexer).init(name)
    console.print(f"Created {state.version}; next: cairn index migrate run {name}")


@migrate_app.command("run")
def migrate_run(name: str = NAME) -> None:
    """Load the new version from the database while the old one serves, then catch up."""
    with _indexer() as indexer:
        total = _documents(indexer, name)
        with progress_bar() as bar:
            task = bar.add_task(f"Building {name}", total=total)
            state = IndexMigrations(indexer).run(name, lambda n: bar.advance(task, n))
    console.print(
        f"{state.version}: built with {state.documents} documents, at change {state.seq}; "
        f"next: cairn index migrate rollover {name}"
    )


@migrate_app.command("status")
def migrate_status(name: str = NAME) -> None:
    """Where the migration of NAME stands."""
    with _indexer() as indexer:
        row = next(r for r in IndexMigrations(indexer).status() if r.name == name)
        state = row.migration
        if state is None:
            console.print(f"No migration of {name} (live: {row.version}).")
            return
        indexer.engine.reload(state.version)
        applied = indexer.engine.applied_seq(state.version)
    console.print(
        f"{name}: {state.version} is {state.status}"
        + (f" ({state.error})" if state.error else "")
        + f"; at change {applied} of {row.database_seq}; live: {row.version}"
    )


@migrate_app.command("rollover")
def migrate_rollover(
    name: str = NAME,
    timeout: float = typer.Option(60.0, help="Seconds to wait for the new version to catch up."),
) -> None:
    """Switch NAME to the new version atomically; the old one is dropped."""
    with _indexer() as indexer:
        state = IndexMigrations(indexer).rollover(name, timeout)
    console.print(f"{name} now serves {state.version}.")


@migrate_app.command("cancel")
def migrate_cancel(name: str = NAME) -> None:
    """Drop the new version of NAME; the live one is untouched."""
    with _indexer() as indexer:
        state = IndexMigrations(indexer).cancel(name)
    console.print(f"Cancelled; {state.version} is dropped.")
