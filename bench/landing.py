"""Benchmark the record landing page of a record with 100 files against a real ``cairn serve``.

    python -m bench.landing [--files 100] [--requests 1000] [--database-url URL]

On a fresh instance (SQLite by default) it creates, through the services, a record with
rich metadata and ``--files`` files in nested folders, and another such record in two
versions; then starts ``cairn serve`` and times ``GET /records/{id}`` of the first record
and of the older version of the other (its page also lists the versions, which the search
service loads with their files, and shows the newer-version banner), anonymously, one
request after another over a keep-alive connection (the lightest real client, so the
figures are the server's time plus a loopback round trip). Prints the result and writes it
as JSON to ``bench/results/landing.json``.

Target (issue 5): p95 <= 30 ms server time for a landing page with 100 files.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.lifecycle import (
    BODY,
    Client,
    free_port,
    machine,
    percentile,
    rss_mb,
    start_server,
)
from cairn.app import create_app
from cairn.core.identity import SYSTEM, Identity
from cairn.db import Database
from cairn.db.migrate import upgrade
from cairn.settings import ensure_instance, load_settings

RESULTS = Path(__file__).parent / "results"
TARGET_P95_MS = 30.0
_NUMBER = itertools.count(1)


def record_body(files: bool, doi: str) -> dict[str, Any]:
    body = copy.deepcopy(BODY)
    body["files"] = {"enabled": files}
    body["pids"] = {"doi": {"identifier": doi, "provider": "external"}}  # one record each
    metadata = body["metadata"]
    metadata["title"] = "Landing page benchmark: hourly river gauges"
    metadata["version"] = "1.0"
    metadata["related_identifiers"] = [
        {"identifier": "10.1234/paper.7", "scheme": "doi", "relation_type": {"id": "cites"}}
    ]
    metadata["funding"] = [{"funder": {"name": "Bench Foundation"}}]
    return body


def file_key(index: int) -> str:
    """Keys spread over two levels of folders, as datasets often are."""
    return f"station-{index % 5}/year-{2000 + index % 4}/readings-{index:04d}.csv"


def create_record(services: Any, owner: Identity, count: int, versions: int = 1) -> list[str]:
    """A record with ``count`` files in ``versions`` published versions; their ids."""
    records, files = services.records, services.files
    draft = records.create(owner, record_body(True, f"10.5555/bench-landing-{next(_NUMBER)}"))
    keys = [file_key(i) for i in range(count)]
    files.init_files(owner, draft.id, [{"key": key} for key in keys])
    for i, key in enumerate(keys):
        files.upload_content(owner, draft.id, key, [f"time,level\n{i},{i * 0.1:.1f}\n".encode()])
        files.commit(owner, draft.id, key)
    ids = [records.publish(owner, draft.id).id]
    for number in range(2, versions + 1):
        draft = records.new_version(owner, ids[-1])
        files.import_files(owner, draft.id)
        body = record_body(True, "")
        body["metadata"].update(version=f"{number}.0", publication_date="2025-01-01")
        body.pop("pids")
        records.update_draft(owner, draft.id, body)
        ids.append(records.publish(owner, draft.id).id)
    return ids


def time_page(client: Client, path: str, args: argparse.Namespace, banner: bool) -> dict[str, Any]:
    """Check the page once, then time ``args.requests`` GETs of it (after a warm-up)."""
    for _ in range(args.warmup):
        status, page = client.request("GET", path)
        assert status == 200, page[:300]
    html = page.decode()
    shown = html.count('class="file"')
    assert shown == args.files, f"{path} lists {shown} files, not {args.files}"
    assert ("A newer version of this record is available" in html) == banner
    times = []
    for _ in range(args.requests):
        start = time.perf_counter()
        status, _ = client.request("GET", path)
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200
    return {
        "path": path,
        "page_bytes": len(page),
        "p50": round(statistics.median(times), 2),
        "p95": round(percentile(times, 95), 2),
        "max": round(max(times), 2),
        "mean": round(statistics.fmean(times), 2),
        "n": len(times),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="cairn-landing-bench-"))
    instance = tmp / "instance"
    port = free_port()
    overrides: dict[str, Any] = {"instance": instance, "port": port, "log_level": "warning"}
    if args.database_url:
        overrides["database_url"] = args.database_url
    settings = ensure_instance(load_settings({}, **overrides))
    db = Database(settings.effective_database_url, settings.db_pool_size)
    try:
        upgrade(db)
        app = create_app(settings, db)
        services = app.state.services
        try:
            owner = services.accounts.create_user(SYSTEM, "bench@example.org")
            _, token = services.accounts.create_token(SYSTEM, owner.email, "bench")
            identity = services.accounts.identity_for_token(token)
            started = time.perf_counter()
            (single,) = create_record(services, identity, args.files)
            first, second = create_record(services, identity, args.files, versions=2)
            setup_s = time.perf_counter() - started
        finally:
            services.search.indexer.stop()
            services.search.engine.close()
        db.dispose()

        env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
        env.update(
            {"CAIRN_INSTANCE": str(instance), "CAIRN_PORT": str(port), "CAIRN_LOG_LEVEL": "warning"}
        )
        if args.database_url:
            env["CAIRN_DATABASE_URL"] = args.database_url
        server, client = start_server(env, port, token)
        client.headers = {}  # anonymous, as most visitors
        try:
            one_version = time_page(client, f"/records/{single}", args, banner=False)
            older_version = time_page(client, f"/records/{first}", args, banner=True)
            rss = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        db.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    worst = max(one_version["p95"], older_version["p95"])
    return {
        "benchmark": "landing",
        "database": "postgresql" if args.database_url else "sqlite",
        "files": args.files,
        "setup_seconds": round(setup_s, 2),
        "landing_ms": {
            "one_version": one_version,
            "older_of_two_versions": {**older_version, "newer": second},
        },
        "rss_mb_after": round(rss, 1),
        "targets": {"landing_p95_ms": f"<= {TARGET_P95_MS:g}"},
        "meets_target": worst <= TARGET_P95_MS,
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database")
    parser.add_argument("--output", type=Path, default=RESULTS / "landing.json")
    args = parser.parse_args()
    result = run(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
