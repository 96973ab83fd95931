"""``cairn users``: manage user accounts."""

from __future__ import annotations

import typer
from rich.table import Table

from cairn.accounts.service import AccountService
from cairn.cli.common import console, database, friendly_errors, settings
from cairn.core.identity import SYSTEM
from cairn.core.timeutil import isoformat

app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)


@app.command("create")
def create(
    email: str,
    password: str | None = typer.Option(
        None, help="Password (at least 8 characters); omit for a token-only account."
    ),
    admin: bool = typer.Option(False, "--admin", help="Give the user the admin role."),
) -> None:
    """Create a user."""
    db = database(settings())
    with friendly_errors():
        user = AccountService(db).create_user(SYSTEM, email, password, admin)
    console.print(f"Created user {user.id} <{user.email}>{' (admin)' if admin else ''}.")


@app.command("list")
def list_users() -> None:
    """List users."""
    db = database(settings())
    with friendly_errors():
        users = AccountService(db).list_users(SYSTEM)
    table = Table("id", "email", "active", "roles", "created")
    for user in users:
        table.add_row(
            str(user.id),
            user.email,
            "yes" if user.active else "no",
            ", ".join(sorted(user.roles)),
            isoformat(user.created) or "",
        )
    console.print(table)
