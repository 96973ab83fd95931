"""``cairn serve``: run the web server, initialising a new instance on first start."""

from __future__ import annotations

import os

import typer
import uvicorn

from cairn.cli.common import console, database, settings
from cairn.db.migrate import upgrade


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (setting `host`)."),
    port: int | None = typer.Option(None, help="Port to listen on (setting `port`)."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """Serve Cairn. Creates the instance folder and migrates the database when needed."""
    cfg = settings(host=host, port=port)
    # the server process reads settings from the environment: hand it the same ones
    os.environ["CAIRN_HOST"], os.environ["CAIRN_PORT"] = cfg.host, str(cfg.port)
    os.environ["CAIRN_INSTANCE"] = str(cfg.instance)
    db = database(cfg, require_current=False)
    upgrade(db)
    db.dispose()
    console.print(
        f"Cairn on http://{cfg.host}:{cfg.port} (instance {cfg.instance.resolve()}, "
        f"database {'SQLite' if cfg.is_sqlite else cfg.effective_database_url.split('@')[-1]})"
    )
    uvicorn.run(
        "cairn.asgi:app",
        host=cfg.host,
        port=cfg.port,
        workers=workers,
        log_level=cfg.log_level,
        proxy_headers=True,
        access_log=cfg.log_level == "debug",
        env_file=None,
    )
