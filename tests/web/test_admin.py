"""Administration pages in Chromium: who may see them, users (activate, deactivate, roles),
records (delete with a tombstone, restore), quotas, and CSRF on every form."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.factories import MINIMAL_RECORD, Factory, User
from tests.web.browser import (
    PASSWORD,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
)

PAGES = [
    "/administration",
    "/administration/users",
    "/administration/records",
    "/administration/records/find?id=abc",
    "/administration/records/1cevm-d1y45",
    "/administration/quotas",
]


def api(base: str, user: User, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {user.token}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{base}{path}", headers=headers, timeout=15, **kwargs)


def logged_in_session(base: str, email: str) -> requests.Session:
    """A requests session logged in through the login form."""
    session = requests.Session()
    html = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    response = session.post(
        f"{base}/login",
        data={"csrf_token": token.group(1), "email": email, "password": PASSWORD},
        timeout=10,
    )
    assert response.status_code == 200 and "/login" not in response.url
    return session


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(base: str, path: str) -> None:
    response = requests.get(f"{base}{path}", allow_redirects=False, timeout=10)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fadministration")


def test_other_users_are_refused(page: Page, base: str, user: User) -> None:
    log_in(page, base, user.email)
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    for path in PAGES:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    assert_accessible(page)
    session = logged_in_session(base, user.email)
    html = session.get(f"{base}/me/uploads", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    response = session.post(
        f"{base}/administration/users/{user.id}/roles",
        data={"csrf_token": token.group(1), "admin": "1"},
        timeout=10,
    )
    assert response.status_code == 403
    assert api(base, user, "GET", "/api/user/records").status_code == 200  # still no admin


CSRF_POSTS = [
    ("/administration/users/{uid}/active", {"active": "0"}),
    ("/administration/users/{uid}/roles", {"admin": "1"}),
    ("/administration/quotas", {"record_id": "x", "quota_size": "1"}),
    ("/administration/records/1cevm-d1y45/restore", {}),
]


def _post_without_token(base: str, admin: User, user: User) -> list[requests.Response]:
    session = logged_in_session(base, admin.email)
    return [
        session.post(f"{base}{path.format(uid=user.id)}", data=data, timeout=10)
        for path, data in CSRF_POSTS
    ]


def test_forms_without_the_csrf_token_change_nothing(
    base: str, admin: User, user: User, services: Any
) -> None:
    responses = _post_without_token(base, admin, user)
    assert all(r.status_code >= 400 for r in responses)
    info = services.users.get(admin.identity, user.id)
    assert info.active and info.roles == frozenset()
    assert api(base, user, "GET", "/api/user/records").status_code == 200


def test_forms_without_the_csrf_token_get_a_403_page(base: str, admin: User, user: User) -> None:
    for response in _post_without_token(base, admin, user):
        assert response.status_code == 403, response.url
        assert "security token" in response.text


def test_deactivating_a_user_ends_their_session_and_tokens(
    browser: Browser, page: Page, base: str, admin: User, user: User, factory: Factory
) -> None:
    for _ in range(3):
        factory.user()
    other = browser.new_context()
    try:
        theirs = other.new_page()
        log_in(theirs, base, user.email)
        log_in(page, base, admin.email)
        page.get_by_role("link", name="Admin", exact=True).click()
        expect(page).to_have_url(f"{base}/administration/users")
        expect(page.get_by_role("link", name="Users")).to_have_attribute("aria-current", "page")
        expect(page.locator("tbody tr")).to_have_count(5)
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
        screenshot(page, "admin-users")

        page.get_by_label("Email contains").fill(user.email)
        page.get_by_role("button", name="Search users").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        row = page.get_by_role("row", name=re.compile(re.escape(user.email)))
        expect(row.locator(".badge-active")).to_have_text("Active")
        page.get_by_role("button", name=f"Deactivate {user.email}").click()
        expect(page.get_by_role("status")).to_contain_text(f"{user.email} deactivated")
        expect(page).to_have_url(re.compile(r"q=user"))  # back to the same search
        expect(row.locator(".badge-inactive")).to_have_text("Deactivated")
        assert_accessible(page)

        assert api(base, user, "GET", "/api/user/records").status_code == 401
        theirs.goto(f"{base}/me/uploads")
        expect(theirs).to_have_url(re.compile(r"/login\?next="))
        theirs.get_by_label("Email address").fill(user.email)
        theirs.get_by_label("Password").fill(PASSWORD)
        theirs.get_by_role("button", name="Log in").click()
        expect(theirs.get_by_role("status")).to_contain_text("deactivated")

        page.get_by_role("button", name=f"Activate {user.email}").click()
        expect(page.get_by_role("status")).to_contain_text(f"{user.email} activated")
        expect(row.locator(".badge-active")).to_have_text("Active")
        assert api(base, user, "GET", "/api/user/records").status_code == 200
        log_in(theirs, base, user.email)
    finally:
        other.close()


def test_an_admin_cannot_deactivate_themself(page: Page, base: str, admin: User) -> None:
    log_in(page, base, admin.email)
    page.goto(f"{base}/administration/users")
    page.get_by_role("button", name=f"Deactivate {admin.email}").click()
    expect(page.get_by_role("alert")).to_contain_text("You cannot deactivate yourself.")
    button = page.get_by_role("button", name=f"Deactivate {admin.email}")
    expect(button).to_have_attribute("aria-describedby", f"active-{admin.id}-errors")
    assert_accessible(page)
    assert api(base, admin, "GET", "/api/user/records").status_code == 200


def test_granting_roles(browser: Browser, page: Page, base: str, admin: User, user: User) -> None:
    other = browser.new_context()
    try:
        theirs = other.new_page()
        log_in(theirs, base, user.email)
        expect(theirs.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
        log_in(page, base, admin.email)
        page.goto(f"{base}/administration/users")
        page.get_by_text(f"Edit roles of {user.email}").focus()
        page.keyboard.press("Enter")  # the disclosure opens from the keyboard
        roles = page.get_by_role("group", name=f"Roles of {user.email}")
        expect(roles).to_be_visible()
        roles.get_by_label("Other roles").fill("curator bad/role")
        page.get_by_role("button", name=f"Save roles of {user.email}").click()
        expect(page.get_by_role("alert")).to_contain_text("Not a valid role name: bad/role.")
        roles = page.get_by_role("group", name=f"Roles of {user.email}")
        expect(roles.get_by_label("Other roles")).to_have_value("curator bad/role")
        expect(roles.get_by_label("Other roles")).to_have_attribute("aria-invalid", "true")
        assert_accessible(page)
        screenshot(page, "admin-users-role-error")

        roles.get_by_label("Administrator").check()
        roles.get_by_label("Other roles").fill("Curator, moderator")
        page.get_by_role("button", name=f"Save roles of {user.email}").click()
        expect(page.get_by_role("status")).to_contain_text(
            f"Roles of {user.email}: admin, curator, moderator."
        )
        row = page.get_by_role("row", name=re.compile(re.escape(user.email)))
        expect(row.locator(".roles .badge")).to_have_text(["admin", "curator", "moderator"])

        theirs.reload()  # the same session: the new role counts at once
        theirs.get_by_role("link", name="Admin", exact=True).click()
        expect(theirs.get_by_role("heading", name="Administration")).to_be_visible()

        page.get_by_text(f"Edit roles of {admin.email}").click()
        mine = page.get_by_role("group", name=f"Roles of {admin.email}")
        mine.get_by_label("Administrator").uncheck()
        page.get_by_role("button", name=f"Save roles of {admin.email}").click()
        expect(page.get_by_role("alert")).to_contain_text("You cannot remove your own admin role.")
    finally:
        other.close()


def test_deleting_a_record_with_a_tombstone_and_restoring_it(
    page: Page, base: str, admin: User, user: User, factory: Factory
) -> None:
    record = factory.record(user, title="Advertising in disguise")
    factory.record(user, title="A genuine dataset")
    log_in(page, base, admin.email)
    page.goto(f"{base}/administration/records")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("row", name=re.compile("Advertising"))).to_contain_text(user.email)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "admin-records")

    page.get_by_label("Search published records").fill("advertising")
    page.get_by_role("button", name="Search records").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Delete… Advertising in disguise").click()
    expect(page).to_have_url(f"{base}/administration/records/{record.id}#delete")
    page.get_by_role("button", name="Delete record").click()
    expect(page.locator("#removal_reason-errors")).to_contain_text("Choose why")
    assert_accessible(page)

    page.get_by_label("Reason for removal").select_option("spam")
    page.get_by_label("Note").fill("Advertising, not research.")
    page.get_by_role("button", name="Delete record").click()
    expect(page.get_by_role("status")).to_contain_text(f"Record {record.id} deleted")
    expect(page.locator(".badge-deleted")).to_have_text("Deleted")
    tombstone = page.get_by_role("region", name="Tombstone")
    expect(tombstone).to_contain_text("Spam")
    expect(tombstone).to_contain_text("Advertising, not research.")
    expect(tombstone).to_contain_text(admin.email)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "admin-record-deleted")

    gone = requests.get(f"{base}/api/records/{record.id}", timeout=10)
    assert gone.status_code == 410
    assert gone.json()["tombstone"]["removal_reason"] == {"id": "spam"}
    assert gone.json()["tombstone"]["note"] == "Advertising, not research."
    page.goto(f"{base}/administration/records")
    expect(page.locator("tbody tr")).to_have_count(1)  # deleted records leave the list

    page.get_by_label("Find a record by id").fill(record.id.upper())
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Restore record").click()
    expect(page.get_by_role("status")).to_contain_text(f"Record {record.id} restored")
    expect(page.locator(".badge-published")).to_have_text("Published")
    assert requests.get(f"{base}/api/records/{record.id}", timeout=10).status_code == 200
    assert_accessible(page)
    screenshot(page, "admin-record")


def test_finding_an_unknown_record(page: Page, base: str, admin: User) -> None:
    log_in(page, base, admin.email)
    page.goto(f"{base}/administration/records")
    page.get_by_label("Find a record by id").fill("no such thing")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("alert")).to_contain_text("No published or deleted record")
    assert_accessible(page)
    response = page.goto(f"{base}/administration/records?page=x&sort=odd")
    assert response is not None and response.status == 200


def test_listing_every_version(
    page: Page, base: str, admin: User, user: User, factory: Factory, services: Any
) -> None:
    first = factory.record(user, title="Glacier mass balance")
    draft = services.records.new_version(user.identity, first.id)
    body = {**copy.deepcopy(MINIMAL_RECORD), "metadata": {**draft.data["metadata"]}}
    body["metadata"].update(publication_date="2021-01-01", title="Glacier mass balance")
    services.records.update_draft(user.identity, draft.id, body)
    services.records.publish(user.identity, draft.id)
    log_in(page, base, admin.email)
    page.goto(f"{base}/administration/records")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr code")).to_have_text(draft.id)
    page.get_by_label("All versions, not only the latest").check()
    page.get_by_role("button", name="Search records").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_label("All versions, not only the latest")).to_be_checked()


def _upload(base: str, user: User, record_id: str, key: str, data: bytes) -> requests.Response:
    files = f"/api/records/{record_id}/draft/files"
    assert api(base, user, "POST", files, json=[{"key": key}]).status_code == 201
    headers = {"Content-Type": "application/octet-stream"}
    return api(base, user, "PUT", f"{files}/{key}/content", data=data, headers=headers)


def test_setting_a_record_quota(
    page: Page, base: str, admin: User, user: User, services: Any
) -> None:
    body = copy.deepcopy(MINIMAL_RECORD)
    body["files"] = {"enabled": True}
    draft = services.records.create(user.identity, body)
    log_in(page, base, admin.email)
    page.goto(f"{base}/administration/quotas")
    defaults = page.get_by_role("region", name="This repository's defaults")
    expect(defaults).to_contain_text("10.7 GB")  # files_quota: 10 GiB
    expect(defaults).to_contain_text("no limit")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "admin-quotas")

    page.get_by_label("Record or draft id").fill(draft.id)
    page.get_by_label("Total size of the record's files").fill("lots")
    page.get_by_label("Most files").fill("-1")
    page.get_by_role("button", name="Set limits").click()
    expect(page.locator("#quota_size-errors")).to_contain_text("size such as 500 MB")
    expect(page.locator("#max_files-errors")).to_contain_text("whole number")
    expect(page.get_by_role("alert")).to_contain_text("not set")
    assert_accessible(page)

    page.get_by_label("Record or draft id").fill("zzzzz-zzz00")
    page.get_by_label("Total size of the record's files").fill("10")
    page.get_by_label("Most files").fill("")
    page.get_by_role("button", name="Set limits").click()
    expect(page.locator("#record_id-errors")).to_contain_text("No record or draft has this id")

    page.get_by_label("Record or draft id").fill(draft.id)
    page.get_by_label("Total size of the record's files").fill("10 bytes")
    page.get_by_label("Most files").fill("2")
    page.get_by_label("Notes").fill("Tiny on purpose")
    page.get_by_role("button", name="Set limits").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"File limits of {draft.id} set: 10 bytes in total"
    )
    expect(page.get_by_role("status")).to_contain_text("at most 2 files")
    assert_accessible(page)

    uploaded = _upload(base, user, draft.id, "small.txt", b"12345")
    assert uploaded.status_code == 200, uploaded.text
    commit = f"/api/records/{draft.id}/draft/files/small.txt/commit"
    assert api(base, user, "POST", commit).status_code == 200
    too_big = _upload(base, user, draft.id, "big.txt", b"x" * 20)
    assert too_big.status_code == 400
    assert "quota" in too_big.text, too_big.text

    page.reload()
    expect(page.locator(".usage")).to_contain_text("holds 1 file, 5 bytes")
