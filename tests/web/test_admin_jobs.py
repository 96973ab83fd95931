"""The jobs administration page in Chromium: who may see it, the list by state, the full
error of a failed job, retrying it, purging finished jobs, and bad input."""

from __future__ import annotations

import re
from typing import Any

import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from cairn.db.jobs import FAILED, QUEUED, Job, enqueue
from cairn.jobs import JobContext, JobRegistry, JobRunner
from tests.factories import User
from tests.web.browser import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot
from tests.web.test_admin import logged_in_session

JOBS = "/administration/jobs"


def _fail(job: JobContext) -> None:
    raise ConnectionError("DataCite answered 503 Service Unavailable")


def _make_jobs(db: Any) -> dict[str, int]:
    """One done, one failed and one queued job (of a kind nobody runs)."""
    with db.write() as uow:
        ids = {
            "done": enqueue(uow.session, "test.ok").id,
            "failed": enqueue(uow.session, "test.fail", {"record": "abcd-1234"}, max_attempts=1).id,
            "queued": enqueue(uow.session, "doi.register", {"record": "wxyz-5678"}).id,
        }
    registry = JobRegistry()
    registry.register("test.ok", lambda job: None)
    registry.register("test.fail", _fail)
    runner = JobRunner(db, registry)
    while runner.run_once():
        pass
    return ids


def _state(db: Any, job_id: int) -> str | None:
    with db.read() as session:
        return session.scalar(select(Job.state).where(Job.id == job_id))


def test_only_admins_see_the_jobs_page(page: Page, base: str, user: User) -> None:
    response = requests.get(f"{base}{JOBS}", allow_redirects=False, timeout=10)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    log_in(page, base, user.email)
    answer = page.goto(f"{base}{JOBS}")
    assert answer is not None and answer.status == 403


def test_list_filter_see_the_error_and_retry(page: Page, base: str, admin: User, db: Any) -> None:
    ids = _make_jobs(db)
    log_in(page, base, admin.email)
    page.goto(f"{base}/administration/users")
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Jobs").click()
    expect(page).to_have_url(f"{base}{JOBS}")
    expect(page.get_by_role("heading", name="Background jobs")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_role("link", name="Failed (1)")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "admin-jobs")

    page.get_by_role("link", name="Failed (1)").click()
    expect(page).to_have_url(f"{base}{JOBS}?state=failed")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("rowheader")).to_have_text(str(ids["failed"]))
    summary = rows.first.locator("summary")
    expect(summary).to_have_text("ConnectionError: DataCite answered 503 Service Unavailable")
    summary.click()
    expect(rows.first.locator("pre")).to_contain_text("Traceback")
    assert_accessible(page)

    page.get_by_role("button", name=f"Retry job {ids['failed']}").click()
    expect(page).to_have_url(f"{base}{JOBS}?state=failed&page=1")
    expect(page.get_by_role("status")).to_have_text(
        f"Job {ids['failed']} (test.fail) is queued again."
    )
    expect(page.locator("tbody tr")).to_have_count(0)
    expect(page.get_by_text("No failed jobs.")).to_be_visible()
    assert _state(db, ids["failed"]) == QUEUED


def test_purge_finished_jobs_and_bad_input(page: Page, base: str, admin: User, db: Any) -> None:
    ids = _make_jobs(db)
    log_in(page, base, admin.email)
    page.goto(f"{base}{JOBS}")
    page.get_by_label("Finished more than … days ago").fill("soon")
    page.get_by_role("button", name="Purge").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was purged")
    expect(page.get_by_text("Must be a number of days, 0 or more.")).to_be_visible()
    expect(page.get_by_label("Finished more than … days ago")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(page)
    assert _state(db, ids["done"]) == "done"

    page.get_by_label("Finished more than … days ago").fill("0")
    page.get_by_label("Done and failed").check()
    page.get_by_role("button", name="Purge").click()
    expect(page.get_by_role("status")).to_have_text("Purged 2 jobs.")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text("doi.register")
    assert _state(db, ids["done"]) is None and _state(db, ids["failed"]) is None
    assert _state(db, ids["queued"]) == QUEUED


def test_bad_requests_get_4xx_pages_and_forms_need_the_csrf_token(
    base: str, admin: User, db: Any
) -> None:
    ids = _make_jobs(db)
    session = logged_in_session(base, admin.email)
    bad = session.get(f"{base}{JOBS}?state=stuck", timeout=10)
    assert bad.status_code == 400 and "state must be one of" in bad.text
    assert session.get(f"{base}{JOBS}?page=x", timeout=10).status_code == 200
    no_token = session.post(f"{base}{JOBS}/{ids['failed']}/retry", data={}, timeout=10)
    assert no_token.status_code == 403 and _state(db, ids["failed"]) == FAILED
    html = session.get(f"{base}{JOBS}", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    missing = session.post(
        f"{base}{JOBS}/99999999/retry", data={"csrf_token": token.group(1)}, timeout=10
    )
    assert missing.status_code == 404
    done = session.post(
        f"{base}{JOBS}/{ids['done']}/retry", data={"csrf_token": token.group(1)}, timeout=10
    )
    assert done.status_code == 200 and "only failed jobs are retried" in done.text
    odd = session.post(
        f"{base}{JOBS}/purge",
        data={"csrf_token": token.group(1), "purge_state": "queued", "older_than": "0"},
        timeout=10,
    )
    assert odd.status_code == 400 and "Choose finished, done or failed jobs." in odd.text
    assert _state(db, ids["queued"]) == QUEUED
