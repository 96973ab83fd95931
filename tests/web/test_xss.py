"""Script payloads stored in every text field, file name, user and token name must stay text
on every page: no dialog fires, no injected element exists, no injected script runs."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from cairn.core.identity import SYSTEM
from tests.factories import Factory, User, minimal_record
from tests.web.browser import log_in

IMG = '<img data-xss src=x onerror="window.__xss=1;alert(1)">'
SVG = "<svg data-xss onload=alert(1)>"
QUOTE = '"><script data-xss>window.__xss=1;alert(1)</script>'
SINGLE = "';window.__xss=1;alert(1);//"
PAYLOAD = f"X {IMG} {QUOTE} {SVG} {SINGLE} {{{{7*7}}}}"


def _person(text: str) -> dict:
    return {
        "person_or_org": {"type": "personal", "family_name": text, "given_name": text},
        "affiliations": [{"name": text}],
    }


def _metadata() -> dict:
    return {
        "title": f"T {PAYLOAD}",
        "description": (
            f"<p>D {IMG}</p><script>alert(1)</script><a href='javascript:alert(1)'>j</a>"
        ),
        "additional_titles": [{"title": f"A {PAYLOAD}", "type": {"id": "alternative-title"}}],
        "additional_descriptions": [
            {"description": f"<p>Methods {IMG}</p>{QUOTE}", "type": {"id": "methods"}}
        ],
        "creators": [
            _person(f"C {PAYLOAD}"),
            {"person_or_org": {"type": "organizational", "name": f"O {PAYLOAD}"}},
        ],
        "contributors": [{**_person(f"K {PAYLOAD}"), "role": {"id": "other"}}],
        "publisher": f"P {PAYLOAD}",
        "version": f"v {QUOTE}"[:180],
        "subjects": [{"subject": f"S {PAYLOAD}"}],
        "funding": [
            {
                "funder": {"name": f"F {PAYLOAD}"},
                "award": {"title": {"en": f"W {PAYLOAD}"}, "number": f"N {QUOTE}"},
            }
        ],
        "copyright": f"© {PAYLOAD}",
        "rights": [
            {
                "title": {"en": f"R {PAYLOAD}"},
                "description": {"en": f"RD {PAYLOAD}"},
                "link": "https://example.org/licence",
            }
        ],
        "dates": [{"date": "2020", "type": {"id": "collected"}, "description": f"Dd {PAYLOAD}"}],
        "references": [{"reference": f"Ref {PAYLOAD}"}],
        "sizes": [f"size {PAYLOAD}"],
        "formats": [f"fmt {PAYLOAD}"],
        "locations": {"features": [{"place": f"Pl {PAYLOAD}", "description": f"Ld {PAYLOAD}"}]},
    }


FILE_KEYS = [f"{IMG}.txt", f"{SVG}/{QUOTE}.csv", "';window.__xss=1;alert(1);x.dat"]


def _with_files(factory: Factory, user: User, publish: bool) -> str:
    services = factory.services
    body = minimal_record(**_metadata())
    body["files"] = {"enabled": True}
    draft = services.records.create(user.identity, body)
    assert not getattr(draft, "errors", None), getattr(draft, "errors", None)
    services.files.init_files(user.identity, draft.id, [{"key": k} for k in FILE_KEYS])
    for key in FILE_KEYS:
        services.files.upload_content(user.identity, draft.id, key, [b"payload file"])
        services.files.commit(user.identity, draft.id, key)
    if publish:
        services.records.publish(user.identity, draft.id)
    return str(draft.id)


@pytest.fixture
def planted(factory: Factory) -> dict[str, str]:
    """A published record, a draft, an evil user and token name, all full of payloads."""
    owner = factory.user(email=f"{IMG.replace(' ', '/')}@example.org")
    admin = factory.user(admin=True)
    accounts = factory.services.accounts
    accounts.create_token(SYSTEM, admin.email, f"tok {PAYLOAD}"[:100])
    record = _with_files(factory, owner, publish=True)
    draft = _with_files(factory, owner, publish=False)
    oai_set = factory.services.oai_sets.create(
        admin.identity,
        {
            "name": f"N {PAYLOAD}",
            "spec": "xss",
            "search_pattern": 'title:"<img data-xss src=x onerror=alert(1)>"',
            "description": f"D {PAYLOAD}",
        },
    )
    return {
        "record": record,
        "draft": draft,
        "owner": owner.email,
        "admin": admin.email,
        "oai_set": str(oai_set["id"]),
    }


def _assert_clean(page: Page, url: str, dialogs: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    injected = page.locator("[data-xss]").count()
    flag = page.evaluate("window.__xss")
    assert injected == 0, f"{url}: {injected} injected element(s)"
    assert flag is None, f"{url}: injected script ran"
    assert not dialogs, f"{url}: dialog fired: {dialogs}"
    assert "49" not in page.title(), f"{url}: template injection evaluated"


def test_payloads_stay_text_on_every_page(page: Page, base: str, planted: dict[str, str]) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    rid, did = planted["record"], planted["draft"]
    q = quote(PAYLOAD)
    anonymous = [
        "/",
        f"/search?q={q}",
        "/search?q=payload",
        f"/search?subject={q}&sort={q}&page={q}",
        f"/records/{rid}",
        f"/login?next={q}",
        f"/no/such/{q}",
    ]
    for path in anonymous:
        _assert_clean(page, base + path, dialogs)
    log_in(page, base, planted["owner"])
    for path in [
        f"/records/{did}?preview=1",
        f"/uploads/{did}",
        f"/uploads/{rid}",
        "/me/uploads",
        f"/me/uploads?q={q}",
    ]:
        _assert_clean(page, base + path, dialogs)
    page.get_by_role("button", name="Log out").click()
    log_in(page, base, planted["admin"])
    for path in [
        "/administration/users",
        f"/administration/users?q={q}",
        "/administration/records",
        "/account/settings/applications",
        "/administration/oai-sets",
        f"/administration/oai-sets?q={q}&sort={q}&page={q}",
        f"/administration/oai-sets/{planted['oai_set']}",
    ]:
        _assert_clean(page, base + path, dialogs)


def test_the_payloads_are_shown_as_text(page: Page, base: str, planted: dict[str, str]) -> None:
    """The test above would pass on a page that dropped the data: check it is visible."""
    page.goto(f"{base}/records/{planted['record']}")
    text = page.inner_text("main")
    assert "T X <img data-xss" in text
    assert "window.__xss=1;alert(1)" in text
    assert f"{IMG}.txt" in text
