"""``cairn tokens``: personal access tokens."""

from __future__ import annotations

import typer
from rich.table import Table

from cairn.accounts.service import AccountService
from cairn.cli.common import console, database, friendly_errors, settings
from cairn.core.identity import SYSTEM
from cairn.core.timeutil import isoformat

app = typer.Typer(help="Personal access tokens.", no_args_is_help=True)


@app.command("create")
def create(
    email: str,
    name: str = typer.Option("cli", help="A name to recognise the token by."),
    days: int | None = typer.Option(
        None, help="Expire after this many days (default: the token_default_days setting)."
    ),
) -> None:
    """Create a token for the user EMAIL and print it (it is shown only this once)."""
    cfg = settings()
    db = database(cfg)
    with friendly_errors():
        info, secret = AccountService(db).create_token(
            SYSTEM, email, name, days if days is not None else cfg.token_default_days
        )
    console.print(
        f"Token {info.id} ({info.name}) for {info.email}; store it now:",
        style="dim",
        highlight=False,
    )
    print(secret)


@app.command("list")
def list_tokens(email: str | None = typer.Argument(None)) -> None:
    """List tokens (of one user when EMAIL is given)."""
    db = database(settings())
    with friendly_errors():
        tokens = AccountService(db).list_tokens(SYSTEM, email)
    table = Table("id", "user", "name", "created", "expires", "revoked")
    for t in tokens:
        table.add_row(
            str(t.id),
            t.email,
            t.name,
            isoformat(t.created) or "",
            isoformat(t.expires_at) or "never",
            "yes" if t.revoked else "no",
        )
    console.print(table)


@app.command("revoke")
def revoke(token_id: int) -> None:
    """Revoke the token with TOKEN_ID (see `cairn tokens list`)."""
    db = database(settings())
    with friendly_errors():
        info = AccountService(db).revoke_token(SYSTEM, token_id)
    console.print(f"Token {info.id} ({info.name}) of {info.email} revoked.")
