"""The admin listing of deleted records in Chromium: who may see it, each tombstone's reason,
note and remover, the search kept in the address, paging, and restoring from it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import requests
from playwright.sync_api import Page, expect

from tests.factories import Factory, User
from tests.web.browser import assert_accessible, assert_no_horizontal_scroll, log_in, screenshot

DELETED = "/administration/records/deleted"


def _delete(services: Any, admin: User, record_id: str, reason: str, note: str) -> None:
    body = {"removal_reason": {"id": reason}, "note": note}
    services.records.delete_record(admin.identity, record_id, body)


def test_anonymous_visitors_are_sent_to_log_in(base: str) -> None:
    response = requests.get(f"{base}{DELETED}?q=x", allow_redirects=False, timeout=10)
    assert response.status_code == 303
    assert (
        response.headers["location"] == "/login?next=%2Fadministration%2Frecords%2Fdeleted%3Fq%3Dx"
    )


def test_other_users_are_refused(
    page: Page, base: str, user: User, admin: User, factory: Factory, services: Any
) -> None:
    record = factory.record(user, title="My own deleted record")
    _delete(services, admin, record.id, "spam", "Not for the owner to see here.")
    log_in(page, base, user.email)
    response = page.goto(f"{base}{DELETED}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("My own deleted record")).to_have_count(0)
    assert_accessible(page)


def test_listing_filtering_and_restoring_deleted_records(
    page: Page, base: str, admin: User, user: User, factory: Factory, services: Any
) -> None:
    spam = factory.record(user, title="Glacier adverts")
    copied = factory.record(user, title="Copied ocean data")
    factory.record(user, title="Glacier melt, still published")
    _delete(services, admin, spam.id, "spam", "Advertising, not research.")
    _delete(services, admin, copied.id, "copyright", "Taken from a journal.")

    log_in(page, base, admin.email)
    page.goto(f"{base}/administration/records")
    page.get_by_role("navigation", name="Record lists").get_by_role(
        "link", name="Deleted records"
    ).click()
    expect(page).to_have_url(f"{base}{DELETED}")
    expect(page.get_by_role("link", name="Deleted records", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Copied ocean data")  # the newest deletion first
    expect(rows.nth(1)).to_contain_text("Glacier adverts")
    copied_row = page.get_by_role("row", name=re.compile("Copied ocean data"))
    expect(copied_row).to_contain_text("Copyright infringement")
    expect(copied_row).to_contain_text("Taken from a journal.")
    expect(copied_row).to_contain_text(admin.email)
    expect(copied_row).to_contain_text(copied.id)
    spam_row = page.get_by_role("row", name=re.compile("Glacier adverts"))
    expect(spam_row).to_contain_text("Spam")
    expect(spam_row).to_contain_text("Advertising, not research.")
    expect(page.get_by_text("still published")).to_have_count(0)
    expect(page.locator(".result-count")).to_have_text("2 deleted records")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "admin-deleted-records")

    page.get_by_label("Search deleted records by id or title").fill("GLACIER")
    page.get_by_role("button", name="Search deleted records").click()
    expect(page).to_have_url(re.compile(r"/administration/records/deleted\?q=GLACIER"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Glacier adverts")
    page.reload()  # the search is in the address
    expect(page.get_by_label("Search deleted records by id or title")).to_have_value("GLACIER")
    expect(rows).to_have_count(1)

    page.get_by_label("Search deleted records by id or title").fill(copied.id[-5:])
    page.get_by_role("button", name="Search deleted records").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Copied ocean data")

    page.get_by_label("Search deleted records by id or title").fill("nothing like this")
    page.get_by_role("button", name="Search deleted records").click()
    expect(rows).to_have_count(0)
    expect(page.locator(".empty")).to_contain_text("No deleted record has “nothing like this”")
    assert_accessible(page)

    page.goto(f"{base}{DELETED}?q=glacier")
    page.get_by_role("link", name="Glacier adverts").click()
    expect(page).to_have_url(f"{base}/administration/records/{spam.id}")
    page.get_by_role("button", name="Restore record").click()
    expect(page.get_by_role("status")).to_contain_text(f"Record {spam.id} restored")
    assert requests.get(f"{base}/api/records/{spam.id}", timeout=10).status_code == 200

    page.get_by_role("link", name="Deleted records").click()
    expect(page).to_have_url(f"{base}{DELETED}")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Copied ocean data")
    expect(page.get_by_text("Glacier adverts")).to_have_count(0)
    expect(page.locator(".result-count")).to_have_text("1 deleted record")


def test_paging_keeps_the_search_and_the_sort(
    page: Page, base: str, admin: User, user: User, factory: Factory, services: Any
) -> None:
    ids = [factory.record(user, title=f"Batch {n:02d}").id for n in range(21)]
    for record_id in ids:
        _delete(services, admin, record_id, "test-record", "")
    other = factory.record(user, title="Unrelated")
    _delete(services, admin, other.id, "duplicate", "")

    log_in(page, base, admin.email)
    page.goto(f"{base}{DELETED}?q=batch&sort=oldest")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("Batch 00")
    expect(page.locator(".result-count")).to_have_text("21 deleted records, page 1 of 2")
    expect(page.get_by_label("Sort by")).to_have_value("oldest")
    expect(rows.first).to_contain_text("none")  # no note
    page.get_by_role("navigation", name="Deleted record pages").get_by_role(
        "link", name="Next page"
    ).click()
    expect(page).to_have_url(re.compile(r"\?q=batch&sort=oldest&page=2$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Batch 20")
    expect(page.get_by_label("Search deleted records by id or title")).to_have_value("batch")
    assert_accessible(page)

    page.goto(f"{base}{DELETED}?q=batch&page=7")
    expect(rows).to_have_count(0)
    page.get_by_role("link", name="Go to the first page").click()
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("Batch 20")  # the default: newest deletion first


def test_titles_notes_and_the_search_stay_text(
    page: Page, base: str, admin: User, user: User, factory: Factory, services: Any
) -> None:
    payload = '"><img data-xss src=x onerror="window.__xss=1">'
    record = factory.record(user, title=f"T {payload}")
    _delete(services, admin, record.id, "spam", f"N {payload}")
    log_in(page, base, admin.email)
    page.goto(f"{base}{DELETED}?q={quote(payload)}")
    expect(page.locator("[data-xss]")).to_have_count(0)
    page.goto(f"{base}{DELETED}?q=T")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text(f"N {payload}")
    expect(page.get_by_role("link", name=f"T {payload}")).to_be_visible()
    expect(page.locator("[data-xss]")).to_have_count(0)
    assert page.evaluate("window.__xss") is None
