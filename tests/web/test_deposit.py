"""The deposit form in Chromium: every field round-trips, errors sit beside their fields,
publishing asks first, files upload through tus (folders too), and only owners get in."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from cairn.core.errors import NotFound
from tests.factories import Factory, User, minimal_record
from tests.web.browser import (
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
)


def exactly(label: str) -> re.Pattern[str]:
    """A label, maybe with the star of a required field."""
    return re.compile(rf"^\s*{re.escape(label)}( \*)?\s*$")


def open_form(page: Page, base: str, user: User) -> None:
    log_in(page, base, user.email)
    page.goto(f"{base}/uploads/new")
    expect(page.locator("#creators-rows > li")).to_have_count(1)


def draft_id(page: Page) -> str:
    match = re.search(r"/uploads/([0-9a-z]{5}-[0-9a-z]{5})$", page.url)
    assert match, page.url
    return match.group(1)


def row(page: Page, kind: str, index: int) -> Locator:
    return page.locator(f"#{kind}-rows > li").nth(index)


def save(page: Page) -> None:
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#save-status")).to_contain_text("Draft saved")


def pick(page: Page, label: str, text: str, option: str) -> None:
    """Type into a vocabulary search and choose ``option`` with the keyboard."""
    box = page.get_by_role("combobox", name=label)
    box.fill(text)
    expect(page.get_by_role("option", name=option, exact=False).first).to_be_visible()
    box.press("Enter")


def test_anonymous_visitors_are_sent_to_log_in(
    page: Page, base: str, user: User, factory: Factory
) -> None:
    page.goto(f"{base}/uploads/new")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fuploads%2Fnew"))
    draft = factory.draft(user)
    page.goto(f"{base}/uploads/{draft.id}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    log_in(page, base, user.email)
    page.goto(f"{base}/uploads/not-an-id")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_others_get_403_on_someones_draft_or_record(
    page: Page, base: str, user: User, factory: Factory
) -> None:
    draft = factory.draft(user)
    record = factory.record(user)
    other = factory.user()
    log_in(page, base, other.email)
    for target in (draft.id, record.id):
        response = page.goto(f"{base}/uploads/{target}")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    for action in ("edit", "new-version"):
        response = page.request.post(
            f"{base}/uploads/{record.id}/{action}", form={"csrf_token": token or ""}
        )
        assert response.status == 403


def fill_every_field(page: Page) -> None:
    page.get_by_label(exactly("Resource type")).select_option("dataset")
    page.get_by_label(exactly("Title")).fill("Ocean salinity 2024")
    page.get_by_label("Publication date").fill("2024-05")
    first = row(page, "creators", 0)
    first.get_by_label("Family name").fill("Lovelace")
    first.get_by_label("Given names").fill("Ada")
    first.get_by_label("ORCID").fill("0000-0002-1825-0097")
    first.get_by_label("Affiliations").fill("University of Oslo\nhttps://ror.org/03yrm5c26")
    page.get_by_role("button", name="Add creator").click()
    second = row(page, "creators", 1)
    second.get_by_label("Organisation", exact=True).check()
    second.get_by_label("Organisation name").fill("Ocean Institute")
    second.get_by_label("ROR id").fill("00k4n6c32")
    second.get_by_label("Role").select_option("datacollector")
    editor = page.get_by_role("textbox", name="Description")
    editor.click()
    page.keyboard.type("Salinity of the sea, ")
    page.get_by_role("button", name="Bold").click()
    page.keyboard.type("measured daily")
    pick(page, "Licences", "cc-by-4.0", "Creative Commons Attribution 4.0 International")
    page.get_by_role("button", name="MIT License").click()
    keyword = page.get_by_role("textbox", name="Keywords")
    for word in ("ocean", "salinity"):
        keyword.fill(word)
        keyword.press("Enter")
    pick(page, "Languages", "Norwegian Bokmal", "Norwegian Bokmål")
    page.get_by_role("button", name="Add contributor").click()
    helper = row(page, "contributors", 0)
    helper.get_by_label("Family name").fill("Hopper")
    helper.get_by_label("Given names").fill("Grace")
    helper.get_by_label("Role").select_option("supervisor")
    page.get_by_label("Version").fill("1.0")
    page.get_by_label("Publisher").fill("Ocean Data Archive")
    page.get_by_role("button", name="Add funding").click()
    grant = row(page, "funding", 0)
    grant.get_by_label("Funder").fill("European Commission")
    grant.get_by_label("Award number").fill("101000001")
    grant.get_by_label("Award title").fill("Seas of data")
    page.get_by_role("button", name="Add related work").click()
    link = row(page, "related", 0)
    link.get_by_label(exactly("Identifier")).fill("10.1234/abcd.5678")
    link.get_by_label("Relation").select_option("issupplementto")
    link.get_by_label("Its resource type").select_option("publication-article")
    page.get_by_label("Only you (others see the description and the file names)").check()


def assert_stored(services: Any, user: User, record_id: str) -> None:
    data = services.records.read_draft(user.identity, record_id).data
    md = data["metadata"]
    assert md["resource_type"]["id"] == "dataset"
    assert md["title"] == "Ocean salinity 2024"
    assert md["publication_date"] == "2024-05"
    ada, institute = md["creators"]
    assert ada["person_or_org"]["family_name"] == "Lovelace"
    assert ada["person_or_org"]["given_name"] == "Ada"
    assert ada["person_or_org"]["identifiers"] == [
        {"scheme": "orcid", "identifier": "0000-0002-1825-0097"}
    ]
    assert ada["affiliations"] == [{"name": "University of Oslo"}, {"id": "03yrm5c26"}]
    assert institute["person_or_org"] == {
        "type": "organizational",
        "name": "Ocean Institute",
        "identifiers": [{"scheme": "ror", "identifier": "00k4n6c32"}],
    }
    assert institute["role"]["id"] == "datacollector"
    assert "<b>measured daily</b>" in md["description"]
    assert [r["id"] for r in md["rights"]] == ["cc-by-4.0", "mit"]
    assert md["subjects"] == [{"subject": "ocean"}, {"subject": "salinity"}]
    assert [lang["id"] for lang in md["languages"]] == ["nob"]
    assert md["contributors"][0]["person_or_org"]["family_name"] == "Hopper"
    assert md["contributors"][0]["role"]["id"] == "supervisor"
    assert md["version"] == "1.0"
    assert md["publisher"] == "Ocean Data Archive"
    assert md["funding"] == [
        {
            "funder": {"name": "European Commission"},
            "award": {"number": "101000001", "title": {"en": "Seas of data"}},
        }
    ]
    related = md["related_identifiers"][0]
    assert related["identifier"] == "10.1234/abcd.5678"
    assert related["scheme"] == "doi"
    assert related["relation_type"]["id"] == "issupplementto"
    assert related["resource_type"]["id"] == "publication-article"
    assert data["access"]["record"] == "public"
    assert data["access"]["files"] == "restricted"
    assert data["files"]["enabled"] is True


def assert_shown(page: Page) -> None:
    expect(page.get_by_label(exactly("Resource type"))).to_have_value("dataset")
    expect(page.get_by_label(exactly("Title"))).to_have_value("Ocean salinity 2024")
    expect(page.get_by_label("Publication date")).to_have_value("2024-05")
    expect(page.locator("#creators-rows > li")).to_have_count(2)
    first, second = row(page, "creators", 0), row(page, "creators", 1)
    expect(first.get_by_label("Family name")).to_have_value("Lovelace")
    expect(first.get_by_label("Given names")).to_have_value("Ada")
    expect(first.get_by_label("ORCID")).to_have_value("0000-0002-1825-0097")
    expect(first.get_by_label("Affiliations")).to_have_value("University of Oslo\n03yrm5c26")
    expect(second.get_by_label("Organisation", exact=True)).to_be_checked()
    expect(second.get_by_label("Organisation name")).to_have_value("Ocean Institute")
    expect(second.get_by_label("ROR id")).to_have_value("00k4n6c32")
    expect(second.get_by_label("Role")).to_have_value("datacollector")
    expect(page.locator("#description b")).to_have_text("measured daily")
    expect(page.locator("#rights-chips li > span")).to_have_text(
        ["Creative Commons Attribution 4.0 International", "MIT License"]
    )
    expect(page.locator("#subjects-chips li > span")).to_have_text(["ocean", "salinity"])
    expect(page.locator("#languages-chips li > span")).to_have_text(["Norwegian Bokmål"])
    expect(page.get_by_role("button", name="Remove Norwegian Bokmål")).to_be_visible()
    helper = row(page, "contributors", 0)
    expect(helper.get_by_label("Family name")).to_have_value("Hopper")
    expect(helper.get_by_label("Role")).to_have_value("supervisor")
    expect(page.get_by_label("Version")).to_have_value("1.0")
    expect(page.get_by_label("Publisher")).to_have_value("Ocean Data Archive")
    grant = row(page, "funding", 0)
    expect(grant.get_by_label("Funder")).to_have_value("European Commission")
    expect(grant.get_by_label("Award number")).to_have_value("101000001")
    expect(grant.get_by_label("Award title")).to_have_value("Seas of data")
    link = row(page, "related", 0)
    expect(link.get_by_label(exactly("Identifier"))).to_have_value("10.1234/abcd.5678")
    expect(link.get_by_label("Kind of identifier")).to_have_value("doi")
    expect(link.get_by_label("Relation")).to_have_value("issupplementto")
    expect(link.get_by_label("Its resource type")).to_have_value("publication-article")
    expect(page.get_by_label("Everyone: public, found in search")).to_be_checked()
    expect(
        page.get_by_label("Only you (others see the description and the file names)")
    ).to_be_checked()


def test_every_field_survives_save_and_reload(
    page: Page, base: str, user: User, services: Any
) -> None:
    open_form(page, base, user)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "deposit-new")
    fill_every_field(page)
    save(page)
    expect(page).to_have_url(re.compile(r"/uploads/[0-9a-z]{5}-[0-9a-z]{5}$"))
    expect(page.locator("#error-summary")).to_be_hidden()
    record_id = draft_id(page)
    assert_stored(services, user, record_id)
    page.reload()
    assert_shown(page)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    screenshot(page, "deposit-filled")
    save(page)  # saving what was read back changes nothing
    assert_stored(services, user, record_id)


def test_errors_show_beside_the_fields_then_publish(
    page: Page, base: str, user: User, services: Any
) -> None:
    open_form(page, base, user)
    page.get_by_label("No, metadata only (it describes something without files)").check()
    page.get_by_label(exactly("Resource type")).select_option("publication-article")
    page.get_by_label(exactly("Title")).fill("ab")
    page.get_by_label("Publication date").fill("2024-13-45")
    row(page, "creators", 0).get_by_label("Given names").fill("Ada")
    page.get_by_role("button", name="Publish…").click()
    dialog = page.get_by_role("dialog", name="Publish this record?")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#publish-files")).to_be_hidden()  # a metadata-only record
    expect(dialog).to_contain_text("anyone can find, read and download")
    expect(dialog).to_contain_text("You can still edit the description later")
    assert_accessible(page)
    screenshot(page, "deposit-publish-dialog")
    dialog.get_by_role("button", name="Publish now").click()
    expect(dialog).to_be_hidden()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Not published yet")
    expect(summary).not_to_contain_text("Creators:")  # follows from the family name
    family = row(page, "creators", 0).get_by_label("Family name")
    for field, message in (
        (page.get_by_label(exactly("Title")), "Shorter than minimum length 3."),
        (page.get_by_label("Publication date"), "Please provide a valid date or interval."),
        (family, "Family name cannot be blank."),
    ):
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    expect(summary.get_by_role("link", name=re.compile("Creator 1, Family name"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "deposit-errors")
    summary.get_by_role("link", name=re.compile("Title")).click()
    expect(page.get_by_label(exactly("Title"))).to_be_focused()
    # what was typed is still there, then fixed
    expect(page.get_by_label("Publication date")).to_have_value("2024-13-45")
    expect(row(page, "creators", 0).get_by_label("Given names")).to_have_value("Ada")
    page.get_by_label(exactly("Title")).fill("Abyssal plains")
    page.get_by_label("Publication date").fill("2024-05-01")
    family.fill("Lovelace")
    page.get_by_role("button", name="Publish…").click()
    dialog.get_by_role("button", name="Publish now").click()
    expect(page).to_have_url(re.compile(r"/records/[0-9a-z]{5}-[0-9a-z]{5}$"))
    record_id = page.url.rsplit("/", 1)[1]
    record = services.records.read(user.identity, record_id).data
    assert record["metadata"]["title"] == "Abyssal plains"
    assert record["metadata"]["creators"][0]["person_or_org"]["name"] == "Lovelace, Ada"
    assert record["is_published"] is True


def test_creators_and_the_publish_dialog_work_with_the_keyboard(
    page: Page, base: str, user: User, services: Any
) -> None:
    open_form(page, base, user)
    page.get_by_label("No, metadata only (it describes something without files)").check()
    page.get_by_label(exactly("Resource type")).select_option("software")
    page.get_by_label(exactly("Title")).fill("Keyboard only")
    row(page, "creators", 0).get_by_label("Family name").fill("Turing")
    page.get_by_role("button", name="Add creator").focus()
    page.keyboard.press("Enter")
    family = row(page, "creators", 1).get_by_label("Family name")
    expect(family).to_be_focused()
    page.keyboard.type("Lovelace")
    for _ in range(4):  # given names, ORCID, affiliations, role
        page.keyboard.press("Tab")
    expect(row(page, "creators", 1).get_by_label("Role")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move up creator 2")).to_be_focused()
    page.keyboard.press("Enter")
    expect(row(page, "creators", 0).get_by_label("Family name")).to_have_value("Lovelace")
    expect(page.get_by_role("button", name="Move down creator 1")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove creator 1")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#creators-rows > li")).to_have_count(1)
    expect(row(page, "creators", 0).get_by_label("Family name")).to_have_value("Turing")
    expect(page.get_by_role("button", name="Remove creator 1")).to_be_focused()

    publish = page.get_by_role("button", name="Publish…")
    publish.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(publish).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Publish now")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/records/"))
    record = services.records.read(user.identity, page.url.rsplit("/", 1)[1]).data
    assert [c["person_or_org"]["name"] for c in record["metadata"]["creators"]] == ["Turing"]


def _random_file(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


def _content(base: str, user: User, record_id: str, key: str) -> bytes:
    response = requests.get(
        f"{base}/api/records/{record_id}/draft/files/{key}/content",
        headers={"Authorization": f"Bearer {user.token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.content


def _keys(services: Any, user: User, record_id: str) -> dict[str, str]:
    listing = services.files.list_files(user.identity, record_id, draft=True)
    return {e["key"]: e["status"] for e in listing.entries}


def test_upload_files_and_a_folder_then_remove_and_cancel(
    page: Page, base: str, user: User, services: Any, tmp_path: Path
) -> None:
    big = _random_file(tmp_path / "a.bin", 12 * 1024 * 1024)
    small = _random_file(tmp_path / "data" / "raw" / "b.csv", 2048)
    open_form(page, base, user)
    page.get_by_label(exactly("Title")).fill("With files")
    page.evaluate(
        """() => { window.seen = new Set(); setInterval(() => {
             const bar = document.getElementById('total-progress'); if (bar) seen.add(bar.value);
           }, 2); }"""
    )
    page.locator("#file-input").set_input_files(big)
    files = page.locator("#files-body")
    expect(files.locator("tr", has_text="a.bin")).to_contain_text("Uploaded", timeout=60_000)
    record_id = draft_id(page)  # adding files saved the draft first
    page.locator("#folder-input").set_input_files(tmp_path / "data")
    expect(files.locator("tr", has_text="data/raw/b.csv")).to_contain_text("Uploaded")
    expect(page.locator("#total-text")).to_have_text("All 2 file(s) uploaded")
    seen = page.evaluate("[...window.seen]")
    assert any(0 < value < 100 for value in seen), seen
    assert _keys(services, user, record_id) == {"a.bin": "completed", "data/raw/b.csv": "completed"}
    digest = hashlib.sha256(_content(base, user, record_id, "a.bin")).hexdigest()
    assert digest == hashlib.sha256(big.read_bytes()).hexdigest()
    assert _content(base, user, record_id, "data/raw/b.csv") == small.read_bytes()
    assert_accessible(page)
    screenshot(page, "deposit-files")

    page.get_by_role("button", name="Remove a.bin").click()
    expect(files.locator("tr", has_text="a.bin")).to_have_count(0)
    expect(page.locator("#files-status")).to_have_text("a.bin removed.")
    assert _keys(services, user, record_id) == {"data/raw/b.csv": "completed"}

    page.route(
        "**/draft/uploads/**",
        lambda route: route.abort() if route.request.method == "PATCH" else route.continue_(),
    )
    page.locator("#file-input").set_input_files(_random_file(tmp_path / "c.bin", 4096))
    expect(files.locator("tr", has_text="c.bin")).to_contain_text("retrying")
    assert _keys(services, user, record_id)["c.bin"] == "pending"
    with page.expect_response(lambda r: r.request.method == "DELETE") as deleted:
        page.get_by_role("button", name="Cancel c.bin").click()
    assert deleted.value.status == 204
    expect(files.locator("tr", has_text="c.bin")).to_have_count(0)
    assert _keys(services, user, record_id) == {"data/raw/b.csv": "completed"}

    page.unroute("**/draft/uploads/**")
    page.evaluate(
        """() => {
          const data = new DataTransfer();
          data.items.add(new File(['dropped'], 'drop.txt', {type: 'text/plain'}));
          const zone = document.getElementById('dropzone');
          zone.dispatchEvent(new DragEvent('drop',
            {dataTransfer: data, bubbles: true, cancelable: true}));
        }"""
    )
    expect(files.locator("tr", has_text="drop.txt")).to_contain_text("Uploaded")
    assert _content(base, user, record_id, "drop.txt") == b"dropped"


def test_edit_a_published_record(
    page: Page, base: str, user: User, factory: Factory, services: Any
) -> None:
    record = factory.record(user)
    log_in(page, base, user.email)
    page.goto(f"{base}/uploads/{record.id}")
    assert_accessible(page)
    screenshot(page, "deposit-published-choice")
    page.get_by_role("button", name="Edit the description").click()
    expect(page).to_have_url(f"{base}/uploads/{record.id}")
    expect(page.get_by_role("heading", name="Edit published record")).to_be_visible()
    expect(page.get_by_label(exactly("Title"))).to_have_value("A Romans story")
    expect(page.locator("#files-panel")).to_be_hidden()  # a metadata-only record
    page.get_by_label(exactly("Title")).fill("A Romans story, corrected")
    page.get_by_role("button", name="Publish…").click()
    dialog = page.get_by_role("dialog", name="Publish your changes?")
    expect(dialog).to_contain_text("The files stay as they are")
    dialog.get_by_role("button", name="Publish now").click()
    expect(page).to_have_url(f"{base}/records/{record.id}")
    assert services.records.read(user.identity, record.id).data["metadata"]["title"] == (
        "A Romans story, corrected"
    )


def test_new_version_imports_the_previous_files(
    page: Page, base: str, user: User, services: Any
) -> None:
    body = {
        "access": {"record": "public", "files": "public"},
        "files": {"enabled": True},
        "metadata": {
            "resource_type": {"id": "dataset"},
            "title": "Tides",
            "publication_date": "2023",
            "creators": [{"person_or_org": {"type": "personal", "family_name": "Tide"}}],
        },
    }
    draft = services.records.create(user.identity, body)
    services.files.init_files(user.identity, draft.id, [{"key": "tides.csv"}])
    services.files.upload_content(user.identity, draft.id, "tides.csv", [b"t,h\n1,2\n"])
    services.files.commit(user.identity, draft.id, "tides.csv")
    services.records.publish(user.identity, draft.id)
    log_in(page, base, user.email)
    page.goto(f"{base}/uploads/{draft.id}")
    page.get_by_role("button", name="Start a new version").click()
    expect(page.get_by_role("heading", name="New version (2)")).to_be_visible()
    new_id = draft_id(page)
    assert new_id != draft.id
    expect(page.get_by_label("Publication date")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    page.get_by_role("button", name="Copy the files of the previous version").click()
    expect(page.locator("#files-body tr", has_text="tides.csv")).to_contain_text("Uploaded")
    page.get_by_role("textbox", name="Version").fill("2")
    page.get_by_role("button", name="Publish…").click()
    dialog = page.get_by_role("dialog", name="Publish this record?")
    expect(dialog.locator("#publish-files")).to_contain_text("The files become permanent")
    expect(dialog.locator("#publish-files")).to_be_visible()
    dialog.get_by_role("button", name="Publish now").click()
    expect(page).to_have_url(f"{base}/records/{new_id}")
    record = services.records.read(user.identity, new_id).data
    assert record["versions"]["index"] == 2
    assert list(record["files"]["entries"]) == ["tides.csv"]


def test_a_failed_save_keeps_what_was_typed(
    page: Page, base: str, user: User, factory: Factory, services: Any
) -> None:
    draft = factory.draft(user)
    log_in(page, base, user.email)
    page.goto(f"{base}/uploads/{draft.id}")
    title = page.get_by_label(exactly("Title"))
    expect(title).to_have_value("A Romans story")
    title.fill("Typed here")
    page.route("**/api/records/*/draft", lambda route: route.abort())
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    expect(page.locator("#error-summary")).to_contain_text("Your changes are still here")
    page.unroute("**/api/records/*/draft")
    services.records.update_draft(user.identity, draft.id, minimal_record(title="Elsewhere"))
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#error-summary")).to_contain_text("changed elsewhere")
    expect(title).to_have_value("Typed here")
    assert services.records.read_draft(user.identity, draft.id).data["metadata"]["title"] == (
        "Elsewhere"
    )
    save(page)  # a second press replaces the other change, as the notice says
    assert services.records.read_draft(user.identity, draft.id).data["metadata"]["title"] == (
        "Typed here"
    )


def test_delete_a_draft(page: Page, base: str, user: User, factory: Factory, services: Any) -> None:
    draft = factory.draft(user)
    log_in(page, base, user.email)
    page.goto(f"{base}/uploads/{draft.id}")
    page.get_by_role("button", name="Delete this draft").click()
    dialog = page.get_by_role("dialog", name="Delete this draft?")
    expect(dialog).to_contain_text("cannot be undone")
    assert_accessible(page)
    dialog.get_by_role("button", name="Keep it").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Delete this draft").click()
    dialog.get_by_role("button", name="Delete draft", exact=True).click()
    expect(page).to_have_url(f"{base}/me/uploads")
    with pytest.raises(NotFound):
        services.records.read_draft(user.identity, draft.id)
