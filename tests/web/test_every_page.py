"""Every page of the site, opened in Chromium as the user who can see it: its first view makes
at most one API call, axe-core finds no serious or critical problem, and the page fits a
375-pixel-wide screen. A new page route
must be added to PAGES, or this test fails."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page

from cairn.http.routes import walk_routes
from tests.factories import Factory, User
from tests.web.browser import assert_accessible, assert_no_horizontal_scroll, log_in

# route path -> (who opens it, the address with its ids filled in)
PAGES: dict[str, tuple[str, str]] = {
    "/": ("anonymous", "/"),
    "/search": ("anonymous", "/search?q=glacier"),
    "/records/{id}": ("anonymous", "/records/{record}"),
    "/uploads/new": ("owner", "/uploads/new"),
    "/uploads/{id}": ("owner", "/uploads/{draft}"),
    "/me/uploads": ("owner", "/me/uploads"),
    "/login": ("anonymous", "/login"),
    "/signup": ("anonymous", "/signup"),
    "/account/settings/password": ("owner", "/account/settings/password"),
    "/account/settings/applications": ("owner", "/account/settings/applications"),
    "/administration/users": ("admin", "/administration/users"),
    "/administration/records": ("admin", "/administration/records"),
    "/administration/records/deleted": ("admin", "/administration/records/deleted"),
    "/administration/records/{record_id}": ("admin", "/administration/records/{record}"),
    "/administration/quotas": ("admin", "/administration/quotas?record={record}"),
    "/administration/jobs": ("admin", "/administration/jobs"),
    "/administration/oai-sets": ("admin", "/administration/oai-sets"),
    "/administration/oai-sets/new": ("admin", "/administration/oai-sets/new"),
    "/administration/oai-sets/{set_id}": ("admin", "/administration/oai-sets/{oai_set}"),
}
# GET routes that answer with a redirect, a file or a tombstone, not a page of their own
NOT_PAGES = {
    "/records/{id}/latest",
    "/records/{id}/files/{key:path}",
    "/records/{id}/export/{fmt}",
    "/doi/{doi:path}",
    "/administration",
    "/administration/records/find",
    "/static/theme.css",
    "/sitemap.xml",
    "/sitemap-{number}.xml",
    "/robots.txt",
    "/oai2d",
}
EXTRA = [  # states of pages worth their own check
    ("anonymous", "/records/{deleted}"),  # the tombstone (410)
    ("anonymous", "/no/such/page"),  # the 404 page
    ("anonymous", "/search?q=nothingmatchesthis"),
    ("owner", "/records/{record}?preview=1"),
]


def test_the_list_covers_every_page_route(app: FastAPI) -> None:
    found = {
        route.path
        for route in walk_routes(app.routes)
        if "GET" in (getattr(route, "methods", None) or ())
        and not route.path.startswith("/api")  # type: ignore[attr-defined]
        and route.path not in {"/api/openapi.json", "/api/docs", "/api/docs/oauth2-redirect"}  # type: ignore[attr-defined]
    }
    assert found == set(PAGES) | NOT_PAGES


@pytest.fixture
def world(factory: Factory, user: User, admin: User) -> dict[str, Any]:
    services = factory.services
    record = factory.record(user, title="Glacier melt at Morteratsch")
    draft = factory.draft(user, title="Glacier draft")
    gone = factory.record(user, title="Removed glacier")
    services.records.delete_record(
        admin.identity, gone.id, {"removal_reason": {"id": "spam"}, "note": "Spam."}
    )
    body = {"name": "Glaciers", "spec": "glaciers", "search_pattern": "glacier"}
    oai_set = services.oai_sets.create(admin.identity, body)
    return {"record": record.id, "draft": draft.id, "deleted": gone.id, "oai_set": oai_set["id"]}


def test_every_page_is_accessible_and_fits_a_phone(
    page: Page, base: str, user: User, admin: User, world: dict[str, Any]
) -> None:
    visits = sorted(set(PAGES.values()) | set(EXTRA))
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/api/" in r.url else None)
    current = "anonymous"
    for who, path in visits:
        if who != current:
            page.context.clear_cookies()
            if who != "anonymous":
                log_in(page, base, (user if who == "owner" else admin).email)
            current = who
        api_calls.clear()
        page.goto(base + path.format(**world))
        page.wait_for_load_state("networkidle")
        # the first view is rendered on the server: at most one API call to complete it
        assert len(api_calls) <= 1, f"{path}: {api_calls}"
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
