"""The administration of OAI-PMH sets defined by a query, in Chromium: who may use it, defining
a set through the form and finding it in the list and in ListSets, the service's errors beside
each field with what was typed kept, editing, deleting after a confirmation, search, sort and
paging, and payloads staying text."""

from __future__ import annotations

import re
from typing import Any

import requests
from lxml import etree
from playwright.sync_api import Page, expect

from tests.factories import Factory, User
from tests.web.browser import (
    PASSWORD,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
)

SETS = "/administration/oai-sets"
OAI = {"o": "http://www.openarchives.org/OAI/2.0/"}


def _session(base: str, email: str) -> tuple[requests.Session, str]:
    """A requests session logged in through the login form, and its CSRF token."""
    session = requests.Session()
    html = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    data = {"csrf_token": token.group(1), "email": email, "password": PASSWORD}
    response = session.post(f"{base}/login", data=data, timeout=10)
    assert response.status_code == 200 and "/login" not in response.url
    html = session.get(f"{base}/account/settings/password", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    return session, token.group(1)


def _list_sets(base: str) -> dict[str, str]:
    """spec -> name, as harvesters see them in ListSets."""
    response = requests.get(f"{base}/oai2d", params={"verb": "ListSets"}, timeout=30)
    assert response.status_code == 200
    doc = etree.fromstring(response.content)
    return {
        s.findtext("o:setSpec", namespaces=OAI): s.findtext("o:setName", namespaces=OAI)
        for s in doc.iterfind(".//o:set", OAI)
    }


def _define(services: Any, admin: User, **body: Any) -> dict[str, Any]:
    return services.oai_sets.create(admin.identity, body)  # type: ignore[no-any-return]


def _all(services: Any, admin: User) -> list[dict[str, Any]]:
    return list(services.oai_sets.search(admin.identity, {"size": "1000"}).hits)


def _field(page: Page, label: str) -> Any:
    return page.get_by_label(label, exact=True)


def _expect_error(page: Page, label: str, field_id: str, text: str) -> None:
    """The field is marked invalid and described by its error, which says ``text``."""
    field = _field(page, label)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-errors\b"))
    expect(page.locator(f"#{field_id}-errors")).to_contain_text(text)
    summary = page.get_by_role("alert")
    expect(summary.locator(f'a[href="#{field_id}"]')).to_contain_text(text)


def _expect_valid(page: Page, label: str, field_id: str) -> None:
    expect(_field(page, label)).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{field_id}-errors")).to_have_count(0)


def _submit(page: Page, button: str) -> int:
    """Click the form's button: the status of the POST (303 when it went through)."""
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    return info.value.status


def test_anonymous_visitors_are_sent_to_log_in(base: str) -> None:
    for path in (SETS, f"{SETS}/new", f"{SETS}/1"):
        response = requests.get(f"{base}{path}?q=x", allow_redirects=False, timeout=10)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=%2Fadministration%2Foai-sets")


def test_other_users_are_refused(
    page: Page, base: str, user: User, admin: User, services: Any
) -> None:
    made = _define(services, admin, name="Kept", spec="kept", search_pattern="kept")
    log_in(page, base, user.email)
    for path in (SETS, f"{SETS}/new", f"{SETS}/{made['id']}"):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        expect(page.get_by_text("OAI-PMH sets")).to_have_count(0)
    assert_accessible(page)

    session, token = _session(base, user.email)
    body = {"csrf_token": token, "name": "Mine", "spec": "mine", "search_pattern": "x"}
    assert session.post(f"{base}{SETS}/new", data=body, timeout=10).status_code == 403
    body = {"csrf_token": token, "name": "Changed", "search_pattern": "changed"}
    assert session.post(f"{base}{SETS}/{made['id']}", data=body, timeout=10).status_code == 403
    body = {"csrf_token": token, "confirm": "yes"}
    url = f"{base}{SETS}/{made['id']}/delete"
    assert session.post(url, data=body, timeout=10).status_code == 403
    assert [(s["name"], s["search_pattern"]) for s in _all(services, admin)] == [("Kept", "kept")]


def test_forms_without_the_csrf_token_change_nothing(base: str, admin: User, services: Any) -> None:
    made = _define(services, admin, name="Kept", spec="kept", search_pattern="kept")
    session, _ = _session(base, admin.email)
    posts = [
        (f"{SETS}/new", {"name": "New", "spec": "new", "search_pattern": "x"}),
        (f"{SETS}/{made['id']}", {"name": "Changed", "search_pattern": "changed"}),
        (f"{SETS}/{made['id']}/delete", {"confirm": "yes"}),
    ]
    for path, data in posts:
        response = session.post(f"{base}{path}", data=data, timeout=10)
        assert response.status_code == 403 and "security token" in response.text, path
    assert [(s["name"], s["search_pattern"]) for s in _all(services, admin)] == [("Kept", "kept")]


def test_defining_editing_and_deleting_a_set(
    page: Page, base: str, admin: User, user: User, factory: Factory, services: Any
) -> None:
    melt = factory.record(user, title="Glacier melt at Morteratsch").id
    factory.record(user, title="Ocean currents")

    log_in(page, base, admin.email)
    page.goto(f"{base}/administration/users")
    nav = page.get_by_role("navigation", name="Administration")
    nav.get_by_role("link", name="OAI-PMH sets").click()
    expect(page).to_have_url(f"{base}{SETS}")
    expect(nav.get_by_role("link", name="OAI-PMH sets")).to_have_attribute("aria-current", "page")
    expect(page.locator(".empty")).to_contain_text("No set is defined by a query yet")
    assert_accessible(page)

    page.get_by_role("link", name="New set").click()
    expect(page).to_have_url(f"{base}{SETS}/new")
    expect(page.get_by_role("heading", name="New OAI-PMH set")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    _field(page, "Name").fill("Glacier studies")
    _field(page, "Spec").fill("ice:glaciers")
    _field(page, "Query").fill("glacier")
    _field(page, "Description").fill("Everything on glaciers.")
    assert _submit(page, "Create set") == 303
    expect(page).to_have_url(f"{base}{SETS}")
    expect(page.get_by_role("status")).to_contain_text(
        "Set “Glacier studies” (ice:glaciers) created"
    )
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    for text in ("Glacier studies", "ice:glaciers", "glacier", "Everything on glaciers."):
        expect(row).to_contain_text(text)
    expect(row).to_contain_text("Gathering members…")
    expect(page.locator(".result-count")).to_have_text("1 set")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "admin-oai-sets")

    (made,) = _all(services, admin)
    assert made["spec"] == "ice:glaciers" and made["description"] == "Everything on glaciers."
    assert _list_sets(base)["ice:glaciers"] == "Glacier studies"

    assert services.oai_sets.search(admin.identity, {}).ready == {made["id"]: False}
    # the build job gathers the members (the test server runs no jobs): now "Ready"
    assert services.oai_members.build(made["id"], 1)
    assert services.oai_sets.search(admin.identity, {}).ready == {made["id"]: True}
    api = requests.get(f"{base}/api/oaipmh/sets", timeout=10).json()
    assert "ready" not in api["hits"]["hits"][0]  # the API's sets stay InvenioRDM's
    page.reload()
    expect(row).to_contain_text("Ready")
    expect(row).not_to_contain_text("Gathering")
    harvest = row.get_by_role("link", name="ListRecords of Glacier studies")
    href = harvest.get_attribute("href") or ""
    assert href == "/oai2d?verb=ListRecords&metadataPrefix=oai_dc&set=ice%3Aglaciers"
    answer = requests.get(f"{base}{href}", timeout=30)
    assert answer.status_code == 200
    assert melt in answer.text and "Ocean currents" not in answer.text

    row.get_by_role("link", name="Edit Glacier studies").click()
    expect(page).to_have_url(f"{base}{SETS}/{made['id']}")
    expect(page.get_by_role("heading", name="Set “Glacier studies”")).to_be_visible()
    spec = _field(page, "Spec")
    expect(spec).to_have_value("ice:glaciers")
    expect(spec).to_have_attribute("readonly", "")
    expect(_field(page, "Query")).to_have_value("glacier")
    expect(_field(page, "Description")).to_have_value("Everything on glaciers.")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "admin-oai-set-edit")
    _field(page, "Name").fill("Ice studies")
    _field(page, "Query").fill("glacier OR ocean")
    assert _submit(page, "Save set") == 303
    expect(page).to_have_url(f"{base}{SETS}")
    expect(page.get_by_role("status")).to_contain_text("Set “Ice studies” (ice:glaciers) saved")
    expect(page.get_by_role("status")).to_contain_text("gathered again")
    expect(rows.first).to_contain_text("Ice studies")
    expect(rows.first).to_contain_text("glacier OR ocean")
    expect(rows.first).to_contain_text("Gathering members…")  # a new query: a new build
    (saved,) = _all(services, admin)
    assert (saved["name"], saved["spec"], saved["search_pattern"]) == (
        "Ice studies",
        "ice:glaciers",
        "glacier OR ocean",
    )
    assert _list_sets(base)["ice:glaciers"] == "Ice studies"

    # only the name changes: the members stay gathered
    assert services.oai_members.build(made["id"], 2)
    page.get_by_role("link", name="Edit Ice studies").click()
    _field(page, "Name").fill("Cold studies")
    _field(page, "Description").fill("")
    assert _submit(page, "Save set") == 303
    expect(page.get_by_role("status")).not_to_contain_text("gathered again")
    expect(rows.first).to_contain_text("Ready")
    expect(rows.first).to_contain_text("none")  # no description
    assert _all(services, admin)[0]["description"] is None

    page.get_by_role("link", name="Edit Cold studies").click()
    assert _submit(page, "Delete set…") == 200
    expect(page.get_by_role("heading", name="Delete the set “Cold studies”?")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert len(_all(services, admin)) == 1  # asking changed nothing
    page.get_by_role("link", name="No, keep it").click()
    expect(page).to_have_url(f"{base}{SETS}/{made['id']}")
    assert len(_all(services, admin)) == 1

    assert _submit(page, "Delete set…") == 200
    assert _submit(page, "Yes, delete the set") == 303
    expect(page).to_have_url(f"{base}{SETS}")
    expect(page.get_by_role("status")).to_contain_text("Set “Cold studies” (ice:glaciers) deleted")
    expect(rows).to_have_count(0)
    assert _all(services, admin) == []
    assert "ice:glaciers" not in _list_sets(base)
    response = page.goto(f"{base}{SETS}/{made['id']}")
    assert response is not None and response.status == 404


def test_errors_appear_beside_the_fields_and_what_was_typed_is_kept(
    page: Page, base: str, admin: User, services: Any
) -> None:
    taken = _define(services, admin, name="Taken", spec="taken", search_pattern="taken")
    log_in(page, base, admin.email)
    page.goto(f"{base}{SETS}/new")
    _field(page, "Name").fill("Second set")
    _field(page, "Spec").fill("taken")
    _field(page, "Query").fill("title:(unclosed")
    _field(page, "Description").fill("Typed <b>text</b>")
    assert _submit(page, "Create set") == 400
    expect(page).to_have_url(f"{base}{SETS}/new")
    expect(page).to_have_title(re.compile("^Check the set"))
    _expect_error(page, "Query", "search_pattern", "unmatched parenthesis")
    expect(page.get_by_role("alert")).to_contain_text("The set was not created")
    _expect_valid(page, "Name", "name")
    expect(_field(page, "Name")).to_have_value("Second set")
    expect(_field(page, "Spec")).to_have_value("taken")
    expect(_field(page, "Query")).to_have_value("title:(unclosed")
    expect(_field(page, "Description")).to_have_value("Typed <b>text</b>")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "admin-oai-set-errors")
    page.get_by_role("alert").get_by_role("link", name=re.compile("^Query:")).click()
    expect(page).to_have_url(f"{base}{SETS}/new#search_pattern")

    _field(page, "Query").fill("title:second")
    assert _submit(page, "Create set") == 400
    _expect_error(page, "Spec", "spec", "A set with spec 'taken' already exists.")
    _expect_valid(page, "Query", "search_pattern")
    expect(_field(page, "Query")).to_have_value("title:second")
    expect(_field(page, "Description")).to_have_value("Typed <b>text</b>")

    _field(page, "Name").fill("   ")
    _field(page, "Spec").fill("no spaces allowed")
    assert _submit(page, "Create set") == 400
    _expect_error(page, "Name", "name", "Shorter than minimum length 1.")
    _expect_error(page, "Spec", "spec", "Only letters, digits")
    expect(_field(page, "Spec")).to_have_value("no spaces allowed")
    expect(page.get_by_role("alert").get_by_role("listitem")).to_have_count(2)
    assert_accessible(page)
    assert [s["spec"] for s in _all(services, admin)] == ["taken"]

    page.goto(f"{base}{SETS}/{taken['id']}")
    _field(page, "Name").fill("")
    _field(page, "Query").fill("title:(still unclosed")
    _field(page, "Description").fill("New words")
    assert _submit(page, "Save set") == 400
    expect(page).to_have_url(f"{base}{SETS}/{taken['id']}")
    expect(page.get_by_role("alert")).to_contain_text("The set was not saved")
    _expect_error(page, "Name", "name", "Shorter than minimum length 1.")
    _expect_error(page, "Query", "search_pattern", "unmatched parenthesis")
    expect(_field(page, "Name")).to_have_value("")
    expect(_field(page, "Query")).to_have_value("title:(still unclosed")
    expect(_field(page, "Description")).to_have_value("New words")
    expect(_field(page, "Spec")).to_have_value("taken")
    expect(page.get_by_role("heading", name="Set “Taken”")).to_be_visible()
    assert_accessible(page)
    (kept,) = _all(services, admin)
    assert (kept["name"], kept["search_pattern"], kept["description"]) == ("Taken", "taken", None)


