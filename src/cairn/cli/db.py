"""``cairn db``: database schema management."""

from __future__ import annotations

import typer

from cairn.cli.common import console, database, settings
from cairn.db.migrate import current_revision, head_revision, upgrade

app = typer.Typer(help="Database schema management.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Create or migrate the database schema to the newest version."""
    cfg = settings()
    db = database(cfg, require_current=False)
    before = current_revision(db)
    with console.status("Migrating the database…"):
        upgrade(db)
    after = current_revision(db)
    console.print(f"Database at revision {after} (was {before or 'empty'}).")
    db.dispose()


@app.command("status")
def status_cmd() -> None:
    """Show the schema revision of the database and the newest one available."""
    cfg = settings()
    db = database(cfg, require_current=False)
    console.print(f"current: {current_revision(db) or 'empty'}  head: {head_revision(db)}")
    db.dispose()
