"""The landing page tells a record's owner how its DOI registration stands; others see only
the DOI."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.service.test_dois import _run_jobs, doi_app, make, standin, svc  # noqa: F401
from tests.web.browser import assert_accessible, log_in


def test_owner_sees_a_failed_registration_then_registered(
    page: Page,
    doi_app,  # noqa: F811
    make,  # noqa: F811
    standin,  # noqa: F811
) -> None:
    owner = make.user()
    standin.outage = True
    record = make.record(owner)
    assert doi_app.app.state.jobs.run_once()  # the first attempt meets the outage
    landing = f"{doi_app.base}/records/{record.id}"

    page.goto(landing)  # anonymous: the DOI, not its state
    expect(page.locator(".doi-value")).to_have_text(record.data["pids"]["doi"]["identifier"])
    expect(page.locator("#doi-state")).to_have_count(0)

    log_in(page, doi_app.base, owner.email)
    page.goto(landing)
    state = page.locator("#doi-state")
    expect(state).to_contain_text("failed")
    expect(state).to_contain_text("503")
    expect(state).to_contain_text("tries again automatically")
    assert_accessible(page)

    standin.outage = False
    _run_jobs(doi_app)
    page.reload()
    expect(state).to_contain_text("registered")
    expect(state).not_to_contain_text("failed")
