"""The web interface: server-rendered pages over the same services as the REST API."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from cairn.http.ratelimit import AttemptLimiter
from cairn.http.sessions import SESSION_COOKIE
from cairn.settings import Settings
from cairn.web.pages import account, admin, deposit, records, search, sitemaps, uploads
from cairn.web.security import SecurityHeaders
from cairn.web.templating import STATIC_DIR, Pages

ROUTERS = (
    search.router,
    records.router,
    deposit.router,
    uploads.router,
    account.router,
    admin.router,
    sitemaps.router,
)
DAY = 24 * 3600
YEAR = "public, max-age=31536000, immutable"


class VersionedStatic(StaticFiles):
    """Assets linked with ``?v=<hash>`` may be cached for a year; others (modules that
    scripts import by relative path) are revalidated on every use (a 304 when unchanged),
    so an upgrade never leaves a browser with a stale mix."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200 or response.status_code == 304:
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = YEAR if versioned else "no-cache"
        return response


def _theme(request: Request) -> Response:
    css = request.app.state.pages.site.theme_css()
    headers = {"Cache-Control": YEAR}
    return Response(css, media_type="text/css", headers=headers)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the pages, their assets, sessions and security headers to ``app``."""
    app.state.pages = Pages(settings)
    app.state.login_limiter = AttemptLimiter.from_settings(
        settings.login_rate_limit, settings.rate_limit_storage_url
    )
    for router in ROUTERS:
        app.include_router(router)
    app.add_api_route("/static/theme.css", _theme, include_in_schema=False)
    site_static = settings.instance / "static"
    app.mount("/static/site", StaticFiles(directory=site_static, check_dir=False), "site-static")
    app.mount("/static", VersionedStatic(directory=STATIC_DIR), name="static")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_days * DAY,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    app.add_middleware(SecurityHeaders)
