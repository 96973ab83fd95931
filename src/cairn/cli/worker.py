"""``cairn worker``: run background jobs until stopped (SIGTERM or Ctrl-C)."""

from __future__ import annotations

import importlib
import signal
import threading
from types import FrameType

import typer

from cairn.app import build_job_runner, build_storages
from cairn.cli.common import console, database, err_console, settings
from cairn.db import Database
from cairn.jobs import JobRegistry


def _registry(modules: list[str], db: Database) -> JobRegistry:
    """The job kinds that modules add through their ``register_jobs(registry, db)``."""
    registry = JobRegistry()
    for name in modules:
        try:
            module = importlib.import_module(name)
            register = module.register_jobs
        except (ImportError, AttributeError) as exc:
            err_console.print(f"[red]Error:[/red] --handlers {name}: {exc}")
            raise typer.Exit(2) from exc
        register(registry, db)
    return registry


def worker(
    concurrency: int = typer.Option(1, min=1, max=64, help="Jobs run at once (threads)."),
    handlers: list[str] = typer.Option(
        [],
        "--handlers",
        help="Python module whose register_jobs(registry, db) adds job kinds (repeatable).",
    ),
    lease: float = typer.Option(
        60.0,
        min=1,
        help="Seconds a job stays reserved if this worker dies (renewed while it runs).",
    ),
    grace: float = typer.Option(
        30.0, min=0, help="On stop, seconds to let running jobs finish before giving them back."
    ),
) -> None:
    """Run background jobs until SIGTERM or Ctrl-C.

    Start as many as you like, on any machine that reaches the database: no job runs twice.
    On stop, running jobs finish (or are given back after --grace seconds)."""
    cfg = settings()
    db = database(cfg)
    registry = _registry(handlers, db)
    runner = build_job_runner(cfg, db, build_storages(cfg), registry, concurrency=concurrency)
    runner.lease = lease
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner.start()
    console.print(
        f"Worker {runner.name}: {concurrency} at once, kinds {', '.join(runner.registry.kinds)}",
        markup=False,
    )
    while not stopping.wait(1.0):
        pass
    console.print("Stopping: letting running jobs finish…")
    released = runner.stop(grace)
    if released:
        console.print(f"Gave back unfinished jobs: {', '.join(map(str, released))}")
    db.dispose()
