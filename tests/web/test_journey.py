"""The whole journey of a new researcher, in Chromium, as the issue tells it: sign up, log in,
deposit with metadata and three files (one of 200 MB through tus, its connection dropped and
resumed), see field errors, fix them, publish, find the record through search with a facet,
open its landing page, download all and check the bytes, publish a new version, and see the
newer-version banner on the first one."""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

from playwright.sync_api import Page, Route, expect

from tests.web.browser import assert_accessible, screenshot
from tests.web.test_deposit import draft_id, exactly, row

MB = 1024 * 1024
BIG = 200 * MB
CHUNK = 8 * MB  # the deposit form's tus chunk (static/js/deposit/tus.js)
EMAIL = "marie.researcher@example.org"
PASSWORD = "glacier melt 2024"


def _random_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for _ in range(size // MB):
            block = os.urandom(MB)
            digest.update(block)
            out.write(block)
        rest = os.urandom(size % MB)
        digest.update(rest)
        out.write(rest)
    return digest.hexdigest()


def _sign_up_and_log_in(page: Page, base: str) -> None:
    page.goto(base)
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/uploads/new$"))
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in", exact=True).click()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=EMAIL)).to_be_visible()


def _fill_with_mistakes(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New upload").click()
    page.get_by_label(exactly("Resource type")).select_option("dataset")
    page.get_by_label(exactly("Title")).fill("Glacier melt at Morteratsch")
    page.get_by_label("Publication date").fill("2024-13-45")  # no 13th month
    row(page, "creators", 0).get_by_label("Given names").fill("Marie")  # no family name
    page.get_by_label("Version").fill("1.0")


def _upload_three_files(page: Page, tmp_path: Path) -> dict[str, str]:
    small = tmp_path / "readme.txt"
    small.write_text("Measurements of the glacier tongue, 2014-2024.\n")
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "stations.csv").write_text("station,lat,lon\nMOR1,46.43,9.93\n")
    big = tmp_path / "dem.tif"
    sums = {
        "readme.txt": hashlib.sha256(small.read_bytes()).hexdigest(),
        "data/stations.csv": hashlib.sha256((folder / "stations.csv").read_bytes()).hexdigest(),
        "dem.tif": _random_file(big, BIG),
    }
    patches: list[tuple[str, int]] = []  # (upload URL, Upload-Offset) of every chunk sent
    dropped: list[tuple[str, int]] = []

    def drop_one_chunk(route: Route) -> None:
        request = route.request
        if request.method == "PATCH":
            sent = (request.url, int(request.headers["upload-offset"]))
            patches.append(sent)
            if not dropped and sent[1] == 3 * CHUNK:  # only the 200 MB file gets this far
                dropped.append(sent)
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/draft/uploads/**", drop_one_chunk)
    page.locator("#file-input").set_input_files([small, big])
    page.locator("#folder-input").set_input_files(folder)
    files = page.locator("#files-body")
    big_row = files.locator("tr", has_text="dem.tif")
    expect(big_row).to_contain_text("Connection lost; retrying", timeout=60_000)
    expect(big_row).to_contain_text("Uploaded", timeout=300_000)
    for key in ("readme.txt", "data/stations.csv"):
        expect(files.locator("tr", has_text=key)).to_contain_text("Uploaded", timeout=60_000)
    page.unroute("**/draft/uploads/**")
    # the dropped chunk was sent again from where the server stood: nothing restarted
    assert dropped, "no chunk was dropped"
    url = dropped[0][0]
    sent = [offset for u, offset in patches if u == url]
    assert sent == sorted(sent) and sent.count(0) == 1 and sent.count(3 * CHUNK) == 2, sent
    assert sent[-1] == BIG - BIG % CHUNK if BIG % CHUNK else BIG - CHUNK, sent
    return sums


def _errors_then_fix_and_publish(page: Page) -> str:
    page.get_by_role("button", name="Publish…").click()
    page.get_by_role("dialog", name="Publish this record?").get_by_role(
        "button", name="Publish now"
    ).click()
    expect(page.locator("#error-summary")).to_be_visible()
    family = row(page, "creators", 0).get_by_label("Family name")
    expect(family).to_have_attribute("aria-invalid", "true")
    date = page.get_by_label("Publication date")
    expect(date).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    screenshot(page, "journey-errors")
    family.fill("Curie")
    date.fill("2024-05-01")
    page.get_by_role("button", name="Publish…").click()
    dialog = page.get_by_role("dialog", name="Publish this record?")
    expect(dialog).to_contain_text("files")
    dialog.get_by_role("button", name="Publish now").click()
    expect(page).to_have_url(re.compile(r"/records/[0-9a-z]{5}-[0-9a-z]{5}$"))
    return page.url.rsplit("/", 1)[1]


def _find_with_a_facet(page: Page, base: str, record_id: str) -> None:
    page.goto(base)
    page.get_by_role("searchbox", name="Search records").first.fill("Morteratsch")
    page.get_by_role("searchbox", name="Search records").first.press("Enter")
    page.get_by_role("checkbox", name=re.compile(r"^Dataset")).check()
    expect(page).to_have_url(re.compile(r"resource_type=dataset"))
    result = page.get_by_role("link", name="Glacier melt at Morteratsch")
    expect(result).to_have_count(1)
    result.click()
    expect(page).to_have_url(f"{base}/records/{record_id}")


def _download_all_and_compare(page: Page, tmp_path: Path, sums: dict[str, str]) -> None:
    with page.expect_download(timeout=300_000) as info:
        page.get_by_role("link", name="Download all (ZIP)").click()
    archive = tmp_path / "all.zip"
    info.value.save_as(archive)
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(zipped.namelist()) == sorted(sums)
        for name, expected in sums.items():
            digest = hashlib.sha256()
            with zipped.open(name) as member:
                for block in iter(lambda member=member: member.read(MB), b""):
                    digest.update(block)
            assert digest.hexdigest() == expected, name


def _new_version(page: Page, first_id: str) -> str:
    page.get_by_role("button", name="New version").click()
    expect(page).to_have_url(re.compile(r"/uploads/[0-9a-z]{5}-[0-9a-z]{5}$"))
    new_id = draft_id(page)
    assert new_id != first_id
    page.get_by_role("button", name="Copy the files of the previous version").click()
    expect(page.locator("#files-body tr", has_text="dem.tif")).to_contain_text("Uploaded")
    page.get_by_role("textbox", name="Version").fill("2.0")
    page.get_by_label("Publication date").fill("2024-11-25")
    page.get_by_role("button", name="Publish…").click()
    page.get_by_role("dialog", name="Publish this record?").get_by_role(
        "button", name="Publish now"
    ).click()
    expect(page).to_have_url(re.compile(rf"/records/{new_id}$"))
    return new_id


def test_a_new_researcher_deposits_publishes_finds_downloads_and_versions(
    page: Page, base: str, tmp_path: Path
) -> None:
    page.set_default_timeout(30_000)
    _sign_up_and_log_in(page, base)
    _fill_with_mistakes(page)
    sums = _upload_three_files(page, tmp_path)
    screenshot(page, "journey-files")
    first_id = _errors_then_fix_and_publish(page)
    expect(page.get_by_role("heading", name="Glacier melt at Morteratsch")).to_be_visible()
    _find_with_a_facet(page, base, first_id)
    expect(page.get_by_text("Curie, Marie")).to_be_visible()
    for key in ("readme.txt", "stations.csv", "dem.tif"):
        expect(page.locator("main")).to_contain_text(key)
    assert_accessible(page)
    screenshot(page, "journey-landing")
    _download_all_and_compare(page, tmp_path, sums)
    second_id = _new_version(page, first_id)
    page.goto(f"{base}/records/{first_id}")
    banner = page.get_by_text("A newer version of this record is available")
    expect(banner).to_be_visible()
    page.get_by_role("link", name="View the latest version").click()
    expect(page).to_have_url(re.compile(rf"/records/{second_id}$"))
    assert_accessible(page)
    screenshot(page, "journey-new-version")
