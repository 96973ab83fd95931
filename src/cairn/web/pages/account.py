"""Account pages: sign up, log in, log out, change password, personal access tokens."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from cairn.core.errors import ValidationFailed
from cairn.http.ratelimit import RateLimited
from cairn.http.sessions import end_session, start_session
from cairn.web.pages.common import (
    call,
    caller,
    field_errors,
    flash,
    form,
    limiter,
    login_redirect,
    pop_flash,
    redirect,
    render,
    safe_next,
    svc,
)

router = APIRouter(include_in_schema=False)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login", name="web.login")
async def login_page(request: Request, next: str = "/") -> Response:
    if (await caller(request)).user_id is not None:
        return redirect(safe_next(next))
    return render(request, "login.html", {"next": safe_next(next), "email": "", "errors": {}})


@router.post("/login")
async def login(request: Request) -> Response:
    values = await form(request)
    email = values.get("email", "").strip()
    target = safe_next(values.get("next"))
    context = {"next": target, "email": email, "errors": {}}
    try:
        limiter(request).hit("login", _client(request), email.lower() or "-")
    except RateLimited as exc:
        return render(request, "login.html", {**context, "message": str(exc)}, 429)
    found = await run_in_threadpool(svc(request).accounts.login, email, values.get("password", ""))
    if found is None:
        message = "The email address or password is wrong, or the account is deactivated."
        return render(request, "login.html", {**context, "message": message}, 400)
    start_session(request, found)
    return redirect(target)


@router.post("/logout", name="web.logout")
async def logout(request: Request) -> Response:
    await form(request)
    end_session(request)
    return redirect("/")


@router.get("/signup", name="web.signup")
async def signup_page(request: Request) -> Response:
    if not svc(request).accounts.registration:
        return render(request, "error.html", _closed(), 404)
    return render(request, "signup.html", {"email": "", "errors": {}})


def _closed() -> dict[str, str]:
    return {
        "title": "Registration is closed",
        "message": "Accounts on this repository are created by its administrators.",
    }


@router.post("/signup")
async def signup(request: Request) -> Response:
    values = await form(request)
    accounts = svc(request).accounts
    if not accounts.registration:
        return render(request, "error.html", _closed(), 404)
    email = values.get("email", "").strip()
    password = values.get("password", "")
    context: dict[str, object] = {"email": email, "errors": {}}
    try:
        limiter(request).hit("signup", _client(request))
    except RateLimited as exc:
        return render(request, "signup.html", {**context, "message": str(exc)}, 429)
    if password != values.get("password_confirm", ""):
        errors = {"password_confirm": ["The two passwords differ."]}
        return render(request, "signup.html", {**context, "errors": errors}, 400)
    try:
        await run_in_threadpool(accounts.register, email, password)
    except ValidationFailed as exc:
        return render(request, "signup.html", {**context, "errors": field_errors(exc)}, 400)
    found = await run_in_threadpool(accounts.login, email, password)
    if found is not None:
        start_session(request, found)
    return redirect("/uploads/new")


@router.get("/account/settings/password", name="web.password")
async def password_page(request: Request) -> Response:
    if (await caller(request)).user_id is None:
        return login_redirect(request)
    return render(request, "password.html", {"errors": {}})


@router.post("/account/settings/password")
async def change_password(request: Request) -> Response:
    values = await form(request)
    if (await caller(request)).user_id is None:
        return login_redirect(request)
    new = values.get("password", "")
    if new != values.get("password_confirm", ""):
        errors = {"password_confirm": ["The two passwords differ."]}
        return render(request, "password.html", {"errors": errors}, 400)
    try:
        session_user = await call(
            request, svc(request).accounts.change_password, values.get("current_password", ""), new
        )
    except ValidationFailed as exc:
        return render(request, "password.html", {"errors": field_errors(exc)}, 400)
    start_session(request, session_user)
    return render(request, "password.html", {"errors": {}, "message": "Password changed."})


async def _tokens_page(request: Request, status: int = 200, **context: object) -> Response:
    tokens = await call(request, svc(request).accounts.list_tokens)
    values = {"tokens": tokens, "errors": {}, "name": "", **context}
    return render(request, "tokens.html", values, status)


@router.get("/account/settings/applications", name="web.tokens")
async def tokens_page(request: Request) -> Response:
    if (await caller(request)).user_id is None:
        return login_redirect(request)
    created = pop_flash(request, "token") or {}
    return await _tokens_page(
        request, new_token=created.get("value"), new_token_name=created.get("name")
    )


@router.post("/account/settings/applications")
async def create_token(request: Request) -> Response:
    values = await form(request)
    who = await caller(request)
    if who.user_id is None or who.email is None:
        return login_redirect(request)
    name = values.get("name", "")
    days_text = values.get("days", "365")
    days = int(days_text) if days_text.isdigit() else -1
    try:
        info, raw = await call(
            request, svc(request).accounts.create_token, who.email, name, days or None
        )
    except ValidationFailed as exc:
        return await _tokens_page(request, 400, errors=field_errors(exc), name=name)
    flash(request, "token", {"name": info.name, "value": raw})  # shown once, by the next page
    return redirect("/account/settings/applications")


@router.post("/account/settings/applications/{token_id}/revoke")
async def revoke_token(request: Request, token_id: int) -> Response:
    await form(request)
    if (await caller(request)).user_id is None:
        return login_redirect(request)
    await call(request, svc(request).accounts.revoke_token, token_id)
    return redirect("/account/settings/applications")
