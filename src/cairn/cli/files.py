"""``cairn files`` and ``cairn fixity``: storage housekeeping."""

from __future__ import annotations

import json
from datetime import datetime

import typer
from rich.table import Table

from cairn.app import build_storages
from cairn.cli.common import (
    console,
    database,
    err_console,
    friendly_errors,
    progress_bar,
    settings,
)
from cairn.core.identity import SYSTEM
from cairn.core.timeutil import utcnow
from cairn.files.maintenance import FilesMaintenance
from cairn.settings import Settings

app = typer.Typer(
    help="Stored files: garbage collection, moving between backends.", no_args_is_help=True
)
fixity_app = typer.Typer(help="Check stored files against their checksums.", no_args_is_help=True)


def _maintenance() -> tuple[FilesMaintenance, Settings]:
    cfg = settings()
    db = database(cfg)
    return FilesMaintenance(db, build_storages(cfg)), cfg


@fixity_app.command("check")
def fixity_check(
    since: datetime | None = typer.Option(None, help="Only files stored since this date."),
    sample: float | None = typer.Option(
        None, min=0.0, max=1.0, help="Check a random fraction (0-1) of the files."
    ),
) -> None:
    """Re-read stored files and compare their checksums. Exit code 1 when any fails;
    the report is printed and written to <instance>/reports/."""
    maintenance, cfg = _maintenance()
    with friendly_errors():
        ids = maintenance.blobs_to_check(SYSTEM, since, sample)
        with progress_bar() as bar:
            task = bar.add_task("Checking files", total=len(ids))
            report = maintenance.check(SYSTEM, ids, lambda n: bar.advance(task, n))
    reports = cfg.instance / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    path = reports / f"fixity-{utcnow().strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(report.to_dict(), indent=2))
    if report.failures:
        table = Table("blob", "backend", "where", "problem", title="Fixity failures")
        for failure in report.failures:
            keys = failure["keys"]
            where = ", ".join(keys) if isinstance(keys, list) else "-"
            table.add_row(
                str(failure["blob"]), str(failure["backend"]), where or "-", str(failure["detail"])
            )
        err_console.print(table)
        err_console.print(
            f"{len(report.failures)} of {report.checked} files FAILED; report: {path}"
        )
        raise typer.Exit(1)
    console.print(f"{report.checked} files checked, all intact; report: {path}")


@app.command("gc")
def gc(
    grace_hours: int | None = typer.Option(
        None,
        min=0,
        help="Keep unreferenced files younger than this (setting files_gc_grace_hours).",
    ),
) -> None:
    """Delete stored bytes no draft, record or upload refers to any more."""
    maintenance, cfg = _maintenance()
    hours = grace_hours if grace_hours is not None else cfg.files_gc_grace_hours
    with friendly_errors():
        garbage = maintenance.garbage(SYSTEM, hours)
        with progress_bar() as bar:
            task = bar.add_task("Removing unreferenced files", total=len(garbage))
            result = maintenance.collect(SYSTEM, hours, lambda n: bar.advance(task, n))
    console.print(
        f"Removed {result['blobs']} unreferenced files, {result['stray']} stray blobs, "
        f"{result['expired_uploads']} expired and {result['abandoned_uploads']} abandoned uploads."
    )


@app.command("migrate")
def migrate(to: str = typer.Option(..., "--to", help="Target backend: local or s3.")) -> None:
    """Move every stored file to another backend (copy, verify, switch, delete)."""
    maintenance, _cfg = _maintenance()
    if to not in maintenance.storages:
        err_console.print(f"[red]Error:[/red] backend {to!r} is not configured.")
        raise typer.Exit(2)
    with friendly_errors(), progress_bar() as bar:
        task = bar.add_task(f"Moving files to {to}", total=None)
        moved = maintenance.migrate(SYSTEM, to, lambda n: bar.advance(task, n))
    console.print(f"Moved {moved} files to {to}.")
