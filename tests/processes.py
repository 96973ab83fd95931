"""Running ``cairn`` as a real process, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def cairn_env(instance: Path, **settings: str) -> dict[str, str]:
    """The environment of a ``cairn`` process: none of the test run's ``CAIRN_*`` settings
    (the instance's own database is SQLite), the instance, and ``settings``
    (``CAIRN_DATABASE_URL=...``); wide enough that tables are not folded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAIRN_")}
    env.update(CAIRN_INSTANCE=str(instance), COLUMNS="200", **settings)
    return env


def run_cairn(
    instance: Path, *args: str, timeout: float = 180, **settings: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cairn", *args],
        env=cairn_env(instance, **settings),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
