"""The deposit form and My uploads tell a record's owner how its DOI registration stands
(registered, in progress, failed with DataCite's reason); search hits never show the state,
so anonymous visitors learn nothing of it. Against a DataCite stand-in."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.factories import Factory
from tests.service.test_dois import _run_jobs, _served, doi_app, make, standin, svc  # noqa: F401
from tests.web.browser import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot


def _identifier(record) -> str:  # type: ignore[no-untyped-def]
    return str(record.data["pids"]["doi"]["identifier"])


def test_registered_state_in_the_deposit_form_and_my_uploads(
    page: Page,
    doi_app,  # noqa: F811
    make,  # noqa: F811
    standin,  # noqa: F811
) -> None:
    owner = make.user()
    done = make.record(owner, title="Registered glacier survey")
    _run_jobs(doi_app)  # DataCite registers it
    waiting = make.record(owner, title="Waiting lake survey")  # its job has not run yet
    assert standin.get(_identifier(done)).state == "findable"
    assert standin.get(_identifier(waiting)) is None

    log_in(page, doi_app.base, owner.email)
    page.goto(f"{doi_app.base}/me/uploads")
    expect(page.locator(".upload-item")).to_have_count(2)
    expect(page.locator(f"#doi-state-{done.id}")).to_have_text("DOI registered")
    expect(page.locator(f"#doi-state-{waiting.id}")).to_have_text("DOI registering")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.goto(f"{doi_app.base}/uploads/{done.id}")  # published, no draft: the choice page
    doi = page.get_by_role("region", name="DOI")
    expect(doi.get_by_role("link", name=_identifier(done))).to_have_attribute(
        "href", f"https://doi.org/{_identifier(done)}"
    )
    expect(doi.locator("#doi-state")).to_contain_text("Registration: registered")
    assert_accessible(page)

    page.get_by_role("button", name="Edit the description").click()
    expect(page).to_have_url(f"{doi_app.base}/uploads/{done.id}")
    expect(page.get_by_role("heading", name="Edit published record")).to_be_visible()
    doi = page.get_by_role("region", name="DOI")
    expect(doi).to_contain_text(_identifier(done))
    expect(doi.locator("#doi-state")).to_contain_text("Registration: registered")
    expect(doi.locator("#doi-state")).not_to_contain_text("failed")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "deposit-doi-registered")

    page.goto(f"{doi_app.base}/me/uploads")  # the edit draft carries the record's DOI state
    expect(page.locator(f"#doi-state-{done.id}")).to_have_text("DOI registered")


def test_a_draft_with_a_reserved_doi_shows_it_and_a_new_draft_shows_none(
    page: Page,
    doi_app,  # noqa: F811
    make,  # noqa: F811
    svc,  # noqa: F811
) -> None:
    owner = make.user()
    plain = make.draft(owner, title="Draft without a DOI")
    draft = make.draft(owner, title="Draft with a reserved DOI")
    identifier = svc.records.reserve_doi(owner.identity, draft.id).data["pids"]["doi"]["identifier"]

    log_in(page, doi_app.base, owner.email)
    page.goto(f"{doi_app.base}/uploads/{draft.id}")
    doi = page.get_by_role("region", name="DOI")
    expect(doi).to_contain_text(identifier)
    expect(doi.locator("#doi-state")).to_contain_text("Registration: reserved")
    expect(doi.locator("#doi-state")).to_contain_text("once the record is published")
    assert_accessible(page)

    page.goto(f"{doi_app.base}/uploads/{plain.id}")
    expect(page.get_by_role("heading", name="Edit upload")).to_be_visible()
    expect(page.get_by_role("region", name="DOI")).to_have_count(0)
    page.goto(f"{doi_app.base}/me/uploads")
    expect(page.locator(f"#doi-state-{draft.id}")).to_have_text("DOI reserved")
    expect(page.locator(f"#doi-state-{plain.id}")).to_have_count(0)


def test_a_failed_registration_shows_the_reason_until_the_retry_registers(
    page: Page,
    doi_app,  # noqa: F811
    make,  # noqa: F811
    standin,  # noqa: F811
) -> None:
    owner = make.user()
    standin.outage = True
    record = make.record(owner, title="Outage seismograph data")
    assert doi_app.app.state.jobs.run_once()  # the first attempt meets the outage

    log_in(page, doi_app.base, owner.email)
    page.goto(f"{doi_app.base}/me/uploads")
    row = page.locator(f"#doi-state-{record.id}")
    expect(row.locator(".badge")).to_have_text("DOI failed")
    expect(row).to_contain_text("503")
    expect(row).to_contain_text("Cairn tries again automatically.")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "my-uploads-doi-failed")

    page.goto(f"{doi_app.base}/uploads/{record.id}")
    page.get_by_role("button", name="Edit the description").click()
    expect(page).to_have_url(f"{doi_app.base}/uploads/{record.id}")
    state = page.get_by_role("region", name="DOI").locator("#doi-state")
    expect(state).to_contain_text("Registration: failed")
    expect(state).to_contain_text("503")
    expect(state).to_contain_text("Service Unavailable")
    expect(state).to_contain_text("Cairn tries again automatically.")
    assert_accessible(page)
    screenshot(page, "deposit-doi-failed")

    standin.outage = False
    _run_jobs(doi_app)
    page.reload()
    expect(state).to_contain_text("Registration: registered")
    expect(state).not_to_contain_text("503")
    page.goto(f"{doi_app.base}/me/uploads")
    expect(page.locator(f"#doi-state-{record.id}")).to_have_text("DOI registered")


@pytest.fixture
def refusing_app(tmp_path, db, standin):  # noqa: F811
    """Cairn with credentials DataCite refuses: a failure it does not retry."""
    served = _served(
        tmp_path,
        db,
        doi_provider="datacite",
        datacite_url=standin.url,
        datacite_username=standin.username,
        datacite_password="wrong",
    )
    yield served
    served.stop()


def test_a_refusal_says_an_administrator_can_retry(page: Page, refusing_app) -> None:
    factory = Factory(refusing_app.app.state.services)
    owner = factory.user()
    record = factory.record(owner, title="Refused tide gauge record")
    _run_jobs(refusing_app)  # once each, no retries

    log_in(page, refusing_app.base, owner.email)
    page.goto(f"{refusing_app.base}/me/uploads")
    row = page.locator(f"#doi-state-{record.id}")
    expect(row.locator(".badge")).to_have_text("DOI failed")
    expect(row).to_contain_text("Bad credentials")
    expect(row).to_contain_text("An administrator can retry it under Administration → Jobs.")
    expect(row).not_to_contain_text("tries again automatically")

    page.goto(f"{refusing_app.base}/uploads/{record.id}")
    state = page.get_by_role("region", name="DOI").locator("#doi-state")
    expect(state).to_contain_text("Registration: failed")
    expect(state).to_contain_text("401")
    expect(state).to_contain_text("An administrator can retry it")
    assert_accessible(page)


def test_anonymous_search_hits_show_no_doi_state(
    page: Page,
    doi_app,  # noqa: F811
    make,  # noqa: F811
    standin,  # noqa: F811
) -> None:
    owner = make.user()
    standin.outage = True
    record = make.record(owner, title="Quokka burrow census")
    assert doi_app.app.state.jobs.run_once()  # failed, with DataCite's 503 as the reason

    page.goto(f"{doi_app.base}/search?q=quokka")
    hits = page.locator("#results .result-card")
    expect(hits).to_have_count(1)
    expect(hits).to_contain_text("Quokka burrow census")
    results = page.locator("main")
    expect(page.locator(".doi-state")).to_have_count(0)
    for leak in ("503", "Service Unavailable", "failed", "tries again", "Registration"):
        expect(results).not_to_contain_text(leak)
    assert_accessible(page)
    # the scripts' next pages come from the API, which keeps the state from visitors too
    api = requests.get(f"{doi_app.base}/api/records", params={"q": "quokka"}, timeout=10)
    (hit,) = api.json()["hits"]["hits"]
    assert hit["pids"]["doi"]["identifier"] == _identifier(record)
    assert not {"status", "error", "will_retry"} & hit["pids"]["doi"].keys()

    # the state was there to leak: its owner sees it in My uploads
    log_in(page, doi_app.base, owner.email)
    page.goto(f"{doi_app.base}/me/uploads")
    expect(page.locator(f"#doi-state-{record.id}")).to_contain_text("503")
