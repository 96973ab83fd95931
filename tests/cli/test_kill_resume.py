"""A server killed with SIGKILL in the middle of a tus upload: after a restart nothing is
committed, and the upload resumes from the bytes that reached storage."""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from tusclient import client as tus

from tests.cli.test_commands import _env, _free_port, cairn
from tests.factories import minimal_record

MiB = 1 << 20


def _start(instance, port):  # type: ignore[no-untyped-def]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cairn", "serve", "--port", str(port)],
        env=_env(instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/records", timeout=2)
            return proc
        except requests.ConnectionError:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)


@pytest.mark.slow
def test_kill_9_mid_upload_then_resume(tmp_path):
    instance = tmp_path / "inst"
    cairn(instance, "db", "upgrade")
    cairn(instance, "users", "create", "k@example.org")
    token = cairn(instance, "tokens", "create", "k@example.org").stdout.split()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(instance, port)
    try:
        body = minimal_record()
        body["files"] = {"enabled": True}
        rid = requests.post(f"{base}/api/records", json=body, headers=auth, timeout=10).json()["id"]
        data = os.urandom(4 * MiB)
        r = requests.post(
            f"{base}/api/records/{rid}/draft/uploads",
            timeout=10,
            headers={
                **auth,
                "Tus-Resumable": "1.0.0",
                "Upload-Length": str(len(data)),
                "Upload-Metadata": "filename a2lsbGVkLmJpbg==",
            },
        )
        url = r.headers["Location"]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.putrequest("PATCH", url.removeprefix(base))
        for name, value in {
            **auth,
            "Tus-Resumable": "1.0.0",
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
            "Content-Length": str(len(data)),
        }.items():
            conn.putheader(name, value)
        conn.endheaders()
        conn.send(data[: 2 * MiB + 12345])  # about half, then the server dies
        time.sleep(1.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        conn.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    proc = _start(instance, port)
    try:
        entry = requests.get(
            f"{base}/api/records/{rid}/draft/files/killed.bin", headers=auth, timeout=10
        ).json()
        assert entry["status"] == "pending"  # nothing committed
        head = requests.head(url, headers={**auth, "Tus-Resumable": "1.0.0"}, timeout=10)
        offset = int(head.headers["Upload-Offset"])
        assert 0 < offset <= 2 * MiB + 12345
        uploader = tus.TusClient(url.rsplit("/", 1)[0], headers=auth).uploader(
            file_stream=io.BytesIO(data), url=url, chunk_size=MiB
        )
        assert uploader.get_offset() == offset
        uploader.upload()
        entry = requests.get(
            f"{base}/api/records/{rid}/draft/files/killed.bin", headers=auth, timeout=10
        ).json()
        assert entry["status"] == "completed"
        assert entry["checksum"] == "md5:" + hashlib.md5(data).hexdigest()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
