"""My uploads in Chromium: only the caller's drafts and records, filters, search, sort,
paging, the empty state, and bad addresses."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import Page, expect

from tests.factories import Factory, User
from tests.web.browser import (
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
)


def titles(page: Page) -> list[str]:
    return page.locator(".upload-title").all_inner_texts()


def test_anonymous_visitors_are_sent_to_log_in(base: str) -> None:
    response = requests.get(f"{base}/me/uploads?q=x", allow_redirects=False, timeout=10)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fme%2Fuploads%3Fq%3Dx"


def test_empty_state_offers_a_new_upload(page: Page, base: str, user: User) -> None:
    log_in(page, base, user.email)
    page.goto(f"{base}/me/uploads")
    empty = page.locator(".empty-state")
    expect(empty).to_contain_text("No uploads yet")
    expect(empty.get_by_role("link", name="New upload")).to_have_attribute("href", "/uploads/new")
    assert page.locator(".upload-item").count() == 0
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "my-uploads-empty")


def test_lists_only_the_callers_drafts_and_records(
    page: Page, base: str, user: User, factory: Factory, services: object
) -> None:
    records = services.records  # type: ignore[attr-defined]
    factory.draft(user, title="First draft of a survey")
    published = factory.record(user, title="Published soil samples", version="2.1")
    edited = factory.record(user, title="Lake temperatures")
    records.edit(user.identity, edited.id)
    older = factory.record(user, title="River gauges")
    records.new_version(user.identity, older.id)
    factory.record(factory.user(), title="Someone else's record")
    factory.draft(factory.user(), title="Someone else's draft")

    log_in(page, base, user.email)
    page.goto(f"{base}/me/uploads")
    expect(page.locator(".upload-item")).to_have_count(4)
    assert not any("Someone else" in t for t in titles(page))
    expect(page.locator(".result-count")).to_have_text("4 uploads")

    def item(title: str):  # type: ignore[no-untyped-def]
        return page.locator(".upload-item", has_text=title)

    expect(item("First draft").locator(".badge")).to_have_text("Draft")
    expect(item("First draft").get_by_role("link", name="View")).to_have_count(0)
    title_link = item("First draft").get_by_role("link", name="First draft of a survey", exact=True)
    expect(title_link).to_have_attribute("href", re.compile(r"^/uploads/"))
    soil = item("Published soil samples")
    expect(soil.locator(".badge")).to_have_text("Published")
    expect(soil).to_contain_text("Version 2.1")
    expect(soil.get_by_role("link", name="View Published soil samples")).to_have_attribute(
        "href", f"/records/{published.id}"
    )
    expect(soil.get_by_role("link", name="Edit Published soil samples")).to_have_attribute(
        "href", f"/uploads/{published.id}"
    )
    expect(item("Lake temperatures").locator(".badge")).to_have_text("Edit in progress")
    expect(item("River gauges").locator(".badge")).to_have_text("New version draft")
    expect(item("River gauges")).to_contain_text("Version v2")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "my-uploads")


def test_filters_search_and_sort(page: Page, base: str, user: User, factory: Factory) -> None:
    factory.draft(user, title="Zebra migration draft")
    factory.record(user, title="Zebra stripes record")
    factory.record(user, title="Penguin colonies")
    log_in(page, base, user.email)
    page.goto(f"{base}/me/uploads")
    expect(page.locator(".upload-item")).to_have_count(3)
    assert titles(page)[0] == "Penguin colonies"  # most recently updated first

    page.get_by_label("Publication").select_option("false")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"is_published=false"))
    expect(page.locator(".upload-item")).to_have_count(1)
    assert titles(page) == ["Zebra migration draft"]

    page.get_by_label("Publication").select_option("")
    page.get_by_label("Status").select_option("published")
    page.get_by_label("Search my uploads").fill("zebra")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".upload-item")).to_have_count(1)
    assert titles(page) == ["Zebra stripes record"]
    expect(page.get_by_label("Status")).to_have_value("published")
    assert_accessible(page)

    page.get_by_label("Status").select_option("")
    page.get_by_label("Search my uploads").fill("")
    page.get_by_label("Sort by").select_option("oldest")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".upload-item")).to_have_count(3)
    assert titles(page)[0] == "Zebra migration draft"

    page.get_by_label("Search my uploads").fill("walrus")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".empty-state")).to_contain_text("None of your uploads match")
    page.get_by_role("link", name="Show all my uploads").click()
    expect(page.locator(".upload-item")).to_have_count(3)
    assert_accessible(page)


def test_paging_through_thirty_drafts(page: Page, base: str, user: User, factory: Factory) -> None:
    for n in range(1, 31):
        factory.draft(user, title=f"Draft number {n:02d}")
    log_in(page, base, user.email)
    page.goto(f"{base}/me/uploads")
    expect(page.locator(".upload-item")).to_have_count(10)
    assert titles(page)[0] == "Draft number 30"
    expect(page.locator(".result-count")).to_have_text("30 uploads, page 1 of 3")
    pager = page.get_by_role("navigation", name="My uploads pages")
    expect(pager.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "my-uploads-paged")

    pager.get_by_role("link", name="Page 3").click()
    expect(page).to_have_url(re.compile(r"page=3"))
    expect(page.locator(".upload-item")).to_have_count(10)
    assert titles(page)[-1] == "Draft number 01"
    pager = page.get_by_role("navigation", name="My uploads pages")
    expect(pager.get_by_role("link", name="Next page")).to_have_count(0)
    pager.get_by_role("link", name="Previous page").click()
    expect(page.locator(".result-count")).to_have_text("30 uploads, page 2 of 3")
    assert titles(page)[0] == "Draft number 20"

    page.get_by_label("Sort by").select_option("oldest")  # filters keep the page size
    page.get_by_role("button", name="Apply").click()
    assert titles(page)[0] == "Draft number 01"
    assert page.locator(".upload-item").count() == 10

    page.goto(f"{base}/me/uploads?page=9")
    expect(page.locator(".empty-state")).to_contain_text("No such page")
    page.goto(f"{base}/me/uploads?size=25&page=2")
    expect(page.locator(".upload-item")).to_have_count(5)


def test_bad_addresses_get_a_helpful_page(page: Page, base: str, user: User) -> None:
    log_in(page, base, user.email)
    response = page.goto(f"{base}/me/uploads?page=abc&is_published=maybe")
    assert response is not None and response.status == 400
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("page: Not a valid integer.")
    expect(alert).to_contain_text("is_published: Not a valid boolean.")
    assert_accessible(page)
    response = page.goto(f"{base}/me/uploads?sort=sideways")  # unknown sort: the default
    assert response is not None and response.status == 200
    expect(page.get_by_label("Sort by")).to_have_value("updated-desc")
