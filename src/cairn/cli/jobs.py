"""``cairn jobs``: look at background jobs, retry failed ones, purge finished ones."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from cairn.cli.common import console, database, friendly_errors, settings
from cairn.core.identity import SYSTEM
from cairn.core.timeutil import isoformat
from cairn.db.job_admin import JobAdministration
from cairn.db.jobs import STATES

app = typer.Typer(help="Background jobs: list, retry, purge.", no_args_is_help=True)
STATE_HELP = f"Only jobs in this state: {', '.join(STATES)}."


def _admin() -> JobAdministration:
    return JobAdministration(database(settings()))


@app.command("list")
def list_jobs(
    state: str | None = typer.Option(None, "--state", help=STATE_HELP),
    limit: int = typer.Option(50, min=1, max=200, help="How many jobs, newest first."),
) -> None:
    """Jobs, newest first, with the number in each state."""
    with friendly_errors():
        found = _admin().search(SYSTEM, state, 1, limit)
    table = Table("id", "kind", "state", "attempts", "run after", "held by", "updated", "error")
    for job in found.jobs:
        table.add_row(
            str(job.id),
            escape(job.kind),
            job.state,
            f"{job.attempts}/{job.max_attempts}",
            isoformat(job.run_after) or "-",
            escape(job.locked_by or "-"),
            isoformat(job.updated) or "-",
            escape(job.error_summary or "-"),
        )
    console.print(table)
    counts = ", ".join(f"{name} {count}" for name, count in found.counts.items())
    console.print(f"{found.total} jobs shown of {sum(found.counts.values())} ({counts}).")


@app.command("show")
def show(job_id: int = typer.Argument(..., help="The job's id.")) -> None:
    """One job with its payload and full error text."""
    with friendly_errors():
        job = _admin().get(SYSTEM, job_id)
    console.print(f"job {job.id}: {escape(job.kind)}, {job.state}, attempt {job.attempts}")
    console.print(f"payload: {escape(str(job.payload))}")
    for label, value in (
        ("created", job.created),
        ("run after", job.run_after),
        ("finished", job.finished),
    ):
        console.print(f"{label}: {isoformat(value) or '-'}")
    if job.last_error:
        console.print("last error:", markup=False)
        console.print(job.last_error, markup=False, highlight=False)


@app.command("retry")
def retry(job_id: int = typer.Argument(..., help="The id of a failed job.")) -> None:
    """Queue a failed job again, to run now with all its attempts."""
    with friendly_errors():
        job = _admin().retry(SYSTEM, job_id)
    console.print(f"Job {job.id} ({escape(job.kind)}) queued again.")


@app.command("purge")
def purge(
    state: list[str] = typer.Option(
        [], "--state", help="done or failed (repeatable); default: both."
    ),
    older_than: float = typer.Option(
        0, "--older-than", min=0, help="Only jobs that finished more than DAYS days ago."
    ),
) -> None:
    """Delete finished jobs; queued and running ones are never purged."""
    with friendly_errors():
        removed = _admin().purge(SYSTEM, state or None, older_than)
    console.print(f"Purged {removed} jobs.")
