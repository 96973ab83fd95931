"""The record landing page in Chromium: metadata, files tree and downloads, versions,
citation, tombstone, draft preview, permissions, and the routes around it."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, expect

from tests.factories import Factory, User, minimal_record
from tests.web.browser import (
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
)

ORCID = "0000-0002-1825-0097"
ROR = "01ggx4157"  # CERN
FUNDER_ROR = "00k4n6c32"  # European Commission
DOI = "10.5555/cairn-landing-42"
LONG_NAME = "an-extremely-long-file-name-without-any-spaces-" + "x" * 80 + ".csv"
FILES = {
    "data/raw/measurements.csv": b"site,value\nA,1\nB,2\n",
    "data/readme.txt": b"Read me first.\n",
    "analysis.py": b"print('hello')\n" * 40,
    LONG_NAME: b"1,2,3\n",
}
RICH = {
    "title": "Water levels of the river Aare",
    "creators": [
        {
            "person_or_org": {
                "type": "personal",
                "family_name": "Muster",
                "given_name": "Anna Lena",
                "identifiers": [{"scheme": "orcid", "identifier": ORCID}],
            },
            "affiliations": [{"id": ROR, "name": "CERN"}, {"name": "University of Bern"}],
        },
        {"person_or_org": {"type": "organizational", "name": "Swiss Hydrology Group"}},
    ],
    "contributors": [
        {
            "person_or_org": {"type": "personal", "family_name": "Keller", "given_name": "Jo"},
            "role": {"id": "datacurator"},
        }
    ],
    "description": "<p>Daily levels with <strong>quality flags</strong>.</p>"
    "<script>document.title='owned'</script>",
    "additional_descriptions": [
        {"description": "<p>Gauges read at 06:00.</p>", "type": {"id": "methods"}}
    ],
    "additional_titles": [{"title": "Aare water levels 1990-2020", "type": {"id": "subtitle"}}],
    "publication_date": "2021-03-04",
    "publisher": "Cairn Test Repository",
    "version": "2.1",
    "resource_type": {"id": "dataset"},
    "languages": [{"id": "deu"}],
    "subjects": [{"subject": "hydrology"}, {"subject": "rivers"}],
    "dates": [{"date": "1990/2020", "type": {"id": "collected"}}],
    "rights": [{"id": "cc-by-4.0"}],
    "identifiers": [{"identifier": "https://example.org/aare", "scheme": "url"}],
    "related_identifiers": [
        {"identifier": "10.1234/paper.7", "scheme": "doi", "relation_type": {"id": "cites"}}
    ],
    "funding": [
        {
            "funder": {"id": FUNDER_ROR, "name": "European Commission"},
            "award": {"title": {"en": "River Futures"}, "number": "777"},
        }
    ],
    "locations": {
        "features": [{"geometry": {"type": "Point", "coordinates": [7.44, 46.95]}, "place": "Bern"}]
    },
    "references": [{"reference": "Muster (2019). Earlier gauges."}],
}


@dataclass
class Published:
    id: str
    owner: User


def add_files(base: str, user: User, draft_id: str, files: dict[str, bytes]) -> None:
    """Upload and commit ``files`` to a draft through the live server's files API (its
    storage is its own)."""
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {user.token}"
    url = f"{base}/api/records/{draft_id}/draft/files"
    response = api.post(url, json=[{"key": key} for key in files], timeout=10)
    assert response.status_code == 201, response.text
    for key, data in files.items():
        octets = {"Content-Type": "application/octet-stream"}
        response = api.put(f"{url}/{key}/content", data=data, headers=octets, timeout=10)
        assert response.status_code == 200, response.text
        response = api.post(f"{url}/{key}/commit", timeout=10)
        assert response.status_code == 200, response.text


def publish_with_files(
    base: str, factory: Factory, user: User, files: dict[str, bytes], body: dict[str, Any]
) -> str:
    records = factory.services.records
    draft = records.create(user.identity, {**body, "files": {"enabled": True}})
    add_files(base, user, draft.id, files)
    return str(records.publish(user.identity, draft.id).id)


@pytest.fixture
def rich(base: str, factory: Factory, user: User) -> Published:
    body = minimal_record(**RICH)
    body["pids"] = {"doi": {"identifier": DOI, "provider": "external"}}
    return Published(publish_with_files(base, factory, user, FILES, body), user)


def test_every_part_of_the_metadata_is_shown(page: Page, base: str, rich: Published) -> None:
    page.goto(f"{base}/records/{rich.id}")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text(RICH["title"])
    expect(page).to_have_title(re.compile("Water levels of the river Aare"))
    expect(main).to_contain_text("Aare water levels 1990-2020")
    creators = page.locator(".creators")
    expect(creators).to_contain_text("Muster, Anna Lena")
    expect(creators).to_contain_text("Swiss Hydrology Group")
    orcid = creators.get_by_role("link", name=re.compile("ORCID"))
    expect(orcid).to_have_attribute("href", f"https://orcid.org/{ORCID}")
    expect(creators.get_by_role("link", name="CERN")).to_have_attribute(
        "href", f"https://ror.org/{ROR}"
    )
    expect(creators).to_contain_text("University of Bern")
    expect(page.locator(".contributors")).to_contain_text("Keller, Jo")
    expect(page.locator(".contributors")).to_contain_text("Data curator")
    # sanitised HTML is rendered as HTML, the script is gone
    expect(page.locator(".record-description strong")).to_have_text("quality flags")
    assert "owned" not in page.title()
    expect(page.get_by_role("heading", name="Methods")).to_be_visible()
    expect(main).to_contain_text("Gauges read at 06:00.")
    details = page.locator(".record-details")
    for label, text in [
        ("Resource type", "Dataset"),
        ("Publication date", "March 4, 2021"),
        ("Publisher", "Cairn Test Repository"),
        ("Version", "2.1"),
        ("Languages", "German"),
        ("Keywords and subjects", "hydrology"),
        ("Keywords and subjects", "rivers"),
        ("Dates", "1990 \u2013 2020"),
        ("Rights", "Creative Commons Attribution 4.0 International"),
        ("Identifiers", "https://example.org/aare"),
        ("Related works", "10.1234/paper.7"),
        ("Funding", "European Commission"),
        ("Funding", "River Futures, 777"),
        ("Locations", "Bern"),
        ("References", "Earlier gauges"),
    ]:
        row = details.locator(".detail-row", has=page.locator("dt", has_text=label))
        expect(row).to_contain_text(text)
    expect(details.get_by_role("link", name="10.1234/paper.7")).to_have_attribute(
        "href", "https://doi.org/10.1234/paper.7"
    )
    license_link = details.get_by_role("link", name=re.compile("Creative Commons"))
    expect(license_link).to_have_attribute("href", "https://creativecommons.org/licenses/by/4.0/")
    expect(details.get_by_role("link", name="European Commission")).to_have_attribute(
        "href", f"https://ror.org/{FUNDER_ROR}"
    )
    expect(page.locator(".doi-badge")).to_have_attribute("href", f"https://doi.org/{DOI}")
    expect(page.locator(".record-badges .badge-open")).to_have_text("Open")
    citation = page.locator("#citation-text")
    expect(citation).to_have_text(
        "Muster, A. L., & Swiss Hydrology Group (2021). Water levels of the river Aare (2.1). "
        f"Cairn Test Repository. https://doi.org/{DOI}"
    )
    expect(page.locator(".newer-version")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "record-landing")
    assert_no_horizontal_scroll(page)


def test_files_form_a_tree_and_download(
    page: Page, context: BrowserContext, base: str, rich: Published
) -> None:
    page.goto(f"{base}/records/{rich.id}")
    files = page.locator("#files")
    expect(files).to_contain_text("4 files")
    data = files.locator("li.folder", has=page.locator("summary", has_text="data/")).first
    raw = data.locator("li.folder", has=page.locator("summary", has_text="raw/"))
    expect(raw.locator(".file-name")).to_have_text("measurements.csv")
    expect(data.locator("> details > ul > li.file .file-name")).to_have_text("readme.txt")
    expect(files.locator("> ul > li.file .file-name")).to_have_text([LONG_NAME, "analysis.py"])
    body = FILES["data/raw/measurements.csv"]
    expect(raw).to_contain_text(f"{len(body)} bytes")
    expect(raw).to_contain_text("md5:" + hashlib.md5(body).hexdigest())
    # folders close and open from the keyboard
    summary = data.locator("summary").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(raw).to_be_hidden()
    page.keyboard.press("Enter")
    expect(raw).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download data/raw/measurements.csv").click()
    download = info.value
    assert download.suggested_filename == "measurements.csv"
    assert Path(download.path()).read_bytes() == body

    with page.expect_download() as info:
        page.get_by_role("link", name="Download all (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert sorted(archive.namelist()) == sorted(FILES)
    for key, data_bytes in FILES.items():
        assert archive.read(key) == data_bytes

    # the file name opens the file itself (a redirect to the API's content URL)
    response = requests.get(
        f"{base}/records/{rich.id}/files/analysis.py", allow_redirects=False, timeout=10
    )
    assert response.status_code == 302
    assert response.headers["location"] == f"/api/records/{rich.id}/files/analysis.py/content"
    assert (
        requests.get(f"{base}/records/{rich.id}/files/analysis.py", timeout=10).content
        == (FILES["analysis.py"])
    )
    missing = requests.get(f"{base}/records/{rich.id}/files/nope.txt", timeout=10)
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]

    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy citation").click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Muster, A. L.")


def test_versions_list_and_newer_version_banner(
    page: Page, base: str, factory: Factory, user: User
) -> None:
    records = factory.services.records
    first = factory.record(user, title="Glacier survey", version="1.0")
    draft = records.new_version(user.identity, first.id)
    body = minimal_record(title="Glacier survey", version="2.0", publication_date="2022-05-01")
    records.update_draft(user.identity, draft.id, body)
    second = records.publish(user.identity, draft.id)

    page.goto(f"{base}/records/{first.id}")
    banner = page.locator(".newer-version")
    expect(banner).to_contain_text("A newer version of this record is available")
    versions = page.locator(".versions li")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("2.0")
    expect(page.locator(".versions [aria-current=page]")).to_have_text("1.0")
    assert_accessible(page)
    screenshot(page, "record-newer-version")
    assert_no_horizontal_scroll(page)

    banner.get_by_role("link", name="View the latest version").click()
    expect(page).to_have_url(f"{base}/records/{second.id}")
    expect(page.locator(".newer-version")).to_have_count(0)
    expect(page.locator(".versions [aria-current=page]")).to_have_text("2.0")
    page.locator(".versions").get_by_role("link", name="1.0").click()
    expect(page).to_have_url(f"{base}/records/{first.id}")

    latest = requests.get(f"{base}/records/{first.id}/latest", allow_redirects=False, timeout=10)
    assert latest.status_code == 302
    assert latest.headers["location"] == f"/records/{second.id}"
    parent = second.data["parent"]["id"]
    by_parent = requests.get(f"{base}/records/{parent}", allow_redirects=False, timeout=10)
    assert by_parent.status_code == 302
    assert by_parent.headers["location"] == f"/records/{second.id}"


def test_a_long_history_lists_the_newest_versions_and_links_to_all(
    base: str, factory: Factory, user: User
) -> None:
    records = factory.services.records
    latest = factory.record(user, title="Many versions", version="1")
    for number in range(2, 8):
        draft = records.new_version(user.identity, latest.id)
        body = minimal_record(title="Many versions", version=str(number))
        latest = records.update_draft(user.identity, draft.id, body)
        latest = records.publish(user.identity, draft.id)
    html = requests.get(f"{base}/records/{latest.id}", timeout=10).text
    listed = re.findall(
        r'<li(?: class="current")?>\s*(?:<a href="[^"]+">|<strong[^>]*>)(\d)<', html
    )
    assert listed == ["7", "6", "5", "4", "3"]
    assert "All 7 versions" in html
    assert "allversions=true" in html


def test_deleted_record_shows_a_tombstone(
    page: Page, base: str, factory: Factory, user: User, admin: User
) -> None:
    record = factory.record(user, title="Soon gone")
    tombstone = {"removal_reason": {"id": "spam"}, "note": "Posted by a bot."}
    factory.services.records.delete_record(admin.identity, record.id, tombstone)
    response = page.goto(f"{base}/records/{record.id}")
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This record has been deleted")
    main = page.locator("main")
    expect(main).to_contain_text("Spam")
    expect(main).to_contain_text("Posted by a bot.")
    expect(main).not_to_contain_text("Soon gone")
    assert_accessible(page)
    screenshot(page, "record-tombstone")
    assert_no_horizontal_scroll(page)


def test_draft_preview_for_the_owner_only(
    page: Page, base: str, factory: Factory, user: User
) -> None:
    draft = factory.services.records.create(
        user.identity, {**minimal_record(title="Unpublished work"), "files": {"enabled": True}}
    )
    add_files(base, user, draft.id, {"notes/today.txt": b"draft bytes"})
    url = f"{base}/records/{draft.id}?preview=1"

    page.goto(url)  # anonymous: asked to log in, then back here
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert requests.get(f"{base}/records/{draft.id}", timeout=10).status_code == 404

    other = factory.user()
    log_in(page, base, other.email)
    response = page.goto(url)
    assert response is not None and response.status == 403
    expect(page.locator("main")).not_to_contain_text("Unpublished work")

    page.get_by_role("button", name="Log out").click()
    log_in(page, base, user.email)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Unpublished work")
    expect(page.locator(".record-preview")).to_contain_text("Preview")
    expect(page.locator(".record-preview")).to_contain_text("not published yet")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download notes/today.txt").click()
    assert Path(info.value.path()).read_bytes() == b"draft bytes"
    assert_accessible(page)
    screenshot(page, "record-preview")


def test_restricted_records_and_files(page: Page, base: str, factory: Factory, user: User) -> None:
    hidden = factory.services.records.create(
        user.identity,
        {
            **minimal_record(title="Closed study"),
            "access": {"record": "restricted", "files": "restricted"},
        },
    )
    hidden_id = factory.services.records.publish(user.identity, hidden.id).id
    body = {
        **minimal_record(title="Open metadata"),
        "access": {"record": "public", "files": "restricted"},
    }
    files_closed = publish_with_files(base, factory, user, {"secret.csv": b"a,b\n"}, body)

    page.goto(f"{base}/records/{hidden_id}")  # anonymous: the login page, nothing of the record
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("main")).not_to_contain_text("Closed study")

    page.goto(f"{base}/records/{files_closed}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open metadata")
    expect(page.locator("#files")).to_contain_text("restricted")
    expect(page.get_by_role("link", name=re.compile("Download"))).to_have_count(0)
    expect(page.locator(".record-badges .badge-restricted")).to_have_text("Restricted")

    log_in(page, base, user.email)
    page.goto(f"{base}/records/{hidden_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Closed study")
    page.goto(f"{base}/records/{files_closed}")
    expect(page.get_by_role("link", name="Download secret.csv")).to_be_visible()


def test_exports_doi_resolver_and_bad_input(base: str, rich: Published) -> None:
    exported = requests.get(f"{base}/records/{rich.id}/export/json", timeout=10)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/json")
    assert "attachment" in exported.headers["content-disposition"]
    assert exported.json()["metadata"]["title"] == RICH["title"]
    unknown = requests.get(f"{base}/records/{rich.id}/export/nonsense", timeout=10)
    assert unknown.status_code == 404 and "nonsense" in unknown.text

    resolved = requests.get(f"{base}/doi/{DOI.upper()}", allow_redirects=False, timeout=10)
    assert resolved.status_code == 302
    assert resolved.headers["location"] == f"/records/{rich.id}"
    for doi in ("10.9999/nothing-here", "not-a-doi", '10.1/"quoted\\'):
        assert requests.get(f"{base}/doi/{doi}", timeout=10).status_code == 404

    for path in ("/records/not-an-id", "/records/abcde-12345", "/records/abcde-12345/latest"):
        response = requests.get(base + path, timeout=10)
        assert response.status_code == 404, path
        assert "text/html" in response.headers["content-type"]
    ignored = requests.get(f"{base}/records/{rich.id}?preview=%00&page=-1", timeout=10)
    assert ignored.status_code == 200 and RICH["title"] in ignored.text


# -- the pure helpers behind the page ---------------------------------------------------
def test_plain_citation_parts() -> None:
    from cairn.web.pages.record_citation import plain_citation

    metadata = minimal_record(version="v3", publication_date="2018/2020")["metadata"]
    url = "https://cairn.test/records/abcde-12345"
    assert plain_citation(metadata, {}, url) == (
        "Brown, T., & Troy Inc. (2018). A Romans story (v3). Acme Inc. " + url
    )
    bare = {"title": "Only a title?", "creators": []}
    assert plain_citation(bare, {"doi": {"identifier": "10.1/x"}}, url) == (
        "Only a title? https://doi.org/10.1/x"
    )
    many = {
        "creators": [
            {"person_or_org": {"type": "organizational", "name": f"O{i}"}} for i in range(25)
        ]
    }
    assert plain_citation(many, {}, url).startswith("O0, O1, ") and ", … O24." in plain_citation(
        many, {}, url
    )


def test_file_tree_nests_folders_and_sums_sizes() -> None:
    from cairn.web.pages.record_files import build_tree

    entries = [
        {"key": "b/z.txt", "size": 5},
        {"key": "a.txt", "size": 1},
        {"key": "b/c/y.txt", "size": 2},
        {"key": "b/c/x y.txt", "size": 3},
    ]
    root = build_tree("abcde-12345", entries)
    assert [f.name for f in root.files] == ["a.txt"]
    (b,) = root.folders
    assert (b.name, b.path, b.count, b.size) == ("b", "b/", 3, 10)
    assert [f.name for f in b.folders[0].files] == ["x y.txt", "y.txt"]
    assert b.folders[0].files[0].download_url == (
        "/records/abcde-12345/files/b/c/x%20y.txt?download=1"
    )
    assert root.count == 4 and root.size == 11


@pytest.mark.parametrize(
    ("scheme", "identifier", "url"),
    [
        ("orcid", ORCID, f"https://orcid.org/{ORCID}"),
        ("ror", ROR, f"https://ror.org/{ROR}"),
        ("doi", "10.1/a<b>", "https://doi.org/10.1/a%3Cb%3E"),
        ("arxiv", "arXiv:1234.5678", "https://arxiv.org/abs/arXiv:1234.5678"),
        ("url", "javascript:alert(1)", None),
        ("other", "https://example.org/x", "https://example.org/x"),
        ("isbn", "978-3-16-148410-0", None),
    ],
)
def test_identifier_links_are_http_only(scheme: str, identifier: str, url: str | None) -> None:
    from cairn.web.pages.record_view import pid_url

    assert pid_url(scheme, identifier) == url
