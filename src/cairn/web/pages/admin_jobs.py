"""Administration of background jobs: the list by state, retrying a failed job, purging
finished ones."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from cairn.core.errors import InvalidRequest, NotFound, ValidationFailed
from cairn.db.job_admin import JobAdministration
from cairn.db.jobs import STATES
from cairn.http.context import services
from cairn.web.pages.admin_users import FLASH, page_number, require_admin
from cairn.web.pages.common import call, field_errors, flash, form, pop_flash, redirect, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
MAX_ID = 2**62
BADGES = {"queued": "draft", "running": "edit", "done": "published", "failed": "deleted"}
PURGE_STATES = {"finished": ["done", "failed"], "done": ["done"], "failed": ["failed"]}


def _admin(request: Request) -> JobAdministration:
    return services(request).jobs


def _state(text: str | None) -> str:
    """The state filter from the address: empty (all) or a job state."""
    if not text:
        return ""
    if text not in STATES:
        raise InvalidRequest(f"state must be one of: {', '.join(STATES)}.")
    return text


def _job_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        raise NotFound(f"No job with id {text}.")
    return int(text)


def _back(values: dict[str, str]) -> str:
    state = values.get("state", "")
    query = {"state": state if state in STATES else "", "page": values.get("page", "")}
    args = urlencode({k: v for k, v in query.items() if v})
    return "/administration/jobs" + (f"?{args}" if args else "")


async def _jobs_page(
    request: Request,
    state: str,
    page: int,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    found = await call(request, _admin(request).search, state or None, page, PAGE_SIZE)
    context: dict[str, Any] = {
        "tab": "jobs",
        "state": state,
        "states": STATES,
        "page": page,
        "pages": max(1, math.ceil(found.total / PAGE_SIZE)),
        "total": found.total,
        "counts": found.counts,
        "all_count": sum(found.counts.values()),
        "jobs": found.jobs,
        "badges": BADGES,
        "errors": errors or {},
        "values": values or {},
        "message": pop_flash(request, FLASH),
        "link_args": {"state": state} if state else {},
    }
    return render(request, "admin_jobs.html", context, status)


@router.get("/administration/jobs", name="web.admin_jobs")
async def jobs_page(request: Request) -> Response:
    await require_admin(request)
    query = request.query_params
    return await _jobs_page(request, _state(query.get("state")), page_number(query.get("page")))


@router.post("/administration/jobs/{job_id}/retry")
async def retry(request: Request, job_id: str) -> Response:
    values = await form(request)
    await require_admin(request)
    try:
        job = await call(request, _admin(request).retry, _job_id(job_id))
    except InvalidRequest as exc:  # retried or purged meanwhile, e.g. by another admin
        flash(request, FLASH, exc.message)
    else:
        flash(request, FLASH, f"Job {job.id} ({job.kind}) is queued again.")
    return redirect(_back(values))


def _days(text: str) -> float:
    text = text.strip() or "0"
    try:
        days = float(text)
    except ValueError:
        raise ValueError("Must be a number of days, 0 or more.") from None
    if not 0 <= days <= 100_000:
        raise ValueError("Must be a number of days between 0 and 100000.")
    return days


@router.post("/administration/jobs/purge")
async def purge(request: Request) -> Response:
    values = await form(request)
    await require_admin(request)
    errors: dict[str, list[str]] = {}
    states = PURGE_STATES.get(values.get("purge_state", ""))
    if states is None:
        errors["purge_state"] = ["Choose finished, done or failed jobs."]
    try:
        days = _days(values.get("older_than", ""))
    except ValueError as exc:
        errors["older_than"] = [str(exc)]
    if not errors:
        try:
            removed = await call(request, _admin(request).purge, states, days)
        except ValidationFailed as exc:
            errors = field_errors(exc)
    if errors:
        state = values.get("state", "")
        page = page_number(values.get("page"))
        return await _jobs_page(
            request, state if state in STATES else "", page, 400, errors, values
        )
    flash(request, FLASH, f"Purged {removed} job{'' if removed == 1 else 's'}.")
    return redirect(_back(values))