def test_searching_sorting_and_paging_sets(
    page: Page, base: str, admin: User, services: Any
) -> None:
    for n in range(27):
        _define(services, admin, name=f"Batch {n:02d}", spec=f"b{26 - n:02d}", search_pattern="x")
    _define(
        services,
        admin,
        name="Other",
        spec="other",
        search_pattern="y",
        description="Not part of the batch list",
    )
    log_in(page, base, admin.email)
    page.goto(f"{base}{SETS}")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(25)
    expect(page.locator(".result-count")).to_have_text("28 sets, page 1 of 2")
    expect(rows.first).to_contain_text("Batch 00")  # by name

    search = page.get_by_label("Search sets by name, spec or description")
    search.fill("BATCH")
    page.get_by_label("Sort by").select_option("spec")
    page.get_by_role("button", name="Search sets").click()
    expect(page).to_have_url(re.compile(r"\?q=BATCH&sort=spec$"))
    expect(page.locator(".result-count")).to_have_text("28 sets, page 1 of 2")  # description too
    expect(rows.first).to_contain_text("b00")
    expect(rows.first).to_contain_text("Batch 26")
    page.get_by_role("navigation", name="Set pages").get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"\?q=BATCH&sort=spec&page=2$"))
    expect(rows).to_have_count(3)
    expect(rows.last).to_contain_text("Other")  # "other" sorts after "b26"
    expect(search).to_have_value("BATCH")
    expect(page.get_by_label("Sort by")).to_have_value("spec")
    assert_accessible(page)

    page.goto(f"{base}{SETS}?sort=-created")
    expect(rows.first).to_contain_text("Other")
    expect(rows.nth(1)).to_contain_text("Batch 26")

    search.fill("batch 07")  # every word, in the name, spec or description
    page.get_by_role("button", name="Search sets").click()
    expect(page).to_have_url(re.compile(r"\?q=batch\+07&sort=-created$"))
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Batch 19")  # its spec is b07
    expect(rows.last).to_contain_text("Batch 07")

    page.goto(f"{base}{SETS}?q=batch&page=9")
    expect(rows).to_have_count(0)
    page.get_by_role("link", name="Go to the first page").click()
    expect(rows).to_have_count(25)

    page.goto(f"{base}{SETS}?q=nothing+like+this&sort=bogus&page=x")
    expect(rows).to_have_count(0)
    expect(page.locator(".empty")).to_contain_text("No set has “nothing like this”")
    expect(page.get_by_label("Sort by")).to_have_value("name")


