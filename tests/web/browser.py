"""Helpers for tests in real Chromium: log in, check accessibility with axe, screenshots."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

HERE = Path(__file__).parent
SCREENSHOTS = HERE / "screenshots"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
MOBILE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "correct horse battery"  # what tests.factories gives every user


def chromium_path() -> str:
    """Debian's Chromium (Playwright must not download a browser); ``scripts/test-deps``
    installs it. ``CAIRN_TEST_CHROMIUM`` may name another binary."""
    path = os.environ.get("CAIRN_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        raise RuntimeError("Chromium is missing: run scripts/test-deps (apt-get install chromium)")
    return path


def axe_source() -> str:
    if not AXE_JS.is_file():
        raise RuntimeError("axe-core is missing: run scripts/test-deps (npm install in tests/web)")
    return AXE_JS.read_text(encoding="utf-8")


def log_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "/login" in page.url:
        raise AssertionError(f"login as {email} failed: {page.inner_text('main')[:200]}")


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[Any]:
    """Run axe-core in the page (through the DevTools protocol, so the page's CSP still
    holds for everything else) and return the violations of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("async () => await window.axe.run(document)")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in violations
    ]
    assert not violations, f"axe on {page.url}:\n" + "\n".join(details)


def screenshot(page: Page, name: str) -> None:
    """Full-page screenshots at desktop width and at 375 px, under tests/web/screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    size = page.viewport_size or DESKTOP
    page.screenshot(path=str(SCREENSHOTS / f"{safe}-desktop.png"), full_page=True)
    page.set_viewport_size(MOBILE)
    page.screenshot(path=str(SCREENSHOTS / f"{safe}-375.png"), full_page=True)
    page.set_viewport_size(size)


def assert_no_horizontal_scroll(page: Page) -> None:
    """At 375 px the page must fit: nothing wider than the viewport."""
    size = page.viewport_size or DESKTOP
    page.set_viewport_size(MOBILE)
    try:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{page.url} is {overflow}px wider than 375px"
    finally:
        page.set_viewport_size(size)
