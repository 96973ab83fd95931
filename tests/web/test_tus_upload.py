"""Resumable uploads from the deposit form (tus): a dropped connection and a page reload in
the middle of an upload both end with the exact bytes stored, without starting over."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Page, Request, Route, expect

from tests.factories import User
from tests.web.test_deposit import draft_id, open_form

MB = 1024 * 1024
SIZE = 30 * MB
CHUNK = 8 * MB  # the form's chunk size (static/js/deposit/tus.js)


def big_file(path: Path, size: int = SIZE) -> Path:
    with path.open("wb") as out:
        for _ in range(size // MB):
            out.write(os.urandom(MB))
    return path


def stored_sha256(base: str, user: User, record_id: str, key: str) -> str:
    digest = hashlib.sha256()
    with requests.get(
        f"{base}/api/records/{record_id}/draft/files/{key}/content",
        headers={"Authorization": f"Bearer {user.token}"},
        stream=True,
        timeout=60,
    ) as response:
        assert response.status_code == 200, response.text
        for block in response.iter_content(MB):
            digest.update(block)
    return digest.hexdigest()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tus_keys(page: Page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('cairn-tus'))")


def test_an_upload_survives_a_dropped_connection(
    page: Page, base: str, user: User, tmp_path: Path
) -> None:
    data = big_file(tmp_path / "big.bin")
    open_form(page, base, user)
    page.get_by_label("Title").fill("Big data")
    offsets: list[int] = []

    def drop_the_second_chunk(route: Route) -> None:
        request = route.request
        if request.method == "PATCH":
            offsets.append(int(request.headers["upload-offset"]))
            if len(offsets) == 2:
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/draft/uploads/**", drop_the_second_chunk)
    page.locator("#file-input").set_input_files(data)
    row = page.locator("#files-body tr", has_text="big.bin")
    expect(row).to_contain_text("Connection lost; retrying")
    expect(row).to_contain_text("Uploaded", timeout=120_000)
    # the dropped chunk was sent again from where the server stood, nothing restarted
    assert offsets == [0, CHUNK, CHUNK, 2 * CHUNK, 3 * CHUNK]
    assert stored_sha256(base, user, draft_id(page), "big.bin") == sha256(data)
    assert tus_keys(page) == []


def test_an_upload_resumes_after_a_reload(
    page: Page, base: str, user: User, tmp_path: Path
) -> None:
    data = big_file(tmp_path / "big.bin")
    open_form(page, base, user)
    page.get_by_label("Title").fill("Big data, reloaded")
    sent: list[int] = []

    def stall_after_two_chunks(route: Route) -> None:
        if route.request.method == "PATCH":
            sent.append(int(route.request.headers["upload-offset"]))
            if len(sent) > 2:
                route.abort("internetdisconnected")
                return
        route.continue_()

    page.route("**/draft/uploads/**", stall_after_two_chunks)
    page.locator("#file-input").set_input_files(data)
    row = page.locator("#files-body tr", has_text="big.bin")
    expect(row).to_contain_text("retrying", timeout=60_000)
    assert len(tus_keys(page)) == 1  # the upload's URL is remembered
    page.unroute("**/draft/uploads/**")
    page.reload()
    expect(row).to_contain_text("Incomplete: choose this file again to continue")
    page.evaluate(
        """() => { window.states = [];
          new MutationObserver(() => document.querySelectorAll('.file-state')
            .forEach(n => states.push(n.textContent)))
            .observe(document.body, {subtree: true, childList: true, characterData: true}); }"""
    )
    offsets: list[int] = []

    def watch(request: Request) -> None:
        if request.method == "PATCH":
            offsets.append(int(request.headers["upload-offset"]))

    page.on("request", watch)
    page.locator("#file-input").set_input_files(data)
    expect(row).to_contain_text("Uploaded", timeout=120_000)
    assert offsets[0] == 2 * CHUNK  # resumed where the server stood, not from 0
    percent = 100 * 2 * CHUNK // SIZE
    assert f"Resuming at {percent}%" in page.evaluate("window.states")
    assert stored_sha256(base, user, draft_id(page), "big.bin") == sha256(data)
    assert tus_keys(page) == []


def test_an_unfinished_upload_can_be_removed_after_a_reload(
    page: Page, base: str, user: User, tmp_path: Path, services: Any
) -> None:
    data = big_file(tmp_path / "half.bin", MB)
    open_form(page, base, user)
    page.route(
        "**/draft/uploads/**",
        lambda route: route.abort() if route.request.method == "PATCH" else route.continue_(),
    )
    page.locator("#file-input").set_input_files(data)
    row = page.locator("#files-body tr", has_text="half.bin")
    expect(row).to_contain_text("retrying")
    record_id = draft_id(page)
    page.unroute("**/draft/uploads/**")
    page.reload()
    expect(row).to_contain_text("Incomplete")
    with page.expect_response(lambda r: r.request.method == "DELETE") as ended:
        page.get_by_role("button", name="Remove half.bin").click()
    assert ended.value.status == 204  # the tus upload, with its pending file
    expect(row).to_have_count(0)
    assert services.files.list_files(user.identity, record_id, draft=True).entries == []
    assert tus_keys(page) == []
