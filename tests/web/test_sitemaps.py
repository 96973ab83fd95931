"""Sitemaps (index and files, paged with a small page size) and robots.txt, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import requests
from lxml import etree

from cairn.db import Database
from cairn.web.pages import sitemaps
from tests.conftest import ServedApp, serve
from tests.factories import Factory, User, minimal_record

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PAGE_SIZE = 3


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, db: Database) -> Iterator[ServedApp]:
    """A server whose sitemap files hold 3 pages, read in searches of 2 (so each file
    starts with an offset search and goes on with cursors)."""
    served = serve(
        tmp_path_factory.mktemp("sitemaps"),
        db,
        sitemap_page_size=PAGE_SIZE,
        max_page_size=2,
        login_rate_limit="10000/minute",
    )
    if not any(getattr(r, "path", "") == "/robots.txt" for r in served.app.routes):
        served.app.include_router(sitemaps.router)  # until cairn.web lists the router
    yield served
    served.stop()


@pytest.fixture
def owner(factory: Factory) -> User:
    return factory.user()


def get(site: ServedApp, path: str, **kw: object) -> requests.Response:
    return requests.get(site.base + path, timeout=30, allow_redirects=False, **kw)  # type: ignore[arg-type]


def parse(response: requests.Response, root: str) -> etree._Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    doc = etree.fromstring(response.content)
    assert doc.tag == f"{{{NS['sm']}}}{root}" and doc.nsmap == {None: NS["sm"]}
    return doc


def read_all(site: ServedApp) -> tuple[list[str], dict[str, str]]:
    """The index's sitemap URLs, and every listed landing page with its lastmod."""
    index = parse(get(site, "/sitemap.xml"), "sitemapindex")
    locs = index.xpath("sm:sitemap/sm:loc/text()", namespaces=NS)
    assert len(index) == len(locs)  # only <sitemap> children, each with a <loc>
    listed: dict[str, str] = {}
    for loc in locs:
        assert loc.startswith(site.base + "/sitemap-")
        urlset = parse(requests.get(loc, timeout=30), "urlset")
        assert 1 <= len(urlset) <= PAGE_SIZE
        for url in urlset:
            assert [child.tag.split("}")[1] for child in url] == ["loc", "lastmod"]
            page, lastmod = url[0].text, url[1].text
            assert page not in listed  # no landing page twice
            listed[page] = lastmod
    return locs, listed


def test_sitemaps_list_public_published_versions_with_lastmod(site, factory, owner, services):
    public = [factory.record(owner, title=f"Public {n}") for n in range(5)]
    restricted = services.records.create(
        owner.identity,
        {**minimal_record(), "access": {"record": "restricted", "files": "restricted"}},
    )
    restricted = services.records.publish(owner.identity, restricted.id)
    factory.draft(owner, title="Only a draft")
    deleted = factory.record(owner, title="Deleted")
    admin = factory.user(admin=True)
    services.records.delete_record(admin.identity, deleted.id, {})
    draft = services.records.new_version(owner.identity, public[0].id)
    services.records.update_draft(
        owner.identity, draft.id, {**minimal_record(publication_date="2021-01-01")}
    )
    second = services.records.publish(owner.identity, draft.id)

    locs, listed = read_all(site)
    expected = {r.id: r for r in [*public, second]}  # every published version
    assert len(locs) == 2  # 6 pages, 3 a file
    assert set(listed) == {f"{site.base}/records/{rid}" for rid in expected}
    for rid, record in expected.items():
        lastmod = listed[f"{site.base}/records/{rid}"]
        assert lastmod == record.data["updated"]
        assert datetime.fromisoformat(lastmod).utcoffset() is not None  # W3C datetime, zoned
    assert not {restricted.id, deleted.id} & {u.rsplit("/", 1)[1] for u in listed}

    # oldest first: the first file holds the first records made
    first = parse(get(site, "/sitemap-1.xml"), "urlset")
    assert first[0][0].text == f"{site.base}/records/{public[0].id}"
    # a new record goes on the last file (a third one now)
    newest = factory.record(owner, title="Newest")
    locs, listed = read_all(site)
    assert len(locs) == 3 and f"{site.base}/records/{newest.id}" in listed
    assert [u[0].text for u in parse(get(site, "/sitemap-3.xml"), "urlset")] == [
        f"{site.base}/records/{newest.id}"
    ]


def test_missing_files_caching_and_an_empty_site(site, factory, owner):
    index = parse(get(site, "/sitemap.xml"), "sitemapindex")
    assert len(index) == 1  # an index lists at least one file, empty while nothing is public
    assert len(parse(get(site, "/sitemap-1.xml"), "urlset")) == 0
    for path in (
        "/sitemap-2.xml",
        "/sitemap-0.xml",
        "/sitemap-x.xml",
        "/sitemap-99999999.xml",
        "/sitemap-12345678901.xml",
    ):
        assert get(site, path).status_code == 404, path
    factory.record(owner)
    r = get(site, "/sitemap-1.xml")
    assert r.status_code == 200 and "max-age" in r.headers["cache-control"]
    again = get(site, "/sitemap-1.xml", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
    factory.record(owner)
    changed = get(site, "/sitemap-1.xml", headers={"If-None-Match": r.headers["etag"]})
    assert changed.status_code == 200 and len(parse(changed, "urlset")) == 2


def test_robots_txt(site):
    r = get(site, "/robots.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    lines = r.text.splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.split(": ", 1)[1] for line in lines if line.startswith("Disallow: ")}
    assert disallowed == {"/api/", "/search", "/uploads", "/me", "/administration", "/account"}
    assert "Allow: /records/" in lines
    assert f"Sitemap: {site.base}/sitemap.xml" in lines
    assert get(site, "/sitemap.xml").status_code == 200


@pytest.mark.parametrize(
    ("page_size", "max_size", "chunk"),
    [(50_000, 1000, 1000), (3, 2, 1), (4, 1000, 4), (1234, 1000, 617), (7, 5, 1)],
)
def test_search_pages_fit_sitemap_files(page_size: int, max_size: int, chunk: int) -> None:
    assert sitemaps._chunk(page_size, max_size) == chunk


def test_settings_bound_the_page_size(tmp_path: Path) -> None:
    from cairn.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="SITEMAP_PAGE_SIZE"):
        load_settings({"CAIRN_SITEMAP_PAGE_SIZE": "50001"}, instance=tmp_path)
