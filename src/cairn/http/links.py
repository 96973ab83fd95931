"""Absolute links for API responses, built from route names and the site URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from starlette.routing import BaseRoute

from cairn.http.routes import walk_routes

# UI pages are served by the web layer; until it registers them, their paths are known here.
UI_ROUTES = {
    "record_html": "/records/{id}",
    "latest_html": "/records/{id}/latest",
    "deposit_html": "/uploads/{id}",
}


class LinkBuilder:
    """Looks routes up by name once; building a link is then a string format."""

    def __init__(self, site_url: str, routes: list[BaseRoute]) -> None:
        self.site_url = site_url.rstrip("/")
        self._paths = dict(UI_ROUTES)
        for route in walk_routes(routes):
            name, path = getattr(route, "name", None), getattr(route, "path_format", None)
            if name and path:
                self._paths[name] = path

    def url(
        self,
        name: str,
        query: dict[str, str] | list[tuple[str, str]] | None = None,
        **params: Any,
    ) -> str:
        template = self._paths[name]  # KeyError: a link to a route that does not exist
        path = template.format(
            **{k: quote(str(v), safe="/" if k == "key" else "") for k, v in params.items()}
        )
        url = self.site_url + path
        if query:
            url += "?" + urlencode(query)
        return url

    def record(self, item: dict[str, Any]) -> dict[str, str]:
        rid = item["id"]
        parent = item["parent"]["id"]
        return {
            "self": self.url("records.read", id=rid),
            "self_html": self.url("record_html", id=rid),
            "preview_html": self.url("record_html", id=rid, query={"preview": "1"}),
            "draft": self.url("records.read_draft", id=rid),
            "latest": self.url("records.latest", id=rid),
            "latest_html": self.url("latest_html", id=rid),
            "versions": self.url("records.versions", id=rid),
            "parent": self.url("records.read", id=parent),
            "parent_html": self.url("record_html", id=parent),
            "files": self.url("files.list", id=rid),
            "archive": self.url("files.archive", id=rid),
        }

    def draft(self, item: dict[str, Any]) -> dict[str, str]:
        rid = item["id"]
        parent = item["parent"]["id"]
        links = {
            "self": self.url("records.read_draft", id=rid),
            "self_html": self.url("deposit_html", id=rid),
            "preview_html": self.url("record_html", id=rid, query={"preview": "1"}),
            "publish": self.url("records.publish", id=rid),
            "versions": self.url("records.versions", id=rid),
            "latest": self.url("records.latest", id=rid),
            "latest_html": self.url("latest_html", id=rid),
            "parent": self.url("records.read", id=parent),
            "files": self.url("files.draft_list", id=rid),
            "archive": self.url("files.draft_archive", id=rid),
            "reserve_doi": self.url("records.reserve_doi", id=rid),
        }
        if item.get("versions", {}).get("index", 1) > 1 and not item.get("is_published"):
            links["files_import"] = self.url("files.import", id=rid)
        if item.get("is_published"):
            links["record"] = self.url("records.read", id=rid)
            links["record_html"] = self.url("record_html", id=rid)
        return links

    def files(
        self,
        record_id: str,
        draft: bool,
        page: int | None = None,
        size: int | None = None,
        extra: dict[str, str] | None = None,
    ) -> dict[str, str]:
        query = {"page": str(page), "size": str(size), **(extra or {})} if page and size else None
        if draft:
            return {
                "self": self.url("files.draft_list", id=record_id, query=query),
                "archive": self.url("files.draft_archive", id=record_id),
            }
        return {
            "self": self.url("files.list", id=record_id, query=query),
            "archive": self.url("files.archive", id=record_id),
        }

    def file(self, record_id: str, entry: dict[str, Any], draft: bool) -> dict[str, Any]:
        key = entry["key"]
        if not draft:
            return {
                "self": self.url("files.read", id=record_id, key=key),
                "content": self.url("files.content", id=record_id, key=key),
            }
        links: dict[str, Any] = {
            "self": self.url("files.draft_read", id=record_id, key=key),
            "content": self.url("files.upload", id=record_id, key=key),
            "commit": self.url("files.commit", id=record_id, key=key),
        }
        transfer = entry.get("transfer") or {}
        if transfer.get("type") == "M" and entry.get("status") == "pending":
            links["content"] = None
            links["parts"] = [
                {"part": n, "url": self.url("files.upload_part", id=record_id, key=key, part=n)}
                for n in range(1, int(transfer.get("parts", 0)) + 1)
            ]
        return links

    def item(self, item: dict[str, Any], is_draft: bool) -> dict[str, str]:
        return self.draft(item) if is_draft else self.record(item)

    def search(
        self,
        name: str,
        args: list[tuple[str, str]],
        page: int,
        has_next: bool,
        next_cursor: str | None = None,
        cursor: str | None = None,
        **params: Any,
    ) -> dict[str, str]:
        """``self``/``prev``/``next`` by page as InvenioRDM; in a cursor walk (``cursor``
        given) ``next`` continues the walk; ``next_cursor`` is always offered."""

        def at(page_number: int) -> list[tuple[str, str]]:
            return [(k, str(page_number) if k == "page" else v) for k, v in args]

        if cursor is not None:
            rest = [(k, v) for k, v in args if k != "page"]
            links = {"self": self.url(name, query=[*rest, ("cursor", cursor)], **params)}
            if next_cursor:
                links["next"] = self.url(name, query=[*rest, ("cursor", next_cursor)], **params)
            return links
        links = {"self": self.url(name, query=args, **params)}
        if page > 1:
            links["prev"] = self.url(name, query=at(page - 1), **params)
        if has_next:
            links["next"] = self.url(name, query=at(page + 1), **params)
        if next_cursor:
            rest = [(k, v) for k, v in args if k != "page"]
            links["next_cursor"] = self.url(name, query=[*rest, ("cursor", next_cursor)], **params)
        return links
