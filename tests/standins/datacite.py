"""A DataCite REST API stand-in: a real HTTP server on 127.0.0.1, in a thread.

Implements the routes Cairn uses (``POST /dois``, ``PUT /dois/{doi}``, ``GET /dois/{doi}``)
with basic auth, JSON:API bodies (``application/vnd.api+json``, else 415) and DataCite's
states (``draft``, ``registered``, ``findable``; events ``publish``, ``register``,
``hide``). Every XML payload is validated against the kernel-4.5 XSD and must name the DOI
it is sent for; invalid payloads get 422 with JSON:API ``errors`` as DataCite sends them.
``outage = True`` answers 503 to everything until set back; ``before`` runs a callable
before the next answer (to change Cairn's data while a job waits for DataCite).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lxml import etree

XSD = Path(__file__).resolve().parents[3] / "shared/data/datacite-schema/kernel-4.5/metadata.xsd"
NS = "{http://datacite.org/schema/kernel-4}"
_schema: etree.XMLSchema | None = None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, resolve_entities=False)


def schema() -> etree.XMLSchema:
    global _schema
    if _schema is None:
        _schema = etree.XMLSchema(etree.parse(str(XSD), _parser()))
    return _schema


@dataclass
class StoredDoi:
    doi: str
    state: str = "draft"
    url: str | None = None
    xml: bytes | None = None
    history: list[str] = field(default_factory=list)  # events and updates, in order

    def title(self) -> str | None:
        if self.xml is None:
            return None
        node = etree.fromstring(self.xml).find(f"{NS}titles/{NS}title")
        return None if node is None else node.text

    def related(self) -> list[tuple[str, str]]:
        """``(relationType, relatedIdentifier)`` of the metadata's related identifiers."""
        if self.xml is None:
            return []
        nodes = etree.fromstring(self.xml).iterfind(f"{NS}relatedIdentifiers/{NS}relatedIdentifier")
        return [(str(n.get("relationType")), n.text or "") for n in nodes]

    def attributes(self) -> dict[str, Any]:
        return {
            "doi": self.doi,
            "state": self.state,
            "url": self.url,
            "xml": base64.b64encode(self.xml).decode() if self.xml else None,
            "isActive": self.state == "findable",
        }


class Problem(Exception):
    def __init__(self, status: int, title: str, source: str | None = None) -> None:
        super().__init__(title)
        self.status, self.title, self.source = status, title, source


class DataCiteStandIn:
    """The server and its state; ``dois`` by lower-cased DOI, ``requests`` as
    ``(method, path)`` in arrival order."""

    def __init__(self, username: str = "CAIRN.TEST", password: str = "secret") -> None:
        self.username, self.password = username, password
        self.dois: dict[str, StoredDoi] = {}
        self.requests: list[tuple[str, str]] = []
        self.outage = False
        self.before: Callable[[], None] | None = None  # runs (once) before the next answer
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> DataCiteStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def get(self, doi: str) -> StoredDoi | None:
        with self.lock:
            return self.dois.get(doi.lower())

    # -- DataCite's behaviour --------------------------------------------------------
    def _validate_xml(self, doi: str, encoded: str) -> bytes:
        try:
            xml = base64.b64decode(encoded, validate=True)
            root = etree.fromstring(xml, _parser())
        except (ValueError, etree.XMLSyntaxError) as exc:
            raise Problem(422, f"Metadata is not valid XML: {exc}", "xml") from exc
        if not schema().validate(root):
            raise Problem(422, str(schema().error_log.last_error), "xml")
        ident = root.find(f"{NS}identifier")
        if (
            ident is None
            or ident.get("identifierType") != "DOI"
            or (ident.text or "").lower() != doi
        ):
            raise Problem(422, "The identifier in the metadata is not this DOI.", "xml")
        return xml

    def _apply(self, stored: StoredDoi, attributes: dict[str, Any]) -> None:
        if "xml" in attributes:
            stored.xml = self._validate_xml(stored.doi.lower(), str(attributes["xml"]))
            stored.history.append("metadata")
        if "url" in attributes:
            stored.url = str(attributes["url"])
        event = attributes.get("event")
        if event in ("publish", "register"):
            if not stored.url or stored.xml is None:
                raise Problem(422, "A DOI needs a url and metadata to be registered.", "url")
            if event == "publish" or stored.state == "draft":
                stored.state = "findable" if event == "publish" else "registered"
        elif event == "hide":
            if stored.state != "findable":
                raise Problem(422, "Only findable DOIs can be hidden.", "event")
            stored.state = "registered"
        elif event is not None:
            raise Problem(422, f"Unknown event {event!r}.", "event")
        if event:
            stored.history.append(str(event))

    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/dois" and method == "POST":
            attributes = _attributes(body)
            doi = str(attributes.get("doi") or "").lower()
            if not doi:
                raise Problem(422, "doi can't be blank", "doi")
            if doi in self.dois:
                raise Problem(422, "This DOI has already been taken", "doi")
            stored = StoredDoi(doi=str(attributes["doi"]))
            self._apply(stored, attributes)
            self.dois[doi] = stored
            return 201, {"data": {"id": doi, "type": "dois", "attributes": stored.attributes()}}
        if path.startswith("/dois/"):
            doi = unquote(path[len("/dois/") :]).lower()
            stored_or_none = self.dois.get(doi)
            if method == "GET":
                if stored_or_none is None:
                    raise Problem(404, "The resource you are looking for doesn't exist.")
                return 200, {
                    "data": {"id": doi, "type": "dois", "attributes": stored_or_none.attributes()}
                }
            if method == "PUT":
                attributes = _attributes(body)
                created = stored_or_none is None
                stored = stored_or_none or StoredDoi(doi=doi)
                self._apply(stored, attributes)
                self.dois[doi] = stored
                return (201 if created else 200), {
                    "data": {"id": doi, "type": "dois", "attributes": stored.attributes()}
                }
        raise Problem(404, "The resource you are looking for doesn't exist.")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/vnd.api+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                before, standin.before = standin.before, None
                if before is not None:
                    before()
                with standin.lock:
                    standin.requests.append((self.command, self.path))
                    if standin.outage:
                        self._answer(
                            503, {"errors": [{"status": "503", "title": "Service Unavailable"}]}
                        )
                        return
                    expected = base64.b64encode(
                        f"{standin.username}:{standin.password}".encode()
                    ).decode()
                    if self.headers.get("Authorization") != f"Basic {expected}":
                        self._answer(
                            401, {"errors": [{"status": "401", "title": "Bad credentials."}]}
                        )
                        return
                    media = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                    if raw and media != "application/vnd.api+json":
                        self._answer(
                            415, {"errors": [{"status": "415", "title": "Unsupported Media Type"}]}
                        )
                        return
                    try:
                        body = json.loads(raw) if raw else None
                        status, answer = standin.handle(self.command, self.path, body)
                    except json.JSONDecodeError:
                        status, answer = (
                            400,
                            {"errors": [{"status": "400", "title": "Invalid JSON."}]},
                        )
                    except Problem as problem:
                        error: dict[str, Any] = {
                            "status": str(problem.status),
                            "title": problem.title,
                        }
                        if problem.source:
                            error["source"] = problem.source
                        status, answer = problem.status, {"errors": [error]}
                self._answer(status, answer)

            do_GET = do_POST = do_PUT = _serve

        return Handler


def _attributes(body: Any) -> dict[str, Any]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or data.get("type") != "dois":
        raise Problem(422, "Body must be a JSON:API document of type dois.", "data")
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise Problem(422, "attributes must be an object.", "attributes")
    return attributes
