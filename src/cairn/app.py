"""The composition root: the only place that picks concrete backends and wires services."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI

from cairn import __version__
from cairn.access import records_policy
from cairn.accounts.service import AccountService
from cairn.api import errors as api_errors
from cairn.api import openapi as api_openapi
from cairn.api import records as api_records
from cairn.api import vocabularies as api_vocabularies
from cairn.api.context import Services
from cairn.api.links import LinkBuilder
from cairn.api.middleware import HeadAsGet, RequestId
from cairn.db import Database
from cairn.formats import default_registry
from cairn.records.config import RecordsConfig
from cairn.records.service import RecordService
from cairn.settings import Settings
from cairn.vocabularies import load_registry


def build_services(settings: Settings, db: Database, app: FastAPI) -> Services:
    vocabularies = load_registry()
    config = RecordsConfig(
        oai_prefix=urlsplit(settings.base_url).hostname or "localhost",
        doi_prefix=settings.doi_prefix,
        default_page_size=settings.default_page_size,
        max_page_size=settings.max_page_size,
    )
    return Services(
        records=RecordService(db, vocabularies, records_policy(), config),
        accounts=AccountService(db),
        vocabularies=vocabularies,
        formats=default_registry(),
        links=LinkBuilder(settings.base_url, app.routes),
        max_request_body=settings.max_request_body,
    )


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """Build the ASGI app for ``settings`` (the database must already be migrated)."""
    app = FastAPI(
        title="Cairn",
        version=__version__,
        description="A research data repository speaking the InvenioRDM REST API.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    database = db or Database(settings.effective_database_url, settings.db_pool_size)
    app.state.settings = settings
    app.state.db = database
    app.include_router(api_records.router)
    app.include_router(api_vocabularies.router)
    app.state.services = build_services(settings, database, app)
    api_errors.install(app)
    api_openapi.install(app)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RequestId)
    return app
