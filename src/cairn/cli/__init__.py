"""The ``cairn`` command line."""

from __future__ import annotations

import typer

from cairn.cli import db as db_cmd
from cairn.cli import files as files_cmd
from cairn.cli import index as index_cmd
from cairn.cli import jobs as jobs_cmd
from cairn.cli import serve as serve_cmd
from cairn.cli import tokens as tokens_cmd
from cairn.cli import users as users_cmd
from cairn.cli import worker as worker_cmd

app = typer.Typer(
    help="Cairn, a research data repository.", no_args_is_help=True, add_completion=False
)
app.command("serve")(serve_cmd.serve)
app.command("worker")(worker_cmd.worker)
app.add_typer(db_cmd.app, name="db")
app.add_typer(users_cmd.app, name="users")
app.add_typer(tokens_cmd.app, name="tokens")
app.add_typer(files_cmd.app, name="files")
app.add_typer(files_cmd.fixity_app, name="fixity")
app.add_typer(index_cmd.app, name="index")
app.add_typer(jobs_cmd.app, name="jobs")


def main() -> None:
    app()
