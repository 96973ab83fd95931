"""Account pages in Chromium: sign up, log in and out, password, tokens; CSRF and limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from cairn.db import Database
from tests.conftest import serve
from tests.factories import Factory, User
from tests.web.browser import PASSWORD, assert_accessible, log_in, screenshot


def test_sign_up_logs_in_and_reaches_the_deposit_form(page: Page, base: str) -> None:
    page.goto(f"{base}/signup")
    assert_accessible(page)
    screenshot(page, "signup")
    page.get_by_label("Email address").fill("new.person@example.org")
    page.get_by_label("Password", exact=True).fill("a fine password")
    page.get_by_label("Repeat the password").fill("a fine password")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/uploads/"))
    expect(page.get_by_role("link", name="new.person@example.org")).to_be_visible()


def test_sign_up_shows_errors_beside_the_fields(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/signup")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-errors")).to_contain_text("minimum length 8")
    assert page.get_by_label("Password", exact=True).get_attribute("aria-invalid") == "true"
    page.get_by_label("Password", exact=True).fill("long enough now")
    page.get_by_label("Repeat the password").fill("long enough now")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#email-errors")).to_contain_text("already exists")
    assert_accessible(page)


def test_login_failure_then_success_returns_to_the_page_asked_for(
    page: Page, base: str, user: User
) -> None:
    page.goto(f"{base}/account/settings/password")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert_accessible(page)
    screenshot(page, "login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("wrong")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/account/settings/password")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    page.goto(f"{base}/account/settings/password")
    expect(page).to_have_url(re.compile(r"/login"))


def test_changing_the_password_ends_other_sessions(
    browser: Browser, page: Page, base: str, user: User
) -> None:
    other = browser.new_context()
    try:
        other_page = other.new_page()
        log_in(other_page, base, user.email)
        log_in(page, base, user.email)
        page.goto(f"{base}/account/settings/password")
        assert_accessible(page)
        screenshot(page, "account-password")
        page.get_by_label("Current password").fill("not it")
        page.get_by_label("New password", exact=True).fill("x")
        page.get_by_label("Repeat the new password").fill("x")
        page.get_by_role("button", name="Change password").click()
        expect(page.locator("#current_password-errors")).to_contain_text("wrong")
        expect(page.locator("#password-errors")).to_contain_text("minimum length")
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill("a brand new secret")
        page.get_by_label("Repeat the new password").fill("a brand new secret")
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_role("status")).to_contain_text("Password changed")
        page.goto(f"{base}/me/uploads")  # this browser stays logged in
        expect(page).not_to_have_url(re.compile(r"/login"))
        other_page.goto(f"{base}/account/settings/password")  # the other one does not
        expect(other_page).to_have_url(re.compile(r"/login"))
        log_in(other_page, base, user.email, "a brand new secret")
    finally:
        other.close()


def test_tokens_are_shown_once_work_and_can_be_revoked(page: Page, base: str, user: User) -> None:
    log_in(page, base, user.email)
    page.goto(f"{base}/account/settings/applications")
    page.get_by_label("Token name").fill("my laptop")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Your new token").input_value()
    assert len(token) > 40
    assert_accessible(page)
    screenshot(page, "account-tokens")
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{base}/api/user/records", headers=headers, timeout=10).status_code == 200
    page.reload()
    assert token not in page.content()
    page.get_by_role("button", name="Revoke token my laptop").click()
    expect(page.get_by_role("row", name=re.compile("my laptop"))).to_contain_text("revoked")
    assert requests.get(f"{base}/api/user/records", headers=headers, timeout=10).status_code == 401


def test_api_calls_with_the_cookie_need_the_csrf_token(page: Page, base: str, user: User) -> None:
    log_in(page, base, user.email)
    page.goto(f"{base}/account/settings/password")
    body = {"metadata": {"title": "x"}}
    without = page.evaluate(
        """async (body) => (await fetch('/api/records', {method: 'POST',
            headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})).status""",
        body,
    )
    assert without == 403
    with_token = page.evaluate(
        """async (body) => (await fetch('/api/records', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token':
            document.querySelector('meta[name=csrf-token]').content},
            body: JSON.stringify(body)})).status""",
        body,
    )
    assert with_token == 201


def test_forms_without_the_token_are_refused(base: str, user: User) -> None:
    session = requests.Session()
    response = session.post(
        f"{base}/login", data={"email": user.email, "password": PASSWORD}, timeout=10
    )
    assert response.status_code == 403
    assert "security token" in response.text
    assert "cairn_session" not in response.headers.get("set-cookie", "") or "uid" not in str(
        session.cookies
    )


def test_reading_pages_sets_no_cookie(base: str) -> None:
    """Anonymous readers get no session (so no cookie to consent to, and cacheable pages);
    a form that needs a CSRF token starts one."""
    for path in ("/", "/search?q=x", "/no/such/page"):
        assert "set-cookie" not in requests.get(f"{base}{path}", timeout=10).headers, path


def test_session_cookie_flags(base: str) -> None:
    response = requests.get(f"{base}/login", timeout=10)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # http site; https sites get Secure (next test)
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_https_sites_mark_the_cookie_secure(tmp_path: Path, db: Database, factory: Factory) -> None:
    served = serve(tmp_path, db, site_url="https://data.example.org")
    try:
        response = requests.get(f"http://{served.base.split('//')[1]}/login", timeout=10)
        assert "secure" in response.headers["set-cookie"].lower()
    finally:
        served.stop()


def test_logins_are_rate_limited(tmp_path: Path, db: Database, factory: Factory) -> None:
    user = factory.user()
    served = serve(tmp_path, db, login_rate_limit="3/minute")
    try:
        session = requests.Session()
        page_html = session.get(f"{served.base}/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page_html)
        assert token
        statuses = [
            session.post(
                f"{served.base}/login",
                data={"csrf_token": token.group(1), "email": user.email, "password": "wrong"},
                timeout=10,
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [400, 400, 400, 429]
    finally:
        served.stop()


@pytest.mark.parametrize("path", ["/signup"])
def test_registration_can_be_closed(tmp_path: Path, db: Database, path: str) -> None:
    served = serve(tmp_path, db, registration=False)
    try:
        response = requests.get(f"{served.base}{path}", timeout=10)
        assert response.status_code == 404
        assert "Registration is closed" in response.text
        assert 'href="/signup"' not in requests.get(f"{served.base}/login", timeout=10).text
    finally:
        served.stop()
