"""Developer tool: autogenerate an Alembic migration from the table models.

    python scripts/make_migration.py "add things"

Runs against a scratch SQLite database at the current head; review the result by hand.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

import cairn.accounts.models
import cairn.db.changes
import cairn.db.jobs
import cairn.files.models
import cairn.records.models  # noqa: F401
from cairn.db import Base, Database
from cairn.db.migrate import alembic_config, upgrade


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "migration"
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        upgrade(db)
        config = alembic_config(db)
        config.attributes["metadata"] = Base.metadata
        command.revision(config, message=message, autogenerate=True)
        db.dispose()


if __name__ == "__main__":
    main()
