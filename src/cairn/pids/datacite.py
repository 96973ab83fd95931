"""The ``datacite`` provider: DataCite's REST API (``/dois``, JSON:API, basic auth).

Metadata travels as kernel-4 XML, base64-encoded in ``attributes.xml``; DataCite derives
its JSON from it. ``event`` moves a DOI between DataCite's states: ``publish`` (findable),
``hide`` (registered, not findable). Network failures, timeouts, 429 and 5xx answers raise
:class:`RetriableError`; other refusals :class:`PermanentError` with DataCite's messages.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import httpx

from cairn.pids.base import PermanentError, RetriableError

JSON_API = "application/vnd.api+json"
TEST_URL = "https://api.test.datacite.org"
PRODUCTION_URL = "https://api.datacite.org"


class DataCiteProvider:
    name = "datacite"
    remote = True

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.base_url,
            auth=(username, password),
            timeout=timeout,
            headers={"Content-Type": JSON_API, "Accept": JSON_API},
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    # -- the protocol ----------------------------------------------------------------
    def reserve(self, doi: str) -> None:
        self._send("POST", "/dois", {"doi": doi})

    def register(self, doi: str, url: str, xml: bytes) -> None:
        self._send("PUT", self._path(doi), self._metadata(doi, url, xml, event="publish"))

    def update(self, doi: str, url: str, xml: bytes) -> None:
        self._send("PUT", self._path(doi), self._metadata(doi, url, xml))

    def hide(self, doi: str) -> None:
        self._send("PUT", self._path(doi), {"event": "hide"})

    def state(self, doi: str) -> str:
        """DataCite's state of ``doi``: ``draft``, ``registered`` or ``findable``."""
        body = self._send("GET", self._path(doi), None)
        return str(body["data"]["attributes"]["state"])

    # -- helpers ---------------------------------------------------------------------
    @staticmethod
    def _path(doi: str) -> str:
        return "/dois/" + quote(doi, safe="/")

    @staticmethod
    def _metadata(doi: str, url: str, xml: bytes, event: str | None = None) -> dict[str, Any]:
        attributes: dict[str, Any] = {
            "doi": doi,
            "url": url,
            "xml": base64.b64encode(xml).decode("ascii"),
        }
        if event:
            attributes["event"] = event
        return attributes

    def _send(self, method: str, path: str, attributes: dict[str, Any] | None) -> Any:
        body = None if attributes is None else {"data": {"type": "dois", "attributes": attributes}}
        try:
            response = self._client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise RetriableError(f"DataCite could not be reached: {exc}") from exc
        if response.is_success:
            return response.json() if response.content else {}
        reason = f"DataCite answered {response.status_code}: {_errors(response)}"
        if response.status_code == 429 or response.status_code >= 500:
            raise RetriableError(reason)
        raise PermanentError(reason)


def _errors(response: httpx.Response) -> str:
    """DataCite's error titles (JSON:API ``errors``), else the start of the body."""
    try:
        errors = response.json().get("errors") or []
        titles = [
            (f"{e['source']}: " if e.get("source") else "") + str(e.get("title", ""))
            for e in errors
            if isinstance(e, dict)
        ]
    except (ValueError, AttributeError):
        titles = []
    return "; ".join(t for t in titles if t) or response.text[:300] or response.reason_phrase
