"""What every page handler needs: services, the templates, the caller, forms, redirects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from cairn.core.errors import ValidationFailed
from cairn.core.identity import Identity
from cairn.http.context import Services, identity, services
from cairn.http.ratelimit import AttemptLimiter
from cairn.http.sessions import CSRF_FIELD, require_csrf
from cairn.web.templating import Pages

T = TypeVar("T")
MAX_FORM_FIELD = 100_000


def pages(request: Request) -> Pages:
    return request.app.state.pages


def limiter(request: Request) -> AttemptLimiter:
    return request.app.state.login_limiter


def render(
    request: Request, name: str, context: Mapping[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    return pages(request).render(request, name, context, status)


async def call(request: Request, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a blocking service method as the caller, off the event loop."""

    def run() -> T:
        return method(identity(request), *args, **kwargs)

    return await run_in_threadpool(run)


async def caller(request: Request) -> Identity:
    return await run_in_threadpool(identity, request)


def svc(request: Request) -> Services:
    return services(request)


async def form(request: Request) -> dict[str, str]:
    """A posted form as text fields, after checking its CSRF token."""
    data = await request.form(max_files=0, max_fields=200)
    values = {k: v[:MAX_FORM_FIELD] for k, v in data.items() if isinstance(v, str)}
    require_csrf(request, values.get(CSRF_FIELD))
    return values


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target inside this site (never ``//host`` or a full URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def login_redirect(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/login?next={quote(here, safe='')}")


def field_errors(exc: ValidationFailed) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(error.field, []).extend(error.messages)
    return errors


def flash(request: Request, key: str, value: Any) -> None:
    """Keep ``value`` for the next page this browser opens (post, redirect, get)."""
    request.session.setdefault("flash", {})[key] = value
    request.session["flash"] = dict(request.session["flash"])  # mark the session changed


def pop_flash(request: Request, key: str) -> Any:
    stored = request.session.get("flash") or {}
    value = stored.pop(key, None)
    if stored:
        request.session["flash"] = stored
    else:
        request.session.pop("flash", None)
    return value
