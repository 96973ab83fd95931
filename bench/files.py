"""Benchmark file transfer through HTTP against a real ``cairn serve``.

    python bench/files.py [--size-mb 2048] [--small-files 10000]

On a fresh instance (SQLite, local storage on the instance's disk) it measures, in one run:
single-stream upload and download throughput of one large file beside raw ``dd`` write and
read of the same size on the same disk, the server's RSS growth during each, and how many
small files per second go through init + upload + commit. Writes JSON to
``bench/results/files.json``.

Targets (issue 3): upload >= 0.7x and download >= 0.8x the raw dd figure; RSS growth < 50 MB.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench.lifecycle import cairn, free_port, rss_mb, start_server

RESULTS = Path(__file__).parent / "results"
MiB = 1 << 20


def drop_caches() -> bool:
    """Empty the page cache so reads come from the disk (needs root; False when refused)."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def dd(args: list[str]) -> float:
    """Seconds ``dd`` takes."""
    start = time.perf_counter()
    subprocess.run(["dd", *args, "status=none"], check=True)
    return time.perf_counter() - start


class RssSampler:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.running = pid, 0.0, True
        self.base = rss_mb(pid)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.05)

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return round(self.peak - self.base, 1)


def run(args: argparse.Namespace) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="cairn-files-bench-", dir=args.dir))
    size = args.size_mb * MiB
    raw = tmp / "raw.bin"
    write_s = dd(["if=/dev/zero", f"of={raw}", "bs=1M", f"count={args.size_mb}", "conv=fsync"])
    dropped = drop_caches()
    read_s = dd([f"if={raw}", "of=/dev/null", "bs=1M"])
    raw.unlink()

    port = free_port()
    env = {
        **os.environ,
        "CAIRN_INSTANCE": str(tmp / "instance"),
        "CAIRN_PORT": str(port),
        "CAIRN_LOG_LEVEL": "warning",
        "CAIRN_FILES_MAX_PER_RECORD": "100000",
        "CAIRN_FILES_QUOTA": str(size * 4),
        "CAIRN_FILES_MAX_FILE_SIZE": str(size * 2),
    }
    cairn(env, "db", "upgrade")
    cairn(env, "users", "create", "bench@example.org")
    token = cairn(env, "tokens", "create", "bench@example.org").strip().splitlines()[-1]
    server, client = start_server(env, port, token)
    try:
        body = {
            "access": {"record": "public", "files": "public"},
            "files": {"enabled": True},
            "metadata": {
                "title": "Files benchmark",
                "resource_type": {"id": "dataset"},
                "publication_date": "2024",
                "creators": [{"person_or_org": {"type": "personal", "family_name": "Doe"}}],
            },
        }
        _, raw_draft = client.request("POST", "/api/records", body)
        rid = json.loads(raw_draft)["id"]
        client.request("POST", f"/api/records/{rid}/draft/files", [{"key": "big.bin"}])

        # one large file up, streamed from a generator (the client holds 1 MiB at a time)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        chunk = bytes(range(256)) * 4096
        sampler = RssSampler(server.pid)
        start = time.perf_counter()
        conn.putrequest("PUT", f"/api/records/{rid}/draft/files/big.bin/content")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        for _ in range(args.size_mb):
            conn.send(chunk)
        response = conn.getresponse()
        response.read()
        up_s = time.perf_counter() - start
        up_rss = sampler.stop()
        assert response.status == 200, response.status
        status, raw_commit = client.request(
            "POST", f"/api/records/{rid}/draft/files/big.bin/commit"
        )
        assert status == 200, raw_commit

        sampler = RssSampler(server.pid)
        start = time.perf_counter()
        conn.request(
            "GET",
            f"/api/records/{rid}/draft/files/big.bin/content",
            headers={"Authorization": f"Bearer {token}"},
        )
        response = conn.getresponse()
        received = 0
        while True:
            data = response.read(MiB)
            if not data:
                break
            received += len(data)
        down_s = time.perf_counter() - start
        down_rss = sampler.stop()
        assert received == size, received

        # many small files: init in batches, then upload + commit each
        n = args.small_files
        _, raw_draft = client.request("POST", "/api/records", body)
        small = json.loads(raw_draft)["id"]
        start = time.perf_counter()
        for first in range(0, n, 1000):
            keys = [{"key": f"d{i // 1000}/f{i}.txt"} for i in range(first, min(n, first + 1000))]
            status, _ = client.request("POST", f"/api/records/{small}/draft/files", keys)
            assert status == 201
        client.headers["Content-Type"] = "application/octet-stream"
        for i in range(n):
            key = f"d{i // 1000}/f{i}.txt"
            client.conn.request(
                "PUT",
                f"/api/records/{small}/draft/files/{key}/content",
                body=b"x" * 100,
                headers=client.headers,
            )
            response = client.conn.getresponse()
            response.read()
            assert response.status == 200
            client.conn.request(
                "POST", f"/api/records/{small}/draft/files/{key}/commit", headers=client.headers
            )
            response = client.conn.getresponse()
            response.read()
            assert response.status == 200
        small_s = time.perf_counter() - start
        client.headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        status, _ = client.request("POST", f"/api/records/{small}/draft/actions/publish")
        publish_s = time.perf_counter() - start
        assert status == 202
        start = time.perf_counter()
        status, _ = client.request("GET", f"/api/records/{small}/files?size=100&page=50")
        page_ms = (time.perf_counter() - start) * 1000
        assert status == 200
        status, raw_v2 = client.request("POST", f"/api/records/{small}/versions")
        v2 = json.loads(raw_v2)["id"]
        start = time.perf_counter()
        status, _ = client.request("POST", f"/api/records/{v2}/draft/actions/files-import")
        import_s = time.perf_counter() - start
        assert status == 201
    finally:
        server.terminate()
        server.wait(timeout=20)

    mb = args.size_mb
    return {
        "benchmark": "files",
        "size_mb": mb,
        "raw_dd": {"write_mb_s": round(mb / write_s, 1), "read_mb_s": round(mb / read_s, 1)},
        "upload": {
            "mb_s": round(mb / up_s, 1),
            "ratio_to_dd": round(write_s / up_s, 2),
            "rss_growth_mb": up_rss,
        },
        "download": {
            "mb_s": round(mb / down_s, 1),
            "ratio_to_dd": round(read_s / down_s, 2),
            "rss_growth_mb": down_rss,
        },
        "small_files": {
            "count": n,
            "init_upload_commit_per_s": round(n / small_s, 1),
            "publish_s": round(publish_s, 2),
            "files_import_s": round(import_s, 2),
            "list_page_ms": round(page_ms, 1),
        },
        "page_cache_dropped_before_reads": dropped,
        "targets": {
            "upload_ratio": ">= 0.7",
            "download_ratio": ">= 0.8",
            "rss_growth_mb": "< 50",
            "publish_10k_s": "<= 5",
            "files_import_10k_s": "<= 2",
            "list_page_ms": "<= 50",
        },
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument("--small-files", type=int, default=10_000)
    parser.add_argument("--dir", default=None, help="Folder on the disk to measure.")
    parser.add_argument("--output", type=Path, default=RESULTS / "files.json")
    args = parser.parse_args()
    result = run(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
