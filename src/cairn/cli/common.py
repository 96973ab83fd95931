"""Shared CLI plumbing: settings, the database, friendly errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cairn.core.errors import CairnError, ValidationFailed
from cairn.db import Database
from cairn.db.migrate import current_revision, head_revision
from cairn.settings import Settings, SettingsError, ensure_instance, load_settings

console = Console()
err_console = Console(stderr=True)


def settings(**overrides: object) -> Settings:
    try:
        return ensure_instance(load_settings(**{k: v for k, v in overrides.items() if v}))
    except SettingsError as exc:
        err_console.print(f"[red]Error:[/red] {exc}")
        raise typer.Exit(2) from exc


def database(cfg: Settings, *, require_current: bool = True) -> Database:
    db = Database(cfg.effective_database_url, cfg.db_pool_size)
    if require_current and current_revision(db) != head_revision(db):
        err_console.print(
            "[red]Error:[/red] the database is not up to date; run [bold]cairn db upgrade[/bold]."
        )
        raise typer.Exit(2)
    return db


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn domain errors into a one-line message and exit code 1."""
    try:
        yield
    except ValidationFailed as exc:
        details = "; ".join(f"{e.field}: {' '.join(e.messages)}" for e in exc.errors)
        err_console.print(f"[red]Error:[/red] {details or exc.message}")
        raise typer.Exit(1) from exc
    except CairnError as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}")
        raise typer.Exit(1) from exc


def progress_bar() -> Progress:
    """The progress bar of long commands (on standard error, so output stays clean)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
    )
