"""Record landing pages, file downloads and PID resolvers."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
