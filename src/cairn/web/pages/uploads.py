"""My uploads: the caller's drafts and records."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
