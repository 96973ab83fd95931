"""The `cairn` command line, run as a real process on a fresh instance."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from cairn.db.migrate import MIGRATIONS
from tests.processes import cairn_env, run_cairn


def _env(instance: Path) -> dict[str, str]:
    # the instance's own SQLite database: one schema state per test is not possible on the
    # shared PostgreSQL test database
    return cairn_env(instance)


def cairn(instance: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = run_cairn(instance, *args, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"cairn {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    cairn(path, "db", "upgrade")
    return path


def test_db_upgrade_is_idempotent_and_status(instance):
    cairn(instance, "db", "upgrade")
    out = cairn(instance, "db", "status").stdout
    versions = MIGRATIONS / "versions"
    head = sorted(p.name[:4] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))[-1]
    assert f"current: {head}" in out and f"head: {head}" in out
    assert (instance / "secret_key").exists() and (instance / "cairn.db").exists()


def test_users_and_tokens(instance):
    out = cairn(
        instance, "users", "create", "Admin@Example.org", "--password", "long enough", "--admin"
    ).stdout
    assert "admin@example.org" in out and "(admin)" in out
    cairn(instance, "users", "create", "someone@example.org")
    listing = cairn(instance, "users", "list").stdout
    assert "admin@example.org" in listing and "someone@example.org" in listing

    dup = cairn(instance, "users", "create", "someone@example.org", check=False)
    assert dup.returncode == 1 and "already exists" in dup.stderr
    bad = cairn(instance, "users", "create", "not-an-email", check=False)
    assert bad.returncode == 1 and "email" in bad.stderr
    short = cairn(instance, "users", "create", "x@example.org", "--password", "short", check=False)
    assert short.returncode == 1 and "password" in short.stderr

    token = cairn(instance, "tokens", "create", "someone@example.org", "--name", "laptop")
    secret = token.stdout.strip().splitlines()[-1]
    assert len(secret) >= 40
    tokens = cairn(instance, "tokens", "list").stdout
    assert "laptop" in tokens and secret not in tokens
    missing = cairn(instance, "tokens", "create", "nobody@example.org", check=False)
    assert missing.returncode == 1
    cairn(instance, "tokens", "revoke", "1")
    assert "yes" in cairn(instance, "tokens", "list", "someone@example.org").stdout
    assert cairn(instance, "tokens", "revoke", "99", check=False).returncode == 1


def test_commands_refuse_an_outdated_database(tmp_path):
    result = cairn(tmp_path / "fresh", "users", "list", check=False)
    assert result.returncode == 2 and "cairn db upgrade" in result.stderr


def test_bad_settings_are_reported(tmp_path):
    (tmp_path / "inst").mkdir()
    (tmp_path / "inst" / "cairn.toml").write_text("port = 'x'\n")
    result = cairn(tmp_path / "inst", "db", "status", check=False)
    assert result.returncode == 2 and "PORT" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_initialises_a_new_instance_and_serves_the_api(tmp_path):
    instance = tmp_path / "new-instance"
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cairn", "serve", "--port", str(port)],
        env=_env(instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = requests.get(f"{base}/api/records", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, "server exited"
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["hits"]["total"] == 0
        assert r.json()["links"]["self"].startswith(f"{base}/api/records?")
        assert requests.get(f"{base}/api/openapi.json", timeout=5).status_code == 200
        assert requests.get(f"{base}/api/docs", timeout=5).status_code == 200
        # the running server accepts a token made by the CLI meanwhile
        cairn(instance, "users", "create", "r@example.org")
        secret = cairn(instance, "tokens", "create", "r@example.org").stdout.split()[-1]
        r = requests.get(
            f"{base}/api/user/records", timeout=5, headers={"Authorization": f"Bearer {secret}"}
        )
        assert r.status_code == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
