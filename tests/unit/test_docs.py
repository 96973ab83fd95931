"""The documentation keeps up with the code: every API route is in docs/api.md, every page
route in docs/web.md, and every page the README links to exists."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cairn.app import create_app
from cairn.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
API_DOC = ROOT / "docs" / "api.md"
WEB_DOC = ROOT / "docs" / "web.md"
API_PATHS = ("/api", "/oai2d")  # documented in docs/api.md; every other route in docs/web.md
README = ROOT / "README.md"
# Served by FastAPI itself and documented in prose, not as endpoints.
SKIPPED = {"/api/openapi.json", "/api/docs", "/api/docs/oauth2-redirect"}


def _endpoints(routes: Iterable[Any]) -> Iterator[tuple[str, str]]:
    """(method, path) of every route, looking inside included routers when the FastAPI
    version keeps them as one entry of ``app.routes``."""
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        if callable(nested):
            yield from _endpoints(nested())
            continue
        path = getattr(route, "path", None)
        for method in getattr(route, "methods", None) or ():
            if path is not None:
                yield method, path


@pytest.fixture(scope="module")
def all_endpoints(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    app = create_app(load_settings({}, instance=tmp_path_factory.mktemp("docs")))
    try:
        found = sorted(
            {
                (method, path)
                for method, path in _endpoints(app.routes)
                if path not in SKIPPED and method != "HEAD"
            }
        )
    finally:
        app.state.services.search.indexer.stop()
        app.state.db.dispose()
    # guard against a route walk that silently finds nothing
    assert ("POST", "/api/records") in found and ("GET", "/login") in found
    return found


@pytest.fixture
def api_endpoints(all_endpoints: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(m, p) for m, p in all_endpoints if p.startswith(API_PATHS)]


def test_every_page_route_is_documented(all_endpoints: list[tuple[str, str]]) -> None:
    text = WEB_DOC.read_text(encoding="utf-8")
    pages = [(m, p) for m, p in all_endpoints if not p.startswith(API_PATHS)]
    missing = [f"{m} {p}" for m, p in pages if f"`{m} {p}`" not in text]
    assert not missing, f"not in docs/web.md: {missing}"


def test_every_api_route_is_documented(api_endpoints: list[tuple[str, str]]) -> None:
    text = API_DOC.read_text(encoding="utf-8")
    missing = [f"{m} {p}" for m, p in api_endpoints if f"`{m} {p}`" not in text]
    assert not missing, f"not in docs/api.md: {missing}"


def _documentation_links() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Documentation\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert section, "README.md has no '## Documentation' section"
    links = re.findall(r"\]\(([^)#\s]+)", section.group(1))
    return [link for link in links if "://" not in link]


def test_readme_documentation_pages_exist() -> None:
    links = _documentation_links()
    assert links, "README.md's Documentation section links no pages"
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert not missing, f"linked from README.md but missing: {missing}"
