"""``/oai2d``: the OAI-PMH 2.0 endpoint (GET with a query string, POST with a form)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cairn.http.context import Services, services
from cairn.oaipmh.metadata import metadata_formats
from cairn.oaipmh.protocol import OaiProvider, QuerySets, Repository, Unavailable
from cairn.oaipmh.responses import error_document, to_bytes
from cairn.oaipmh.sets import ResourceTypeSets
from cairn.oaipmh.tokens import TokenSigner
from cairn.records.harvest import Harvest

router = APIRouter(tags=["oai-pmh"])
MEDIA_TYPE = "text/xml; charset=utf-8"
FORM = "application/x-www-form-urlencoded"
PATH = "/oai2d"
# stand-ins for ids in link templates (ids never contain upper case)
_RECORD, _PARENT = "RECORDIDXX", "PARENTIDXX"


def build_provider(request: Request) -> OaiProvider:
    settings = request.app.state.settings
    svc: Services = services(request)
    host = svc.records.config.oai_prefix
    email = settings.oai_admin_email or f"admin@{host}"
    if "." not in email.partition("@")[2]:
        email += ".localdomain"  # the schema wants a dotted domain
    repository = Repository(
        name=settings.site_name,
        base_url=settings.base_url.rstrip("/") + PATH,
        host=host,
        admin_email=email,
        page_size=settings.oai_page_size,
    )
    symbol = settings.datacite_symbol or host

    return OaiProvider(
        repository,
        Harvest(svc.records),
        metadata_formats(svc.formats, symbol),
        ResourceTypeSets(svc.vocabularies),
        TokenSigner(settings.secret_key),
        link_adder(svc),
        QuerySets(svc.oai_sets, svc.oai_members),
    )


def link_adder(svc: Services) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Adds a record's ``links`` as the API shows them, from templates built once (building
    each URL through the router costs more than serializing the record)."""
    templates = svc.links.item({"id": _RECORD, "parent": {"id": _PARENT}}, False)

    def add_links(record: dict[str, Any]) -> dict[str, Any]:
        rid, pid = record["id"], record["parent"]["id"]
        links = {k: v.replace(_RECORD, rid).replace(_PARENT, pid) for k, v in templates.items()}
        return {**record, "links": links}

    return add_links


def provider(request: Request) -> OaiProvider:
    """The app's provider, built on first use (the services it needs exist by then)."""
    state = request.app.state
    found: OaiProvider | None = getattr(state, "oai_provider", None)
    if found is None:
        found = state.oai_provider = build_provider(request)
    return found


def _response(body: bytes) -> Response:
    return Response(body, media_type=MEDIA_TYPE)


def _answer(oai: OaiProvider, pairs: list[tuple[str, str]]) -> Response:
    try:
        return _response(oai.handle(pairs))
    except Unavailable as exc:  # OAI-PMH flow control: come back later
        return Response(
            exc.message,
            status_code=503,
            media_type="text/plain; charset=utf-8",
            headers={"Retry-After": str(exc.retry_after)},
        )


@router.get("/api/oaipmh/formats", name="oaipmh.formats")
def formats(request: Request) -> dict[str, Any]:
    """The OAI-PMH metadata formats: ``{"hits": {"hits": [{id, schema, namespace}], "total"}}``."""
    hits = [
        {"id": f.prefix, "schema": f.schema, "namespace": f.namespace}
        for f in provider(request).formats.values()
    ]
    return {"hits": {"hits": hits, "total": len(hits)}}


@router.get(PATH, name="oaipmh.get", response_class=Response)
def oai_get(request: Request) -> Response:
    """OAI-PMH request with the arguments in the query string."""
    return _answer(provider(request), request.query_params.multi_items())


@router.post(PATH, name="oaipmh.post", response_class=Response)
async def oai_post(request: Request) -> Response:
    """OAI-PMH request with the arguments as an ``application/x-www-form-urlencoded`` body."""
    oai = provider(request)
    raw = await request.body()
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if raw and media != FORM:
        message = f"POST requests must be {FORM}."
        doc = error_document(oai.repository.base_url, None, [("badArgument", message)])
        return _response(to_bytes(doc))
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        doc = error_document(oai.repository.base_url, None, [("badArgument", "Body is not UTF-8.")])
        return _response(to_bytes(doc))
    return await run_in_threadpool(_answer, oai, pairs)
