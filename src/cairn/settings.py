"""Typed settings, read once at start.

Sources, later ones winning: built-in defaults, ``<instance>/cairn.toml``, environment
variables ``CAIRN_<NAME>``.  The instance folder itself comes from ``CAIRN_INSTANCE``
(default ``./instance``).  Every option is declared here with its type, default and
documentation; ``docs/settings.md`` lists them all and a test keeps the two in step.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ENV_PREFIX = "CAIRN_"
SECRET_KEY_FILE = "secret_key"
CONFIG_FILE = "cairn.toml"


SEARCH_LANGUAGES = (
    "none",
    "arabic",
    "danish",
    "dutch",
    "english",
    "finnish",
    "french",
    "german",
    "greek",
    "hungarian",
    "italian",
    "norwegian",
    "portuguese",
    "romanian",
    "russian",
    "spanish",
    "swedish",
    "tamil",
    "turkish",
)


class SettingsError(Exception):
    """A setting has a value Cairn cannot use; the message names it."""


class Settings(BaseModel):
    """Every configuration option of a Cairn instance."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    instance: Path = Field(
        default=Path("instance"),
        description="Instance folder: database, secret key, files and indexes live here.",
    )
    database_url: str = Field(
        default="",
        description=(
            "SQLAlchemy database URL. Empty means SQLite at `<instance>/cairn.db`. "
            "PostgreSQL: `postgresql+psycopg://user@host:5432/dbname`."
        ),
    )
    site_url: str = Field(
        default="",
        description=(
            "Public base URL of the site; every link in API responses starts with it. "
            "Empty means `http://<host>:<port>`."
        ),
    )
    site_name: str = Field(default="Cairn", description="Name of the repository shown to users.")
    secret_key: str = Field(
        default="",
        description=(
            "Secret used to sign sessions and tokens. Empty means: read "
            "`<instance>/secret_key`, generating it on first start."
        ),
    )
    doi_prefix: str = Field(
        default="",
        description="DataCite DOI prefix of this repository, e.g. `10.1234`; may be empty.",
    )
    # -- DOIs (cairn.pids) --
    doi_provider: str = Field(
        default="none",
        description="Who mints DOIs for published records: `none` (no managed DOIs), "
        "`local` (minted under `doi_prefix`, no registry) or `datacite` (registered with "
        "DataCite's REST API).",
    )
    datacite_url: str = Field(
        default="https://api.test.datacite.org",
        description="DataCite REST API base URL: the test API by default; "
        "`https://api.datacite.org` in production.",
    )
    datacite_username: str = Field(
        default="", description="DataCite repository account (e.g. `ABC.XYZ`)."
    )
    datacite_password: str = Field(default="", description="Password of the DataCite account.")
    host: str = Field(default="127.0.0.1", description="Address `cairn serve` listens on.")
    port: int = Field(default=5000, ge=1, le=65535, description="Port `cairn serve` listens on.")
    max_request_body: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest JSON request body accepted, in bytes; larger ones get 413.",
    )
    default_page_size: int = Field(
        default=25, ge=1, le=1000, description="Hits per page when a search gives no `size`."
    )
    max_page_size: int = Field(
        default=1000, ge=1, description="Largest `size` a search accepts; larger gets 400."
    )
    sitemap_page_size: int = Field(
        default=10_000,
        ge=1,
        le=50_000,
        description="Landing pages listed per `/sitemap-{n}.xml` file (at most 50000, "
        "the sitemaps protocol's limit; a file of 10000 takes about 2 s to build).",
    )
    token_default_days: int = Field(
        default=0,
        ge=0,
        description="Default lifetime of new personal access tokens in days; 0 means no expiry.",
    )
    db_pool_size: int = Field(
        default=10, ge=1, description="Database connections kept open per process (PostgreSQL)."
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")
    storage_backend: str = Field(
        default="local", description="Where new files are stored: `local` or `s3`."
    )
    storage_path: Path | None = Field(
        default=None, description="Folder of the local backend; empty means `<instance>/files`."
    )
    s3_bucket: str = Field(default="", description="S3 bucket of the `s3` backend.")
    s3_prefix: str = Field(default="", description="Key prefix inside the S3 bucket.")
    s3_endpoint_url: str = Field(
        default="", description="S3 endpoint for S3-compatible stores (MinIO, Ceph); empty: AWS."
    )
    s3_region: str = Field(default="", description="S3 region; empty: the client's default.")
    s3_access_key: str = Field(default="", description="S3 access key; empty: boto3's chain.")
    s3_secret_key: str = Field(default="", description="S3 secret key; empty: boto3's chain.")
    files_offload: str = Field(
        default="none",
        description=(
            "How downloads are sent: `none` (Cairn streams them), `nginx` (X-Accel-Redirect "
            "to `files_accel_prefix`, local backend) or `presigned` (redirect to S3)."
        ),
    )
    files_accel_prefix: str = Field(
        default="/_protected_files",
        description="nginx `internal` location that maps to the local storage folder.",
    )
    files_max_per_record: int = Field(
        default=100, ge=1, description="Most files one draft or record may hold."
    )
    files_max_file_size: int = Field(
        default=10 * 1024**3, ge=0, description="Largest single file, in bytes."
    )
    files_quota: int = Field(
        default=10 * 1024**3, ge=0, description="Total bytes of files one record may hold."
    )
    files_user_quota: int = Field(
        default=0,
        ge=0,
        description="Total bytes of files in one user's drafts and records; 0 means no limit.",
    )
    files_archive_max_size: int = Field(
        default=0,
        ge=0,
        description="Largest `files-archive` download in bytes; 0 means no limit.",
    )
    files_gc_grace_hours: int = Field(
        default=24,
        ge=0,
        description="`cairn files gc` keeps unreferenced blobs younger than this.",
    )
    tus_expiry_hours: int = Field(
        default=72, ge=1, description="Unfinished resumable (tus) uploads expire after this."
    )
    search_path: Path | None = Field(
        default=None, description="Folder of the search indexes; empty: `<instance>/search`."
    )
    search_index_prefix: str = Field(
        default="",
        pattern=r"^([A-Za-z0-9_][A-Za-z0-9_.-]*)?$",
        description="Prefix of every index name, so several instances can share one folder.",
    )
    search_language: str = Field(
        default="english",
        description="Stemming language of new indexes (`none` to stem nothing); changing it "
        "takes effect through `cairn index migrate`.",
    )
    search_refresh_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Longest time a change waits to be indexed when nobody is searching.",
    )
    search_wait_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="Longest time a search waits for the index to catch up with the "
        "database before it answers from the index as it is.",
    )
    jobs_in_server: bool = Field(
        default=True,
        description="Run background jobs in a thread of `cairn serve`; turn off when "
        "`cairn worker` processes run them.",
    )
    jobs_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=3600,
        description="How often an idle job worker looks for due jobs, in seconds.",
    )

    oai_admin_email: str = Field(
        default="",
        description="Administrator email that OAI-PMH Identify names. Empty: admin@<site host>.",
    )
    oai_page_size: int = Field(
        default=500, ge=10, le=5000, description="Records per OAI-PMH ListRecords response."
    )
    datacite_symbol: str = Field(
        default="",
        description="Your DataCite data-centre symbol (e.g. `CERN.ZENODO`), named in "
        "OAI-PMH's oai_datacite records. Empty: the site's host name.",
    )
    registration: bool = Field(
        default=True,
        description="Whether visitors may create their own account at `/signup`.",
    )
    session_days: int = Field(
        default=14, ge=1, le=365, description="How long a web login lasts, in days."
    )
    login_rate_limit: str = Field(
        default="10/minute",
        description="Most login (and sign-up) attempts per client address and per email "
        "address, in the `limits` notation (`10/minute`, `100/hour`).",
    )
    rate_limit_storage_url: str = Field(
        default="memory://",
        description="Where rate-limit counters live: `memory://` (one process) or a Redis "
        "URL (`redis://127.0.0.1:6379`) shared by several processes.",
    )
    site_logo: str = Field(
        default="",
        description="Logo in the page header: a URL, or a file name in `<instance>/static/` "
        "(served at `/static/site/<name>`). Empty: the site name alone.",
    )
    site_footer: str = Field(
        default="",
        description="HTML shown in every page's footer (sanitised: links and simple markup).",
    )
    theme_primary_color: str = Field(
        default="#1d5b79", description="Main colour of the web pages (`#rrggbb`)."
    )
    theme_accent_color: str = Field(
        default="#9c4221", description="Colour of links and highlights (`#rrggbb`)."
    )

    @field_validator("theme_primary_color", "theme_accent_color")
    @classmethod
    def _colour(cls, value: str) -> str:
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise ValueError("must be a colour written #rrggbb")
        return value.lower()

    @field_validator("login_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        if not re.fullmatch(r"\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?\s*", value):
            raise ValueError("must read like 10/minute")
        return value.strip()

    @field_validator("rate_limit_storage_url")
    @classmethod
    def _rate_storage(cls, value: str) -> str:
        if not value.startswith(("memory://", "redis://", "rediss://")):
            raise ValueError("must be memory:// or a redis:// URL")
        return value

    @field_validator("site_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("storage_backend")
    @classmethod
    def _backend(cls, value: str) -> str:
        if value not in ("local", "s3"):
            raise ValueError("must be local or s3")
        return value

    @field_validator("doi_provider")
    @classmethod
    def _doi_provider(cls, value: str) -> str:
        if value not in ("none", "local", "datacite"):
            raise ValueError("must be none, local or datacite")
        return value

    @field_validator("files_offload")
    @classmethod
    def _offload(cls, value: str) -> str:
        if value not in ("none", "nginx", "presigned"):
            raise ValueError("must be none, nginx or presigned")
        return value

    @field_validator("search_language")
    @classmethod
    def _language(cls, value: str) -> str:
        value = value.lower()
        if value not in SEARCH_LANGUAGES:
            raise ValueError("must be none or one of " + ", ".join(SEARCH_LANGUAGES[1:]))
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.lower()
        if value not in {"debug", "info", "warning", "error"}:
            raise ValueError("must be one of debug, info, warning, error")
        return value

    @property
    def base_url(self) -> str:
        """The site URL in effect (``site_url`` or one made of ``host`` and ``port``)."""
        return self.site_url or f"http://{self.host}:{self.port}"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.instance / 'cairn.db').resolve()}"

    @property
    def effective_storage_path(self) -> Path:
        return self.storage_path or self.instance / "files"

    @property
    def effective_search_path(self) -> Path:
        return self.search_path or self.instance / "search"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


def option_names() -> list[str]:
    return list(Settings.model_fields)


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in Settings.model_fields:
        key = ENV_PREFIX + name.upper()
        if key in environ:
            values[name] = environ[key]
    return values


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from exc
    return data.get("cairn", data)


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings from ``cairn.toml`` and the environment; ``overrides`` win over both."""
    environ = os.environ if environ is None else environ
    env = _from_env(environ)
    instance = Path(overrides.get("instance") or env.get("instance") or "instance")
    values: dict[str, Any] = {**_read_toml(instance / CONFIG_FILE), **env, **overrides}
    values["instance"] = instance
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(f"invalid settings: {problems}") from exc


def ensure_instance(settings: Settings) -> Settings:
    """Create the instance folder and the secret key when missing; return final settings."""
    settings.instance.mkdir(parents=True, exist_ok=True)
    if settings.secret_key:
        return settings
    key_file = settings.instance / SECRET_KEY_FILE
    if not key_file.exists():
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it a moment ago
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return settings.model_copy(update={"secret_key": key_file.read_text().strip()})
