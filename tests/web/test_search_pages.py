"""Home and search pages in Chromium: counts, facets, sorts, pages, "load more", errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.factories import Factory, User, minimal_record
from tests.web.browser import (
    MOBILE,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
)

CARDS = "#results > li"
LONG_WORD = "Hydrometeorological" * 5  # one unbreakable word: must not widen the page


def titles(page: Page) -> list[str]:
    return page.locator(f"{CARDS} .result-title").all_inner_texts()


def restricted(factory: Factory, user: User, title: str) -> Any:
    body = minimal_record(title=title)
    body["access"] = {"record": "restricted", "files": "restricted"}
    draft = factory.services.records.create(user.identity, body)
    return factory.services.records.publish(user.identity, draft.id)


def test_home_shows_counts_and_recent_records(
    page: Page, base: str, factory: Factory, user: User
) -> None:
    factory.record(user, title="Old dataset", resource_type={"id": "dataset"})
    factory.record(user, title="Glacier photo", resource_type={"id": "image-photo"})
    factory.record(
        user,
        title=f"Newest dataset {LONG_WORD}",
        resource_type={"id": "dataset"},
        description="<p>Ice cores from the <strong>Alps</strong>.</p>",
    )
    restricted(factory, user, "Hidden restricted thing")
    page.goto(f"{base}/")
    expect(page.locator("#record-count")).to_have_text("3")
    types = page.locator("#holdings-types li")
    expect(types.filter(has_text="Dataset")).to_contain_text("2")
    expect(types.filter(has_text="Image")).to_contain_text("1")
    recent = page.locator(".home-recent .result-title")
    expect(recent).to_have_count(3)
    expect(recent.first).to_contain_text("Newest dataset")
    expect(recent.last).to_have_text("Old dataset")
    first_card = page.locator(".home-recent .result-card").first
    expect(first_card).to_contain_text("Ice cores from the Alps.")
    expect(first_card).to_contain_text("Brown, Troy; Troy Inc.")
    expect(page.get_by_text("Hidden restricted thing")).to_have_count(0)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "home")
    types.filter(has_text="Dataset").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/search\?resource_type=dataset$"))
    expect(page.locator(CARDS)).to_have_count(2)
    page.goto(f"{base}/")
    page.get_by_label("Search the repository").fill("glacier")
    page.get_by_label("Search the repository").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=glacier$"))
    assert titles(page) == ["Glacier photo"]


def test_search_finds_a_record_by_a_word_and_shows_its_card(
    page: Page, base: str, factory: Factory, user: User
) -> None:
    found = factory.record(
        user,
        title="Glacier melt in the Alps",
        publication_date="2019-05",
        resource_type={"id": "publication-article"},
        version="v2.1",
    )
    factory.record(user, title="Ocean salinity")
    page.goto(f"{base}/search")
    expect(page.locator(CARDS)).to_have_count(2)
    page.get_by_label("Search for").fill("glaciers")  # stemmed: finds "Glacier"
    page.get_by_label("Search for").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=glaciers$"))
    expect(page.locator("#results-heading")).to_have_text("1 result")
    card = page.locator(CARDS).first
    link = card.get_by_role("link", name="Glacier melt in the Alps")
    assert link.get_attribute("href") == f"/records/{found.id}"
    for text in ("Metadata only", "Journal article", "Published 2019-05", "Version v2.1"):
        expect(card).to_contain_text(text)
    expect(card).to_contain_text("Brown, Troy; Troy Inc.")
    expect(page.get_by_label("Search for")).to_have_value("glaciers")
    page.get_by_text("How to search").click()
    expect(page.locator(".syntax-list")).to_contain_text("metadata.title:ocean")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "search-results")


def test_a_facet_narrows_results_keeps_focus_and_the_back_button_restores(
    page: Page, base: str, factory: Factory, user: User
) -> None:
    factory.record(user, title="Rain data one", resource_type={"id": "dataset"})
    factory.record(user, title="Rain data two", resource_type={"id": "dataset"})
    factory.record(user, title="Rain photo", resource_type={"id": "image-photo"})
    page.goto(f"{base}/search?q=rain")
    expect(page.locator(CARDS)).to_have_count(3)
    dataset = page.locator("#facet-resource_type").get_by_label(re.compile(r"^Dataset"))
    expect(dataset).not_to_be_checked()
    dataset.focus()
    page.keyboard.press("Space")  # the filter applies at once, by keyboard too
    expect(page).to_have_url(re.compile(r"resource_type=dataset"))
    expect(page.locator(CARDS)).to_have_count(2)
    dataset = page.locator("#facet-resource_type").get_by_label(re.compile(r"^Dataset"))
    expect(dataset).to_be_checked()
    expect(dataset).to_be_focused()
    # counts of a facet do not shrink with its own selection: "Image" can still be added
    image = page.locator("#facet-resource_type label").filter(has_text="Image")
    expect(image).to_contain_text("1")
    expect(page.locator(".chip")).to_contain_text("Resource types: Dataset")
    assert_accessible(page)
    page.go_back()
    expect(page).to_have_url(f"{base}/search?q=rain")
    expect(page.locator(CARDS)).to_have_count(3)
    expect(
        page.locator("#facet-resource_type").get_by_label(re.compile(r"^Dataset"))
    ).not_to_be_checked()
    page.go_forward()
    expect(page.locator(CARDS)).to_have_count(2)
    page.locator(".chip").click()  # removing the filter
    expect(page.locator(CARDS)).to_have_count(3)
    assert "resource_type" not in page.url


def test_nested_resource_types(page: Page, base: str, factory: Factory, user: User) -> None:
    factory.record(user, title="An article", resource_type={"id": "publication-article"})
    factory.record(user, title="A book", resource_type={"id": "publication-book"})
    factory.record(user, title="A dataset", resource_type={"id": "dataset"})
    page.goto(f"{base}/search")
    parent = page.locator("#facet-resource_type li:has(> input[value='publication'])")
    nested = parent.locator("ul input[value='publication::publication-article']")
    expect(nested).to_have_count(1)
    expect(parent.locator("ul")).to_contain_text("Book")
    page.get_by_label(re.compile(r"^Journal article")).check()
    expect(page).to_have_url(re.compile(r"resource_type=publication%3A%3Apublication-article"))
    assert titles(page) == ["An article"]
    page.get_by_label(re.compile(r"^Publication")).check()
    expect(page.locator(CARDS)).to_have_count(2)
    assert sorted(titles(page)) == ["A book", "An article"]


def test_publication_date_range(page: Page, base: str, factory: Factory, user: User) -> None:
    for year in ("2015", "2019-03-01", "2021", "2024"):
        factory.record(user, title=f"Survey {year[:4]}", publication_date=year)
    page.goto(f"{base}/search")
    expect(page.locator("#facet-publication_date")).to_contain_text("from 2015 to 2024")
    page.get_by_label("From year").fill("2019")
    page.get_by_label("To year").fill("2021")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/search\?publication_date=2019\.\.2021$"))
    assert sorted(titles(page)) == ["Survey 2019", "Survey 2021"]
    expect(page.get_by_label("From year")).to_have_value("2019")
    expect(page.locator(".chip")).to_contain_text("Publication date: 2019\u20132021")
    page.get_by_label("To year").fill("")
    page.get_by_label("To year").press("Enter")
    expect(page).to_have_url(re.compile(r"publication_date=2019\.\.$"))
    assert sorted(titles(page)) == ["Survey 2019", "Survey 2021", "Survey 2024"]
    # without JavaScript the year boxes arrive as such and the server folds them in
    page.goto(f"{base}/search?q=survey&publication_date_from=2021&publication_date_to=2015")
    expect(page).to_have_url(f"{base}/search?q=survey&publication_date=2015..2021")
    expect(page.locator(CARDS)).to_have_count(3)


def test_sort_changes_the_order(page: Page, base: str, factory: Factory, user: User) -> None:
    for name in ("first", "second", "third"):
        factory.record(user, title=f"Sorted {name}")
    page.goto(f"{base}/search")
    assert titles(page) == ["Sorted third", "Sorted second", "Sorted first"]
    expect(page.get_by_label("Sort by")).to_have_value("newest")
    page.get_by_label("Sort by").select_option("oldest")
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    expect(page.locator(CARDS).first).to_contain_text("Sorted first")
    assert titles(page) == ["Sorted first", "Sorted second", "Sorted third"]
    expect(page.get_by_label("Sort by")).to_have_value("oldest")
    expect(page.get_by_label("Sort by")).to_be_focused()
    # arrow keys only move the choice; Enter searches with it
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Sort by")).to_have_value("newest")
    page.wait_for_timeout(500)  # nothing may happen meanwhile
    assert page.url.endswith("sort=oldest")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=newest"))
    assert titles(page)[0] == "Sorted third"


def test_filters_fold_away_on_a_phone(page: Page, base: str, factory: Factory, user: User) -> None:
    factory.record(user, title="Small screen record")
    page.set_viewport_size(MOBILE)
    page.goto(f"{base}/search")
    filters = page.locator("#filters-box")
    expect(filters).not_to_have_attribute("open", "")
    expect(page.locator(CARDS)).to_have_count(1)
    page.get_by_text("Filters", exact=True).click()
    expect(filters).to_have_attribute("open", "")
    page.locator("#facet-access_status").get_by_label(re.compile("^Metadata-only")).check()
    expect(page).to_have_url(re.compile(r"access_status=metadata-only"))
    # focus comes back to the box, so the filters stay open to show it
    expect(page.locator("#filters-box")).to_have_attribute("open", "")
    assert_no_horizontal_scroll(page)


@pytest.fixture
def thirty(factory: Factory, user: User) -> list[str]:
    return [factory.record(user, title=f"Series item {n:02d}").id for n in range(1, 31)]


def test_page_links(page: Page, base: str, thirty: list[str]) -> None:
    page.goto(f"{base}/search?size=10")
    assert titles(page)[0] == "Series item 30"
    nav = page.get_by_role("navigation", name="Pages of results")
    expect(nav.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Page 2").click()
    expect(page).to_have_url(re.compile(r"size=10&page=2$"))
    assert titles(page)[0] == "Series item 20"
    assert len(titles(page)) == 10
    expect(page.locator("#results-range")).to_have_text("Showing 11\u201320")
    nav.get_by_role("link", name="Next page").click()
    assert titles(page) == [f"Series item {n:02d}" for n in range(10, 0, -1)]
    expect(nav.get_by_role("link", name="Next page")).to_have_count(0)
    expect(page.locator("#load-more")).to_have_count(0)
    page.get_by_label("Per page").select_option("25")
    expect(page).to_have_url(re.compile(r"size=25"))
    assert "page=" not in page.url  # a new search starts on its first page
    expect(page.locator(CARDS)).to_have_count(25)


def test_load_more_appends_the_next_pages_by_cursor(
    page: Page, base: str, thirty: list[str]
) -> None:
    page.goto(f"{base}/search?size=10")
    expect(page.locator(CARDS)).to_have_count(10)
    more = page.get_by_role("button", name="Load more results")
    with page.expect_response(re.compile(r"/api/records\?.*cursor=")) as answer:
        more.click()
    assert answer.value.status == 200
    expect(page.locator(CARDS)).to_have_count(20)
    expect(page.locator(f"{CARDS} a").nth(10)).to_be_focused()
    expect(page.locator("#results-range")).to_have_text("Showing 1\u201320")
    expect(page.locator("#results-status")).to_have_text("Loaded 10 more; showing 20 of 30.")
    assert_accessible(page)
    more.click()
    expect(page.locator(CARDS)).to_have_count(30)
    expect(more).to_have_count(0)
    assert titles(page) == [f"Series item {n:02d}" for n in range(30, 0, -1)]
    hrefs = page.locator(f"{CARDS} .result-title a").evaluate_all("a => a.map(x => x.href)")
    assert sorted(h.rsplit("/", 1)[1] for h in hrefs) == sorted(thirty)
    # from a later page, the cursor continues after that page
    page.goto(f"{base}/search?size=10&page=2")
    page.get_by_role("button", name="Load more results").click()
    expect(page.locator(CARDS)).to_have_count(20)
    assert titles(page)[-1] == "Series item 01"


def test_load_more_without_javascript_is_a_link(browser: Any, base: str, thirty: list[str]) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    try:
        tab = ctx.new_page()
        tab.goto(f"{base}/search?size=10")
        tab.get_by_role("link", name="Load more results").click()
        expect(tab).to_have_url(re.compile(r"page=2"))
        expect(tab.locator(CARDS).first).to_contain_text("Series item 20")
    finally:
        ctx.close()


def test_empty_state(page: Page, base: str, factory: Factory, user: User) -> None:
    factory.record(user, title="Something else", resource_type={"id": "dataset"})
    page.goto(f"{base}/search?q=xylophonic&resource_type=dataset")
    expect(page.locator("#no-results")).to_contain_text("No records match “xylophonic”")
    expect(page.locator("#results-heading")).to_have_text("0 results")
    # the selected filter stays visible (and checked) although nothing is left to count
    expect(page.get_by_label(re.compile(r"^Dataset"))).to_be_checked()
    assert_accessible(page)
    screenshot(page, "search-empty")
    page.get_by_role("link", name="Search without the filters").click()
    expect(page).to_have_url(f"{base}/search?q=xylophonic")
    page.goto(f"{base}/search?page=5")
    expect(page.get_by_text("past the last page")).to_be_visible()
    page.get_by_role("link", name=re.compile("Go to the last page")).click()
    expect(page.locator(CARDS)).to_have_count(1)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=nonsense", "Sort order"),
        ("page=-1", "greater than or equal to 1"),
        ("page=abc", "Not a valid integer"),
        ("size=100000", "Results per page"),
        ("publication_date_from=abc", "is not a year"),
        ("q=" + "x" * 2001, "Longer than maximum length"),
    ],
)
def test_bad_parameters_get_a_helpful_page(base: str, query: str, expected: str) -> None:
    answer = requests.get(f"{base}/search?{query}", timeout=30)
    assert answer.status_code == 400
    assert "The search could not run" in answer.text
    assert expected in answer.text


def test_bad_parameter_page_offers_a_way_on(
    page: Page, base: str, factory: Factory, user: User
) -> None:
    factory.record(user, title="Still findable")
    page.goto(f"{base}/search?q=findable&sort=nonsense&size=10")
    expect(page.get_by_role("alert")).to_contain_text("Must be one of: bestmatch")
    expect(page.get_by_label("Search for")).to_have_value("findable")
    assert_accessible(page)
    screenshot(page, "search-error")
    page.get_by_role("link", name="Search again without this value").click()
    expect(page).to_have_url(f"{base}/search?q=findable&size=10")
    assert titles(page) == ["Still findable"]


def test_restricted_records_only_for_those_who_may_read_them(
    page: Page, base: str, factory: Factory, user: User
) -> None:
    factory.record(user, title="Public lake study")
    restricted(factory, user, "Private lake study")
    page.goto(f"{base}/search?q=lake")
    assert titles(page) == ["Public lake study"]
    expect(page.locator("#facet-access_status")).not_to_contain_text("Restricted")
    log_in(page, base, user.email)
    page.goto(f"{base}/search?q=lake")
    assert sorted(titles(page)) == ["Private lake study", "Public lake study"]
    page.locator("#facet-access_status").get_by_label(re.compile(r"^Restricted")).check()
    expect(page.locator(CARDS)).to_have_count(1)
    expect(page.locator(CARDS).first).to_contain_text("Restricted")
    # the API answers an anonymous caller as the page did
    listing = requests.get(f"{base}/api/records?q=lake", timeout=30).json()
    assert [hit["metadata"]["title"] for hit in listing["hits"]["hits"]] == ["Public lake study"]


def test_page_numbers_and_year_boxes() -> None:
    """The page's own helpers, without a browser."""
    from cairn.web.pages.search_view import fold_year_inputs, page_numbers, year_range

    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 9) == [1, 2, 3, None, 9]
    assert page_numbers(5, 9) == [1, None, 3, 4, 5, 6, 7, None, 9]
    assert page_numbers(9, 9) == [1, None, 7, 8, 9]
    boxes = [("publication_date_from", "2022"), ("publication_date_to", " 2020 ")]
    folded = fold_year_inputs([("q", "ice"), ("publication_date", "1990"), ("page", "3"), *boxes])
    assert folded == [("q", "ice"), ("publication_date", "2020..2022")]
    assert fold_year_inputs([("publication_date", "1990"), ("publication_date_to", "")]) == [
        ("publication_date", "1990")
    ]
    with pytest.raises(ValueError, match="not a year"):
        fold_year_inputs([("publication_date_from", "2020-01")])
    assert year_range(["2019..2021"]) == ("2019", "2021")
    assert year_range(["..2021"]) == ("", "2021")
    assert year_range(["2020"]) == ("2020", "2020")
    assert year_range(["recent"]) is None
    assert year_range(["2019..2020", "2022"]) is None
