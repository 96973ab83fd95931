"""Benchmark the record lifecycle through HTTP against a real ``cairn serve``.

    python bench/lifecycle.py [--records 10000] [--reads 2000] [--database-url URL]

Starts ``cairn serve`` on a fresh instance (SQLite by default), creates and publishes
``--records`` records one after another, then times ``GET /api/records/{id}`` at
concurrency 1 and 8, and reads the server's resident memory when idle. Prints the
results and writes them as JSON to ``bench/results/lifecycle.json``.

Targets (issue 2): >= 150 create+publish/s sequentially, GET p95 <= 10 ms at
concurrency 1, idle RSS <= 150 MB.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

RESULTS = Path(__file__).parent / "results"
BODY = {
    "access": {"record": "public", "files": "public"},
    "files": {"enabled": False},
    "metadata": {
        "creators": [
            {
                "person_or_org": {
                    "type": "personal",
                    "family_name": "Doe",
                    "given_name": "Jane",
                    "identifiers": [{"scheme": "orcid", "identifier": "0000-0002-1825-0097"}],
                },
                "affiliations": [{"name": "University of Somewhere"}],
            },
        ],
        "title": "Benchmark record",
        "description": "<p>A record created by the <b>lifecycle</b> benchmark.</p>",
        "publication_date": "2024-05-01",
        "publisher": "Cairn",
        "resource_type": {"id": "dataset"},
        "rights": [{"id": "cc-by-4.0"}],
        "languages": [{"id": "eng"}],
        "subjects": [{"subject": "benchmarks"}],
    },
}


class Client:
    """A keep-alive HTTP/1.1 connection from the standard library: the lightest real client,
    so the figures show the server rather than a client library's overhead."""

    def __init__(self, base: str, token: str | None = None) -> None:
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else None
        try:
            self.conn.request(method, path, body=payload, headers=self.headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # the server closed an idle keep-alive connection: reconnect once
            self.conn.close()
            self.conn.request(method, path, body=payload, headers=self.headers)
            response = self.conn.getresponse()
        return response.status, response.read()


def start_server(
    env: dict[str, str], port: int, token: str
) -> tuple[subprocess.Popen[bytes], Client]:
    """Start ``cairn serve`` with ``env`` on ``port``; return once it answers, with a client
    holding ``token``."""
    server = subprocess.Popen(
        [sys.executable, "-m", "cairn", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = Client(f"http://127.0.0.1:{port}", token)
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _ = client.request("GET", "/api/records?size=1")
            if status == 200:
                return server, client
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise RuntimeError("cairn serve did not start")
        time.sleep(0.2)
        client.conn.close()


def machine() -> dict[str, object]:
    """What every benchmark result records about the machine it ran on."""
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory in MB; ``field="RssAnon"`` leaves out mapped files (such as the
    search index's pages), which the kernel can drop at any time."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def cairn(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "cairn", *args], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def timed_gets(base: str, ids: list[str], count: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    client = Client(base)
    times = []
    for _ in range(count):
        rid = rng.choice(ids)
        start = time.perf_counter()
        status, body = client.request("GET", f"/api/records/{rid}")
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, body
    return times


def run(args: argparse.Namespace) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="cairn-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "CAIRN_INSTANCE": str(tmp / "instance"),
        "CAIRN_PORT": str(port),
        "CAIRN_LOG_LEVEL": "warning",
    }
    if args.database_url:
        env["CAIRN_DATABASE_URL"] = args.database_url
    cairn(env, "db", "upgrade")
    cairn(env, "users", "create", "bench@example.org")
    token = cairn(env, "tokens", "create", "bench@example.org").strip().splitlines()[-1]
    server, client = start_server(env, port, token)
    base = f"http://127.0.0.1:{port}"
    try:
        time.sleep(1)
        rss_start = rss_mb(server.pid)

        ids: list[str] = []
        start = time.perf_counter()
        for i in range(args.records):
            body = json.loads(json.dumps(BODY))
            body["metadata"]["title"] = f"Benchmark record {i}"
            status, raw = client.request("POST", "/api/records", body)
            assert status == 201, raw
            rid = json.loads(raw)["id"]
            status, raw = client.request("POST", f"/api/records/{rid}/draft/actions/publish")
            assert status == 202, raw
            ids.append(rid)
            if args.progress and (i + 1) % 1000 == 0:
                print(f"  {i + 1} published", file=sys.stderr)
        elapsed = time.perf_counter() - start
        rate = args.records / elapsed

        timed_gets(base, ids, 200, seed=0)  # warm-up
        c1 = timed_gets(base, ids, args.reads, seed=1)
        c8: list[float] = []
        lock = threading.Lock()

        def worker(seed: int) -> None:
            got = timed_gets(base, ids, args.reads // 8, seed)
            with lock:
                c8.extend(got)

        threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
        t8 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t8 = time.perf_counter() - t8
        time.sleep(2)
        rss_idle = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    return {
        "benchmark": "lifecycle",
        "database": "postgresql" if args.database_url else "sqlite",
        "records": args.records,
        "create_publish_per_s": round(rate, 1),
        "create_publish_seconds": round(elapsed, 2),
        "get_c1_ms": {
            "p50": round(statistics.median(c1), 2),
            "p95": round(percentile(c1, 95), 2),
            "n": len(c1),
        },
        "get_c8_ms": {
            "p50": round(statistics.median(c8), 2),
            "p95": round(percentile(c8, 95), 2),
            "n": len(c8),
            "requests_per_s": round(len(c8) / t8, 1),
        },
        "rss_mb": {"after_start": round(rss_start, 1), "idle_after_load": round(rss_idle, 1)},
        "targets": {
            "create_publish_per_s": ">= 150",
            "get_c1_p95_ms": "<= 10",
            "idle_rss_mb": "<= 150",
        },
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS / "lifecycle.json")
    args = parser.parse_args()
    result = run(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