def test_unknown_sets_answer_404(page: Page, base: str, admin: User) -> None:
    log_in(page, base, admin.email)
    for path in (f"{SETS}/999999", f"{SETS}/abc", f"{SETS}/99999999999999999999"):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 404, path


IMG = '<img data-xss src=x onerror="window.__xss=1;alert(1)">'
SCRIPT = '"><script data-xss>window.__xss=1;alert(1)</script>'


def _no_injection(page: Page, dialogs: list[str]) -> None:
    assert page.locator("[data-xss]").count() == 0, page.url
    assert page.evaluate("window.__xss") is None, page.url
    assert not dialogs, dialogs


def test_names_descriptions_and_queries_stay_text(
    page: Page, base: str, admin: User, services: Any
) -> None:
    made = _define(
        services,
        admin,
        name=f"N {IMG} {SCRIPT}",
        spec="xss",
        search_pattern='title:"<script data-xss>window.__xss=1</script>"',
        description=f"D {IMG} {SCRIPT}",
    )
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, base, admin.email)
    page.goto(f"{base}{SETS}")
    text = page.inner_text("main")
    assert f"N {IMG} {SCRIPT}" in text and f"D {IMG} {SCRIPT}" in text
    assert '<script data-xss>window.__xss=1</script>"' in text
    _no_injection(page, dialogs)

    page.goto(f"{base}{SETS}/{made['id']}")
    expect(_field(page, "Name")).to_have_value(f"N {IMG} {SCRIPT}")
    expect(_field(page, "Description")).to_have_value(f"D {IMG} {SCRIPT}")
    _no_injection(page, dialogs)

    _field(page, "Query").fill(SCRIPT)  # refused, and its message quotes it
    assert _submit(page, "Save set") == 400
    expect(page.locator("#search_pattern-errors")).to_contain_text(SCRIPT)
    expect(_field(page, "Query")).to_have_value(SCRIPT)
    _no_injection(page, dialogs)

    assert _submit(page, "Delete set…") == 200
    expect(page.get_by_role("heading", name=re.compile("Delete the set"))).to_contain_text(IMG)
    _no_injection(page, dialogs)
