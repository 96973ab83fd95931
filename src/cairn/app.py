"""The composition root: the only place that picks concrete backends and wires services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request

from cairn import __version__, web
from cairn.access import records_policy
from cairn.accounts.admin import UserAdministration
from cairn.accounts.service import AccountService
from cairn.api import errors as api_errors
from cairn.api import files as api_files
from cairn.api import oaipmh as api_oaipmh
from cairn.api import oaipmh_sets as api_oaipmh_sets
from cairn.api import openapi as api_openapi
from cairn.api import pids as api_pids
from cairn.api import records as api_records
from cairn.api import tus as api_tus
from cairn.api import vocabularies as api_vocabularies
from cairn.api.middleware import HeadAsGet, RequestId
from cairn.db import Database
from cairn.db.job_admin import JobAdministration
from cairn.files.component import FilesComponent
from cairn.files.limits import FileLimits
from cairn.files.maintenance import FilesMaintenance
from cairn.files.service import FilesService
from cairn.formats import default_registry
from cairn.http.context import Services
from cairn.http.links import LinkBuilder
from cairn.jobs import JobRegistry, JobRunner
from cairn.jobs.builtin import register_builtin
from cairn.jobs.oaipmh import register_oaipmh
from cairn.jobs.pids import register_pids
from cairn.oaipmh.membership import SetMembership
from cairn.oaipmh.set_service import OaiSetService
from cairn.pids import DataCiteProvider, DoiProvider, LocalProvider
from cairn.records.config import RecordsConfig
from cairn.records.doi_documents import DoiDocuments
from cairn.records.index_docs import DocumentSource
from cairn.records.indexer import Indexer
from cairn.records.migration import IndexMigrations
from cairn.records.pids import DoiConfig, Dois
from cairn.records.search import RecordSearch
from cairn.records.service import RecordService
from cairn.search.percolate import Percolator
from cairn.search.tantivy_engine import TantivyEngine
from cairn.settings import Settings, SettingsError
from cairn.storage import StorageBackend, StorageConfig, build_storage
from cairn.vocabularies import load_registry
from cairn.web import errors as web_errors


def build_storages(settings: Settings) -> dict[str, StorageBackend]:
    """Every configured backend by name: ``local`` always, ``s3`` when a bucket is set."""
    storages = {
        "local": build_storage(
            StorageConfig(backend="local", local_root=settings.effective_storage_path)
        )
    }
    if settings.s3_bucket:
        storages["s3"] = build_storage(
            StorageConfig(
                backend="s3",
                s3_bucket=settings.s3_bucket,
                s3_prefix=settings.s3_prefix,
                s3_endpoint_url=settings.s3_endpoint_url or None,
                s3_region=settings.s3_region or None,
                s3_access_key=settings.s3_access_key or None,
                s3_secret_key=settings.s3_secret_key or None,
                s3_presign=settings.files_offload == "presigned",
            )
        )
    if settings.storage_backend not in storages:
        raise SettingsError("CAIRN_STORAGE_BACKEND is s3 but CAIRN_S3_BUCKET is empty")
    return storages


def build_engine(settings: Settings) -> TantivyEngine:
    return TantivyEngine(
        settings.effective_search_path,
        settings.search_index_prefix,
        language=settings.search_language,
    )


def build_indexer(settings: Settings, db: Database, engine: TantivyEngine) -> Indexer:
    indexer = Indexer(
        db,
        engine,
        DocumentSource([FilesComponent()]),
        refresh=settings.search_refresh_seconds,
        wait=settings.search_wait_seconds,
    )
    indexer.rebuilder = IndexMigrations(indexer).rebuild
    return indexer


def build_set_membership(settings: Settings, db: Database) -> SetMembership:
    """The members of the OAI-PMH sets defined by a query (see cairn.oaipmh.membership)."""
    return SetMembership(
        db, DocumentSource([FilesComponent()]), Percolator(settings.search_language)
    )


def doi_config(settings: Settings) -> DoiConfig:
    """Which DOIs Cairn mints (a provider other than ``none`` needs a prefix)."""
    if settings.doi_provider != "none" and not settings.doi_prefix:
        raise SettingsError(f"CAIRN_DOI_PROVIDER is {settings.doi_provider}: set CAIRN_DOI_PREFIX")
    return DoiConfig(settings.doi_provider, settings.doi_prefix, settings.base_url)


def build_doi_providers(settings: Settings) -> dict[str, DoiProvider]:
    """DOI registries by provider name (a record keeps its DOI's provider, so a DOI
    minted with ``local`` stays local after a switch to ``datacite``)."""
    providers: dict[str, DoiProvider] = {"local": LocalProvider()}
    if settings.doi_provider == "datacite":
        providers["datacite"] = DataCiteProvider(
            settings.datacite_url, settings.datacite_username, settings.datacite_password
        )
    return providers


def build_services(settings: Settings, db: Database, app: FastAPI) -> Services:
    vocabularies = load_registry()
    config = RecordsConfig(
        oai_prefix=urlsplit(settings.base_url).hostname or "localhost",
        doi_prefix=settings.doi_prefix,
        default_page_size=settings.default_page_size,
        max_page_size=settings.max_page_size,
    )
    policy = records_policy()
    storages = build_storages(settings)
    limits = FileLimits(
        max_files=settings.files_max_per_record,
        max_file_size=settings.files_max_file_size,
        quota=settings.files_quota,
        user_quota=settings.files_user_quota,
        archive_max_size=settings.files_archive_max_size,
        tus_expiry_hours=settings.tus_expiry_hours,
        gc_grace_hours=settings.files_gc_grace_hours,
    )
    files = FilesService(db, policy, storages, settings.storage_backend, limits)
    records = RecordService(
        db,
        vocabularies,
        policy,
        config,
        components=[FilesComponent()],
        dois=Dois(doi_config(settings)),
    )
    engine = build_engine(settings)
    indexer = build_indexer(settings, db, engine)
    return Services(
        oai_sets=OaiSetService(db),
        oai_members=build_set_membership(settings, db),
        records=records,
        search=RecordSearch(records, engine, indexer),
        files=files,
        offload=settings.files_offload,
        accel_prefix=settings.files_accel_prefix.rstrip("/"),
        accounts=AccountService(db, registration=settings.registration),
        users=UserAdministration(db),
        jobs=JobAdministration(db),
        vocabularies=vocabularies,
        formats=default_registry(),
        links=LinkBuilder(settings.base_url, app.routes),
        max_request_body=settings.max_request_body,
    )


def build_job_runner(
    settings: Settings,
    db: Database,
    storages: dict[str, StorageBackend],
    registry: JobRegistry | None = None,
    concurrency: int = 1,
) -> JobRunner:
    """A job runner with the built-in kinds and schedules (plus those in ``registry``)."""
    registry = registry or JobRegistry()
    maintenance = FilesMaintenance(db, storages)
    schedules = register_builtin(registry, maintenance, settings.files_gc_grace_hours)
    schedules += register_oaipmh(registry, build_set_membership(settings, db))
    documents = DoiDocuments(doi_config(settings), load_registry())
    register_pids(registry, db, documents, build_doi_providers(settings))
    return JobRunner(
        db, registry, schedules, concurrency=concurrency, poll=settings.jobs_poll_seconds
    )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if app.state.settings.jobs_in_server:
        app.state.jobs.start()
    yield
    app.state.jobs.stop(grace=10)
    app.state.services.search.indexer.stop()


API_PREFIXES = ("/api/", "/oai2d")


def _errors_as_pages(app: FastAPI) -> None:
    """Errors on API paths keep the API's JSON; everywhere else they are HTML pages."""
    for cls, api_handler in list(app.exception_handlers.items()):

        def dispatch(request: Request, exc: Exception, api_handler: Any = api_handler) -> Any:
            path = request.url.path
            if path == "/api" or path.startswith(API_PREFIXES):
                return api_handler(request, exc)
            return web_errors.handle(request, exc, api_errors.status_of(exc))

        app.add_exception_handler(cls, dispatch)


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """Build the ASGI app for ``settings`` (the database must already be migrated)."""
    app = FastAPI(
        title="Cairn",
        version=__version__,
        description="A research data repository speaking the InvenioRDM REST API.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        redoc_url=None,
        lifespan=_lifespan,
    )
    database = db or Database(settings.effective_database_url, settings.db_pool_size)
    app.state.settings = settings
    app.state.db = database
    app.include_router(api_records.router)
    app.include_router(api_vocabularies.router)
    app.include_router(api_files.router)
    app.include_router(api_tus.router)
    app.include_router(api_oaipmh.router)
    app.include_router(api_oaipmh_sets.router)
    app.include_router(api_pids.router)
    app.state.services = services = build_services(settings, database, app)
    app.state.jobs = build_job_runner(settings, database, services.files.storages)
    indexer = services.search.indexer
    indexer.start()  # writes only in the one process holding the index folder's lock
    api_errors.install(app)
    web.install(app, settings)
    _errors_as_pages(app)
    api_openapi.install(app)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RequestId)
    return app
