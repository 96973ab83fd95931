"""change log sequence never reused

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:40:00

On SQLite an INTEGER PRIMARY KEY without AUTOINCREMENT reuses numbers once the newest rows
are gone; the change log's readers remember the last number they applied, so the table is
rebuilt with AUTOINCREMENT, seeded with the current maximum. PostgreSQL's sequence already
never goes back.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "changes", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "changes", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
